"""Time `coder report` on the 100,000-answer, 3-wave weighted project of
`benchmarks/tables_report.py`, for this tree and an earlier commit, alternately in one run.

Each measurement is a fresh `coder report --wave all --weight wt --by region -o r.html`
process (interpreter start, imports, report, HTML), so it is what a user waits for; its CPU
time (user + system, from the operating system) varies less than wall-clock time on a busy
machine. A last measurement times `build_report` alone in a process that has made one report
already (imports done), as `benchmarks/tables_report.py` does. The earlier commit is checked
out in a temporary git worktree (removed afterwards). Each tree reports on its own copy of the
project, upgraded to that tree's schema before anything is timed.

Usage:
  PYTHONPATH=. HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/report_speed.py \\
      [--before REF] [--rounds N] [--answers N] [--project PATH] [--embeddings]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IN_PROCESS_CASE = "3 quotes per code: `build_report` alone (imports done, after a first report)"
sys.path.insert(0, str(ROOT))

from benchmarks.tables_report import QUESTION, build  # noqa: E402


def add_embeddings(project: Path) -> None:
    """Cache a (hashing, offline) embedding for every answer, as a theme run would have."""
    from coder.core.embedding import DEFAULT_MODEL_ID, HashingEmbedder, cache_key
    from coder.store import open_project

    with open_project(project) as store:
        texts = {cache_key(a.text): a.text for a in store.answers(QUESTION)}
        vectors = HashingEmbedder().embed(list(texts.values()))
        store.put_many(DEFAULT_MODEL_ID, dict(zip(texts, vectors, strict=True)))


def run_report(tree: Path, project: Path | str, output: Path,
               options: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `coder report` process run from `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "coder", "report", "-p", str(project), "-o",
                    str(output), *options], env=env, cwd=tree, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


UPGRADE = """
import sys
from coder.store import open_project
open_project(sys.argv[1]).close()
"""

IN_PROCESS = """
import sys, time
from coder.services.reports import build_report
from coder.store import open_project
with open_project(sys.argv[1]) as store:
    build_report(store, wave="all", weight="wt", by="region", quotes_per_code=0)  # warm up
    start, cpu = time.perf_counter(), time.process_time()
    build_report(store, wave="all", weight="wt", by="region", quotes_per_code=3)
    print(time.perf_counter() - start, time.process_time() - cpu)
"""


def run_in_process(tree: Path, project: Path) -> tuple[float, float]:
    """(wall, CPU) of `build_report` with 3 quotes per code, imports and caches warm."""
    env = {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", IN_PROCESS, str(project)], env=env, cwd=tree,
                          check=True, capture_output=True, text=True)
    wall, cpu = done.stdout.split()
    return float(wall), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", help="git commit to compare with (default: none)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--project", type=Path, help="reuse a project built by an earlier run")
    parser.add_argument("--embeddings", action="store_true",
                        help="cache an embedding for every answer (quotes use them)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        project = args.project
        if project is None or not project.exists():
            built = build(folder, args.answers, 3, random.Random(0))
            if args.embeddings:
                add_embeddings(built)
            if project is not None:
                built.replace(project)
            project = project or built
        trees = {"this tree": ROOT}
        if args.before:
            old = folder / "before"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old),
                            args.before], check=True, capture_output=True)
            trees = {f"before ({args.before})": old, **trees}
        # Each tree reports on its own copy, upgraded to its schema before timing (a project
        # upgrades once; an older tree cannot open a newer schema).
        projects = {}
        for i, (name, tree) in enumerate(trees.items()):
            projects[name] = folder / f"tree{i}.coder"
            shutil.copyfile(project, projects[name])
            subprocess.run([sys.executable, "-c", UPGRADE, str(projects[name])], cwd=tree,
                           env={**os.environ, "PYTHONPATH": str(tree)}, check=True)
        cases = {"--quotes 0": ["--quotes", "0"], "3 quotes per code": []}
        base = ["--wave", "all", "--weight", "wt", "--by", "region"]
        found: dict[tuple[str, str], list[tuple[float, float]]] = {}
        outputs = {(case, i): folder / f"r-{n}-{i}.html" for n, case in enumerate(cases)
                   for i in range(len(trees))}
        try:
            print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            for _ in range(args.rounds):
                for case, extra in cases.items():
                    for i, (name, tree) in enumerate(trees.items()):
                        found.setdefault((case, name), []).append(
                            run_report(tree, projects[name], outputs[case, i], base + extra))
                for name, tree in trees.items():
                    found.setdefault((IN_PROCESS_CASE, name), []).append(
                        run_in_process(tree, projects[name]))
            print(f"load average after: {os.getloadavg()[0]:.1f}")
            for case in cases:  # the trees' reports, byte for byte (same day, same project)
                same = len({outputs[case, i].read_bytes() for i in range(len(trees))}) == 1
                print(f"{case}: the trees' reports are {'identical' if same else 'DIFFERENT'}")
        finally:
            if args.before:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(folder / "before")], check=False, capture_output=True)
        print("| `coder report --wave all --weight wt --by region -o r.html` | tree | wall (median)"
              " | CPU (median) | CPU (min) |")
        print("|---|---|---:|---:|---:|")
        for (case, name), times in found.items():
            walls, cpus = [w for w, _ in times], [c for _, c in times]
            print(f"| {case} | {name} | {statistics.median(walls):.1f} s |"
                  f" {statistics.median(cpus):.2f} s | {min(cpus):.2f} s |")


if __name__ == "__main__":
    main()
