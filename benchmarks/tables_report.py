"""Time a weighted report with a breakdown (and a trend table by wave) and a merge-back export
on a 3-wave project of 100,000 answers coded by one coder.

Usage: PYTHONPATH=. HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/tables_report.py [--answers N]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import tempfile
import time
from pathlib import Path

from coder.core.codeframe.files import load_codeframe
from coder.services.exports import export_data
from coder.services.importing import import_survey
from coder.services.reports import build_report, write_report
from coder.store import create_project, open_project

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "q2_barriers"
WORDS = ["placement", "fees", "cost", "distance", "school", "refused", "EHCP", "delay",
         "funding", "panel", "staff", "transport", "capacity", "assessment"]


def build(folder: Path, answers: int, waves: int, rng: random.Random) -> Path:
    path = folder / "bench.coder"
    per_wave = answers // waves
    with create_project(path) as store:
        for w in range(waves):
            survey = folder / f"wave{w}.csv"
            with survey.open("w", newline="", encoding="utf-8") as handle:
                out = csv.writer(handle)
                out.writerow(["resp_id", "region", "wt", QUESTION])
                for i in range(per_wave):
                    text = " ".join(rng.choices(WORDS, k=rng.randint(4, 30)))
                    out.writerow([f"R{i:06d}", rng.choice("ABCDEFGHI"),
                                  f"{rng.uniform(0.5, 2.0):.3f}", text])
            import_survey(store, survey, wave=str(2024 + w), id_column="resp_id",
                          open_columns=[QUESTION], coder="bench")
        frame = load_codeframe(ROOT / "codeframes" / "q2_barriers.yaml")
        store.add_codeframe(frame, "bench", questions=[QUESTION])
        codable = [c.id for c in frame.codable_codes()]
        coder = store.coder("bench")
        decisions = [(a.id, coder.id, rng.sample(codable, rng.randint(1, 3)))
                     for a in store.answers(QUESTION, substantive_only=True)]
        store.replace_codings(decisions, "bench", "bench codings")
    return path


def timed(label: str, work):  # type: ignore[no-untyped-def]
    """Run `work`, print its wall-clock and CPU time (CPU time suffers less from a busy
    machine), and return its result."""
    start, cpu = time.perf_counter(), time.process_time()
    result = work()
    print(f"{label}: {time.perf_counter() - start:.2f} s wall, {time.process_time() - cpu:.2f} s"
          " CPU")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--waves", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(0)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = timed("build project (import + coding, not part of the figure)",
                     lambda: build(folder, args.answers, args.waves, rng))
        with open_project(path) as store:
            print(f"answers={len(store.answers(QUESTION))} waves={len(store.waves())}")
            for by in ("region", "wave"):
                report = timed(f"report --wave all --weight wt --by {by} (no quotes)",
                               lambda by=by: build_report(store, wave="all", weight="wt", by=by,
                                                          quotes_per_code=0))
                timed("  + write html",
                      lambda report=report: write_report(report, "html", folder / "r.html"))
            timed("report --wave all --weight wt --by region, 3 quotes per code",
                  lambda: build_report(store, wave="all", weight="wt", by="region"))
            result = timed("export --format sav --wave all --attribute region --attribute wt",
                           lambda: export_data(store, "sav", folder / "codes.sav", wave="all",
                                               attributes=["region", "wt"]))
            print(f"  rows={result.rows} respondents={result.respondents}"
                  f" code variables={result.code_variables}")


if __name__ == "__main__":
    main()
