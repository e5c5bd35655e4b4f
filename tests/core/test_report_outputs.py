"""Every report format: no respondent ID or listed name leaks, text is escaped, DOCX is complete."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from test_report_project import QUESTION, ROWS, answer_id, build_project

from coder.core.codeframe.model import Code, Codeframe
from coder.services.reports import build_report, write_report
from coder.store import open_project

IDS = [row[0] for row in ROWS]
NAMES = ["Kent", "Hackney", "Islington", "Devon", "Smith", "jo.bloggs", "7946", "SW1A",
         "devon.gov.uk"]
NASTY_LABEL = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("report")
    path = build_project(folder)
    with open_project(path) as store:
        report = build_report(store, question_ids=[QUESTION], quotes_per_code=10, by="region",
                              base_label="responding authorities")
    written = {}
    for fmt in ("md", "html", "docx"):
        written[fmt] = write_report(report, fmt, folder / f"report.{fmt}")[0]
    return written


def _docx_text(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _texts(outputs: dict[str, Path]) -> dict[str, str]:
    # Markdown escapes brackets ("\\[council\\]"); compare the text a reader sees.
    return {"md": outputs["md"].read_text(encoding="utf-8").replace("\\", ""),
            "html": outputs["html"].read_text(encoding="utf-8"),
            "docx": _docx_text(outputs["docx"])}


def test_no_respondent_id_and_no_listed_name_in_any_format(outputs: dict[str, Path]) -> None:
    for fmt, text in _texts(outputs).items():
        for rid in IDS:
            assert not re.search(rf"\b{rid}\b", text), f"{rid} in the {fmt} report"
        for name in NAMES:
            assert name.lower() not in text.lower(), f"{name} in the {fmt} report"
        # The quotes are there, with placeholders where the names were.
        assert "[council]" in text and "[email]" in text and "[phone]" in text, fmt
        assert "[postcode]" in text and "[url]" in text, fmt


def test_docx_has_headings_tables_and_chart(outputs: dict[str, Path]) -> None:
    from docx import Document

    doc = Document(str(outputs["docx"]))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[1] == QUESTION
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells][:3] == ["Code", "n", "%"]
    assert table.rows[1].cells[0].text == "NET: Cost" and table.rows[1].cells[1].text == "4"
    assert len(doc.inline_shapes) == 1
    with zipfile.ZipFile(outputs["docx"]) as archive:
        assert any(n.startswith("word/media/") and n.endswith(".png") for n in archive.namelist())
    text = _docx_text(outputs["docx"])
    assert "Base: all responding authorities (n=8)" in text
    assert "Caution: small base (n=8" in text


def test_html_is_self_contained_and_escaped(tmp_path: Path) -> None:
    path = build_project(tmp_path)
    with open_project(path) as store:
        frame = Codeframe("f2", "Nasty", (Code("n1", "f2", NASTY_LABEL, 1),))
        store.add_codeframe(frame, "test", questions=["placed_any"])
        store.set_codes(answer_id(store, "R01"), store.coder("alice"), ["c101"])
        report = build_report(store, question_ids=[QUESTION, "placed_any"])
    report = report.__class__(NASTY_LABEL, report.layer, "<b>base</b>", report.sections,
                              report.created)
    html = write_report(report, "html", tmp_path / "r.html")[0].read_text(encoding="utf-8")
    assert NASTY_LABEL in [r.label for r in report.sections[1].table.rows]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>base</b>" not in html
    # The chart is inline SVG: its labels escaped like the rest, nothing fetched from elsewhere.
    assert "<svg " in html and "src=\"http" not in html and "href=" not in html
    markdown = write_report(report, "md", tmp_path / "r.md")[0].read_text(encoding="utf-8")
    assert "<script>" not in markdown


def test_ids_only_when_asked(tmp_path: Path) -> None:
    path = build_project(tmp_path)
    with open_project(path) as store:
        report = build_report(store, include_ids=True)
    text = write_report(report, "md", tmp_path / "r.md")[0].read_text(encoding="utf-8")
    assert re.search(r"respondent R\d\d", text)


def test_starred_quote_comes_first(tmp_path: Path) -> None:
    path = build_project(tmp_path)
    with open_project(path) as store:
        starred = answer_id(store, "R08")
        store.star_quote("c101", starred, store.coder("alice"))
        report = build_report(store, quotes_per_code=2)
    theme = next(t for t in report.sections[0].themes if t.row.code_id == "c101")
    assert theme.quotes[0].starred and theme.quotes[0].source == starred
    assert theme.quotes[0].text == "Call [name] on [phone] about the cost of places"
    assert len(theme.quotes) == 2 and not theme.quotes[1].starred
