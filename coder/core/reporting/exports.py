"""Data exports for statisticians: respondent x code tables, codebook, CSV/XLSX/SPSS writers.

Pure data shaping plus file writing; no UI, CLI, store or SQL. Layouts:
- multiple dichotomy: one 0/1 variable per code and net (`q2_barriers_c101`);
- concatenated: one string per question with the applied output codes (`"104;301"`).
Missing values: every code variable is 0/1 only for respondents with a substantive answer the
layer has coded; it is system-missing (empty in CSV/XLSX) for answers not yet coded, answers
whose coders disagree with no adjudication yet (final layer), non-substantive or blank answers and
respondents not asked. The `<q>_status` variable says which.

Merging back: one row per respondent and wave, keyed by the respondent ID (in the file unless
left out on purpose) and, when the project has several waves, a `wave` variable. Attributes that
came from an SPSS file with value labels go out as their original numeric codes with those
labels; other numeric attributes as numbers; the rest as text.
"""

from __future__ import annotations

import csv
import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from coder.core.codeframe.model import Codeframe
from coder.core.reporting.frequencies import RespondentAnswer, shown_codes
from coder.core.safe_files import atomic_output, check_output
from coder.core.spreadsheet_cells import neutralise_cell

log = logging.getLogger(__name__)

Layout = Literal["dichotomy", "concatenated"]
ExportFormat = Literal["csv", "xlsx", "sav"]

#: Values of each question's `_status` variable.
STATUS_LABELS: dict[int, str] = {
    1: "Answered, coded",
    2: "Answered, not yet coded",
    3: "Non-substantive answer",
    4: "Left blank",
    5: "Not asked (routing)",
    6: "Answered, coders disagree (not adjudicated)",
}
CODE_VALUE_LABELS: dict[int, str] = {0: "Not mentioned", 1: "Mentioned"}
def variable_stem(name: str, max_length: int = 64) -> str:
    """A name SPSS accepts: lower case letters, digits and underscores, starting with a letter."""
    stem = re.sub(r"[^0-9a-z_]+", "_", name.strip().lower()).strip("_") or "v"
    if not stem[0].isalpha():
        stem = "q" + stem
    return stem[:max_length]


@dataclass(frozen=True)
class ExportQuestion:
    """One question's coding for the export.

    Attributes:
        question_id: The question's id (the survey column).
        question_text: The question wording.
        frame: Its codeframe; retired codes are left out.
        answers: (respondent id, wave name) -> what that respondent answered in that wave and
            was coded with.
    """

    question_id: str
    question_text: str
    frame: Codeframe
    answers: Mapping[tuple[int, str | None], RespondentAnswer]


@dataclass(frozen=True)
class ExportRow:
    """One row of the export: a respondent in one wave, with that wave's attributes."""

    respondent_id: int
    external_id: str
    wave: str | None
    attributes: Mapping[str, str]
    wave_order: int = 0


@dataclass(frozen=True)
class AttributeInfo:
    """What the project knows about an attribute column: its label and, when it came from an
    SPSS file, its value labels (original code -> label)."""

    name: str
    label: str = ""
    value_labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Variable:
    """One column of the export with everything the codebook says about it."""

    name: str
    label: str
    question_id: str = ""
    output_code: int | None = None
    code_path: str = ""
    definition: str = ""
    is_net: bool = False
    value_labels: Mapping[int, str] = field(default_factory=dict)
    is_code: bool = False
    key: str = ""  # the code's key in the coding app (stable for the life of the frame)


@dataclass(frozen=True)
class ExportTable:
    """A rectangular export: one row per respondent and wave, and the variables' descriptions."""

    data: pd.DataFrame = field(compare=False, hash=False)
    variables: tuple[Variable, ...]
    layout: Layout

    @property
    def code_variables(self) -> int:
        """How many variables hold codes (0/1 per code and net, or one string per question)."""
        return sum(v.is_code for v in self.variables)


