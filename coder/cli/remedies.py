"""What the CLI adds to an error or note: the option or command behind its `Remedy`.

The core and services word their messages for every front end; only here do they become
`--encoding` or `coder qa queue`.
"""

from __future__ import annotations

from coder.core.errors import Remedy

#: A remedy's option -> the command-line option that gives it.
OPTIONS = {
    "encoding": "--encoding",
    "id_column": "--id-column",
    "open_columns": "--open-column",
    "wave": "--wave",
    "layer": "--layer",
    "coder": "--coder",
    "coders": "--coders",
    "frame": "--frame NAME",
    "question": "--question Q",
    "model": "--model",
    "code_map": "--map 'CODE=CATEGORY'",
}

#: A remedy's action -> the command that does it ({question}, {path} filled in).
ACTIONS = {
    "init": "coder init {path}",
    "import_codeframe": "coder codeframe import FILE --question {question}",
    "find_themes": "coder themes --question {question}",
    "plan_double_coding": "coder qa sample",
    "adjudicate": "coder qa adjudicate",
    "disagreement_queue": "coder qa queue --question {question}",
    "backcode_link": "coder backcode link --question {question}",
    "export_codings": "coder codings export --question {question} --output FILE",
}


def hint(remedy: Remedy | None) -> str:
    """The option or command for `remedy`, e.g. "e.g. --encoding cp1252"; "" if none."""
    if remedy is None:
        return ""
    if remedy.option is not None:
        option = _option(remedy.option)
        if remedy.example:
            return f"e.g. {option.split()[0]} {remedy.example}"
        if remedy.alternative is not None:
            return f"{option} or {_option(remedy.alternative)}"
        return option
    if remedy.action is not None and remedy.action in ACTIONS:
        command = ACTIONS[remedy.action]
        if remedy.question is None:
            command = command.replace(" --question {question}", "")
        return command.format(question=remedy.question or "", path=remedy.path or "PROJECT")
    return ""


def _option(name: str) -> str:
    return OPTIONS.get(name, "--" + name.replace("_", "-"))


def explain(message: object) -> str:
    """An error's or note's text with the CLI's option or command for its remedy."""
    text = str(message)
    found = hint(getattr(message, "remedy", None))
    return f"{text} ({found})" if found else text
