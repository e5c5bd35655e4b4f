"""The `coder autocode` and `coder suggest` commands: the model as a measured coder in a project,
and suggestions for any CSV file from another coded one.

Thin: parse, call coder.services.autocode and coder.services.suggest_files, print.
"""

from __future__ import annotations

import click

from coder.cli.backcode import backcode
from coder.cli.main import coder_option, open_store, project_option, resolve_coder


@click.command("autocode")
@project_option
@click.option("--question", "-q", "question_id", required=True, metavar="Q",
              help="The question to code.")
@click.option("--min-precision", type=click.FloatRange(0.5, 1.0), default=0.9,
              show_default=True,
              help="Code only where the first suggestion was right this often in"
                   " cross-validation on the human codings.")
@click.option("--model", "model_name", default="suggester", show_default=True,
              help="The model coder's name; its codes are the layer model:NAME.")
@click.option("--dry-run", is_flag=True, help="Estimate and count, write nothing.")
@coder_option
def autocode(project: str, question_id: str, min_precision: float, model_name: str,
             dry_run: bool, coder_name: str | None) -> None:
    """Code the answers no person has coded, as a model coder, where it is sure enough.

    The model learns from the human codings of the question, estimates by cross-validation
    how often its first suggestion is right at each confidence, and writes its first
    suggestion under coder NAME (kind model; never a human layer) only above the confidence
    that keeps --min-precision. One undoable action (coder codeframe undo --coder YOU).
    Include the model in a double-coding sample (coder qa sample --coders alice,suggester)
    and coder agreement reports it like any coder.
    """
    from coder.services.autocode import autocode as run

    with open_store(project) as store:
        result = run(store, question_id, actor=resolve_coder(coder_name),
                     model_name=model_name, min_precision=min_precision, dry_run=dry_run)
    if result.coverage == 0.0:
        click.echo(f"learned from {result.human_coded} human-coded answers; no confidence"
                   f" keeps precision at {min_precision:.2f}: nothing coded")
        return
    verb = "would code" if dry_run else "coded"
    click.echo(f"learned from {result.human_coded} human-coded answers;"
               f" estimated precision {result.precision:.3f} at coverage {result.coverage:.3f}"
               f" (confidence >= {result.threshold:.3f}, cross-validated)")
    click.echo(f"model {result.model} {verb} {result.coded} of {result.candidates} answers"
               f" no person has coded (layer model:{result.model})")



@click.command("suggest")
@click.option("--train", "train", required=True, type=click.Path(dir_okay=False),
              help="CODED.csv: answers already coded.")
@click.option("--text-column", required=True, help="The answers' column (in both files).")
@click.option("--code-column", required=True,
              help="The codes' column of CODED.csv; several codes separated by ';'.")
@click.option("--id-column", default=None,
              help="Rows of CODED.csv with the same ID are one answer with several codes.")
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False),
              help="NEW.csv: answers to suggest codes for.")
@click.option("--top", type=click.IntRange(1, 20), default=3, show_default=True,
              help="Codes per answer.")
@click.option("--output", required=True, type=click.Path(dir_okay=False),
              help="OUT.csv: row, code_1..K, score_1..K, one row per input row.")
@click.option("--model", "model_path", default=None, metavar="PATH",
              help="A local sentence-transformers model folder (default the bundled one).")
def suggest(train: str, text_column: str, code_column: str, id_column: str | None,
            input_path: str, top: int, output: str, model_path: str | None) -> None:
    """Suggest codes for every row of NEW.csv, learned from CODED.csv (no project).

    OUT.csv has one row per input row, in order: row (0-based), code_1 .. code_K and
    score_1 .. score_K, where score_k is the estimated probability that code_k is one of the
    answer's codes (comparable across rows).
    """
    from coder.cli.main import progress
    from coder.core.embedding import SentenceTransformerEmbedder
    from coder.core.suggest.files import suggest_file

    with progress("embedding") as bar:
        written = suggest_file(train, text_column, code_column, input_path, output,
                               embedder=SentenceTransformerEmbedder(model_path), top=top,
                               id_column=id_column, progress=bar)
    click.echo(f"wrote {written} rows to {output}")


@click.command("duplicates")
@project_option
@click.option("--question", "-q", "question_id", required=True, metavar="Q",
              help="The question.")
@click.option("--threshold", type=click.FloatRange(0.5, 1.0), default=0.95, show_default=True,
              help="Cosine at or above which two answers count as near duplicates.")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True,
              help="Largest groups shown.")
def duplicates(project: str, question_id: str, threshold: float, limit: int) -> None:
    """List groups of answers that repeat each other: the same text once normalised, or
    near duplicates (embedding cosine at --threshold or above), largest first."""
    from coder.services.lookup import answer_texts
    from coder.services.project import check_question
    from coder.services.suggestions import duplicate_groups

    with open_store(project) as store:
        check_question(store, question_id)
        groups = duplicate_groups(store, question_id, threshold=threshold)
        total = sum(len(g) for g in groups)
        click.echo(f"{len(groups)} groups holding {total} answers of {question_id}"
                   f" (cosine >= {threshold})")
        for number, group in enumerate(groups[:limit], start=1):
            first = answer_texts(store, group[:1])[group[0]]
            text = first if len(first) <= 70 else first[:67] + "..."
            ids = ", ".join(str(a) for a in group[:8]) + (", ..." if len(group) > 8 else "")
            click.echo(f"{number:>4}. {len(group):>4} answers  {text!r}  (answer ids {ids})")


COMMANDS = [autocode, suggest, duplicates, backcode]
