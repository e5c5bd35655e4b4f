"""CLI commands for results: report (md/html/docx), export (csv/xlsx/sav/quotes), redaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from coder.cli.main import coder_option, open_store, progress, project_option, resolve_coder

if TYPE_CHECKING:
    from coder.services.exports import ExportResult

_WAVE_HELP = ("Waves to cover: a wave, several (2025,2026) or all (default: every wave with"
              " coding).")
_LAYER_HELP = ("Whose codes count. final (default): per answer the adjudicated codes, else the"
               " codes every coder agreed on, else the only coder's; answers the coders"
               " disagree on stay in the base with no code, with a caution. adjudicated:"
               " only the adjudicated answers. coder:NAME, model:NAME, or all (union, for"
               " exploration only).")


@click.command()
@project_option
@click.option("--question", "-q", "questions", multiple=True,
              help="A question to report; repeat for several (default: all with a codeframe).")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "docx"]), default=None,
              help="Output format (default: from the file extension).")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="The report file to write.")
@click.option("--by", default=None, metavar="ATTRIBUTE",
              help="Break frequencies down by a respondent attribute (e.g. region), or by wave"
                   " for a trend table; cells carry significance letters.")
@click.option("--layer", default=None, help=_LAYER_HELP)
@click.option("--wave", default=None, help=_WAVE_HELP)
@click.option("--weight", default=None, metavar="ATTRIBUTE",
              help="Weight percentages by a numeric respondent attribute (bases stay"
                   " unweighted counts).")
@click.option("--population", default=None, type=click.IntRange(min=1), metavar="N",
              help="Population size, for the finite population correction of significance"
                   " tests (e.g. 152 authorities).")
@click.option("--min-base", default=30, show_default=True, type=click.IntRange(min=1),
              help="Bases under this get a caution.")
@click.option("--quotes", "quotes_per_code", default=3, show_default=True,
              type=click.IntRange(0, 10), help="Quotes per code.")
@click.option("--title", default=None,
              help="Report title (default: project setting title, see coder project set).")
@click.option("--base-label", default=None,
              help='Who the base is, e.g. "responding authorities" (default: project setting'
                   ' base_label, else "respondents who answered").')
@click.option("--author", default=None,
              help="The document's author (default: project setting author, else the coder).")
@click.option("--include-ids", is_flag=True,
              help="Show the respondent ID after each quote. Off by default: respondents were"
                   " promised anonymity.")
@click.option("--suppress-below", default=0, show_default=True, type=click.IntRange(min=0),
              metavar="N",
              help='Show counts under N (and their percentages) as "*" in tables and themes.')
@click.option("--remember", is_flag=True,
              help="Keep --title, --base-label and --author in the project for later reports.")
@coder_option
def report(project: str, questions: tuple[str, ...], fmt: str | None, output: str,
           by: str | None, layer: str | None, wave: str | None, min_base: int,
           quotes_per_code: int, title: str | None, base_label: str | None,
           author: str | None, include_ids: bool, weight: str | None, population: int | None,
           suppress_below: int, remember: bool, coder_name: str | None) -> None:
    """Write a report: per question, bases, themes with anonymised quotes, tables and charts.

    Example: coder report -p p.coder -o report.docx --by region --suppress-below 5
    """
    from pathlib import Path

    from coder.core.reporting.charts import load_png_charts_meanwhile
    from coder.core.reporting.model import ReportOptions
    from coder.services.report_settings import remember_report_settings
    from coder.services.reports import REPORT_FORMATS, build_report, write_report

    chosen = fmt or Path(output).suffix.lstrip(".").lower()
    if chosen == "markdown":
        chosen = "md"
    if chosen not in REPORT_FORMATS:
        raise click.UsageError("give --format md, html or docx (or an output file ending in one)")
    coder = resolve_coder(coder_name)
    options = ReportOptions(
        question_ids=questions, layer=layer, by=by, wave=wave, min_base=min_base,
        quotes_per_code=quotes_per_code, include_ids=include_ids, title=title,
        base_label=base_label, author=author, coder=coder, suppress_below=suppress_below,
        weight=weight, population=population)
    with open_store(project) as store, progress("reporting") as bar:
        # Markdown's and Word's chart library loads while the report is counted.
        loading = load_png_charts_meanwhile() if chosen in ("md", "docx") else None
        if remember:
            remember_report_settings(store, coder=coder, title=title, base_label=base_label,
                                     author=author)
        built = build_report(store, options, progress=bar)
        if loading is not None:
            loading.join()
        written = write_report(built, chosen, output, protected=store.project_files)
    n = len(built.sections)
    waves = built.waves
    covered = f"; wave{'s' if len(waves) > 1 else ''} {', '.join(waves)}" if waves else ""
    click.echo(f"wrote {written[0]} ({n} question{'' if n == 1 else 's'}{covered};"
               f" {built.layer})")
    for section in built.sections:
        if section.withheld_starred:
            click.echo(f"note: {section.question_id}: {section.withheld_starred} starred"
                       " answer(s) left out of the quotes: after redaction they may still name"
                       " someone (add the name with coder redaction add to quote them)", err=True)
    if include_ids:
        click.echo("note: this report shows respondent IDs: do not publish it", err=True)


@click.command()
@project_option
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "sav", "qdpx", "quotes"]),
              default=None, help="csv, xlsx, sav (SPSS), qdpx (REFI-QDA for NVivo/ATLAS.ti) or"
                                 " quotes (internal quote bank, with IDs); default: from the"
                                 " file extension.")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="The file to write (the codebook goes beside it).")
@click.option("--question", "-q", "questions", multiple=True,
              help="A question to export; repeat for several (default: all with a codeframe).")
@click.option("--layer", default=None, help=_LAYER_HELP)
@click.option("--wave", default=None, help=_WAVE_HELP)
@click.option("--layout", type=click.Choice(["dichotomy", "concatenated"]), default="dichotomy",
              show_default=True,
              help="dichotomy: a 0/1 variable per code and net; concatenated: codes as 101;301.")
@click.option("--attribute", "attributes", multiple=True,
              help="A respondent attribute to include for cross-tabulation; repeat for several.")
@click.option("--no-ids", is_flag=True,
              help="Leave the respondent ID column out (a case number instead); by default it"
                   " is in, so the file merges back onto the survey.")
@click.option("--include-ids", is_flag=True, hidden=True,
              help="The default now: kept so that older scripts still run.")
def export(project: str, fmt: str | None, output: str, questions: tuple[str, ...],
           layer: str | None, wave: str | None, layout: str, attributes: tuple[str, ...],
           no_ids: bool, include_ids: bool) -> None:
    """Export codes per respondent and wave for statisticians (with a codebook), or the quote
    bank. The data file holds the respondent ID (merge key) and, with several waves, a wave
    variable: one row per respondent per wave."""
    from pathlib import Path

    from coder.services.exports import export_data, export_qdpx, export_quote_bank

    chosen = fmt or Path(output).suffix.lstrip(".").lower()
    if chosen not in ("csv", "xlsx", "sav", "qdpx", "quotes"):
        raise click.UsageError("give --format csv, xlsx, sav, qdpx or quotes")
    with open_store(project) as store, progress("exporting") as bar:
        if chosen == "quotes":
            written = [export_quote_bank(store, output, question_ids=questions or None,
                                         layer=layer, wave=wave)]
            click.echo("note: the quote bank identifies respondents: internal use only", err=True)
        elif chosen == "qdpx":
            written = [export_qdpx(store, output, question_ids=questions or None, layer=layer,
                                   wave=wave, progress=bar)]
            click.echo("note: the .qdpx holds respondent IDs and full answers: internal use only",
                       err=True)
        else:
            if no_ids and include_ids:
                raise click.UsageError("give --no-ids or --include-ids, not both")
            result = export_data(store, chosen, output, question_ids=questions or None,
                                 layer=layer, wave=wave, layout=layout, include_ids=not no_ids,
                                 attributes=attributes, progress=bar)
            click.echo(_export_summary(result))
            return
    click.echo("wrote " + ", ".join(str(p) for p in written))


def _export_summary(result: ExportResult) -> str:
    """E.g. "wrote codes.sav: 212 rows (152 respondents), waves 2025, 2026, 12 code variables;
    codebook codes_codebook.csv"."""
    data, *others = result.files
    waves = result.waves
    covered = (f", wave{'s' if len(waves) > 1 else ''} {', '.join(waves)}" if waves else "")
    rows = (f"{result.rows} rows ({result.respondents} respondents)"
            if result.rows != result.respondents else f"{result.respondents} respondents")
    ids = "" if result.ids else "; no respondent IDs (--no-ids): it cannot be merged back"
    text = f"wrote {data}: {rows}{covered}, {result.code_variables} code variables{ids}"
    if others:
        text += "; codebook " + ", ".join(str(p) for p in others)
    return text


