"""Benchmark the event log of a large codeframe merge: bytes stored, and how long the lock is held.

Builds a synthetic project (one open question, N answers, a coder who coded every answer with
code 1 and a tenth of them with code 2 as well), merges code 1 into code 2 with the codeframe
service (N codings carried), undoes the merge, then prints the size of the merge's and the
undo's events (bytes of the `changes` column), the project file's size (after a checkpoint)
and how long the merge and the undo held the write lock:

    python benchmarks/event_log_size.py --answers 100000
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from coder.core.codeframe.yaml_file import parse_codeframe_yaml
from coder.services import codeframes
from coder.services.importing import import_survey
from coder.store import create_project, open_project
from coder.store.actions import now


def _build(folder: Path, n: int, coders: int) -> Path:
    survey = folder / "survey.csv"
    with survey.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "q1"])
        for i in range(n):
            writer.writerow([f"R{i:06d}", f"answer {i} about barrier number {i % 97}"])
    frame = (
        "name: Bench\nquestions: [q1]\ncodes:\n"
        "  - {code: 1, label: Fees}\n  - {code: 2, label: Costs}\n  - {code: 3, label: Other}\n"
    )
    path = folder / "bench.coder"
    with create_project(path) as store:
        import_survey(store, survey, wave="1", id_column="id", open_columns=["q1"])
        store.add_codeframe(parse_codeframe_yaml(frame), "bench")
        fees, costs, _ = (c.id for c in store.codeframe_for("q1").codable_codes())  # type: ignore[union-attr]
        answers = [a.id for a in store.answers("q1")]
        people = [store.coder(f"coder{j}") for j in range(coders)]
        stamp = now()
        with store.transaction() as conn:  # set-up only: not timed, not undoable
            for person in people:
                conn.executemany(
                    "INSERT INTO answer_status (answer_id, coder_id, coded_at) VALUES (?, ?, ?)",
                    [(a, person.id, stamp) for a in answers],
                )
                conn.executemany(
                    "INSERT INTO codings (answer_id, code_id, coder_id, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    [(a, code, person.id, stamp) for a in answers
                     for code in ((fees, costs) if a % 10 == 0 else (fees,))],
                )
    return path


def _file_bytes(store: Any) -> int:
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Path(store.path).stat().st_size


def _changes_bytes(store: Any, event_id: int) -> int:
    return int(store.conn.execute(
        "SELECT length(CAST(changes AS BLOB)) FROM events WHERE id = ?", (event_id,)
    ).fetchone()[0])


@contextmanager
def _lock_timer(store: Any, held: list[float]) -> Iterator[None]:
    """Time every write transaction the store opens (from BEGIN IMMEDIATE to COMMIT)."""
    original = store.transaction

    @contextmanager
    def timed() -> Iterator[Any]:
        started = time.perf_counter()
        with original() as conn:
            yield conn
        held.append(time.perf_counter() - started)

    store.transaction = timed
    try:
        yield
    finally:
        store.transaction = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--coders", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        path = _build(Path(tmp), args.answers, args.coders)
        print(f"set-up: {time.perf_counter() - started:.1f} s")
        with open_project(path) as store:
            codings = store.conn.execute("SELECT count(*) FROM codings").fetchone()[0]
            before = _file_bytes(store)
            print(f"{codings:,} codings; project file {before / 1e6:.1f} MB before the merge")
            rows = []
            for name in ("merge", "undo"):
                held: list[float] = []
                t = time.perf_counter()
                with _lock_timer(store, held):
                    if name == "merge":
                        change = codeframes.merge_codes(store, ["1"], "2", coder="bench")
                        what = f"{change.codings_moved:,} codings moved"
                    else:
                        event = codeframes.undo(store, "bench")
                        assert event is not None and event.action == "codeframe.merge"
                        what = "merge undone"
                wall = time.perf_counter() - t
                event_id = store.events(limit=1)[0].id
                rows.append((name, what, wall, max(held), _changes_bytes(store, event_id),
                             _file_bytes(store)))
            remaining = store.conn.execute("SELECT count(*) FROM codings").fetchone()[0]
            assert remaining == codings, "the undo must restore every coding"
            log_bytes = store.conn.execute(
                "SELECT sum(length(CAST(changes AS BLOB))) FROM events").fetchone()[0]
        for name, what, wall, lock, size, file_size in rows:
            print(f"{name}: {what}; {wall:.2f} s wall, write lock held {lock:.2f} s;"
                  f" event changes {size / 1e6:.2f} MB; project file {file_size / 1e6:.1f} MB")
        print(f"events.changes in all: {log_bytes / 1e6:.2f} MB")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
