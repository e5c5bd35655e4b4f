"""CLI commands for projects and survey data: init, import, info, question set."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from coder.cli.main import coder_option, open_store, progress, project_option, resolve_coder
from coder.cli.remedies import explain

if TYPE_CHECKING:
    from coder.core.survey.question_sheet import QuestionWording


@click.command()
@click.argument("project", type=click.Path(dir_okay=False))
def init(project: str) -> None:
    """Create an empty project: a new file PROJECT (SQLite), or in an empty PostgreSQL database
    given as postgresql://USER@HOST/DB (password from PGPASSWORD or ~/.pgpass)."""
    from coder.services.project import safe_location, schema_version

    with open_store(project, create=True) as store:
        click.echo(f"created {safe_location(project)} (schema {schema_version(store)})")


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@project_option
@click.option("--id-column", default=None, help="Respondent ID column (default: detected).")
@click.option(
    "--open-column",
    "open_columns",
    multiple=True,
    help="An open question column; repeat for several (default: detected).",
)
@click.option("--wave", default=None, help='Wave to import into (default: the latest, or "1").')
@click.option("--sheet", default=None, help="XLSX sheet (default: the first).")
@click.option(
    "--encoding",
    default=None,
    metavar="NAME",
    help="Text encoding of a CSV or .sav file, e.g. cp1252 (default: UTF-8, UTF-16 by its BOM,"
    " or Windows-1252 for a file with no UTF-8 in it).",
)
@click.option(
    "--carry-codes",
    is_flag=True,
    help="Code answers identical to answers coded in an earlier wave with the same codes"
    " (coder carried; one undoable action). Without it they are only suggested (layer"
    " model:carried-suggested).",
)
@click.option(
    "--question-text",
    "question_texts",
    multiple=True,
    metavar='Q="WORDING"',
    help="The wording of question Q as respondents saw it, for reports (a CSV has only column"
    " names); repeat for several.",
)
@click.option(
    "--question-routing",
    "question_routings",
    multiple=True,
    metavar='Q="WHO WAS ASKED"',
    help='Who was asked question Q, in words (e.g. Q5="authorities that run the ASYE");'
    " repeat for several.",
)
@click.option(
    "--questions",
    "questions_file",
    default=None,
    type=click.Path(dir_okay=False),
    help="A CSV or .xlsx sheet of question wording: columns id, text and (optional) routing.",
)
@coder_option
def import_(
    file: str,
    project: str,
    id_column: str | None,
    open_columns: tuple[str, ...],
    wave: str | None,
    sheet: str | None,
    encoding: str | None,
    carry_codes: bool,
    question_texts: tuple[str, ...],
    question_routings: tuple[str, ...],
    questions_file: str | None,
    coder_name: str | None,
) -> None:
    """Import a survey export FILE (.csv, .xlsx, .sav) into the project, all or nothing.

    Example: coder import survey.csv -p p.coder --question-text
    Q_barriers="What are the main barriers to placing children?"
    """
    from coder.core.printable import printable
    from coder.services.importing import carry_forward, import_survey
    from coder.services.question_wording import set_question_wording

    wording = _wording_options(questions_file, question_texts, question_routings)

    with open_store(project) as store, progress("importing") as bar:
        plan, result = import_survey(
            store,
            file,
            wave=wave,
            id_column=id_column,
            open_columns=open_columns or None,
            sheet=sheet,
            encoding=encoding,
            coder=resolve_coder(coder_name),
            progress=bar,
        )
        carried = carry_forward(store, result.wave, code=carry_codes,
                                actor=resolve_coder(coder_name))
        unknown = set_question_wording(store, wording, coder=resolve_coder(coder_name),
                                       skip_unknown=True) if wording else ()
    click.echo(
        printable(
            f"{file} -> wave {result.wave}: ID column {plan.id_column};"
            f" open questions {', '.join(plan.open_question_ids)}"
        )
    )
    click.echo(
        f"  respondents added {result.respondents_added}, answers added"
        f" {result.answers_added}, changed {result.answers_changed}, unchanged"
        f" {result.answers_unchanged}"
    )
    if wording:
        given = sorted(set(wording) - set(unknown))
        click.echo(printable(f"  wording given for {', '.join(given) or 'no question'}"))
    if unknown:
        click.echo(printable(f"  note: wording not used: no column {', '.join(unknown)} in"
                             " the project"), err=True)
    for note in plan.notes:
        click.echo(f"  note: {explain(note)}", err=True)
    if result.answers_changed_coded:
        click.echo(
            f"  note: {result.answers_changed_coded} changed answers were already coded;"
            " their codings were kept; they need recoding (filter is:changed in the app)",
            err=True,
        )
    if carried.answers:
        if carried.coded:
            click.echo(
                f"  carried forward: {carried.answers} answers identical to answers coded in an"
                f" earlier wave coded the same (coder {carried.coder}; undo with"
                " coder codeframe undo)"
            )
        else:
            click.echo(
                f"  suggested: {carried.answers} answers identical to answers coded in an earlier"
                f" wave (layer model:{carried.coder}); --carry-codes codes them"
            )
    if carried.ambiguous or carried.retired:
        click.echo(
            f"  note: not carried: {carried.ambiguous} answers coded in several ways before,"
            f" {carried.retired} whose codes were retired",
            err=True,
        )