@click.group()
def redaction() -> None:
    """The names and patterns removed from quotes (project setting "redaction")."""


@redaction.command("list")
@project_option
def redaction_list(project: str) -> None:
    """Show the listed terms, the terms taken from respondent attributes and the patterns."""
    from coder.services.redaction import redaction_setting
    from coder.services.reports import redaction_for

    with open_store(project) as store:
        listed = redaction_setting(store).redaction
        current, respondent_ids = redaction_for(store)
    mine = {t.text.casefold() for t in listed.terms}
    for term in current.terms:
        source = "listed" if term.text.casefold() in mine else "from attributes"
        click.echo(f"{term.text}\t{term.placeholder}\t{source}")
    click.echo(f"patterns: {', '.join(current.patterns) or 'none'}")
    click.echo(f"also: the {len(respondent_ids)} respondent IDs and codes shaped like them;"
               " the built-in list of English local authorities; people's names (gazetteer)")


@redaction.command("add")
@project_option
@click.argument("terms", nargs=-1, required=True)
@click.option("--placeholder", default="[name]", show_default=True,
              help='What replaces the terms, e.g. "[council]".')
@coder_option
def redaction_add(project: str, terms: tuple[str, ...], placeholder: str,
                  coder_name: str | None) -> None:
    """Add TERMS (names, places...) to the redaction list."""
    from coder.services.redaction import add_terms

    with open_store(project) as store:
        change = add_terms(store, terms, placeholder, resolve_coder(coder_name))
    click.echo(f"{len(change.after.terms) - len(change.before.terms)} added;"
               f" {len(change.after.terms)} listed")