def _status(answer: RespondentAnswer | None) -> int:
    if answer is None:
        return 4
    if answer.status == "answered":
        if answer.unresolved:
            return 6
        return 1 if (answer.coded or answer.code_ids) else 2
    return {"non_substantive": 3, "blank": 4, "not_asked": 5}.get(answer.status, 4)


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def wave_cells(names: Sequence[str]) -> list[Any]:
    """The `wave` variable's cells: numbers when every wave name is a whole number ("2025"),
    else the names, so every export of a project keys its waves alike (a merge matches keys
    only of one type)."""
    return [float(n) for n in names] if all(n.isdigit() for n in names) else list(names)


def attribute_column(values: Sequence[str], info: AttributeInfo | None,
                     ) -> tuple[list[Any], dict[int, str]]:
    """An attribute's cells and value labels for the export.

    Labelled values (from an SPSS file) are turned back into their codes; a column whose filled
    cells are all numbers becomes numeric (blank: missing); anything else stays text.

    Returns:
        The cells, and the value labels (whole-number code -> label) of a coded column.
    """
    labels = dict(info.value_labels) if info is not None else {}
    codes: dict[str, str] = {}
    for code, label in labels.items():
        codes.setdefault(label, code)
    mapped = [codes.get(v, v) for v in values]
    filled = [v for v in mapped if v.strip()]
    numbers = [_number(v) for v in filled]
    if not filled or any(n is None for n in numbers):
        return list(values), {}
    cells: list[Any] = [_number(v) if v.strip() else float("nan") for v in mapped]
    value_labels = {}
    for code, label in labels.items():
        number = _number(code)
        if number is not None and number.is_integer():
            value_labels[int(number)] = label
    return cells, value_labels


def build_export(
    rows: Sequence[ExportRow],
    questions: Sequence[ExportQuestion],
    *,
    layout: Layout = "dichotomy",
    include_ids: bool = True,
    attributes: Sequence[str] = (),
    attribute_info: Mapping[str, AttributeInfo] | None = None,
    wave_column: bool = False,
) -> ExportTable:
    """Shape codings into a (respondent x wave) x variable table.

    Args:
        rows: The rows in output order (a respondent once per wave exported).
        questions: The questions to export.
        layout: "dichotomy" (0/1 per code and net) or "concatenated" (one string per question).
        include_ids: Put the respondent ID in the first column (to merge back onto the
            survey); otherwise a case number.
        attributes: Respondent attribute columns to include (for cross-tabulation).
        attribute_info: Labels and SPSS value labels of attributes (see `attribute_column`).
        wave_column: Add a `wave` variable (numeric when every wave name is a whole number).

    Returns:
        The table with its variables (names, labels, value labels).
    """
    info = attribute_info or {}
    used: set[str] = set()

    def unique(name: str) -> str:
        candidate, i = name, 2
        while candidate in used:
            suffix = f"_{i}"
            candidate, i = name[: 64 - len(suffix)] + suffix, i + 1
        used.add(candidate)
        return candidate

    columns: dict[str, list[Any]] = {}
    variables: list[Variable] = []
    key = unique("respondent_id" if include_ids else "case")
    columns[key] = [r.external_id for r in rows] if include_ids else \
        list(range(1, len(rows) + 1))
    variables.append(Variable(key, "Respondent ID" if include_ids else "Case number"))
    if wave_column:
        name = unique("wave")
        columns[name] = wave_cells([r.wave or "" for r in rows])
        variables.append(Variable(name, "Survey wave"))
    for attribute in attributes:
        name = unique(variable_stem(attribute))
        about = info.get(attribute)
        cells, value_labels = attribute_column([r.attributes.get(attribute, "") for r in rows],
                                               about)
        columns[name] = cells
        label = about.label if about is not None and about.label else attribute
        variables.append(Variable(name, label, value_labels=value_labels))

    for q in questions:
        stem = variable_stem(q.question_id, 56)
        answers = [q.answers.get((r.respondent_id, r.wave)) for r in rows]
        statuses = [_status(a) for a in answers]
        name = unique(f"{stem}_status")
        columns[name] = statuses
        variables.append(Variable(name, f"{q.question_id}: answer status", q.question_id,
                                  value_labels=STATUS_LABELS))
        shown = [c for _, c in shown_codes(q.frame)]
        shown_ids = {c.id for c in shown}
        if layout == "concatenated":
            name = unique(f"{stem}_codes")
            values = []
            for answer, status in zip(answers, statuses, strict=True):
                if status != 1 or answer is None:
                    values.append("")
                    continue
                applied = sorted(q.frame.code(c).output_code for c in answer.code_ids & shown_ids)
                values.append(";".join(str(v) for v in applied))
            columns[name] = values
            variables.append(Variable(name, f"{q.question_id}: codes (output codes, ;-separated)",
                                      q.question_id, is_code=True))
        else:
            family = {code.id: {code.id} | {d.id for d in q.frame.descendants(code.id)
                                            if d.id in shown_ids} for code in shown}
            rows_of = {c: frozenset(k for k, members in family.items() if c in members)
                       for c in family}
            # Per row, every code and net it counts under (None: missing), worked out once.
            hits = [frozenset().union(*(rows_of[c] for c in answer.code_ids & shown_ids))
                    if status == 1 and answer is not None else None
                    for answer, status in zip(answers, statuses, strict=True)]
            nan = float("nan")
            for code in shown:
                is_net = len(family[code.id]) > 1
                name = unique(f"{stem}_c{code.output_code}")
                columns[name] = [nan if h is None else 1.0 if code.id in h else 0.0
                                 for h in hits]
                prefix = "NET " if is_net else ""
                variables.append(Variable(
                    name, f"{q.question_id}: {prefix}{code.label}", q.question_id,
                    code.output_code, q.frame.path_label(code.id), code.definition, is_net,
                    CODE_VALUE_LABELS, is_code=True, key=code.shortcut or ""))
    return ExportTable(pd.DataFrame(columns), tuple(variables), layout)


