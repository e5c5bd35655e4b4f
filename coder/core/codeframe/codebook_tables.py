"""Codeframes as CSV and XLSX codebooks: one row per code; no UI, no store, no SQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from coder.core.codeframe.entries import Entry, Where, build_frame, suggest
from coder.core.codeframe.model import (
    SHORTCUT_KEYS,
    STATUSES,
    Codeframe,
    CodeframeError,
    normalise_colour,
)
from coder.core.safe_files import atomic_output
from coder.core.spreadsheet_cells import neutralise_cell, restore_cell

TABLE_COLUMNS = (
    "code",
    "label",
    "parent",
    "definition",
    "include",
    "exclude",
    "examples",
    "colour",
    "status",
    "codable",
    "key",
    "id",
)
_COLUMN_ALIASES = {
    "color": "colour",
    "include_note": "include",
    "exclude_note": "exclude",
    "parent_code": "parent",
    "output_code": "code",
    "name": "label",
    "description": "definition",
    "shortcut": "key",
}


def codebook_rows(frame: Codeframe) -> list[dict[str, str]]:
    """One row per code in tree order, with the columns of `TABLE_COLUMNS`."""
    rows = []
    for _, c in frame.walk():
        parent = frame.code(c.parent_id).output_code if c.parent_id else ""
        rows.append(
            {
                "code": str(c.output_code),
                "label": c.label,
                "parent": str(parent),
                "definition": c.definition,
                "include": c.include_note,
                "exclude": c.exclude_note,
                "examples": "\n".join(c.examples),
                "colour": c.colour or "",
                "status": c.status,
                "codable": "yes" if c.codable else "no",
                "key": c.shortcut or "",
                "id": c.id,
            }
        )
    return rows


def _table_where(source: str, unit: str, number: int) -> Where:
    def where(key: str) -> str:
        return f'{source}, {unit} {number}, field "{key}"'

    return where


def _from_rows(
    source: str,
    name: str,
    header: Sequence[object],
    rows: Sequence[tuple[int, Sequence[object]]],
    unit: str,
) -> Codeframe:
    problems: list[str] = []
    columns: dict[str, int] = {}
    for i, raw in enumerate(header):
        title = str(raw or "").strip().lower().replace(" ", "_")
        if not title:
            continue
        title = _COLUMN_ALIASES.get(title, title)
        if title not in TABLE_COLUMNS:
            problems.append(
                f'{source}, {unit} 1, field "{raw}": unknown column{suggest(title, TABLE_COLUMNS)}'
            )
        columns.setdefault(title, i)
    for needed in ("code", "label"):
        if needed not in columns:
            problems.append(f'{source}, {unit} 1: no "{needed}" column')
    if problems:
        raise CodeframeError(problems)
    entries: list[Entry] = []
    for number, row in rows:

        def cell(col: str, row: Sequence[object] = row) -> str:
            i = columns.get(col)
            value = row[i] if i is not None and i < len(row) else None
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return "" if value is None else restore_cell(str(value).strip())

        if not any(cell(c) for c in columns):
            continue
        e = Entry(where=_table_where(source, unit, number), at=f"{unit} {number}")
        raw_code = cell("code")
        if raw_code.lstrip("-").isdigit() and int(raw_code) >= 0:
            e.code = int(raw_code)
        else:
            problems.append(f'{e.where("code")}: "{raw_code}" is not a whole number')
        e.label = cell("label")
        if not e.label:
            problems.append(f"{e.where('label')}: every code needs a label")
        e.id = cell("id") or None
        parent = cell("parent")
        if parent:
            e.parent_ref = int(parent) if parent.isdigit() else parent
        e.fields = {
            "definition": cell("definition"),
            "include_note": cell("include"),
            "exclude_note": cell("exclude"),
            "examples": tuple(x.strip() for x in cell("examples").splitlines() if x.strip()),
        }
        try:
            e.fields["colour"] = normalise_colour(cell("colour"))
        except ValueError as exc:
            problems.append(f"{e.where('colour')}: {exc}")
        status = cell("status").lower()
        if status and status not in STATUSES:
            problems.append(f'{e.where("status")}: "{status}" is not one of {", ".join(STATUSES)}')
        elif status:
            e.fields["status"] = status
        key = cell("key").upper()
        if key and key not in SHORTCUT_KEYS:
            problems.append(f'{e.where("key")}: "{key}" is not a key (one of 1-9, 0 or A-Z)')
        elif key:
            e.fields["shortcut"] = key
        flag = cell("codable").lower()
        if flag in ("yes", "true", "1", "y"):
            e.codable = True
        elif flag in ("no", "false", "0", "n"):
            e.codable = False
        elif flag:
            problems.append(f'{e.where("codable")}: "{flag}" is not yes or no')
        entries.append(e)
    return build_frame(source, name, None, "", (), entries, problems)


def read_codebook_csv(path: str | Path, *, name: str | None = None) -> Codeframe:
    """Read a CSV codebook (columns code, label, parent, definition, include, exclude, ...).

    `parent` holds the parent's numeric code (or its label). Examples go one per line in
    their cell. The frame is named `name` or after the file.

    Raises:
        CodeframeError: Naming the file, line and column of every problem.
    """
    text = Path(path).read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise CodeframeError(f"{path}: the file is empty")
    rows: list[tuple[int, Sequence[object]]] = []
    start = reader.line_num + 1
    for row in reader:
        rows.append((start, row))
        start = reader.line_num + 1
    return _from_rows(str(path), name or Path(path).stem, header, rows, "line")


def write_codebook_csv(frame: Codeframe, path: str | Path, *,
                       protected: Iterable[str | Path] = ()) -> None:
    """Write the frame as a CSV codebook (UTF-8 with BOM so Excel reads accents); text that a
    spreadsheet would run as a formula is written as text (`neutralise_cell`)."""
    with (atomic_output(path, protected=protected) as tmp,
          tmp.open("w", encoding="utf-8-sig", newline="") as fh):
        writer = csv.DictWriter(fh, fieldnames=TABLE_COLUMNS)
        writer.writeheader()
        writer.writerows({k: neutralise_cell(v) for k, v in row.items()}
                         for row in codebook_rows(frame))


def read_codebook_xlsx(path: str | Path, *, name: str | None = None) -> Codeframe:
    """Read an Excel codebook (first sheet, same columns as the CSV); errors name the row."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    if not values:
        raise CodeframeError(f"{path}: the sheet is empty")
    rows = [(i + 2, list(r)) for i, r in enumerate(values[1:])]
    return _from_rows(str(path), name or Path(path).stem, list(values[0]), rows, "row")


def write_codebook_xlsx(frame: Codeframe, path: str | Path, *,
                        protected: Iterable[str | Path] = ()) -> None:
    """Write the frame as an Excel codebook, one row per code in tree order; no cell is ever
    a live formula (`neutralise_cell`)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Codebook"
    sheet.append(list(TABLE_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in codebook_rows(frame):
        values: list[object] = [neutralise_cell(row[c]) for c in TABLE_COLUMNS]
        values[0] = int(row["code"])
        values[2] = int(row["parent"]) if row["parent"] else None
        sheet.append(values)
    widths = {"A": 8, "B": 40, "C": 8, "D": 50, "E": 40, "F": 40, "G": 50, "K": 6, "L": 38}
    for col, width in widths.items():
        sheet.column_dimensions[col].width = width
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    with atomic_output(path, protected=protected) as tmp:
        book.save(tmp)
