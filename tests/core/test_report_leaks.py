"""No planted identifier reaches a report: a survey of real English local authorities whose
answers name authorities (in the forms people write), staff, respondent IDs and contact details,
reported in md, html and docx at 3 and 10 quotes per code, with every answer starred or not."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from leak_survey import ORDINARY, build, leaks, report_text

from coder.services.reports import build_report, write_report
from coder.store import open_project


@pytest.mark.parametrize("star", [False, True], ids=["plain", "starred"])
def test_no_planted_identifier_in_any_format(tmp_path: Path, star: bool) -> None:
    survey = build(tmp_path, star=star)
    texts = []
    for quotes in (3, 10):
        with open_project(survey.path) as store:
            report = build_report(store, quotes_per_code=quotes)
        shown = sum(len(t.quotes) for s in report.sections for t in s.themes)
        assert shown >= 3 * quotes  # quotes are printed, redacted, not silently dropped
        for fmt in ("md", "html", "docx"):
            text = report_text(write_report(report, fmt, tmp_path / f"r{quotes}.{fmt}")[0])
            assert leaks(text, survey.forbidden) == [], (fmt, quotes)
            texts.append(html.unescape(text).replace("\\", ""))
    # Ordinary words ("county", "north", "reading the guidance") stay as written.
    for word in ORDINARY:
        assert all(word in t for t in texts), word


def test_breakdown_by_a_category_column_is_allowed_and_by_the_la_column_refused(
        tmp_path: Path) -> None:
    from coder.core.errors import ProjectError

    survey = build(tmp_path, star=False)
    with open_project(survey.path) as store:
        report = build_report(store, by="authority_type")
        assert [c.value for c in report.sections[0].table.columns] == \
            ["county", "london", "metropolitan", "unitary"]
        with pytest.raises(ProjectError, match='"LA" holds names.*region'):
            build_report(store, by="LA")