def codebook_rows(table: ExportTable) -> list[dict[str, Any]]:
    """One row per variable: name, label, question, output code, the code's key in the app,
    code path, net, values."""
    rows = []
    for v in table.variables:
        values = "; ".join(f"{k} = {label}" for k, label in v.value_labels.items())
        rows.append({"variable": v.name, "label": v.label, "question": v.question_id,
                     "output_code": "" if v.output_code is None else v.output_code,
                     "key": v.key, "code_path": v.code_path, "net": "yes" if v.is_net else "",
                     "definition": v.definition, "values": values})
    return rows


def _safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    safe = frame.copy()
    for column in safe.columns:
        dtype = safe[column].dtype
        if dtype.kind == "O" or pd.api.types.is_string_dtype(dtype):
            safe[column] = safe[column].astype(object).map(neutralise_cell)
        elif safe[column].dtype.kind == "f":
            # 0/1 and codes with gaps: whole numbers in the file, empty cells for missing.
            filled = safe[column].dropna()
            if bool((filled == filled.round()).all()):
                safe[column] = safe[column].astype("Int64")
    return safe


def _write_csv(rows: Iterable[Mapping[str, Any]], path: Path, header: Sequence[str],
               protected: Iterable[str | Path] = ()) -> None:
    with (atomic_output(path, protected=protected) as tmp,
          tmp.open("w", newline="", encoding="utf-8-sig") as handle):
        writer = csv.DictWriter(handle, fieldnames=list(header))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: neutralise_cell(v) for k, v in row.items()})


def codebook_path(path: Path) -> Path:
    """Where the codebook of a CSV or SPSS export goes: `<stem>_codebook.csv` beside it."""
    return path.with_name(f"{path.stem}_codebook.csv")


