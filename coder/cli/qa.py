"""CLI commands for QA: `agreement`, and `qa sample|progress|queue|adjudicate`."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from coder.cli.main import PROJECT_HELP, coder_option, open_store, progress, resolve_coder

if TYPE_CHECKING:
    from coder.core.agreement import AgreementReport, SingleCodeAgreement

_GRADE_STYLE = {"good": "green", "tentative": "yellow", "poor": "bold red", "undefined": "dim"}


def _names(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    return names or None


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _table(question: str, report: AgreementReport) -> Any:
    from rich.table import Table

    from coder.core.agreement import grade

    table = Table(title=f"{question}: {report.n_units} answers coded by 2+ of"
                        f" {', '.join(report.coders)} ({report.n_answers} coded in all)",
                  title_justify="left")
    for name in ("code", "n", "prev.", "alpha", "grade", "AC1", "% agree",
                 *(f"kappa {p}" for p in report.pairs)):
        table.add_column(name, justify="left" if name in ("code", "grade") else "right",
                         min_width=24 if name == "code" else None)

    def alpha_cell(stat: Any) -> str:
        shown = _fmt(stat.value)
        if stat.ci_low is not None:
            shown += f" [{stat.ci_low:.2f}, {stat.ci_high:.2f}]"
        return shown

    for name, ca in report.codes.items():
        style = _GRADE_STYLE[ca.grade]
        table.add_row(name, str(ca.n_units), _fmt(ca.prevalence, 2), alpha_cell(ca.alpha),
                      f"[{style}]{ca.grade}[/]", _fmt(ca.ac1.value),
                      _fmt(ca.percent_agreement.value),
                      *(_fmt(s.value) for s in ca.kappa_pairs.values()))
    table.add_section()
    for label, stat in (("overall alpha (MASI, code sets)", report.alpha_masi),
                        ("overall alpha (pooled codes)", report.alpha_pooled),
                        ("mean per-code alpha", report.alpha_mean)):
        g = grade(stat)
        table.add_row(label, str(report.n_units), "", alpha_cell(stat),
                      f"[{_GRADE_STYLE[g]}]{g}[/]", "", "", *("" for _ in report.pairs))
    return table


_SINGLE_NAMES = {"alpha_nominal": "Krippendorff's alpha (nominal)", "ac1": "Gwet's AC1",
                 "kappa_fleiss": "Fleiss' kappa", "kappa_conger": "Conger's kappa",
                 "kappa_cohen": "Cohen's kappa"}


def _single_table(single: SingleCodeAgreement) -> Any:
    """The overall coefficients across categories of a single-code question."""
    from rich.table import Table

    from coder.core.agreement import grade

    table = Table(title=f"one code per answer: {single.n_units} answers,"
                        f" {len(single.categories)} categories",
                  title_justify="left")
    for name in ("coefficient", "value", "grade"):
        table.add_column(name, justify="right" if name == "value" else "left", min_width=24
                         if name == "coefficient" else None)
    for key, stat in single.statistics().items():
        shown = ""
        if key == "alpha_nominal":
            g = grade(stat)
            shown = f"[{_GRADE_STYLE[g]}]{g}[/]"
        table.add_row(_SINGLE_NAMES[key], _fmt(stat.value), shown)
    return table


def _emit(results: Sequence[tuple[str, AgreementReport]], fmt: str, extended: bool,
          single: bool) -> None:
    from coder.core.agreement import row_columns, to_json_dict, to_rows

    if fmt == "json":
        if single:
            data: dict[str, Any] = to_json_dict(results[0][1], extended=extended)
        else:
            data = {"questions": {q: to_json_dict(r, extended=extended) for q, r in results}}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        columns: list[str] = ["question"]
        for _, report in results:
            columns += [c for c in row_columns(report) if c not in columns]
        writer = csv.DictWriter(sys.stdout, columns, lineterminator="\n")
        writer.writeheader()
        for question, report in results:
            for row in to_rows(report):
                writer.writerow({"question": question, **row})
        return
    from coder.cli.main import table_console

    console = table_console()
    for question, report in results:
        console.print(_table(question, report))
        if report.single_code is not None:
            console.print(_single_table(report.single_code))
        poor = report.poor_codes()
        if poor:
            console.print(f"[bold red]poor (alpha < .667):[/] {'; '.join(poor)}")
    console.print("Krippendorff's guideline: >= .800 good; .667-.800 tentative; < .667 poor.",
                  style="dim")


@click.command()
@click.option("--project", "-p", default=None, type=click.Path(dir_okay=False),
              help=PROJECT_HELP + " Or use --input.")
@click.option("--input", "input_path", default=None, type=click.Path(dir_okay=False),
              help="A codings CSV (columns unit,coder,code; an empty code = coded, no code).")
@click.option("--question", "-q", "questions", multiple=True,
              help="A question; repeat for several (default: every double-coded question).")
@click.option("--coders", default=None, metavar="A,B",
              help="Compare these coders only (default: every human and model coder).")
@click.option("--sample", "sample_id", type=int, default=None,
              help="Only this double-coding sample's answers (needs one --question).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.option("--bootstrap", "n_bootstrap", type=click.IntRange(min=0), default=0,
              show_default=True, help="Bootstrap replicates for 95%% intervals (1000 is usual).")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the bootstrap.")
@click.option("--extended", is_flag=True,
              help="JSON: also grades, intervals, prevalence, counts and per-pair figures.")
def agreement(project: str | None, input_path: str | None, questions: tuple[str, ...],
              coders: str | None, sample_id: int | None, fmt: str, n_bootstrap: int,
              seed: int, extended: bool) -> None:
    """Inter-coder agreement per code, per coder pair and overall (Krippendorff's alpha,
    Gwet's AC1, percent agreement, Cohen's kappa per pair).

    An answer a coder did not code is missing for that coder; coded with no code, it is absent
    for every code; answers coded by one coder only do not count.

    A single-code question (every coder gave each answer at most one code) also gets the
    overall coefficients across categories, "no code" being one: nominal alpha, AC1, Fleiss'
    and Conger's kappa, and Cohen's kappa for two coders (JSON: alpha_nominal, ac1,
    kappa_fleiss, kappa_conger, kappa_cohen under "overall"; no bootstrap intervals).
    """
    from coder.services.qa import file_agreement, project_agreement, question_agreement

    if (project is None) == (input_path is None):
        raise click.UsageError("give either --project or --input")
    if input_path is not None:
        if questions or sample_id is not None:
            raise click.UsageError("--question and --sample need --project")
        with progress("bootstrap") as bar:
            found = file_agreement(input_path, coders=_names(coders), n_bootstrap=n_bootstrap,
                                   seed=seed, progress=bar)
        _emit([(input_path, found.report)], fmt, extended, single=True)
        return

    assert project is not None
    if sample_id is not None and len(questions) != 1:
        raise click.UsageError("--sample needs exactly one --question")
    with open_store(project) as store, progress("agreement") as bar:
        if sample_id is not None:
            results = [question_agreement(store, questions[0], coders=_names(coders),
                                          sample_id=sample_id, n_bootstrap=n_bootstrap,
                                          seed=seed, progress=bar)]
        else:
            results = project_agreement(store, questions or None, coders=_names(coders),
                                        n_bootstrap=n_bootstrap, seed=seed,
                                        progress=bar)
    _emit([(r.question_id, r.report) for r in results], fmt, extended,
          single=len(questions) == 1)


@click.group()
def qa() -> None:
    """Double-coding samples, their progress, and adjudication of disagreements."""


def _project(func: Any) -> Any:
    return click.option("--project", "-p", "project", required=True, metavar="PROJECT",
                        type=click.Path(dir_okay=False), help=PROJECT_HELP)(func)


@qa.command("sample")
@_project
@click.option("--question", "-q", "question_id", required=True, help="The question.")
@click.option("--share", type=click.FloatRange(0, 1, min_open=True), required=True,
              help="Fraction of the substantive answers to double-code, e.g. 0.2.")
@click.option("--coders", required=True, metavar="A,B", help="Coders who each code the sample.")
@click.option("--seed", type=int, default=None, help="Seed of the draw (default: random;"
                                                     " it is recorded either way).")
@click.option("--wave", default=None, help="Only this wave's answers.")
@coder_option
def qa_sample(project: str, question_id: str, share: float, coders: str, seed: int | None,
              wave: str | None, coder_name: str | None) -> None:
    """Assign a random sample of a question's answers to every listed coder."""
    from coder.cli.allocation import open_command
    from coder.services.qa import plan_sample

    names = _names(coders) or []
    with open_store(project) as store:
        sample = plan_sample(store, question_id, share, names, seed=seed,
                             actor=resolve_coder(coder_name), wave=wave)
    click.echo(f"sample {sample.id}: {sample.n_answers} answers of {question_id} for"
               f" {', '.join(sample.coders)} (seed {sample.seed})")
    click.echo("each coder codes them blind (the app opens on their sample; filter is:sample):")
    for name in sample.coders:
        click.echo(f"  {open_command(project, question_id, name)}")


