"""Codings files: read and check a `respondent_id,question,code[,coder,wave]` table, write one.

Pure: no SQL, no UI. Reading checks what the file alone can tell (columns, blank cells, an answer
marked "no code" that a row also codes); matching respondents, questions and codes against a
project is the services' job. Rows keep their spreadsheet row numbers (header = row 1) so every
problem names file, row and column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coder.core.errors import InputError, Remedy
from coder.core.safe_files import atomic_output
from coder.core.spreadsheet_cells import neutralise_cell, restore_cell

#: Columns a codings file must have, and the optional ones, in the order exports write them.
REQUIRED_COLUMNS: tuple[str, ...] = ("respondent_id", "question", "code")
OPTIONAL_COLUMNS: tuple[str, ...] = ("coder", "wave")
COLUMNS: tuple[str, ...] = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)

@dataclass(frozen=True)
class CodingsRow:
    """One row of a codings file.

    Attributes:
        row: Its row number as a spreadsheet shows it (the header is row 1).
        respondent_id: The respondent's ID as in the survey file.
        question: The question id.
        code: A code's number or label; "" means "no code applies".
        coder: Who coded it; None when the file has no coder column or the cell is blank.
        wave: The wave's name; None when the file has no wave column or the cell is blank.
    """

    row: int
    respondent_id: str
    question: str
    code: str
    coder: str | None = None
    wave: str | None = None


@dataclass(frozen=True)
class CodingsFile:
    """A codings file as read: its rows, and the columns it has that are not read."""

    path: str
    rows: tuple[CodingsRow, ...]
    ignored_columns: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict, compare=False)

    def header(self, column: str) -> str:
        """The file's own name for one of `COLUMNS` (as spelt in its header)."""
        return self.headers.get(column, column)


@dataclass(frozen=True)
class AnswerCodes:
    """What a file says one coder coded on one answer (several rows of the file together).

    Attributes:
        respondent_id: The respondent's ID.
        question: The question id.
        wave: The wave's name.
        coder: The coder's name.
        codes: The codes given, in file order, each with its row; empty for "no code applies".
        rows: Every row about this answer and coder.
    """

    respondent_id: str
    question: str
    wave: str
    coder: str
    codes: tuple[tuple[str, int], ...] = ()
    rows: tuple[int, ...] = field(default=())


def _clean(cell: str) -> str:
    # Exports put an apostrophe before cells a spreadsheet would run as a formula; reading
    # takes it off again so that a file round-trips.
    return restore_cell(cell.strip())


