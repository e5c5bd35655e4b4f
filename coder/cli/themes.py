"""CLI command `coder themes`: on a project question (stored run) or on a CSV file (stand-alone)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from coder.cli.main import coder_option, open_store, progress, resolve_coder

if TYPE_CHECKING:
    from coder.services.project import Project


@click.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--project",
    "-p",
    "project",
    type=click.Path(dir_okay=False),
    help="Project mode: find themes in a question and store the run.",
)
@click.option("--question", "-q", help="Project mode: the open question.")
@click.option("--wave", help="Project mode: only this wave (default: all waves).")
@click.option("--list", "list_runs", is_flag=True, help="Project mode: list stored runs.")
@click.option("--show", "show_run", type=int, help="Project mode: show a stored run.")
@click.option("--text-column", help="File mode: the column holding the answers.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    help="File mode: ASSIGN.csv (row, theme_id, theme_label), one row per input row.",
)
@click.option(
    "--themes-output",
    type=click.Path(dir_okay=False),
    help="File mode: THEMES.csv (theme_id, label, keywords, size, share, quote_1..5).",
)
@click.option("--min-theme-size", type=click.IntRange(min=1), help="Smallest theme (answers).")
@click.option("--n-themes", type=click.IntRange(min=1), help="Ask for this many themes.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--subthemes", is_flag=True, help="Also split large themes into sub-themes.")
@click.option(
    "--model",
    "model_path",
    envvar="CODER_EMBEDDING_MODEL",
    help="A local sentence-transformers model folder (default: all-MiniLM-L6-v2).",
)
@coder_option
def themes(
    file: str | None,
    project: str | None,
    question: str | None,
    wave: str | None,
    list_runs: bool,
    show_run: int | None,
    text_column: str | None,
    output: str | None,
    themes_output: str | None,
    min_theme_size: int | None,
    n_themes: int | None,
    seed: int,
    subthemes: bool,
    model_path: str | None,
    coder_name: str | None,
) -> None:
    """Find candidate themes in answers, without being told how many.

    \b
    Project:  coder themes --project P --question Q     (stores a run, prints it)
    File:     coder themes FILE.csv --text-column TEXT --output ASSIGN.csv [--themes-output T.csv]
    """
    from coder.core.themes.params import ThemeParams

    params = ThemeParams(min_theme_size=min_theme_size, n_themes=n_themes, seed=seed,
                         subthemes=subthemes)
    if file is not None:
        if project is not None:
            raise click.UsageError("give either FILE or --project, not both")
        if not text_column or not output:
            raise click.UsageError("file mode needs --text-column and --output")
        from coder.core.embedding import SentenceTransformerEmbedder
        from coder.core.themes.run import discover_themes_in_file

        with progress("themes") as bar:
            run = discover_themes_in_file(
                file,
                text_column,
                output=output,
                themes_output=themes_output,
                params=params,
                embedder=SentenceTransformerEmbedder(model_path),
                progress=bar,
            )
        click.echo(
            f"{len(run.labels)} rows: {len(run.themes)} themes, {run.n_other} other,"
            f" {run.n_non_substantive} without an answer -> {output}"
        )
        return
    if project is None:
        raise click.UsageError("give a FILE, or --project with --question")

    with open_store(project) as store:
        if list_runs:
            _list(store, question)
            return
        if show_run is None:
            if not question:
                raise click.UsageError("project mode needs --question (or --list / --show RUN)")
            from coder.core.embedding import SentenceTransformerEmbedder
            from coder.services.themes import run_themes

            with progress("themes") as bar:
                show_run = run_themes(
                    store,
                    question,
                    wave=wave,
                    coder=resolve_coder(coder_name),
                    embedder=SentenceTransformerEmbedder(model_path),
                    params=params,
                    progress=bar,
                )
        _show(store, show_run)


def _list(store: Project, question: str | None) -> None:
    from rich.table import Table

    from coder.cli.main import table_console
    from coder.services.theme_edits import theme_runs

    table = Table(title="Theme runs")
    for name in ("run", "question", "when", "model", "answers", "themes", "other", "seconds"):
        table.add_column(name, no_wrap=name in ("question", "when"))
    for r in theme_runs(store, question):
        table.add_row(
            str(r.id),
            r.question_id,
            r.created_at[:16],
            r.model.split("/")[-1],
            str(r.n_answers),
            str(r.n_themes),
            str(r.n_other),
            f"{r.seconds:.1f}",
        )
    table_console().print(table)


def _show(store: Project, run_id: int) -> None:
    from rich.markup import escape
    from rich.table import Table

    from coder.cli.main import table_console
    from coder.services.lookup import answer_texts
    from coder.services.theme_edits import theme_run

    run, found = theme_run(store, run_id)
    base = max(run.n_answers, 1)
    table = Table(
        title=f"Run {run.id} on {run.question_id}: {run.n_answers} answers,"
        f" {run.n_themes} themes, {run.n_other} other ({run.n_other / base:.0%}),"
        f" {run.n_non_substantive} non-substantive left out",
        show_lines=True,
    )
    for name in ("id", "theme", "size", "share", "keywords", "quotes"):
        table.add_column(name, overflow="fold")
    for t in found:
        texts = answer_texts(store, t.quote_answer_ids[:3])
        quotes = "\n".join(f"“{texts[a]}”" for a in t.quote_answer_ids[:3])
        label = t.label if t.parent_id is None else f"  ↳ {t.label}"
        if t.description:
            label += f"\n[dim]{escape(t.description)}[/]"
        table.add_row(
            str(t.theme_id), label, str(t.size), f"{t.share:.0%}", ", ".join(t.keywords[:6]), quotes
        )
    table_console().print(table)


COMMANDS = [themes]
