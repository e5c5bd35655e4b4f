"""Count planted identifiers that reach report files (md, html, docx) of a survey of real English
local authorities, at 3 and 10 quotes per code, with and without every answer starred; then
over-redaction on the demo survey: answers changed although nothing was planted in them, and
answers that would be left out as still risky.

    PYTHONPATH=. python benchmarks/report_leaks.py
    PYTHONPATH=/path/to/other/checkout python benchmarks/report_leaks.py --leaks-only

(`--leaks-only` skips the over-redaction count, for versions of coder without `Redactor.risks`.)
"""

from __future__ import annotations

import csv
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "core"))

from leak_survey import build, leaks, report_text  # noqa: E402

from coder.core.reporting.anonymise import (  # noqa: E402
    RedactionList,
    Redactor,
    terms_from_attributes,
)
from coder.services.reports import build_report, write_report  # noqa: E402
from coder.store import open_project  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("| starred | quotes | format | quotes printed | leaked identifiers |")
        print("|---|---:|---|---:|---|")
        for star in (False, True):
            case = folder / ("starred" if star else "plain")
            case.mkdir()
            survey = build(case, star=star)
            for quotes in (3, 10):
                with open_project(survey.path) as store:
                    report = build_report(store, quotes_per_code=quotes)
                shown = sum(len(t.quotes) for s in report.sections for t in s.themes)
                for fmt in ("md", "html", "docx"):
                    out = write_report(report, fmt, case / f"r{quotes}.{fmt}")[0]
                    found = leaks(report_text(out), survey.forbidden)
                    print(f"| {'yes' if star else 'no'} | {quotes} | {fmt} | {shown} |"
                          f" {len(found)}: {', '.join(found[:12])} |")


def over_redaction() -> None:
    data = Path(__file__).resolve().parents[1] / "data"
    with (data / "demo_survey.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (data / "demo_pii.csv").open(encoding="utf-8") as handle:
        planted = {(r["la_code"], r["question_id"]) for r in csv.DictReader(handle)
                   if r["wave"] == "2025"}
    attributes = [{k: r[k] for k in ("authority_name", "region", "authority_type")}
                  for r in rows]
    redactor = Redactor(RedactionList().with_terms(terms_from_attributes(attributes)),
                        tuple(r["la_code"] for r in rows))
    open_columns = [c for c in rows[0] if c.startswith("q") and c not in
                    ("q1_placed_independent", "q4_asye_participates", "q8_support_source")]
    answers = changed = risky = 0
    for row in rows:
        for column in open_columns:
            if not row[column].strip() or (row["la_code"], column) in planted:
                continue
            answers += 1
            redacted = redactor.redact(row[column])
            changed += redacted != row[column]
            risky += bool(redactor.risks(redacted))
    print(f"\ndemo survey, {answers} answers with nothing planted: {changed} changed by"
          f" redaction, {risky} left out as still risky")


if __name__ == "__main__":
    main()
    if "--leaks-only" not in sys.argv[1:]:
        over_redaction()
