"""Build the sample reports in docs/samples/ from the demo survey; stdlib + coder only.

The demo answers of both waves are coded from the demo's ground truth (as if by one coder,
"demo"). Nothing is added to the redaction list: the names planted in the demo answers go by
the built-in redaction alone. Written: the 2025 report by region as HTML, Markdown and DOCX,
and the 2025 to 2026 trend table (by wave) as Markdown:

    .venv/bin/python docs/samples/make_sample.py
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
import time
from pathlib import Path

from coder.core.codeframe.files import load_codeframe
from coder.core.reporting.model import ReportOptions
from coder.services.importing import import_survey
from coder.services.report_settings import remember_report_settings
from coder.services.reports import build_report, write_report
from coder.store import SQLiteStore, create_project

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
OUT = Path(__file__).resolve().parent
QUESTIONS = ("q2_barriers", "q5_asye_effective")
WAVES = {"2025": ("demo_survey.sav", "demo_ground_truth.csv"),
         "2026": ("demo_survey_wave2.csv", "demo_ground_truth_wave2.csv")}


def _code_from_truth(store: SQLiteStore, wave: str, truth_file: str) -> None:
    """Code a wave's answers to QUESTIONS with the demo's true themes, as coder "demo"."""
    coder = store.coder("demo")
    themes = json.loads((DATA / "demo_themes.json").read_text(encoding="utf-8"))
    key_to_code = {}
    for qid in QUESTIONS:
        frame = store.codeframe_for(qid)
        assert frame is not None
        labels = {c.label.casefold(): c.id for c in frame.codes}
        key_to_code.update({(qid, t["key"]): labels.get(t["label"].casefold())
                            for t in themes[qid]})
    wave_id = store.wave_id(wave)
    external = {r.external_id: r.id for r in store.respondents(wave_id)}
    answers = {(a.respondent_id, a.question_id): a.id
               for qid in QUESTIONS for a in store.answers(qid, wave_id=wave_id)}
    with (DATA / truth_file).open(encoding="utf-8") as handle:
        truth = [r for r in csv.DictReader(handle) if r["question_id"] in QUESTIONS]
    for row in truth:
        codes = [key_to_code.get((row["question_id"], k)) for k in row["themes"].split(";")]
        answer = answers[(external[row["la_code"]], row["question_id"])]
        store.set_codes(answer, coder, [c for c in codes if c])


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        store = create_project(Path(tmp) / "demo.coder")
        for wave, (survey, _) in WAVES.items():
            import_survey(store, DATA / survey, wave=wave, coder="demo")
        for qid in QUESTIONS:
            store.add_codeframe(load_codeframe(REPO / "codeframes" / f"{qid}.yaml"), "demo",
                                questions=[qid])
        for wave, (_, truth) in WAVES.items():
            _code_from_truth(store, wave, truth)
        remember_report_settings(
            store, coder="demo", title="Children's services survey 2025 (demo data): open answers",
            base_label="responding authorities", author="Demo research team")
        started = time.perf_counter()
        report = build_report(store, ReportOptions(question_ids=QUESTIONS, wave="2025",
                                                   by="region"))
        built = time.perf_counter() - started
        for fmt in ("html", "md", "docx"):
            write_report(report, fmt, OUT / f"sample_report.{fmt}")
        trend = build_report(store, ReportOptions(
            question_ids=QUESTIONS, wave="all", by="wave", quotes_per_code=0,
            title="Children's services survey (demo data): 2025 to 2026"))
        write_report(trend, "md", OUT / "sample_trend.md")
        print(f"report built in {built:.1f} s; all written in"
              f" {time.perf_counter() - started:.1f} s")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