def write_export(table: ExportTable, fmt: ExportFormat, path: str | Path,
                 *, concatenated: ExportTable | None = None,
                 protected: Iterable[str | Path] = ()) -> list[Path]:
    """Write the table, and its codebook alongside; returns every file written.

    CSV: the data (UTF-8 with BOM, so Excel reads accents) + `<stem>_codebook.csv`.
    XLSX: sheets "data", "codebook" and, when given, "concatenated".
    SAV: SPSS data with variable labels, value labels and nominal/scale measures +
    `<stem>_codebook.csv`. Text cells in CSV and XLSX are neutralised (see `neutralise_cell`).
    Every file is checked before any is written, then written atomically with mode 0600
    (`coder.core.safe_files`); none may be one of `protected`.
    """
    if fmt not in ("csv", "xlsx", "sav"):
        raise ValueError(f"unknown export format {fmt!r} (csv, xlsx or sav)")
    protected = tuple(protected)
    target = check_output(path, protected=protected)
    if fmt != "xlsx":
        check_output(codebook_path(target), protected=[*protected, target])
    book = codebook_rows(table)
    header = list(book[0]) if book else ["variable"]
    if fmt == "csv":
        with atomic_output(target, protected=protected) as tmp:
            _safe_frame(table.data).to_csv(tmp, index=False, encoding="utf-8-sig",
                                           lineterminator="\r\n")
        _write_csv(book, codebook_path(target), header, protected)
        return [target, codebook_path(target)]
    if fmt == "xlsx":
        with (atomic_output(target, protected=protected) as tmp,
              pd.ExcelWriter(tmp, engine="openpyxl") as writer):
            _safe_frame(table.data).to_excel(writer, sheet_name="data", index=False)
            pd.DataFrame(book, columns=header).map(neutralise_cell).to_excel(
                writer, sheet_name="codebook", index=False)
            if concatenated is not None:
                _safe_frame(concatenated.data).to_excel(writer, sheet_name="concatenated",
                                                        index=False)
        return [target]
    with atomic_output(target, protected=protected) as tmp:
        _write_sav(table, tmp)
    _write_csv(book, codebook_path(target), header, protected)
    return [target, codebook_path(target)]


def _write_sav(table: ExportTable, path: Path) -> None:
    import pyreadstat

    labels: dict[str, str | None] = {v.name: v.label[:256] for v in table.variables}
    value_labels = {v.name: {float(k): text for k, text in v.value_labels.items()}
                    for v in table.variables if v.value_labels}
    measure = {v.name: "nominal" for v in table.variables if v.value_labels}
    data = table.data.copy()
    for v in table.variables:
        if v.value_labels:
            data[v.name] = data[v.name].astype(float)
        elif data[v.name].dtype.kind == "f" and v.name not in measure:
            measure[v.name] = "scale"
    pyreadstat.write_sav(data, str(path), column_labels=labels,
                         variable_value_labels=value_labels, variable_measure=measure)


@dataclass(frozen=True)
class QuoteBankRow:
    """One coded answer with its provenance, for internal use only."""

    question_id: str
    output_code: int
    code_label: str
    starred: bool
    respondent_id: str
    answer_id: int
    text: str
    key: str = ""  # the code's key in the coding app


def write_quote_bank(rows: Sequence[QuoteBankRow], path: str | Path, *,
                     protected: Iterable[str | Path] = ()) -> Path:
    """Write the quote bank (CSV): every coded answer with its respondent ID and answer id.

    For internal use only: it identifies respondents. Cells are neutralised as in data exports.
    """
    target = Path(path)
    header = ["question", "output_code", "key", "code", "starred", "respondent_id", "answer_id",
              "text"]
    _write_csv(({"question": r.question_id, "output_code": r.output_code, "key": r.key,
                 "code": r.code_label,
                 "starred": "yes" if r.starred else "", "respondent_id": r.respondent_id,
                 "answer_id": r.answer_id, "text": r.text} for r in rows), target, header,
               protected)
    return target
