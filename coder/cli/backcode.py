"""The `coder backcode` commands: back-coding "Other (please specify)" answers into the closed
question's categories (link, suggest, apply, export).

Thin: parse, call coder.services.backcode, print.
"""

from __future__ import annotations

import click

from coder.cli.main import coder_option, open_store, project_option, resolve_coder
from coder.core.suggest.backcode import MIN_SIMILARITY

_QUESTION = click.option("--question", "-q", "question_id", required=True, metavar="Q",
                         help="The other-specify question.")


@click.group()
def backcode() -> None:
    """Back-code "Other (please specify)" answers into the closed question's categories.

    \b
    coder backcode link -p P -q q8_other_specify          (its closed question by routing)
    coder backcode suggest -p P -q q8_other_specify
    coder backcode apply -p P -q q8_other_specify --min-precision 0.9
    coder backcode export -p P -q q8_other_specify --output q8_updated.csv
    Coders back-code in the app like any coding (the link is a codeframe).
    """


@backcode.command("link")
@project_option
@_QUESTION
@click.option("--closed", "closed_id", default=None, metavar="C",
              help="The closed question (default: the one the question is routed from).")
@click.option("--categories", default=None, metavar="'A;B;C'",
              help="The categories, separated by ';' (default: the closed question's value"
                   " labels, else the values respondents gave, without the 'other' option).")
@click.option("--describe", "describe", multiple=True, metavar="'CATEGORY=WORDS'",
              help="Words a category is also known by, compared with the answers beside its"
                   " label (repeatable), e.g. --describe 'Peer authority=a neighbouring local"
                   " authority'.")
@click.option("--replace-frame", is_flag=True,
              help="Back-code a question that has a codeframe with codes (it stays in the"
                   " project; undo brings it back): its codings are carried to the categories"
                   " their codes are named like, or as --map says.")
@click.option("--map", "code_map", multiple=True, metavar="'CODE=CATEGORY'",
              help="With --replace-frame: the category (or 'Genuinely other') a code of the"
                   " replaced codeframe stands for, so its codings are carried there"
                   " (repeatable), e.g. --map 'Our neighbours=Peer authority'.")
@coder_option
def link(project: str, question_id: str, closed_id: str | None, categories: str | None,
         describe: tuple[str, ...], replace_frame: bool, code_map: tuple[str, ...],
         coder_name: str | None) -> None:
    """Give the other-specify question a codeframe of the closed categories plus
    "Genuinely other" (one undoable action)."""
    from coder.services.backcode import link as run

    mapped = _pairs(code_map, "CODE=CATEGORY", "--map")
    with open_store(project) as store:
        done = run(store, question_id, actor=resolve_coder(coder_name),
                   closed_question_id=closed_id,
                   categories=None if categories is None else categories.split(";"),
                   replace_frame=replace_frame,
                   descriptions=_pairs(describe, "CATEGORY=WORDS", "--describe"),
                   code_map=mapped)
    names = ", ".join(c.label for c in done.link.frame.codes)
    click.echo(f"{question_id} back-codes into {done.link.closed_question_id}: {names}")
    if done.replaced is not None:
        empty = "the empty " if not done.replaced.codes else ""
        click.echo(f'  instead of {empty}codeframe "{done.replaced.name}" (kept in the project;'
                   " undo brings it back)")
    if done.carried:
        moves = "; ".join(f'"{code}" -> {category}' for code, category in done.carried_codes)
        click.echo(f"  carried {done.carried} codings to the categories: {moves}")


def _pairs(given: tuple[str, ...], shape: str, option: str) -> dict[str, str]:
    """'NAME=VALUE' options as name -> value."""
    out: dict[str, str] = {}
    for item in given:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise click.BadParameter(f"{item!r} is not {shape}", param_hint=f"'{option}'")
        out[name.strip()] = value.strip()
    return out


@backcode.command("suggest")
@project_option
@_QUESTION
@click.option("--min-similarity", type=click.FloatRange(0.0, 1.0), default=MIN_SIMILARITY,
              show_default=True, help="Below this, an answer is suggested 'genuinely other'.")
def suggest(project: str, question_id: str, min_similarity: float) -> None:
    """Print each answer's suggested category (or genuinely other) with its similarity."""
    from coder.services.backcode import suggest as run

    with open_store(project) as store:
        found = run(store, question_id, min_similarity=min_similarity)
    for s in found:
        text = s.text if len(s.text) <= 60 else s.text[:57] + "..."
        category = s.backcode.category or "genuinely other"
        person = "" if s.human is None else f"  [coded: {s.human or 'genuinely other'}]"
        click.echo(f"{s.answer_id:>6}  {s.backcode.similarity:.2f}  {category:<30}  {text!r}"
                   f"{person}")


@backcode.command("apply")
@project_option
@_QUESTION
@click.option("--min-precision", type=click.FloatRange(0.5, 1.0), default=0.9,
              show_default=True,
              help="Back-code only above the similarity that kept suggestions right this often"
                   " on the answers people back-coded.")
@click.option("--min-similarity", type=click.FloatRange(0.0, 1.0), default=None,
              help="Back-code at this similarity or above instead (when too few answers are"
                   " back-coded by people to estimate the gate).")
@click.option("--model", "model_name", default="backcode", show_default=True,
              help="The model coder's name; its codes are the layer model:NAME.")
@click.option("--dry-run", is_flag=True, help="Count, write nothing.")
@coder_option
def apply(project: str, question_id: str, min_precision: float, min_similarity: float | None,
          model_name: str, dry_run: bool, coder_name: str | None) -> None:
    """Back-code, as a model coder, the answers no person back-coded whose category clears
    the gate (one undoable action: coder codeframe undo --coder YOU)."""
    from coder.services.backcode import apply as run

    with open_store(project) as store:
        result = run(store, question_id, actor=resolve_coder(coder_name),
                     min_precision=min_precision, min_similarity=min_similarity,
                     model_name=model_name, dry_run=dry_run)
    gate = (f"estimated precision {result.precision:.3f} on {result.human_backcoded} answers"
            " back-coded by people" if result.precision is not None else "similarity given")
    verb = "would back-code" if dry_run else "back-coded"
    click.echo(f"similarity >= {result.threshold:.3f} ({gate}); model {model_name} {verb}"
               f" {result.coded} of {result.candidates} answers no person back-coded")


@backcode.command("export")
@project_option
@_QUESTION
@click.option("--output", required=True, type=click.Path(dir_okay=False),
              help="A .csv or .sav file (with <stem>_codebook.csv beside it): respondent_id,"
                   " the closed question's old and updated values, the updated value's label,"
                   " and who back-coded it.")
def export(project: str, question_id: str, output: str) -> None:
    """Write the closed question's updated values for the back-coded answers, as the survey
    file has them (its codes and value labels, from a .sav), to merge back by respondent ID."""
    from pathlib import Path

    from coder.services.backcode import export as run

    if Path(output).suffix.lower() not in (".csv", ".sav"):
        raise click.UsageError("give a .csv or .sav --output file")
    with open_store(project) as store:
        result = run(store, question_id, output)
    values = "codes, with value labels" if result.numeric else "labels (no value labels known)"
    click.echo(f"wrote the updated {result.closed_question_id} of {result.respondents}"
               f" respondents ({values}) to " + ", ".join(str(f) for f in result.files))


COMMANDS = [backcode]
