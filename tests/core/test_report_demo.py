"""The demo survey's planted personal data never reaches a report, whichever answers are quoted.

Every coded answer is quoted (a very high quotes-per-code), so any name, email or phone number
that survived redaction would show. Data: data/demo_pii.csv lists each planted value verbatim.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pytest

from coder.core.codeframe.files import load_codeframe
from coder.core.reporting.anonymise import SETTING_KEY, RedactionList, RedactionTerm
from coder.services.importing import import_survey
from coder.services.reports import build_report, write_report
from coder.store import create_project

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (DATA / "demo_pii.csv").exists():
        pytest.fail("data/demo_pii.csv is missing: run python data/generate_demo.py")
    pii = [r for r in _rows("demo_pii.csv") if r["wave"] == "2025"]
    questions = sorted({r["question_id"] for r in pii})
    path = tmp_path_factory.mktemp("demo") / "demo.coder"
    store = create_project(path)
    import_survey(store, DATA / "demo_survey.csv", wave="2025", coder="t")
    themes = json.loads((DATA / "demo_themes.json").read_text(encoding="utf-8"))
    code_of = {}
    for qid in questions:
        frame = load_codeframe(REPO / "codeframes" / f"{qid}.yaml")
        store.add_codeframe(frame, "t", questions=[qid])
        by_label = {c.label.casefold(): c.id for c in frame.codes}
        code_of.update({(qid, t["key"]): by_label.get(t["label"].casefold())
                        for t in themes[qid]})
    coder = store.coder("demo")
    respondent = {r.external_id: r.id for r in store.respondents()}
    answer = {(a.respondent_id, a.question_id): a.id
              for q in questions for a in store.answers(q)}
    for row in _rows("demo_ground_truth.csv"):
        if row["question_id"] in questions:
            codes = [code_of.get((row["question_id"], k)) for k in row["themes"].split(";")]
            store.set_codes(answer[(respondent[row["la_code"]], row["question_id"])], coder,
                            [c for c in codes if c])
    store.close()
    return path


def _report_text(path: Path, folder: Path, people: list[str]) -> str:
    from coder.store import open_project

    with open_project(path) as store:
        terms = tuple(RedactionTerm(p, "[name]") for p in people)
        store.set_setting(SETTING_KEY, RedactionList(terms).to_setting(), "t")
        report = build_report(store, quotes_per_code=1000)
    quoted = sum(len(t.quotes) for s in report.sections for t in s.themes)
    assert quoted > 500  # nearly every coded answer is shown
    page = write_report(report, "html", folder / "r.html")[0].read_text(encoding="utf-8")
    return html.unescape(page)


def test_no_planted_personal_data_with_the_staff_names_listed(demo: Path,
                                                              tmp_path: Path) -> None:
    pii = [r for r in _rows("demo_pii.csv") if r["wave"] == "2025"]
    people = sorted({r["value"] for r in pii if r["kind"] == "person_name"})
    text = _report_text(demo, tmp_path, people).lower()
    leaks = [r["value"] for r in pii if r["value"].lower() in text]
    assert leaks == []
    for row in _rows("demo_survey.csv"):
        assert not re.search(rf"\b{row['la_code'].lower()}\b", text)
        assert row["authority_name"].lower() not in text


def test_names_emails_phones_and_councils_go_without_any_list(demo: Path,
                                                              tmp_path: Path) -> None:
    """Patterns, cues ("speak to ...") and the authority names in the attributes suffice here."""
    pii = [r for r in _rows("demo_pii.csv") if r["wave"] == "2025"]
    text = _report_text(demo, tmp_path, []).lower()
    assert [r["value"] for r in pii if r["value"].lower() in text] == []


def test_the_demo_arrives_with_two_coded_waves_so_its_reports_are_real(tmp_path: Path) -> None:
    """What `./run demo` does before its reports: import both waves, the codeframes, then the
    shipped codings file (data/demo_codings.csv, written by the demo generator)."""
    from coder.services.codings_io import import_codings
    from coder.store import open_project

    path = tmp_path / "demo.coder"
    store = create_project(path)
    import_survey(store, DATA / "demo_survey.sav", wave="2025", coder="t")
    import_survey(store, DATA / "demo_survey_wave2.csv", wave="2026", coder="t")
    store.add_codeframe(load_codeframe(REPO / "codeframes" / "q2_barriers.yaml"), "t",
                        questions=["q2_barriers"])
    store.close()
    with open_project(path) as store:
        import_codings(store, DATA / "demo_codings.csv", actor="demo")
        report = build_report(store, question_ids=["q2_barriers"], wave="2025", by="region")
        trend = build_report(store, question_ids=["q2_barriers"], wave="all", by="wave",
                             quotes_per_code=0)
    section = report.sections[0]
    assert report.layer != "no codes yet" and section.table.base.uncoded <= 2
    assert section.themes[0].row.pct > 30 and sum(len(t.quotes) for t in section.themes) >= 10
    table = trend.sections[0].table
    assert trend.waves == ("2025", "2026") and [c.value for c in table.columns] == \
        ["2025", "2026"]
    assert table.base.uncoded <= 3 and all(c.base > 30 for c in table.columns)
    run = (REPO / "run").read_text(encoding="utf-8")
    assert run.index("codings import data/demo_codings.csv") < run.index('"$coder" report')
    assert "--by wave" in run
