"""Time `build_report` on the demo's coded question (q2_barriers, waves 2025 and 2026 coded from
data/demo_codings.csv), wave 2025, best of 3, at 3 and 10 quotes per code.

    PYTHONPATH=. python benchmarks/report_timing.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from coder.core.codeframe.files import load_codeframe
from coder.services.codings_io import import_codings
from coder.services.importing import import_survey
from coder.services.reports import build_report
from coder.store import create_project, open_project

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.coder"
        store = create_project(path)
        import_survey(store, REPO / "data/demo_survey.sav", wave="2025", coder="t")
        import_survey(store, REPO / "data/demo_survey_wave2.csv", wave="2026", coder="t")
        store.add_codeframe(load_codeframe(REPO / "codeframes/q2_barriers.yaml"), "t",
                            questions=["q2_barriers"])
        store.close()
        with open_project(path) as store:
            import_codings(store, REPO / "data/demo_codings.csv", actor="demo")
            for quotes in (3, 10):
                best = float("inf")
                for _ in range(3):
                    started = time.perf_counter()
                    report = build_report(store, question_ids=["q2_barriers"], wave="2025",
                                          quotes_per_code=quotes)
                    best = min(best, time.perf_counter() - started)
                shown = sum(len(t.quotes) for t in report.sections[0].themes)
                print(f"quotes {quotes}: build_report {best:.2f} s, {shown} quotes")


if __name__ == "__main__":
    main()
