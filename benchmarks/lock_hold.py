"""Benchmark: how long large codeframe actions hold the project's write lock.

While one action holds the write lock, every other coder's key and command waits (and gives up
after its busy wait). This builds a project with 100,000 answers of which 70,000 are coded with
code A and 40,000 with code B (10,000 with both), then merges A into B and undoes the merge
through the codeframe service (what `coder codeframe merge` and ctrl+z run), and reports for
each: the wall time of the call and the time the write lock was held (from `BEGIN IMMEDIATE`
succeeding to `COMMIT` returning, summed over the call's write transactions).

    .venv/bin/python benchmarks/lock_hold.py [--answers 100000] [--rounds 3] [--workdir DIR]

The project is synthesised once per size and copied for every round.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QUESTION = "q1"


def make_project(path: Path, n_answers: int) -> Path:
    """A project with `n_answers` answers; 70% coded A, 40% coded B (10% both) by one coder."""
    if path.exists():
        return path
    from coder.core.codeframe.model import Code, Codeframe
    from coder.services.importing import import_survey
    from coder.store import create_project
    from coder.store.actions import now

    source = path.with_suffix(".csv")
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent", QUESTION])
        for i in range(n_answers):
            writer.writerow([f"R{i:07d}", f"answer number {i} about fees and costs"])
    codes = tuple(Code(f"code-{x}", "bench", label, 101 + i, position=i)
                  for i, (x, label) in enumerate([("a", "Fees"), ("b", "Cost"), ("c", "Other")]))
    with create_project(path) as store:
        import_survey(store, source, wave="1", id_column="respondent", open_columns=[QUESTION])
        store.add_codeframe(Codeframe("bench", "bench", codes), "bench", questions=[QUESTION])
        coder = store.coder("ann")
        ids = store.answer_ids(QUESTION)
        a_until, b_from = int(len(ids) * 0.7), int(len(ids) * 0.6)
        stamp = now()
        rows = [(a, "code-a", coder.id, stamp) for a in ids[:a_until]]
        rows += [(a, "code-b", coder.id, stamp) for a in ids[b_from:]]
        with store.transaction() as conn:
            conn.executemany(
                "INSERT INTO codings (answer_id, code_id, coder_id, created_at)"
                " VALUES (?, ?, ?, ?)",
                rows,
            )
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    source.unlink()
    return path


@contextmanager
def lock_timer() -> Iterator[list[float]]:
    """Record the seconds each write transaction holds the lock while the block runs."""
    from coder.store.base import StoreBase

    held: list[float] = []
    original = StoreBase.transaction

    @contextmanager
    def timed(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        with original(self, *args, **kwargs) as conn:
            started = time.perf_counter()  # BEGIN IMMEDIATE has succeeded: the lock is held
            yield conn
        held.append(time.perf_counter() - started)  # COMMIT (or ROLLBACK) has returned

    StoreBase.transaction = timed  # type: ignore[method-assign]
    try:
        yield held
    finally:
        StoreBase.transaction = original  # type: ignore[method-assign]


def one_round(template: Path, workdir: Path) -> dict[str, tuple[float, float]]:
    from coder.services import codeframes as service
    from coder.store import open_project

    project = workdir / "round.coder"
    shutil.copyfile(template, project)
    results: dict[str, tuple[float, float]] = {}
    with open_project(project) as store:
        for name, call in (
            ("merge A into B", lambda: service.merge_codes(store, ["101"], "102", coder="ann")),
            ("undo the merge", lambda: service.undo(store, "ann")),
        ):
            with lock_timer() as held:
                started = time.perf_counter()
                call()
                wall = time.perf_counter() - started
            results[name] = (wall, sum(held))
        counts = store.coding_counts(store.codeframe("bench").id)
    assert counts == {"code-a": int(store_size(template) * 0.7),
                      "code-b": store_size(template) - int(store_size(template) * 0.6)}, counts
    project.unlink()
    return results


def store_size(template: Path) -> int:
    return int(template.stem.split("-")[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="coder-lock-"))
    workdir.mkdir(parents=True, exist_ok=True)
    template = make_project(workdir / f"bench-{args.answers}.coder", args.answers)
    n_a, n_b = int(args.answers * 0.7), args.answers - int(args.answers * 0.6)
    print(f"{args.answers:,} answers: code A on {n_a:,}, code B on {n_b:,}"
          f" ({n_a + n_b - args.answers:,} both); {args.rounds} rounds, median seconds")
    runs = [one_round(template, workdir) for _ in range(args.rounds)]
    print(f"{'action':<16} {'wall':>8} {'lock held':>10}")
    for name in runs[0]:
        wall = statistics.median(r[name][0] for r in runs)
        held = statistics.median(r[name][1] for r in runs)
        print(f"{name:<16} {wall:>8.2f} {held:>10.2f}")


if __name__ == "__main__":
    main()
