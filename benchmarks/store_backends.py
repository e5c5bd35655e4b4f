"""Benchmark the two store backends on the same work: a survey import, a large codings import
(one undoable action), its undo, and a final-layer read.

Builds the same synthetic project (one open question, N answers, a codeframe of 3 codes) on
SQLite (a file) and on PostgreSQL (a throwaway local cluster, unix socket, as the tests start
it; or `--pg-url`), then times each step on each backend:

    python benchmarks/store_backends.py --answers 10000
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from coder.core.codeframe.model import Code, Codeframe
from coder.services.importing import import_survey
from coder.store import create_project
from coder.store.postgres import PostgresStore
from coder.store.protocol import ProjectStore

FRAME = Codeframe("bench", "Bench", (
    Code(id="c1", codeframe_id="bench", label="Fees", output_code=1),
    Code(id="c2", codeframe_id="bench", label="Costs", output_code=2),
    Code(id="c3", codeframe_id="bench", label="Other", output_code=3),
))


def _survey(folder: Path, n: int) -> Path:
    path = folder / "survey.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "region", "q1"])
        for i in range(n):
            writer.writerow([f"R{i:06d}", f"region {i % 5}", f"answer {i} about barrier {i % 97}"])
    return path


def _timed(step: Callable[[], object]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def run(store: ProjectStore, survey: Path) -> dict[str, float]:
    """Seconds of each step on `store` (a new, empty project)."""
    figures = {"import survey": _timed(lambda: import_survey(store, survey, wave="1"))}
    store.add_codeframe(FRAME, "bench", questions=["q1"])
    ann = store.coder("ann")
    decisions = [(a.id, ann.id, ["c1"] if a.id % 3 else ["c1", "c2"]) for a in store.answers("q1")]
    figures["import codings (1 action)"] = _timed(
        lambda: store.replace_codings(decisions, "ann", "bench import"))
    figures["final layer"] = _timed(lambda: store.final_layer("q1"))
    figures["undo the import"] = _timed(lambda: store.undo("ann"))
    assert not store.codings(question_id="q1")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--pg-url", help="a PostgreSQL server (default: a local cluster)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="coder-bench-"))
    survey = _survey(folder, args.answers)
    results = {"SQLite": run(create_project(folder / "bench.coder"), survey)}
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from postgres_server import benchmark_server

    with benchmark_server(args.pg_url) as server:
        results["PostgreSQL"] = run(PostgresStore.create(server.new_database()), survey)
    print(f"{args.answers} answers, one coder, {args.answers + args.answers // 3} codings")
    print(f"{'step':28s} {'SQLite s':>10s} {'PostgreSQL s':>13s} {'ratio':>7s}")
    for step in results["SQLite"]:
        lite, pg = results["SQLite"][step], results["PostgreSQL"][step]
        print(f"{step:28s} {lite:10.3f} {pg:13.3f} {pg / lite:7.2f}")


if __name__ == "__main__":
    main()
