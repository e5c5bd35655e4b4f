"""Read a survey export (CSV, XLSX, SPSS .sav) into a table of strings; no SQL, no UI.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first answer row 2.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from coder.core.errors import InputError

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
SAV_SUFFIXES = {".sav", ".zsav"}


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

    def row_number(self, index: int) -> int:
        """Spreadsheet row number of the 0-based data row `index`."""
        return index + 2


def read_survey(path: str | Path, *, sheet: str | None = None) -> SurveyTable:
    """Read a CSV, XLSX or SPSS file; raise InputError naming file, row and column on bad input."""
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", path=str(p))
    if p.is_dir():
        raise InputError("is a directory, not a survey file", path=str(p))
    suffix = p.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        table = _read_xlsx(p, sheet)
    elif suffix in SAV_SUFFIXES:
        table = _read_sav(p)
    elif suffix in CSV_SUFFIXES or suffix == "":
        table = _read_csv(p)
    else:
        raise InputError(
            f'unsupported file type "{suffix}" (use .csv, .tsv, .xlsx or .sav)', path=str(p)
        )
    _check_header(table)
    return table


def _check_header(table: SurveyTable) -> None:
    seen: dict[str, int] = {}
    for position, name in enumerate(table.frame.columns, start=1):
        if not str(name).strip():
            raise InputError(f"column {position} has no name in the header", path=table.path, row=1)
        if name in seen:
            raise InputError(
                f"duplicate column name (columns {seen[name]} and {position})",
                path=table.path,
                row=1,
                column=str(name),
            )
        seen[name] = position
    if table.frame.empty:
        raise InputError("the file has a header but no rows", path=table.path)


def _decode(p: Path, data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _undecodable(p, data, exc.start + 3) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            raise _undecodable(p, data, utf8_error.start) from None


def _undecodable(p: Path, data: bytes, offset: int) -> InputError:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    prefix = data[start:offset].decode("utf-8", errors="replace")
    field_number = len(next(csv.reader([prefix]), [""]))  # which field the bad byte is in
    header = data.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    names = next(csv.reader([header.lstrip("\ufeff")]), [])
    column = names[field_number - 1] if 0 < field_number <= len(names) else f"#{field_number}"
    return InputError(
        f"byte 0x{data[offset]:02x} is neither UTF-8 nor Windows-1252 text"
        " (save the file as UTF-8 and import again)",
        path=str(p),
        row=line,
        column=column,
    )


def _sniff_delimiter(text: str) -> str:
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        counts = {d: first.count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _read_csv(p: Path) -> SurveyTable:
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror}", path=str(p)) from None
    if not data.strip():
        raise InputError("the file is empty", path=str(p))
    text, encoding = _decode(p, data)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
        width = len(header)
        rows: list[list[str]] = []
        for row in reader:
            if len(row) != width:
                if not any(cell.strip() for cell in row):
                    continue  # a trailing blank line is not a ragged row
                row_number = reader.line_num
                missing_or_extra = "fewer" if len(row) < width else "more"
                column = header[min(len(row), width) - 1] if len(row) < width else f"#{width + 1}"
                raise InputError(
                    f"has {len(row)} fields where the header has {width} ({missing_or_extra}"
                    f" than the header; check for an unquoted {delimiter!r} or a missing quote)",
                    path=str(p),
                    row=row_number,
                    column=column,
                )
            rows.append(row)
    except csv.Error as exc:
        raise InputError(f"is not valid CSV: {exc}", path=str(p), row=reader.line_num) from None
    header = [h.strip() for h in header]
    frame = (
        pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(columns=header)
    )
    return SurveyTable(str(p), frame, encoding=encoding, delimiter=delimiter)


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


def _read_xlsx(p: Path, sheet: str | None) -> SurveyTable:
    try:
        book = pd.ExcelFile(p, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise InputError(f"cannot be read as an Excel workbook ({exc})", path=str(p)) from None
    names = [str(n) for n in book.sheet_names]
    chosen = sheet if sheet is not None else names[0]
    if chosen not in names:
        raise InputError(f'has no sheet "{chosen}" (sheets: {", ".join(names)})', path=str(p))
    frame = pd.read_excel(
        book, sheet_name=chosen, dtype=object, header=0, keep_default_na=False, na_values=[]
    )
    if frame.columns.size == 0:
        raise InputError(f'sheet "{chosen}" is empty', path=str(p))
    frame = frame.dropna(how="all")
    return SurveyTable(str(p), _stringify(frame).reset_index(drop=True), sheet=chosen)


def _read_sav(p: Path) -> SurveyTable:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(p), apply_value_formats=False)
    except Exception as exc:  # pyreadstat.ReadstatError and OSError
        raise InputError(f"cannot be read as an SPSS .sav file ({exc})", path=str(p)) from None
    labels = {
        name: label
        for name, label in zip(meta.column_names, meta.column_labels or [], strict=False)
        if label
    }
    value_labels = {
        column: {_cell_to_str(code): str(label) for code, label in mapping.items()}
        for column, mapping in (meta.variable_value_labels or {}).items()
    }
    return SurveyTable(str(p), _stringify(frame), column_labels=labels, value_labels=value_labels)