def _wording_options(questions_file: str | None, texts: tuple[str, ...],
                     routings: tuple[str, ...]) -> dict[str, QuestionWording]:
    """The question wording given at import: the sheet, then the options over it."""
    from coder.core.survey.question_sheet import QuestionWording, read_question_sheet

    wording = read_question_sheet(questions_file) if questions_file else {}
    for option, values in (("--question-text", texts), ("--question-routing", routings)):
        for item in values:
            qid, sep, value = item.partition("=")
            if not sep or not qid.strip() or not value.strip():
                raise click.UsageError(f'{option} takes Q="wording", not "{item}"')
            given = (QuestionWording(text=value.strip()) if option == "--question-text"
                     else QuestionWording(routing=value.strip()))
            wording[qid.strip()] = wording.get(qid.strip(), QuestionWording()).merged(given)
    return wording


@click.command()
@project_option
@click.option("--wave", default=None, help="Only this wave.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def info(project: str, wave: str | None, as_json: bool) -> None:
    """Summarise the project: per open question, answers, non-substantive and duplicates."""
    from coder.services.overview import project_summary

    with open_store(project) as store:
        summary = project_summary(store, wave)
    stats, counts, waves = summary.questions, summary.counts, list(summary.waves)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "project": project,
                    "waves": waves,
                    "counts": counts,
                    "questions": [s.to_json() for s in stats],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    from rich.table import Table

    from coder.cli.main import table_console

    table = Table(
        title=f"{project}: {counts['respondents']} respondents, waves {', '.join(waves) or '-'}"
    )
    table.add_column("question", no_wrap=True)
    table.add_column("text", ratio=1, min_width=16)  # takes what the numbers leave
    for name in ("answers", "blank", "non-subst.", "dupl."):
        table.add_column(name, justify="right", no_wrap=True)
    for s in stats:
        text = s.question.text if len(s.question.text) < 60 else s.question.text[:57] + "..."
        if s.question.routing_note:
            text += f"\n[dim]{s.question.routing_note}[/]"
        table.add_row(
            s.question.id,
            text,
            str(s.n_answers),
            str(s.n_blank),
            str(s.n_non_substantive),
            str(s.n_duplicates),
        )
    table_console().print(table)


@click.group()
def question() -> None:
    """A question's wording and routing as reports print them."""


@question.command("set")
@click.argument("question_id", metavar="Q")
@project_option
@click.option("--text", default=None, help="The question as respondents saw it.")
@click.option("--routing", default=None, help='Who was asked, in words (e.g. "all authorities").')
@coder_option
def question_set(question_id: str, project: str, text: str | None, routing: str | None,
                 coder_name: str | None) -> None:
    """Set the wording and/or routing of question Q for reports (one undoable action).

    Example: coder question set Q_barriers -p p.coder --text "What are the main barriers?"
    --routing "authorities that placed any child"
    """
    from coder.core.printable import printable
    from coder.core.survey.question_sheet import QuestionWording
    from coder.services.question_wording import set_question_wording

    if not (text or "").strip() and not (routing or "").strip():
        raise click.UsageError("give --text, --routing or both")
    given = QuestionWording((text or "").strip() or None, (routing or "").strip() or None)
    with open_store(project) as store:
        set_question_wording(store, {question_id: given}, coder=resolve_coder(coder_name))
    click.echo(printable(f"{question_id}: wording recorded for reports"))


COMMANDS = [init, import_, info, question]
