"""Benchmark: `coder import` on a large generated corpus of malformed survey files.

Usage: .venv/bin/python benchmarks/reliability_import.py [--cases 2000] [--seed 1] [--timeout 60]
Generates the corpus of tests/core/malformed_files.py (random bytes, truncations, stray bytes,
legacy encodings, UTF-16/32, NULs and escapes, ragged rows, huge cells, 10,000 columns, empty and
header-only files, duplicate/empty/NFC-vs-NFD headers, broken zips as .xlsx, damaged XLSX and
SPSS files, pipes and devices), then imports each file through the CLI into a copy of a project
that already holds a good import. Each import runs in its own forked process with a time limit,
so a hang or a crash of a native reader is counted, not fatal. Prints: cases tried, clean
imports, clear errors (exit 2 naming the file), unclear errors, tracebacks, hangs, crashes, and
failed imports that changed the project; then the same per kind of damage.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "core"))

import malformed_files as corpus  # noqa: E402  (test support, beside the tests that use it)

from coder.services.importing import import_survey  # noqa: E402
from coder.store import create_project  # noqa: E402

STATUSES = ["clean", "clear error", "unclear error", "traceback", "hang", "crash"]


def _child(case: corpus.Case, base: Path, project: Path, base_dump: str, pipe) -> None:
    pipe.send(corpus.import_case(case, base, project, base_dump))


def run_case(
    case: corpus.Case, base: Path, project: Path, base_dump: str, timeout: float
) -> tuple[corpus.Outcome, float]:
    """Import one case in a forked process; (outcome, seconds)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(case, base, project, base_dump, send))
    started = time.perf_counter()
    process.start()
    send.close()
    outcome = None
    if receive.poll(timeout):
        try:
            outcome = receive.recv()
        except EOFError:
            outcome = None
    process.join(5)
    seconds = time.perf_counter() - started
    if outcome is not None:
        return outcome, seconds
    status = "hang" if process.is_alive() else "crash"
    if process.is_alive():
        process.kill()
        process.join()
    changed = project.exists() and corpus.project_dump(project) != base_dump
    return corpus.Outcome(status, changed, f"exit code {process.exitcode}"), seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000, help="files to generate and import")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a hang")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        survey = folder / "good.csv"
        survey.write_bytes(corpus.good_csv(random.Random(options.seed)))
        base = folder / "base.coder"
        with create_project(base) as store:
            import_survey(store, survey, wave="1", open_columns=["comment"])
        base_dump = corpus.project_dump(base)
        files = folder / "files"
        files.mkdir()

        totals: Counter[str] = Counter()
        changed = 0
        by_kind: dict[str, Counter[str]] = defaultdict(Counter)
        problems: list[str] = []
        seconds: list[float] = []
        started = time.perf_counter()
        for case in corpus.corpus(files, options.cases, options.seed):
            outcome, took = run_case(case, base, folder / "p.coder", base_dump, options.timeout)
            seconds.append(took)
            totals[outcome.status] += 1
            kind = case.kind.split(" (")[0]
            by_kind[kind][outcome.status] += 1
            changed += outcome.changed
            by_kind[kind]["changed"] += outcome.changed
            if outcome.status not in ("clean", "clear error") or outcome.changed:
                detail = " ".join(outcome.detail.split())[:160]
                problems.append(f"{case.kind} {case.path.name}: {outcome.status}; {detail}")
        wall = time.perf_counter() - started

    print(f"coder import on {options.cases:,} generated files (seed {options.seed},")
    print(f"time limit {options.timeout:g} s each; {wall:.0f} s in all)\n")
    print(
        "| cases | clean | clear error (exit 2) | unclear error | traceback | hang | crash |"
        " failed and changed the project |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {sum(totals.values()):,} | "
        + " | ".join(f"{totals[s]:,}" for s in STATUSES)
        + f" | {changed} |"
    )
    print(f"\nper case: median {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s\n")
    print("| kind of file | cases | clean | clear error | other |")
    print("|---|---|---|---|---|")
    for kind in sorted(by_kind):
        counts = by_kind[kind]
        total = sum(counts[s] for s in STATUSES)
        other = total - counts["clean"] - counts["clear error"]
        print(f"| {kind} | {total} | {counts['clean']} | {counts['clear error']} | {other} |")
    if problems:
        print(f"\n{len(problems)} problems (first 20):")
        for line in problems[:20]:
            print(f"  {line}")


if __name__ == "__main__":
    main()
