"""Turn a survey export into an import plan: ID column, open questions, attributes, flags.

Pure: reads nothing from the project and writes nothing; the store applies the plan.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from coder.core.errors import InputError, Remedy
from coder.core.normalise import (
    DROPPED_CONTROL,
    NonSubstantiveRules,
    normalise_text,
)
from coder.core.printable import CONTROL_CHARACTER, printable, quoted
from coder.core.survey.files import SurveyTable
from coder.core.survey.types import AnswerSpec, ImportPlan, QuestionSpec
from coder.core.types import QuestionKind, Routing

_ID_NAME = re.compile(r"(^|[_\s-])(id|code|ref|urn|respondent|case|serial|record)([_\s-]|$)", re.I)
_OTHER_SPECIFY = re.compile(r"other.*specif|specif.*other|(^|_)other(_text)?$|_os$", re.I)
_CLOSED_MAX_DISTINCT = 30


def is_free_text(values: pd.Series) -> bool:
    """True when the non-blank values read like free text rather than categories or numbers."""
    filled = [v for v in values.tolist() if v.strip()]
    if not filled:
        return False
    words = sum(1 for v in filled if len(v.split()) >= 4)
    distinct = len(set(filled)) / len(filled)
    return words / len(filled) >= 0.5 and distinct >= 0.5


def detect_id_column(table: SurveyTable, given: str | None) -> str:
    """The respondent ID column: the given one (checked) or the best unique, never-blank column.

    The first column named like an ID (``id``, ``respondent``, ``la_code`` ...) whose filled
    cells are unique is the ID column even when some cells are blank: then the blank rows are
    reported rather than another column silently chosen.
    """
    frame = table.frame
    if given is not None:
        if given not in frame.columns:
            raise InputError(
                f"no ID column {quoted(given)} (columns: {_names(frame.columns)})",
                path=table.path,
            )
        values = frame[given]
        blank = [i for i, value in enumerate(values.tolist()) if not value.strip()]
        if blank:
            also = f" (also in rows {_rows(table, blank[1:])})" if len(blank) > 1 else ""
            raise InputError(
                f"missing respondent ID{also}",
                path=table.path,
                row=table.row_number(blank[0]),
                column=given,
            )
        duplicated = values.str.strip().duplicated(keep="first")
        if duplicated.any():
            index = int(duplicated.to_numpy().nonzero()[0][0])
            value = values.iloc[index].strip()
            first = int((values.str.strip() == value).to_numpy().nonzero()[0][0])
            raise InputError(
                f"duplicate respondent ID {quoted(value)}"
                f" (first seen in row {table.row_number(first)})",
                path=table.path,
                row=table.row_number(index),
                column=given,
            )
        _check_id_characters(table, given)
        return given
    candidates = []
    for position, column in enumerate(frame.columns):
        values = [v.strip() for v in frame[column].tolist()]
        filled = [v for v in values if v]
        named = _ID_NAME.search(column) is not None
        if len(set(filled)) < len(filled) or is_free_text(frame[column]):
            continue
        if len(filled) < len(values):
            # Named as the ID and mostly filled: the blanks are the problem, not the column.
            if named and len(filled) * 2 >= len(values):
                blank = [i for i, v in enumerate(values) if not v]
                candidates.append((0, position, column, blank))
            continue
        candidates.append((0 if named else 1, position, column, []))
    if not candidates:
        raise InputError(
            "no ID column found: no column is unique and never blank; name the ID column",
            path=table.path,
            remedy=Remedy(option="id_column"),
        )
    *_, column, blank_rows = min(candidates)
    if blank_rows:
        raise InputError(
            f"missing respondent ID in row{'s' if len(blank_rows) > 1 else ''}"
            f" {_rows(table, blank_rows)} (this column looks like the ID column); fill them in,"
            " or name the ID column",
            path=table.path,
            remedy=Remedy(option="id_column"),
            row=table.row_number(blank_rows[0]),
            column=str(column),
        )
    _check_id_characters(table, str(column))
    return str(column)


def _names(columns: Sequence[str], shown: int = 20) -> str:
    text = ", ".join(printable(c, limit=40) for c in columns[:shown])
    return text + (f" and {len(columns) - shown} more" if len(columns) > shown else "")


def _rows(table: SurveyTable, indexes: Sequence[int], shown: int = 5) -> str:
    """Spreadsheet rows of data rows `indexes`, the first few and how many more."""
    text = ", ".join(str(table.row_number(i)) for i in indexes[:shown])
    return text + (f" and {len(indexes) - shown} more" if len(indexes) > shown else "")


def _check_id_characters(table: SurveyTable, column: str) -> None:
    for index, value in enumerate(table.frame[column].tolist()):
        control = CONTROL_CHARACTER.search(value)
        if control:
            raise InputError(
                f"respondent ID {quoted(value.strip())} holds a control character"
                f" ({printable(control.group())}); correct it in the file",
                path=table.path,
                row=table.row_number(index),
                column=column,
            )


def detect_open_columns(
    table: SurveyTable, id_column: str, given: Sequence[str] | None
) -> list[str]:
    """Open (free-text) columns: those given (checked) or the columns that read as free text."""
    frame = table.frame
    if given:
        for column in given:
            if column not in frame.columns:
                raise InputError(
                    f"no open column {quoted(column)} (columns: {_names(frame.columns)})",
                    path=table.path,
                )
            if column == id_column:
                raise InputError(
                    "the ID column cannot also be an open question", path=table.path, column=column
                )
        return list(dict.fromkeys(given))
    found = [
        c
        for c in frame.columns
        if c != id_column
        and c not in table.value_labels
        and (
            is_free_text(frame[c])
            or (
                _OTHER_SPECIFY.search(c)
                and frame[c].str.strip().any()
                and not _looks_categorical(frame[c])
            )
        )
    ]
    if not found:
        raise InputError(
            "no open column found: no column holds mostly free text; name the open columns",
            path=table.path,
            remedy=Remedy(option="open_columns"),
        )
    return found


def _looks_categorical(values: pd.Series) -> bool:
    filled = values[values.str.strip() != ""]
    return filled.nunique() <= 3 and len(filled) > 10


def infer_routing(
    frame: pd.DataFrame, open_column: str, closed_columns: Sequence[str]
) -> Routing | None:
    """A closed column whose values exactly separate who answered `open_column`, if any.

    Routing is inferred only when every answer comes from respondents with one of a few values of
    the filter column, and at least one respondent with another value exists (all blank there).
    """
    answered = frame[open_column].str.strip() != ""
    if answered.all() or not answered.any():
        return None
    for column in closed_columns:
        values = frame[column].str.strip()
        if values.nunique() > 10:
            continue
        asked_values = sorted(set(values[answered]))
        offered = set(values) - {""}
        # A filter selects some offered answers; "anyone who answered it" is not routing.
        if "" in asked_values or len(asked_values) >= len(offered):
            continue
        asked = values.isin(asked_values)
        # Those asked may leave it blank; those not asked never answer.
        if not (answered & ~asked).any() and asked.sum() < len(values):
            return Routing(column=column, values=tuple(asked_values))
    return None


def question_kind(column: str, label: str) -> QuestionKind:
    if _OTHER_SPECIFY.search(column) or _OTHER_SPECIFY.search(label):
        return QuestionKind.OTHER_SPECIFY
    return QuestionKind.OPEN


def plan_import(
    table: SurveyTable,
    *,
    id_column: str | None = None,
    open_columns: Sequence[str] | None = None,
    rules: NonSubstantiveRules | None = None,
) -> ImportPlan:
    """Check the table and work out what to import; raise InputError on the first problem."""
    rules = rules or NonSubstantiveRules.from_phrases()
    id_col = detect_id_column(table, id_column)
    opens = detect_open_columns(table, id_col, open_columns)
    frame = table.frame
    open_set = set(opens)
    attribute_columns = [c for c in frame.columns if c not in open_set and c != id_col]
    closed = [
        c
        for c in attribute_columns
        if c in table.value_labels
        or 0 < len({v.strip() for v in frame[c].tolist()} - {""}) <= _CLOSED_MAX_DISTINCT
        and not is_free_text(frame[c])
    ]
    closed_set = set(closed)

    attribute_values = {
        c: _labelled(frame[c].tolist(), table.value_labels.get(c)) for c in attribute_columns
    }
    # Routing reads the closed answers as respondents saw them (value labels, not codes).
    routing_frame = pd.DataFrame(
        {**{c: attribute_values[c] for c in closed}, **{c: frame[c].tolist() for c in opens}},
        dtype=object,
    )
    # Routing depends only on who answered, so open questions answered by the same
    # respondents share one answer (a file with thousands of columns has few distinct ones).
    routings: dict[bytes, Routing | None] = {}

    def routing_of(column: str) -> Routing | None:
        key = bytes(bool(v.strip()) for v in frame[column].tolist())
        if key not in routings:
            routings[key] = infer_routing(routing_frame, column, closed)
        return routings[key]

    questions: list[QuestionSpec] = []
    for position, column in enumerate(frame.columns):
        if column == id_col:
            continue
        label = normalise_text(table.column_labels.get(column, "")) or column
        if column in open_set:
            questions.append(
                QuestionSpec(
                    column, label, question_kind(column, label), position, routing_of(column)
                )
            )
        elif column in closed_set:
            questions.append(
                QuestionSpec(
                    column,
                    label,
                    QuestionKind.CLOSED,
                    position,
                    value_labels=table.value_labels.get(column, {}),
                )
            )

    ids = [v.strip() for v in frame[id_col].tolist()]
    respondents = tuple(
        (rid, {c: attribute_values[c][i] for c in attribute_columns if attribute_values[c][i]})
        for i, rid in enumerate(ids)
    )
    answers: list[AnswerSpec] = []
    cleaned = 0
    for column in opens:
        for rid, raw in zip(ids, frame[column].tolist(), strict=True):
            text = normalise_text(raw)
            # isprintable() is false for line breaks too: only then look for control characters.
            if not raw.isprintable() and DROPPED_CONTROL.search(raw):
                cleaned += 1
            answers.append(AnswerSpec(rid, column, raw, text, rules.reason(text)))
    notes = table.notes
    if cleaned:
        notes += (
            f"control characters removed from {cleaned} answer{'s' if cleaned > 1 else ''}"
            " (the text as given is kept as their raw text)",
        )
    return ImportPlan(table.path, id_col, tuple(questions), respondents, tuple(answers), notes)


def _labelled(values: list[str], labels: dict[str, str] | None) -> list[str]:
    stripped = [normalise_text(v) for v in values]
    if not labels:
        return stripped
    return [normalise_text(labels[v]) if v in labels else v for v in stripped]
