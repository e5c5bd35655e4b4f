"""The store's text filter (what the coding app lists until its in-memory index is built) at
100,000 answers: folding case in Python over the question's rows, as the index does, against
the database's own `instr(lower(text), ?)` / `strpos(lower(text), ?)` (ASCII-only lower() in
SQLite), timed in one run on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/store_text_filter.py [--answers 100000] [--repeat 5]
        [--workdir /tmp/coder-bench] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tui import QUESTION, make_project  # noqa: E402

from coder.core.coding.filters import AnswerFilter  # noqa: E402
from coder.store import open_project  # noqa: E402

PHRASES = ["fees", "ÉCOLE", "placement", "zzz"]


def _database_lower(store: Any, phrase: str) -> list[int]:
    """The earlier store filter: the database lowers the text (the reference for speed)."""
    test = "strpos(lower(a.text), ?) > 0" if store.dialect.name == "postgresql" else \
        "instr(lower(a.text), ?) > 0"
    return [r[0] for r in store.conn.execute(
        "SELECT a.id FROM answers a WHERE a.question_id = ? AND a.non_substantive IS NULL"
        f" AND {test} ORDER BY a.id", [QUESTION, phrase.lower()])]


def _ms(work: Any) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def measure(store: Any, repeat: int) -> dict[str, tuple[float, float]]:
    """Per phrase, the median ms of each way, the two alternating (the same load on both)."""
    out = {}
    for phrase in PHRASES:
        folded, lowered = [], []
        for _ in range(repeat):
            folded.append(_ms(lambda p=phrase: store.answer_ids(QUESTION, None,
                                                                AnswerFilter(text=p))))
            lowered.append(_ms(lambda p=phrase: _database_lower(store, p)))
        out[phrase] = (statistics.median(folded), statistics.median(lowered))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "coder-bench")
    parser.add_argument("--pg-url", help="a PostgreSQL server (default: a local cluster)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    path = make_project(args.workdir / f"bench_{args.answers}.coder", args.answers)
    results = {}
    with open_project(path) as store:
        results["SQLite"] = measure(store, args.repeat)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from postgres_server import benchmark_server

    from coder.services.db_copy import copy_project

    with benchmark_server(args.pg_url) as server:
        url = server.new_database()
        copy_project(path, url)
        with open_project(url) as store:
            results["PostgreSQL"] = measure(store, args.repeat)
    print(f"{args.answers} answers, median of {args.repeat}, ms")
    print(f"{'backend':11s} {'phrase':10s} {'folded in Python':>17s} {'database lower()':>17s}"
          f" {'ratio':>6s}")
    for backend, figures in results.items():
        for phrase, (folded, lowered) in figures.items():
            print(f"{backend:11s} {phrase:10s} {folded:17.1f} {lowered:17.1f}"
                  f" {folded / lowered:6.2f}")


if __name__ == "__main__":
    main()
