"""Time the frequency report of a project with a million codings, for this tree and an earlier
commit, alternately in one run, on SQLite and (with `--postgres`) PostgreSQL.

The project is `benchmarks/team_postgres.py`'s scale project (one question, a quarter as many
answers as codings, four codes each from one coder). Each measurement is a fresh
`coder report --format md --quotes 0` process (interpreter start, imports, report, Markdown with
its chart), so it is what a user waits for; CPU time (user + system, from the operating system)
varies less than wall-clock time on a busy machine. On a local PostgreSQL cluster the server's
CPU time for the report is measured too (its processes' user + system time, exited backends
included, from /proc): the client waits while the server counts, so on an idle machine the
wall-clock time is about the sum of the two, whatever the load of the machine it is measured
on. Each tree reports on its own copy of the
project (and its own PostgreSQL database, copied with that tree's `coder db copy`), upgraded to
its schema before anything is timed; the reports of every tree and backend must be the same
line for line (their date aside).

Usage:
  PYTHONPATH=. .venv/bin/python benchmarks/report_scale.py [--before REF] [--rounds N] \\
      [--codings N] [--project PATH] [--postgres] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from report_speed import UPGRADE, run_report  # noqa: E402

COPY = """
import sys
from coder.services.db_copy import copy_project
copy_project(sys.argv[1], sys.argv[2])
"""


def server_cpu(data: Path) -> float:
    """CPU seconds used so far by a local PostgreSQL cluster's server: the postmaster, its live
    children (backends, parallel workers, autovacuum) and the children it has reaped."""
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    tick = os.sysconf("SC_CLK_TCK")

    def fields(pid: int | str) -> list[str]:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

    own = fields(postmaster)
    total = sum(int(v) for v in own[11:15])  # utime, stime, cutime, cstime
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(postmaster):
            try:
                stat = fields(entry.name)
            except OSError:  # gone meanwhile
                continue
            if stat[1] == str(postmaster):
                total += int(stat[11]) + int(stat[12])
    return total / tick


def timed(tree: Path, place: str, output: Path, options: list[str],
          data: Path | None) -> tuple[float, float, float | None]:
    """(wall, client CPU, server CPU or None) of one report."""
    before = server_cpu(data) if data is not None else 0.0
    wall, cpu = run_report(tree, place, output, options)
    if data is None:
        return wall, cpu, None
    time.sleep(0.2)  # the backend has exited and been reaped: its time is the postmaster's
    return wall, cpu, server_cpu(data) - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", help="git commit to compare with (default: none)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--codings", type=int, default=1_000_000)
    parser.add_argument("--project", type=Path, help="reuse (or keep) the scale project here")
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL")
    parser.add_argument("--pg-url", help="a PostgreSQL server (default: a local cluster)")
    args = parser.parse_args()
    cluster = None
    if args.postgres:
        from postgres_server import PG_BIN, ExternalPostgres, PostgresCluster

        cluster = ExternalPostgres(args.pg_url) if args.pg_url else PostgresCluster(PG_BIN)
        if not args.pg_url:
            cluster.start()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        project = args.project
        if project is None or not project.exists():
            from team_postgres import build_scale

            started = time.perf_counter()
            built = build_scale(folder, args.codings)
            print(f"built the scale project in {time.perf_counter() - started:.0f} s")
            if project is not None:
                shutil.copyfile(built, project)
            project = project or built
        trees = {"this tree": ROOT}
        if args.before:
            old = folder / "before"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old),
                            args.before], check=True, capture_output=True)
            trees = {f"before ({args.before})": old, **trees}
        try:
            places: dict[tuple[str, str], str] = {}
            for i, (name, tree) in enumerate(trees.items()):
                env = {**os.environ, "PYTHONPATH": str(tree)}
                copy = folder / f"tree{i}.coder"
                shutil.copyfile(project, copy)
                subprocess.run([sys.executable, "-c", UPGRADE, str(copy)], cwd=tree, env=env,
                               check=True)
                places[("SQLite", name)] = str(copy)
                if cluster is not None:
                    url = cluster.new_database()
                    started = time.perf_counter()
                    subprocess.run([sys.executable, "-c", COPY, str(copy), url], cwd=tree,
                                   env=env, check=True)
                    print(f"copied to PostgreSQL for {name} in"
                          f" {time.perf_counter() - started:.0f} s")
                    places[("PostgreSQL", name)] = url
            print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            found: dict[tuple[str, str], list[tuple[float, float, float | None]]] = {}
            local = cluster.data if cluster is not None and not args.pg_url else None
            options = ["--format", "md", "--quotes", "0", "--title", "Scale"]
            reports: dict[tuple[str, str], list[str]] = {}
            for _ in range(args.rounds):
                for (backend, name), place in places.items():
                    output = folder / f"{len(reports)}" / "report.md"
                    output.parent.mkdir(exist_ok=True)
                    found.setdefault((backend, name), []).append(timed(
                        trees[name], place, output, options,
                        local if backend == "PostgreSQL" else None))
                    reports[(backend, name)] = re.sub(  # the report's date aside
                        r"Made \d{4}-\d\d-\d\d", "Made", output.read_text()).splitlines()
            print(f"load average after: {os.getloadavg()[0]:.1f}")
        finally:
            if args.before:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(folder / "before")], check=False, capture_output=True)
            if cluster is not None and not args.pg_url:
                cluster.stop()
        print(f"| `coder report --format md --quotes 0` ({args.codings:,} codings) | backend |"
              " tree | wall (median) | CPU (median) | CPU (min) | server CPU (median) |"
              " client + server CPU (median) |")
        print("|---|---|---|---:|---:|---:|---:|---:|")
        for (backend, name), times in found.items():
            walls, cpus = [w for w, _, _ in times], [c for _, c, _ in times]
            servers = [s for _, _, s in times if s is not None]
            both = [c + s for _, c, s in times if s is not None]
            extra = (f" {statistics.median(servers):.2f} s | {statistics.median(both):.2f} s |"
                     if servers else " - | - |")
            print(f"| whole command | {backend} | {name} | {statistics.median(walls):.1f} s |"
                  f" {statistics.median(cpus):.2f} s | {min(cpus):.2f} s |{extra}")
        texts = list(reports.values())
        print(f"reports identical (every tree and backend): {all(t == texts[0] for t in texts)}")


if __name__ == "__main__":
    main()
