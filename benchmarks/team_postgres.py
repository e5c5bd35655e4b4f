"""Benchmark: team mode on PostgreSQL, beside SQLite in the same run.

Usage: python benchmarks/team_postgres.py [--coders 5] [--actions 200] [--codings 1000000]
       [--pg-url URL]

1. Concurrent coders: N processes, each its own connection as N app windows, code the demo
   project (q2) at once through `coder.services.coding.apply_codes` (the app's code keys), as
   `benchmarks/team_sqlite.py` does on SQLite (same worker): actions/s, p50 and p95 latency of one
   action (call to acknowledged commit), lost and unacknowledged codings (must be 0).
2. Scale: a project with `--codings` codings (one question, a quarter as many answers, four
   codes each, one coder) built on SQLite; `coder db copy` of it to PostgreSQL is timed, then
   the frequency report (`coder report --format md --quotes 0`, the final layer) on each backend.

PostgreSQL is a throwaway local cluster (unix socket, as the tests start it) unless `--pg-url`
names an empty database's server (each step creates a database on it).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

from team_sqlite import build, race  # noqa: E402
from team_sqlite import run as run_sqlite  # noqa: E402

from coder.core.codeframe.model import Code, Codeframe  # noqa: E402
from coder.services.db_copy import copy_project  # noqa: E402
from coder.services.importing import import_survey  # noqa: E402
from coder.store import create_project  # noqa: E402

FRAME = Codeframe("scale", "Scale", tuple(
    Code(id=f"c{i}", codeframe_id="scale", label=f"Reason {i}", output_code=i)
    for i in range(1, 13)))


def run_postgres(template: Path, url: str, n: int, actions: int, seed: int) -> dict[str, Any]:
    copy_project(template, url)
    return race(url, n, actions, seed, 30.0)


def build_scale(folder: Path, codings: int) -> Path:
    """A project with `codings` codings: codings/4 answers to one question, 4 codes each."""
    answers = codings // 4
    survey = folder / "scale.csv"
    with survey.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "region", "q1"])
        for i in range(answers):
            writer.writerow([f"R{i:07d}", f"region {i % 5}", f"answer {i} about barrier {i % 97}"])
    path = folder / "scale.coder"
    with create_project(path) as store:
        import_survey(store, survey, wave="1", coder="lead")
        store.add_codeframe(FRAME, "lead", questions=["q1"])
        coder = store.coder("ann")
        ids = [a for (a,) in store.conn.execute("SELECT id FROM answers ORDER BY id")]
        with store.transaction() as conn:
            conn.executemany(
                "INSERT INTO codings (answer_id, code_id, coder_id, created_at)"
                " VALUES (?, ?, ?, ?)",
                ((a, f"c{(a + k * 3) % 12 + 1}", coder.id, "2026-01-01") for a in ids
                 for k in range(4)))
            conn.executemany(
                "INSERT INTO answer_status (answer_id, coder_id, coded_at) VALUES (?, ?, ?)",
                ((a, coder.id, "2026-01-01") for a in ids))
    return path


def timed_report(project: str, folder: Path, name: str) -> float:
    (folder / name).mkdir()
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "coder", "report", "-p", project, "--format", "md",
                    "--quotes", "0", "--title", "Scale", "-o", str(folder / name / "report.md")],
                   check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--coders", type=int, default=5)
    parser.add_argument("--actions", type=int, default=200, help="coding actions per coder")
    parser.add_argument("--codings", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg-url", help="a PostgreSQL server (default: a local cluster)")
    args = parser.parse_args()
    from postgres_server import PG_BIN, ExternalPostgres, PostgresCluster

    cluster = ExternalPostgres(args.pg_url) if args.pg_url else PostgresCluster(PG_BIN)
    if not args.pg_url:
        cluster.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            template = build(folder)
            print(f"{args.coders} coders x {args.actions} coding actions at once (demo q2)")
            print("| backend | actions | wall s | actions/s | p50 ms | p95 ms | busy | lost |"
                  " not acknowledged |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
            lite = run_sqlite(template, folder, args.coders, args.actions, args.seed, 30.0)
            pg = run_postgres(template, cluster.new_database(), args.coders, args.actions,
                              args.seed)
            for name, r in (("SQLite", lite), ("PostgreSQL", pg)):
                print(f"| {name} | {r['actions']} | {r['wall']:.2f} | {r['rate']:.0f} |"
                      f" {r['p50']:.1f} | {r['p95']:.1f} | {r['busy']} | {r['lost']} |"
                      f" {r['unacked']} |", flush=True)

            started = time.perf_counter()
            scale = build_scale(folder, args.codings)
            print(f"\nscale project: {args.codings} codings, {args.codings // 4} answers"
                  f" (built in {time.perf_counter() - started:.0f} s)")
            url = cluster.new_database()
            started = time.perf_counter()
            report = copy_project(scale, url)
            copy_s = time.perf_counter() - started
            print("| step | SQLite s | PostgreSQL s |\n|---|---:|---:|")
            print(f"| coder db copy SQLite -> PostgreSQL ({report.total} rows) | | {copy_s:.1f} |")
            back = folder / "back.coder"
            started = time.perf_counter()
            copy_project(url, back)
            print(f"| coder db copy PostgreSQL -> SQLite | {time.perf_counter() - started:.1f} | |")
            lite_s = timed_report(str(scale), folder, "lite")
            pg_s = timed_report(url, folder, "pg")
            print(f"| frequency report (coder report, md, no quotes) | {lite_s:.1f} | {pg_s:.1f} |")
            lite_md, pg_md = ((folder / n / "report.md").read_text().splitlines()
                              for n in ("lite", "pg"))
            differ = [(a, b) for a, b in zip(lite_md, pg_md, strict=False) if a != b]
            print(f"reports identical: {not differ and len(lite_md) == len(pg_md)} {differ[:3]}")
    finally:
        if not args.pg_url:
            cluster.stop()


if __name__ == "__main__":
    main()
