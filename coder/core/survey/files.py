"""Read a survey export (CSV, XLSX, SPSS .sav) into a table of strings; no SQL, no UI.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first answer row 2, and a
cell holding a line break does not shift the rows after it. Every format passes the same checks:
the header's names are present, unique after Unicode normalisation and free of control
characters; rows blank in every cell are skipped; a column with neither name nor data is ignored.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import stat
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from coder.core.errors import InputError, Remedy
from coder.core.printable import CONTROL_CHARACTER, printable, quoted
from coder.core.survey.csv_text import (
    decode_survey_bytes,
    first_record,
    problem_cell,
    sniff_delimiter,
    text_codec,
)

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
SAV_SUFFIXES = {".sav", ".zsav"}

# Beyond Excel's own limits a sheet is damaged, and reading on would take minutes.
_EXCEL_MAX_ROWS = 1_048_576
# The csv module's default (131,072 characters) refuses long answers; a cell is bounded by the file.
_CSV_FIELD_LIMIT = 2**31 - 1


@dataclass(frozen=True)
class SurveyTable:
    """A survey export as read from disk: every cell a string ("" for blank)."""

    path: str
    frame: pd.DataFrame
    column_labels: dict[str, str] = field(default_factory=dict)  # column -> question text
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> code -> label
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    rows: tuple[int, ...] = ()  # spreadsheet row of each data row; empty: index + 2
    notes: tuple[str, ...] = ()  # what the user should know about how the file was read
    sha256: str | None = None  # of the bytes read

    def row_number(self, index: int) -> int:
        """Spreadsheet row number of the 0-based data row `index`."""
        return self.rows[index] if self.rows else index + 2


def read_survey(
    path: str | Path, *, sheet: str | None = None, encoding: str | None = None
) -> SurveyTable:
    """Read a CSV, XLSX or SPSS file; raise InputError naming file, row and column on bad input.

    Args:
        path: The file. Pipes, devices and other non-regular files are refused unread.
        sheet: The XLSX sheet (default: the first).
        encoding: Read a CSV or .sav file in this encoding instead of detecting it (CSV: UTF-8
            with or without BOM, UTF-16/32 by BOM or by the NULs of mostly-ASCII text, else
            Windows-1252 when the file holds no UTF-8 at all).
    """
    p = Path(path)
    suffix = p.suffix.lower()
    _check_regular(p, _mode(p))
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES | SAV_SUFFIXES and suffix != "":
        raise InputError(
            f"unsupported file type {quoted(suffix)} (use .csv, .tsv, .xlsx or .sav)", path=str(p)
        )
    if encoding is not None:
        text_codec(str(p), encoding)
        if suffix in XLSX_SUFFIXES:
            raise InputError(
                "a text encoding applies to CSV and SPSS files; an Excel workbook names its own",
                path=str(p),
                remedy=Remedy(option="encoding"),
            )
    data = _read_bytes(p)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(p, data, sheet)
    if suffix in SAV_SUFFIXES:
        return _read_sav(p, data, encoding)
    return _read_csv(p, data, encoding)


def _mode(p: Path) -> int:
    try:
        return p.stat().st_mode
    except FileNotFoundError:
        raise InputError("file not found", path=str(p)) from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror or exc}", path=str(p)) from None


def _read_bytes(p: Path) -> bytes:
    """The file's bytes, read only if it is still a regular file (a pipe would hang the read)."""
    try:
        # Non-blocking, so that a file swapped for a pipe since the look above cannot hang us.
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            _check_regular(p, os.fstat(handle.fileno()).st_mode)
            data = handle.read()
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror or exc}", path=str(p)) from None
    if not data:
        raise InputError("the file is empty", path=str(p))
    return data


