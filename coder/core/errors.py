"""Exceptions shared by every layer; depends on nothing but `coder.core.printable`.

Messages say what is wrong and what to do in words every front end can show; they never name
a command-line option or command. Where a setting or a use case would help, the error carries
it as a :class:`Remedy`, and the CLI adds its own option or command (`coder.cli.remedies`).
"""

from __future__ import annotations

from dataclasses import dataclass

from coder.core.printable import printable


@dataclass(frozen=True)
class Remedy:
    """What would help, as a fact a front end puts in its own words.

    Attributes:
        option: The setting to give, by its parameter name: "encoding", "id_column",
            "open_columns", "wave", "layer", "coder", "coders", "frame", "question", "model",
            "device", "closed", "categories", "min_similarity", "replace_frame", "code_map".
        alternative: Another option that would do as well (e.g. "question" for "frame").
        action: Or the use case to run: "init", "import_codeframe", "find_themes",
            "plan_double_coding", "adjudicate", "disagreement_queue", "backcode_link",
            "export_codings".
        example: An example value of the option (e.g. "cp1252").
        question: The question the action is for.
        path: The file the action is for (e.g. the project to create).
    """

    option: str | None = None
    alternative: str | None = None
    action: str | None = None
    example: str | None = None
    question: str | None = None
    path: str | None = None


class Note(str):
    """A message for the user that is not an error (e.g. how a file was read), with a remedy."""

    remedy: Remedy | None

    def __new__(cls, text: str, remedy: Remedy | None = None) -> Note:
        note = super().__new__(cls, text)
        note.remedy = remedy
        return note


class CoderError(Exception):
    """Base class for errors a user can act on; the CLI prints the message and exits non-zero.

    Args:
        remedy: What would help, for the front end to word (see :class:`Remedy`).
    """

    exit_code = 1

    def __init__(self, *args: object, remedy: Remedy | None = None) -> None:
        super().__init__(*args)
        self.remedy = remedy


class Cancelled(CoderError):
    """Long work was cancelled by the user (Esc in the app, Ctrl+C in the CLI)."""

    exit_code = 130


class InputError(CoderError):
    """A file given to the tool cannot be used; the message names file, row and column.

    The message is made printable: file names, column names and cell values quoted in it come
    from the user's file and may hold control characters.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        row: int | None = None,
        column: str | None = None,
        remedy: Remedy | None = None,
    ) -> None:
        self.path = path
        self.row = row
        self.column = column
        where = []
        if path is not None:
            where.append(str(path))
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f'column "{column[:60] + "..." if len(column) > 60 else column}"')
        super().__init__(printable(f"{', '.join(where)}: {message}" if where else message),
                         remedy=remedy)


class ProjectError(CoderError):
    """The project file is missing, locked, from a newer version, or an action is not allowed."""

    exit_code = 3


class ProjectBusy(ProjectError):
    """Another user or window held the project's write lock for longer than we could wait.

    Nothing was changed; the same action can simply be tried again.
    """

    def __init__(self, project: str, waited: float = 0.0) -> None:
        self.project = project
        self.waited = waited
        super().__init__(
            f"{project} is busy: another user or window is writing (e.g. a large merge or"
            " undo); nothing was changed — try again in a moment"
        )


class EditConflict(ProjectError):
    """Someone else changed what an edit was based on since it was loaded; nothing was changed.

    Reload (the app shows the current state) and make the edit again.
    """


class NotInProject(ProjectError):
    """Something the user named (a question, respondent, answer, code, coder, wave, codeframe,
    layer...) is not in the project, or is not one that fits (a net, an ambiguous label): bad
    input, so the CLI exits with code 2. A ProjectError, so code that looks things up and
    skips what is gone still catches it."""

    exit_code = 2
