"""Reports read like published survey reports: a real title and author, the base once per
question, themes introduced by rank, cautions in words, coded "none" answers in the base."""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from leak_survey import report_text
from test_report_project import QUESTION, answer_id, build_project

from coder.core.reporting.model import ReportOptions
from coder.core.survey.question_sheet import QuestionWording
from coder.services.question_wording import set_question_wording
from coder.services.reports import build_report, write_report
from coder.store import open_project


def _write_all(path: Path, folder: Path, **options: object) -> dict[str, Path]:
    with open_project(path) as store:
        report = build_report(store, ReportOptions(**options))  # type: ignore[arg-type]
    return {fmt: write_report(report, fmt, folder / f"report.{fmt}")[0]
            for fmt in ("md", "html", "docx")}


def test_title_and_author_never_come_from_the_file_or_the_library(tmp_path: Path) -> None:
    path = build_project(tmp_path)
    files = _write_all(path, tmp_path, author="ann")
    for fmt, file in files.items():
        text = report_text(file)
        assert "project: coded open answers" not in text, fmt
        assert "Open answers: what respondents said" in text, fmt
    props = Document(str(files["docx"])).core_properties
    assert (props.author, props.title) == ("ann", "Open answers: what respondents said")
    assert "python-docx" not in report_text(files["docx"])
    titled = _write_all(path, tmp_path / "t" if (tmp_path / "t").mkdir() is None else tmp_path,
                        title="Children's services survey 2025")
    assert report_text(titled["md"]).startswith("# Children's services survey 2025")


def test_the_base_is_printed_once_per_question(tmp_path: Path) -> None:
    path = build_project(tmp_path)
    for fmt, file in _write_all(path, tmp_path, base_label="responding authorities").items():
        text = report_text(file)
        assert len(re.findall(r"Base: all responding authorities \(n=8\)", text)) == 1, fmt


def test_themes_are_introduced_by_rank_not_by_percentage(tmp_path: Path) -> None:
    path = build_project(tmp_path)
    md = report_text(_write_all(path, tmp_path)["md"])
    themes = re.findall(r"^([A-Z][^>*\n]*?) \*\*(.+?)\*\*", md, re.M)
    assert themes[0] == ("The most common theme was", "Cost")
    tops = [lead for lead, _ in themes if lead != "Within this,"]
    assert tops[1] in ("The second most common theme was", "Equally common was")
    assert "Another theme" not in md and "less frequent" not in md


def test_a_question_mostly_uncoded_says_so_in_words(tmp_path: Path) -> None:
    path = build_project(tmp_path, coders=())
    with open_project(path) as store:
        alice = store.coder("alice")
        for ext, codes in (("R01", ["c101"]), ("R02", ["c201"]), ("R03", [])):
            store.set_codes(answer_id(store, ext), alice, codes)
    for fmt, file in _write_all(path, tmp_path).items():
        text = report_text(file).replace("\\", "")
        assert "only 3 of the 8 answers (38%) have been coded so far" in text, fmt


def test_an_answer_coded_none_counts_in_the_base(tmp_path: Path) -> None:
    path = build_project(tmp_path)
    with open_project(path) as store:  # R04 answered "Don't know": non-substantive on import
        store.set_codes(answer_id(store, "R04"), store.coder("alice"), ["c301"])
        section = build_report(store, quotes_per_code=0).sections[0]
    assert section.table.base.answered == 9
    assert section.table.row("c301").n == 3


def test_small_cells_can_be_suppressed(tmp_path: Path) -> None:
    path = build_project(tmp_path)
    md = report_text(_write_all(path, tmp_path, suppress_below=3)["md"])
    row = next(line for line in md.splitlines() if line.startswith("| Distance from home"))
    assert row.split("|")[2:4] == [" \\* ", " \\* "]  # "*", escaped as Markdown text
    assert "fewer than 3" in md


def test_markdown_has_no_html_escapes(tmp_path: Path) -> None:
    path = build_project(tmp_path)
    with open_project(path) as store:
        set_question_wording(store, {QUESTION: QuestionWording(
            "Barriers to placing children in schools & colleges <outside> the area")},
            coder="t")
    md = report_text(_write_all(path, tmp_path)["md"])
    assert "&amp;" not in md and "&lt;" not in md and "&gt;" not in md
    assert "## Barriers to placing children in schools & colleges \\<outside\\> the area" in md


def test_question_wording_and_routing_given_for_a_csv_import(tmp_path: Path) -> None:
    path = build_project(tmp_path)
    with open_project(path) as store:
        set_question_wording(store, {QUESTION: QuestionWording(
            "What are the main barriers?", "Authorities that placed any child")}, coder="t")
    for fmt, file in _write_all(path, tmp_path).items():
        text = report_text(file)
        assert "What are the main barriers?" in text, fmt
        assert "Asked: 10 (Authorities that placed any child)" in text, fmt


def test_routing_is_said_with_the_filter_questions_wording(tmp_path: Path) -> None:
    path = build_project(tmp_path)
    with open_project(path) as store:
        set_question_wording(store, {"placed_any": QuestionWording(
            "Has your authority placed any child?")}, coder="t")
    md = report_text(_write_all(path, tmp_path)["md"]).replace("\\", "")
    assert 'Asked: 10 (those answering "Yes" to "Has your authority placed any child?")' in md
