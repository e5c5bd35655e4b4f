"""Benchmark: `coder import` of a large survey export (100,000 answers and more).

Usage: .venv/bin/python benchmarks/import_survey.py [--answers 100000] [--answers 800000]
Writes a synthetic export with the demo generator, then times init + import + info through the
real CLI in a subprocess (what a user runs), and reports peak memory of that process.
"""

from __future__ import annotations

import argparse
import resource
import runpy
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CODER = [sys.executable, "-m", "coder"]


def run(args: list[str]) -> tuple[float, float]:
    """Run a CLI command; returns (seconds, peak RSS of child processes in MB so far)."""
    start = time.perf_counter()
    subprocess.run([*CODER, *args], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--answers",
        type=int,
        action="append",
        help="answers in the file (8 open questions per respondent)",
    )
    options = parser.parse_args()
    demo = runpy.run_path(str(REPO / "data" / "generate_demo.py"))
    n_open = len(demo["OPEN_QUESTION_IDS"])
    print("| answers | respondents | file MB | import s | re-import s | info s | peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    for answers in options.answers or [100_000]:
        respondents = answers // n_open
        with tempfile.TemporaryDirectory() as tmp:
            csv = Path(tmp) / "survey.csv"
            demo["generate_large"](respondents, seed=1).to_csv(csv, index=False)
            project = str(Path(tmp) / "p.coder")
            run(["init", project])
            t_import, _ = run(["import", str(csv), "--project", project, "--wave", "2025"])
            t_again, _ = run(["import", str(csv), "--project", project, "--wave", "2025"])
            t_info, peak = run(["info", "--project", project, "--json"])
            print(
                f"| {respondents * n_open:,} | {respondents:,} | {csv.stat().st_size / 1e6:.1f} |"
                f" {t_import:.1f} | {t_again:.1f} | {t_info:.2f} | {peak:.0f} |"
            )


if __name__ == "__main__":
    main()
