"""Build the sample report in docs/samples/ from the demo survey; stdlib + coder only.

The demo answers are coded from the demo's ground truth (as if by one coder, "demo"), the staff
names planted in the demo answers are added to the redaction list (as a research team would list
the names it finds), and the report is written as HTML, Markdown and DOCX:

    .venv/bin/python docs/samples/make_sample.py
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from pathlib import Path

from coder.core.codeframe.files import load_codeframe
from coder.core.reporting.anonymise import SETTING_KEY, RedactionList, RedactionTerm
from coder.services.importing import import_survey
from coder.services.reports import build_report, write_report
from coder.store import create_project

REPO = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
QUESTIONS = ("q2_barriers", "q5_asye_effective")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        store = create_project(Path(tmp) / "demo.coder")
        import_survey(store, REPO / "data" / "demo_survey.sav", wave="2025", coder="demo")
        for qid in QUESTIONS:
            store.add_codeframe(load_codeframe(REPO / "codeframes" / f"{qid}.yaml"), "demo",
                                questions=[qid])
        coder = store.coder("demo")
        external = {r.external_id: r.id for r in store.respondents()}
        with (REPO / "data" / "demo_ground_truth.csv").open(encoding="utf-8") as handle:
            truth = [r for r in csv.DictReader(handle) if r["question_id"] in QUESTIONS]
        labels = {}
        for qid in QUESTIONS:
            frame = store.codeframe_for(qid)
            assert frame is not None
            labels[qid] = {c.label.casefold(): c.id for c in frame.codes}
        import json

        themes = json.loads((REPO / "data" / "demo_themes.json").read_text(encoding="utf-8"))
        key_to_code = {(qid, t["key"]): labels[qid].get(t["label"].casefold())
                       for qid in QUESTIONS for t in themes[qid]}
        answers = {(a.respondent_id, a.question_id): a.id
                   for qid in QUESTIONS for a in store.answers(qid)}
        for row in truth:
            codes = [key_to_code.get((row["question_id"], k)) for k in row["themes"].split(";")]
            answer = answers[(external[row["la_code"]], row["question_id"])]
            store.set_codes(answer, coder, [c for c in codes if c])
        with (REPO / "data" / "demo_pii.csv").open(encoding="utf-8") as handle:
            people = [r["value"] for r in csv.DictReader(handle) if r["kind"] == "person_name"]
        redaction = RedactionList(tuple(RedactionTerm(p, "[name]") for p in sorted(set(people))))
        store.set_setting(SETTING_KEY, redaction.to_setting(), "demo")
        started = time.perf_counter()
        report = build_report(store, question_ids=QUESTIONS, by="region",
                              base_label="responding authorities",
                              title="Demo survey of children's services: sample report")
        built = time.perf_counter() - started
        for fmt in ("html", "md", "docx"):
            write_report(report, fmt, OUT / f"sample_report.{fmt}")
        print(f"report built in {built:.1f} s; written in {time.perf_counter() - started:.1f} s")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