def read_codings_file(path: str | Path) -> CodingsFile:
    """Read a codings file: CSV (UTF-8, or Windows-1252; comma, semicolon, tab or bar) or XLSX.

    Column names are matched ignoring case and surrounding spaces. Blank lines are skipped and
    row numbers stay those of the file.

    Raises:
        InputError: Naming file, row and column: unreadable file, a missing column, a row with
            more cells than the header, a blank respondent_id or question.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", path=str(p))
    header, numbered = _read_xlsx(p) if p.suffix.lower() in (".xlsx", ".xlsm") else _read_csv(p)
    by_name = {h.strip().lower(): h.strip() for h in header}
    missing = [c for c in REQUIRED_COLUMNS if c not in by_name]
    if missing:
        found = ", ".join(header) or "none"
        raise InputError(f"missing column(s) {', '.join(missing)} (found: {found}); a codings"
                         f" file has columns {', '.join(COLUMNS)}", path=str(p), row=1,
                         column=missing[0])
    ignored = tuple(h.strip() for h in header if h.strip().lower() not in COLUMNS)
    at = {h.strip().lower(): i for i, h in reversed(list(enumerate(header)))}
    rows: list[CodingsRow] = []
    for number, values in numbered:
        if len(values) > len(header) and any(v.strip() for v in values[len(header):]):
            raise InputError(f"has {len(values)} fields where the header has {len(header)}"
                             " (check for an unquoted delimiter)", path=str(p), row=number,
                             column=f"#{len(header) + 1}")
        cells = {name: _clean(values[i]) if i < len(values) else ""
                 for name, i in at.items() if name in COLUMNS}
        if not any(cells.values()):
            continue
        for name in ("respondent_id", "question"):
            if not cells[name]:
                raise InputError(f"{name} is blank", path=str(p), row=number,
                                 column=by_name[name])
        rows.append(CodingsRow(number, cells["respondent_id"], cells["question"], cells["code"],
                               cells.get("coder") or None, cells.get("wave") or None))
    if not rows:
        raise InputError("the file has a header but no rows of codings", path=str(p))
    return CodingsFile(str(p), tuple(rows), ignored, by_name)


Numbered = list[tuple[int, list[str]]]


def _read_csv(p: Path) -> tuple[list[str], Numbered]:
    import csv
    import io

    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror}", path=str(p)) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            line = data.count(b"\n", 0, exc.start) + 1
            raise InputError(f"byte 0x{data[exc.start]:02x} is neither UTF-8 nor Windows-1252"
                             " text (save the file as UTF-8)", path=str(p), row=line) from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise InputError("the file is empty; expected a header row with the columns"
                             f" {', '.join(COLUMNS)}", path=str(p))
        numbered: Numbered = []
        start = reader.line_num + 1
        for values in reader:
            numbered.append((start, values))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"is not valid CSV: {exc}", path=str(p), row=reader.line_num) from None
    return header, numbered


def _read_xlsx(p: Path) -> tuple[list[str], Numbered]:
    import pandas as pd

    try:
        frame = pd.read_excel(p, sheet_name=0, dtype=object, header=0, keep_default_na=False,
                              na_values=[], engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise InputError(f"cannot be read as an Excel workbook ({exc})", path=str(p)) from None
    header = [_cell_text(c) for c in frame.columns]
    # pandas keeps blank rows here, so data row i is spreadsheet row i + 2
    return header, [(i + 2, [_cell_text(v) for v in row])
                    for i, row in enumerate(frame.itertuples(index=False, name=None))]


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def group_by_answer(codings: CodingsFile, *, default_coder: str | None,
                    default_wave: str) -> list[AnswerCodes]:
    """The file's rows gathered per answer (respondent, question, wave) and coder.

    A blank coder cell takes `default_coder`, a blank wave cell `default_wave`. Repeated rows
    are harmless.

    Raises:
        InputError: A row with no coder and no default, or an answer one row marks "no code
            applies" while another gives it a code (for the same coder).
    """
    grouped: dict[tuple[str, str, str, str], list[CodingsRow]] = {}
    for row in codings.rows:
        coder = row.coder or default_coder
        if not coder:
            raise InputError("no coder: add a coder column or name the coder",
                             path=codings.path, row=row.row, column=codings.header("coder"),
                             remedy=Remedy(option="coder"))
        key = (row.respondent_id, row.question, row.wave or default_wave, coder)
        grouped.setdefault(key, []).append(row)
    result = []
    for (respondent, question, wave, coder), rows in grouped.items():
        empty = [r for r in rows if not r.code]
        coded = [r for r in rows if r.code]
        if empty and coded:
            late = max(empty[0], coded[0], key=lambda r: r.row)
            other = coded[0] if late is empty[0] else empty[0]
            said = (f'gives code "{coded[0].code}"' if other is coded[0]
                    else "says no code applies")
            raise InputError(f"respondent {respondent}'s {question} answer (coder {coder}):"
                             f" row {other.row} {said}; a blank code means no code applies, so"
                             " an answer has either codes or one blank-code row",
                             path=codings.path, row=late.row, column=codings.header("code"))
        first_row: dict[str, int] = {}
        for r in coded:
            first_row.setdefault(r.code, r.row)
        codes = tuple(first_row.items())
        result.append(AnswerCodes(respondent, question, wave, coder, codes,
                                  tuple(r.row for r in rows)))
    return result


@dataclass(frozen=True)
class CodingLine:
    """One line of a codings export; `code` is "" for an answer coded "no code applies"."""

    respondent_id: str
    question: str
    code: str
    coder: str
    wave: str


def write_codings_csv(lines: Iterable[CodingLine], path: str | Path, *,
                      protected: Sequence[str | Path] = ()) -> Path:
    """Write a codings file (UTF-8 CSV with a byte-order mark, for Excel) atomically.

    Cells a spreadsheet would run as a formula get a leading apostrophe; `read_codings_file`
    takes it off again.
    """
    import csv

    target = Path(path)
    with (atomic_output(target, protected=protected) as tmp,
          tmp.open("w", newline="", encoding="utf-8-sig") as handle):
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for line in lines:
            writer.writerow([neutralise_cell(v) for v in (line.respondent_id, line.question,
                                                          line.code, line.coder, line.wave)])
    return target