@qa.command("progress")
@_project
@click.option("--sample", "sample_id", type=int, default=None,
              help="One sample (default: every sample).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def qa_progress(project: str, sample_id: int | None, as_json: bool) -> None:
    """Per sample and coder: answers assigned, coded and left."""
    from coder.services.qa import sample_progress

    with open_store(project) as store:
        rows = sample_progress(store, sample_id)
    if as_json:
        click.echo(json.dumps([{"sample": s.id, "question": s.question_id, "seed": s.seed,
                                "coders": {p.coder: {"assigned": p.assigned, "coded": p.coded}
                                           for p in prog}} for s, prog in rows], indent=2))
        return
    if not rows:
        click.echo("no double-coding samples yet (plan one with: coder qa sample)")
    for s, prog in rows:
        click.echo(f"sample {s.id} ({s.question_id}, {s.n_answers} answers, seed {s.seed}):")
        for p in prog:
            click.echo(f"  {p.coder}: {p.coded}/{p.assigned} coded, {p.remaining} left")


@qa.command("queue")
@_project
@click.option("--question", "-q", "question_id", required=True, help="The question.")
@click.option("--sample", "sample_id", type=int, default=None, help="Only this sample.")
@click.option("--coders", default=None, metavar="A,B",
              help="Compare these coders (default: the sample's, else every human coder).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def qa_queue(project: str, question_id: str, sample_id: int | None, coders: str | None,
             fmt: str) -> None:
    """List answers whose coders disagree, not yet adjudicated (or re-coded since)."""
    from coder.services.lookup import question_frame
    from coder.services.qa import adjudication_queue

    with open_store(project) as store:
        found = adjudication_queue(store, question_id, sample_id, coders=_names(coders))
        frame = question_frame(store, question_id)
    label = {c.id: str(c.output_code) for c in frame.codes} if frame else {}

    def shown(codes: Sequence[str]) -> list[str]:
        return [label.get(c, c) for c in codes]

    if fmt == "json":
        click.echo(json.dumps([{"answer_id": d.answer_id, "text": d.text, "stale": d.stale,
                                "codes": {k: shown(v) for k, v in d.codes_by_coder.items()},
                                "adjudicated": None if d.adjudicated is None
                                else shown(d.adjudicated)} for d in found],
                              indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("no disagreements waiting")
        return
    for d in found:
        mark = "  [re-coded since adjudication]" if d.stale else ""
        click.echo(f"answer {d.answer_id}{mark}: {' '.join(d.text.split())}")
        for name, codes in d.codes_by_coder.items():
            click.echo(f"  {name}: {', '.join(shown(codes)) or '(no code)'}")
    click.echo(f"{len(found)} to adjudicate: coder qa adjudicate ANSWER_ID --codes 101,102"
               " --reviewer NAME")


@qa.command("adjudicate")
@click.argument("answer_id", type=int)
@_project
@click.option("--codes", default=None, metavar="101,102",
              help="The final codes: output codes or labels, comma-separated.")
@click.option("--no-code", is_flag=True, help="Final decision: no code applies.")
@click.option("--reviewer", required=True, help="Who decides (recorded in the log).")
def qa_adjudicate(answer_id: int, project: str, codes: str | None, no_code: bool,
                  reviewer: str) -> None:
    """Settle ANSWER_ID's final codes in the adjudicated layer (reports use it by default)."""
    from coder.services.lookup import answer_frame
    from coder.services.qa import adjudicate_answer

    if (codes is None) == (not no_code):
        raise click.UsageError("give --codes 101,102 or --no-code")
    specs = [] if no_code else [c for c in (codes or "").split(",") if c.strip()]
    if not no_code and not specs:
        raise click.UsageError("--codes is empty: give codes, or --no-code")
    with open_store(project) as store:
        ids = adjudicate_answer(store, answer_id, specs, reviewer)
        frame = answer_frame(store, answer_id)
    shown = ", ".join(f"{frame.code(i).output_code} {frame.code(i).label}" for i in ids) \
        if frame else ""
    click.echo(f"answer {answer_id} adjudicated by {reviewer}: {shown or 'no code'}")


COMMANDS = [agreement, qa]
