"""The `coder codings` commands: import codings from a file, export them to one.

Thin: parse, call coder.services.codings_io, print. No SQL and no matching rules here.
"""

from __future__ import annotations

import click

from coder.cli.main import open_store, project_option, resolve_coder

_LAYER_HELP = ("Whose codings (default: every human coder's own, each row naming its coder)."
               " final: the final codes, as reports count them, under coder \"final\""
               " (answers the coders disagree on and nobody adjudicated are left out);"
               " adjudicated; coder:NAME; model:NAME; all: every coder's own codings, models'"
               " and the adjudicated layer's too (import refuses the adjudicated layer's rows).")


@click.group()
def codings() -> None:
    """Codings in and out: import coders' codes from a file, export them to one."""


@codings.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@project_option
@click.option("--wave", default=None,
              help="The wave of rows that name none (default: the latest wave).")
@click.option("--coder", "coder_name", envvar="CODER_NAME", default=None,
              help="Who imports (the import is their action to undo), and the coder of rows"
                   " that name none; default $CODER_NAME or $USER.")
def import_(file: str, project: str, wave: str | None, coder_name: str | None) -> None:
    """Import codings from FILE: a CSV or XLSX table, or a REFI-QDA project (.qdpx).

    \b
    A table has the columns respondent_id, question and code, and optionally
    coder and wave: one row per code applied to an answer, several rows for
    several codes. code is the code's number or its label; an empty code
    records "no code applies". A row with no coder is --coder's, a row with
    no wave is --wave's (default: the latest wave).

    \b
    A .qdpx (from NVivo, ATLAS.ti, MAXQDA, or `coder export --format qdpx`):
    each text source is matched to an answer by the respondent and question it
    names (its case and "question" variable, or a name "RESPONDENT - QUESTION"
    as coder exports write), else by its text when exactly one answer has it;
    codes by guid, name or number; users become coders. A code on part of an
    answer codes the whole answer.

    \b
    Existing codes: for every answer and coder the file names, the file's codes
    replace that coder's codes on that answer. Answers the file does not name,
    and other coders' codes, stay as they are. Importing the same file twice
    changes nothing the second time.

    \b
    All or nothing: if any row names an unknown respondent, question, wave or
    code, the error names the file, row and column (the first few problems)
    and nothing is imported. The whole import is one action of --coder:
    `coder codeframe undo --coder NAME` takes it back.
    """
    from coder.services.codings_io import import_codings

    actor = resolve_coder(coder_name)
    with open_store(project) as store:
        done = import_codings(store, file, actor=actor, wave=wave)
    plural = "" if done.answers == 1 else "s"
    click.echo(f"imported {done.path}: {done.answers} answer{plural} coded by"
               f" {', '.join(done.coders)} ({', '.join(done.questions)}); {done.added} codings"
               f" added, {done.removed} removed, {done.answers - done.changed} already so")
    if done.ignored_columns:
        click.echo(f"note: columns not read: {', '.join(done.ignored_columns)}", err=True)
    if done.partial:
        click.echo(f"note: {done.partial} codings on part of an answer now code the whole answer",
                   err=True)
    if done.changed:
        click.echo(f"undo with: coder codeframe undo --project {project} --coder {actor}")


@codings.command("export")
@project_option
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="The CSV file to write.")
@click.option("--question", "-q", "questions", multiple=True,
              help="A question to export; repeat for several (default: every open question).")
@click.option("--layer", default=None, help=_LAYER_HELP)
@click.option("--wave", default=None,
              help="Only this wave's answers (default: every wave; each row names its wave).")
def export(project: str, output: str, questions: tuple[str, ...], layer: str | None,
           wave: str | None) -> None:
    """Write codings to a CSV file that `coder codings import` takes back.

    Columns respondent_id, question, code (the code's number), coder and wave; one row
    per code applied, and one row with an empty code for an answer coded "no code applies".
    The file holds respondent IDs: for internal use.
    """
    from coder.services.codings_io import export_codings

    with open_store(project) as store:
        done = export_codings(store, output, question_ids=questions or None, layer=layer,
                              wave=wave)
    click.echo(f"wrote {done.path}: {done.lines} rows, {done.answers} coded answers")
    if done.left_out:
        click.echo(f"note: {done.left_out} codings on codes outside their question's codeframe"
                   " were left out", err=True)
    click.echo("note: the file holds respondent IDs: internal use only", err=True)


COMMANDS = [codings]