@redaction.command("remove")
@project_option
@click.argument("terms", nargs=-1, required=True)
@coder_option
def redaction_remove(project: str, terms: tuple[str, ...], coder_name: str | None) -> None:
    """Remove TERMS from the redaction list (ignoring case)."""
    from coder.services.redaction import remove_terms

    with open_store(project) as store:
        change = remove_terms(store, terms, resolve_coder(coder_name))
    click.echo(f"{len(change.before.terms) - len(change.after.terms)} removed;"
               f" {len(change.after.terms)} listed")


@click.group("project")
def project_settings() -> None:
    """The project's report settings: title, base label and author."""


_SETTING_NAMES = {"title": "title", "base-label": "base_label", "base_label": "base_label",
                  "author": "author"}


@project_settings.command("set")
@project_option
@click.argument("name", type=click.Choice(["title", "base-label", "author"]))
@click.argument("value")
@coder_option
def project_set(project: str, name: str, value: str, coder_name: str | None) -> None:
    """Set the report's title, base label or author for every later report (one undoable
    action; an empty VALUE forgets it).

    Example: coder project set title "Children's services survey 2025: findings" -p p.coder
    """
    from coder.services.report_settings import remember_report_settings

    with open_store(project) as store:
        remember_report_settings(store, coder=resolve_coder(coder_name),
                                 **{_SETTING_NAMES[name]: value})
    click.echo(f"{name}: {value}" if value.strip() else f"{name}: forgotten")


@project_settings.command("show")
@project_option
def project_show(project: str) -> None:
    """Show the report settings in use (title, base label, author)."""
    from coder.core.reporting.model import DEFAULT_TITLE
    from coder.services.report_settings import report_settings
    from coder.services.reports import DEFAULT_BASE_LABEL

    with open_store(project) as store:
        settings = report_settings(store)
    click.echo(f"title: {settings.get('title') or DEFAULT_TITLE}")
    click.echo(f"base-label: {settings.get('base_label') or DEFAULT_BASE_LABEL}")
    click.echo(f"author: {settings.get('author') or '(the coder writing the report)'}")


COMMANDS = [report, export, redaction, project_settings]
