"""Read a sheet of question wording (id, text, routing) given with a survey file; pure: no UI,
CLI, store or SQL.

A CSV export has only column names; reports need the question as respondents saw it and who
was asked. The sheet is a CSV (any encoding or delimiter a survey CSV may have) or the first
sheet of an .xlsx, with the columns id and text and, optionally, routing.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from coder.core.errors import InputError
from coder.core.survey.csv_text import decode_survey_bytes, sniff_delimiter

#: The columns a question sheet may have (the first two are needed).
SHEET_COLUMNS = ("id", "text", "routing")


@dataclass(frozen=True)
class QuestionWording:
    """A question's wording and routing as a report prints them; None where not given.

    Attributes:
        text: The question as respondents saw it.
        routing: Who was asked, in words (e.g. "authorities that placed any child").
    """

    text: str | None = None
    routing: str | None = None

    def merged(self, other: QuestionWording) -> QuestionWording:
        """This wording with what `other` gives over it."""
        return QuestionWording(other.text or self.text, other.routing or self.routing)

    def to_json(self) -> dict[str, str]:
        return {k: v for k, v in (("text", self.text), ("routing", self.routing)) if v}

    @classmethod
    def from_json(cls, value: object) -> QuestionWording:
        if not isinstance(value, dict):
            return cls()
        return cls(str(value.get("text") or "") or None, str(value.get("routing") or "") or None)


def read_question_sheet(path: str | Path) -> dict[str, QuestionWording]:
    """Question id -> its wording, from a CSV or .xlsx sheet with columns id, text, routing.

    Raises:
        InputError: The file cannot be read, lacks the id or text column, or a row has no id
            or the same id as an earlier row (the message names file, row and column).
    """
    name = str(path)
    rows: list[list[object]]
    if Path(path).suffix.lower() == ".xlsx":
        rows = _xlsx_rows(name)
    else:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read it ({exc.strerror or exc})", path=name) from None
        text = decode_survey_bytes(name, data).text
        rows = [list[object](r) for r in csv.reader(text.splitlines(),
                                                     delimiter=sniff_delimiter(text))]
    if not rows:
        raise InputError("empty: it needs the columns id and text (and optionally routing)",
                         path=name)
    header = [str(c or "").strip().lower() for c in rows[0]]
    if "id" not in header or "text" not in header:
        raise InputError("needs the columns id and text (and optionally routing); found "
                         + (", ".join(h for h in header if h) or "none"), path=name, row=1)
    at = {c: header.index(c) for c in SHEET_COLUMNS if c in header}
    wording: dict[str, QuestionWording] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = {c: _cell(row, i) for c, i in at.items()}
        if not any(cells.values()):
            continue
        qid = cells["id"]
        if not qid:
            raise InputError("no question id", path=name, row=number, column="id")
        if qid in wording:
            raise InputError(f'"{qid}" is given twice (first in an earlier row)', path=name,
                             row=number, column="id")
        wording[qid] = QuestionWording(cells.get("text") or None, cells.get("routing") or None)
    return wording


def _cell(row: Sequence[object], i: int) -> str:
    value = row[i] if i < len(row) else None
    return "" if value is None else str(value).strip()


def _xlsx_rows(name: str) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(name, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise InputError(f"cannot read it as an .xlsx workbook ({exc})", path=name) from None
    try:
        return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