def _check_regular(p: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise InputError("is a directory, not a survey file", path=str(p))
    if not stat.S_ISREG(mode):
        kind = (
            "a named pipe"
            if stat.S_ISFIFO(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "a device"
        )
        raise InputError(
            f"is {kind}, not a regular file; save the survey export to a file and import that",
            path=str(p),
        )


# -- one rule for every format's header and rows -------------------------------------------------


def _table(
    p: Path,
    header: Sequence[str],
    header_row: int,
    rows: list[list[str]],
    row_numbers: list[int],
) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """Check the header, drop blank rows and nameless empty columns: (frame, spreadsheet rows).

    `rows` are as wide as `header`; `row_numbers` gives each row's spreadsheet row.
    """
    kept_rows = [i for i, row in enumerate(rows) if "".join(row).strip()]
    names = [unicodedata.normalize("NFC", cell.strip()) for cell in header]
    keep: list[int] = []
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        control = CONTROL_CHARACTER.search(name)
        if control:
            raise InputError(
                f"the column name {quoted(name)} holds a control character"
                f" ({printable(control.group())}); rename the column",
                path=str(p),
                row=header_row,
                column=f"#{position}",
            )
        if not name:
            first = next((i for i in kept_rows if rows[i][position - 1].strip()), None)
            if first is None:
                continue  # a column with neither a name nor data says nothing
            raise InputError(
                f"column {position} has no name in the header but holds data"
                f" (first in row {row_numbers[first]})",
                path=str(p),
                row=header_row,
            )
        if name in seen:
            earlier = seen[name]
            spelling = (
                "; the two names differ only in how accented letters are encoded"
                if header[earlier - 1].strip() != header[position - 1].strip()
                else ""
            )
            raise InputError(
                f"duplicate column name (columns {earlier} and {position}){spelling}",
                path=str(p),
                row=header_row,
                column=name,
            )
        seen[name] = position
        keep.append(position - 1)
    if not kept_rows:
        raise InputError("the file has a header but no rows", path=str(p))
    columns = [names[i] for i in keep]
    if len(keep) == len(names):
        body = [rows[i] for i in kept_rows]
    else:
        body = [[rows[i][j] for j in keep] for i in kept_rows]
    frame = pd.DataFrame(body, columns=columns, dtype=object)
    return frame, tuple(row_numbers[i] for i in kept_rows)


# -- CSV -----------------------------------------------------------------------------------------


def _read_csv(p: Path, data: bytes, encoding: str | None) -> SurveyTable:
    decoded = decode_survey_bytes(str(p), data, encoding)
    text = decoded.text
    if not text.strip():
        raise InputError("the file is empty", path=str(p))
    delimiter = sniff_delimiter(text)
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    try:
        records_read = list(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        )
    except csv.Error:
        raise _csv_error(p, text, delimiter) from None

    # The header is the first record with anything in it; row numbers count every record.
    header_index = next(
        (i for i, record in enumerate(records_read) if any(c.strip() for c in record)), None
    )
    if header_index is None:
        raise InputError("the file is empty (no line has any text)", path=str(p))
    header = records_read[header_index]
    width = len(header)
    rows: list[list[str]] = []
    row_numbers: list[int] = []
    for index in range(header_index + 1, len(records_read)):
        row = records_read[index]
        if len(row) != width:
            if not any(cell.strip() for cell in row):
                continue  # a blank line is not a ragged row
            missing_or_extra = "fewer" if len(row) < width else "more"
            column = header[min(len(row), width) - 1] if len(row) < width else f"#{width + 1}"
            raise InputError(
                f"has {len(row)} fields where the header has {width} ({missing_or_extra}"
                f" than the header; check for an unquoted {delimiter!r} or a missing quote)",
                path=str(p),
                row=index + 1,
                column=column.strip(),
            )
        rows.append(row)
        row_numbers.append(index + 1)
    frame, numbers = _table(p, header, header_index + 1, rows, row_numbers)
    return SurveyTable(
        str(p),
        frame,
        rows=numbers,
        encoding=decoded.encoding,
        delimiter=delimiter,
        notes=decoded.notes,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _csv_error(p: Path, text: str, delimiter: str) -> InputError:
    """The csv module's complaint about `text`, located: read it again, minding where records
    start, and look into the record it refuses."""
    buffer = io.StringIO(text, newline="")
    reader = csv.reader(buffer, delimiter=delimiter, strict=True)
    row, record_start = 1, 0
    try:
        for _ in reader:
            row, record_start = row + 1, buffer.tell()
    except csv.Error as error:
        exc = error
    else:  # pragma: no cover - the first reading failed, so this one does
        return InputError("is not valid CSV", path=str(p))
    problem = problem_cell(text, record_start, row, delimiter)
    header_row, header = first_record(text[:record_start], delimiter)
    if problem is None:
        return InputError(f"is not valid CSV ({exc})", path=str(p), row=row)
    cell_row, cell_column, unclosed = problem
    column = ""
    if cell_row > header_row and cell_column <= len(header):
        column = header[cell_column - 1].strip()
    if unclosed:
        message = 'a quoted cell is never closed: the file ends inside it (is a closing " missing?)'
    else:
        message = (
            "text follows the closing quote of a quoted cell (a quote inside a quoted cell"
            ' must be doubled: "")'
        )
    return InputError(message, path=str(p), row=cell_row, column=column or f"#{cell_column}")


# -- XLSX ----------------------------------------------------------------------------------------


def _cell_to_str(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, pd.Timestamp):
        return str(value.isoformat())
    return str(value)


def _stringify(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.columns = [_cell_to_str(c).strip() for c in frame.columns]
    for column in frame.columns:
        frame[column] = [_cell_to_str(v) for v in frame[column].tolist()]
    return frame


def _xlsx_cell(cell: object) -> str:
    """A cell's text as pandas' Excel reader gives it: error cells blank, whole numbers as ints."""
    value = getattr(cell, "value", None)
    kind = getattr(cell, "data_type", None)
    if value is None or kind == "e":
        return ""
    if kind == "n" and isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return _cell_to_str(value)


def _read_xlsx(p: Path, data: bytes, sheet: str | None) -> SurveyTable:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise InputError(
            f"cannot be read as an Excel workbook ({_reason(exc)})", path=str(p)
        ) from None
    try:
        names = [str(n) for n in book.sheetnames]
        if not names:
            raise InputError("the workbook has no sheets", path=str(p))
        chosen = sheet if sheet is not None else names[0]
        if chosen not in names:
            raise InputError(
                f"has no sheet {quoted(chosen)} (sheets: {', '.join(names)})", path=str(p)
            )
        worksheet = book[chosen]
        if not hasattr(worksheet, "iter_rows"):
            raise InputError(f"sheet {quoted(chosen)} is a chart, not a table", path=str(p))
        if hasattr(worksheet, "reset_dimensions"):
            worksheet.reset_dimensions()  # declared dimensions can be wrong; read what is there
        cells: list[list[str]] = []
        for number, row in enumerate(worksheet.iter_rows(), start=1):
            if number > _EXCEL_MAX_ROWS:
                raise InputError(
                    f"sheet {quoted(chosen)} has rows beyond Excel's last row"
                    f" ({_EXCEL_MAX_ROWS:,}): the workbook is damaged",
                    path=str(p),
                )
            cells.append([_xlsx_cell(c) for c in row])
    except InputError:
        raise
    except Exception as exc:  # damaged sheet XML, shared strings, styles ...
        raise InputError(
            f"cannot be read as an Excel workbook: a part of it is damaged ({_reason(exc)})",
            path=str(p),
        ) from None
    finally:
        book.close()
    header_index = next((i for i, row in enumerate(cells) if any(c.strip() for c in row)), None)
    if header_index is None:
        raise InputError(f"sheet {quoted(chosen)} is empty", path=str(p))
    width = max(len(row) for row in cells[header_index:])
    padded = [row + [""] * (width - len(row)) for row in cells[header_index:]]
    frame, numbers = _table(
        p, padded[0], header_index + 1, padded[1:], list(range(header_index + 2, len(cells) + 1))
    )
    return SurveyTable(
        str(p),
        frame,
        rows=numbers,
        sheet=chosen,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return printable(text, limit=200)


# -- SPSS ----------------------------------------------------------------------------------------


def _read_sav(p: Path, data: bytes, encoding: str | None) -> SurveyTable:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(p), apply_value_formats=False, encoding=encoding)
    except Exception as exc:  # pyreadstat.ReadstatError and OSError
        raise InputError(
            f"cannot be read as an SPSS .sav file ({_reason(exc)})", path=str(p)
        ) from None
    labels = {
        name: label
        for name, label in zip(meta.column_names, meta.column_labels or [], strict=False)
        if label
    }
    value_labels = {
        column: {_cell_to_str(code): str(label) for code, label in mapping.items()}
        for column, mapping in (meta.variable_value_labels or {}).items()
    }
    text = _stringify(frame)
    table, numbers = _table(
        p,
        [str(c) for c in frame.columns],
        1,
        text.to_numpy(dtype=object).tolist(),
        list(range(2, len(text) + 2)),
    )
    return SurveyTable(
        str(p),
        table,
        rows=numbers,
        column_labels=labels,
        value_labels=value_labels,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
    )
