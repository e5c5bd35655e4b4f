"""Code frequencies with bases, nets and breakdowns for one question; pure, no UI, CLI or SQL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from coder.core.codeframe.model import Code, Codeframe

#: Bases below this are flagged "small base: treat with caution" unless configured otherwise.
DEFAULT_MIN_BASE = 30
MISSING_VALUE = "(not known)"

SortOrder = Literal["frequency", "codeframe"]

#: How the "final" layer settled an answer: adjudicated (current or stale), every human coder
#: gave the same codes, exactly one human coder coded it, or the coders disagree unresolved.
FinalStatus = Literal["adjudicated", "stale", "agreed", "single", "unresolved"]


@dataclass(frozen=True)
class FinalCoding:
    """One answer's codes in the "final" layer and how they were settled.

    Attributes:
        code_ids: The final codes (empty when coded with no code, or unresolved).
        status: See `FinalStatus`.
    """

    code_ids: frozenset[str]
    status: FinalStatus


@dataclass(frozen=True)
class RespondentAnswer:
    """What the frequency count needs to know about one respondent and one question.

    Attributes:
        respondent_id: Internal respondent id (never shown in a report).
        status: "answered" (substantive), "non_substantive" (e.g. "don't know"), "blank",
            or "not_asked" (routed past the question).
        code_ids: Codes applied in the chosen layer (empty for an uncoded answer).
        coded: True when the layer has coded the answer (with or without codes).
        group: The respondent's value of the breakdown attribute, if any.
        unresolved: Coded, but the coders disagree and no one has adjudicated (final layer):
            in the base with no code.
        stale: Adjudicated, but a coder re-coded the answer since (final layer).
    """

    respondent_id: int
    status: str
    code_ids: frozenset[str] = frozenset()
    coded: bool = False
    group: str | None = None
    unresolved: bool = False
    stale: bool = False


@dataclass(frozen=True)
class Base:
    """Who a percentage is of.

    Attributes:
        answered: Respondents with a substantive answer: the base of every percentage.
        asked: Respondents routed to the question, or None when routing is not known.
        non_substantive: Answers such as "don't know" or "n/a", shown separately.
        blank: Respondents (asked, if routing is known) who left it blank.
        uncoded: Substantive answers the layer has not coded yet (still in the base).
        unresolved: Substantive answers whose coders disagree, not adjudicated (still in the
            base, counted under no code).
        stale: Substantive answers whose adjudication predates a coder's re-coding.
    """

    answered: int
    asked: int | None
    non_substantive: int
    blank: int
    uncoded: int = 0
    unresolved: int = 0
    stale: int = 0

    def is_small(self, min_base: int) -> bool:
        """True when the answered base is under `min_base` (and not zero)."""
        return self.answered < min_base


@dataclass(frozen=True)
class FrequencyRow:
    """One code or net: respondents with it, and their share of the answered base."""

    code_id: str
    label: str
    output_code: int
    depth: int
    is_net: bool
    n: int
    pct: float  # 0-100; 0.0 when the base is empty


@dataclass(frozen=True)
class BreakdownColumn:
    """One value of the breakdown attribute: its base and each code's count."""

    value: str
    base: int
    counts: Mapping[str, int]

    def pct(self, code_id: str) -> float:
        """Percent of this column's base with the code (0.0 on an empty base)."""
        return _pct(self.counts.get(code_id, 0), self.base)


@dataclass(frozen=True)
class FrequencyTable:
    """Frequencies of one question's codes in one coding layer.

    Rows are in tree order (nets above their codes); with `sort="frequency"` siblings are
    ordered by n, largest first. Several codes per answer are allowed, so percentages may sum
    past 100; a net counts each respondent once.
    """

    question_id: str
    base: Base
    rows: tuple[FrequencyRow, ...]
    min_base: int = DEFAULT_MIN_BASE
    breakdown_by: str | None = None
    columns: tuple[BreakdownColumn, ...] = ()

    @property
    def small_base(self) -> bool:
        """True when the whole base is under the caution threshold."""
        return self.base.is_small(self.min_base)

    def small_columns(self) -> list[str]:
        """Breakdown values whose column base is under the caution threshold."""
        return [c.value for c in self.columns if c.base < self.min_base]

    def row(self, code_id: str) -> FrequencyRow:
        """The row of `code_id`.

        Raises:
            KeyError: If the code is not in the table (e.g. retired).
        """
        for r in self.rows:
            if r.code_id == code_id:
                return r
        raise KeyError(code_id)


def _pct(n: int, base: int) -> float:
    return 100.0 * n / base if base else 0.0


def shown_codes(frame: Codeframe) -> list[tuple[int, Code]]:
    """Codes a report shows, as (depth, code) in tree order: every code that is not retired.

    A retired code is left out with everything below it (merged codes had their codings moved
    to the target at merge time).
    """
    hidden: set[str] = set()
    result = []
    for depth, code in frame.walk():
        if not code.is_active or (code.parent_id is not None and code.parent_id in hidden):
            hidden.add(code.id)
            continue
        result.append((depth, code))
    return result


def compute_frequencies(
    question_id: str,
    frame: Codeframe,
    respondents: Iterable[RespondentAnswer],
    *,
    routing_known: bool = False,
    min_base: int = DEFAULT_MIN_BASE,
    breakdown_by: str | None = None,
    sort: SortOrder = "frequency",
) -> FrequencyTable:
    """Count each code and net among respondents with a substantive answer.

    Args:
        question_id: The question the table is for.
        frame: The question's codeframe (retired codes are not shown).
        respondents: One entry per respondent in scope (wave); codes on non-substantive or
            blank answers are ignored.
        routing_known: Whether "not_asked" statuses were derived from routing; only then is
            the "asked" base reported.
        min_base: Bases under this get a caution flag.
        breakdown_by: The attribute the `group` values come from; None for no breakdown.
        sort: "frequency" orders siblings by n (largest first), "codeframe" keeps frame order.

    Returns:
        The table; percentages are of the answered base.
    """
    shown = shown_codes(frame)
    shown_ids = {c.id for _, c in shown}
    # Each code's "family": itself and every shown descendant; a net counts a respondent once.
    family: dict[str, set[str]] = {}
    for _, code in shown:
        members = {code.id} | {d.id for d in frame.descendants(code.id) if d.id in shown_ids}
        family[code.id] = members

    answered = non_substantive = blank = asked = uncoded = unresolved = stale = 0
    counts: dict[str, int] = dict.fromkeys(family, 0)
    group_base: dict[str, int] = {}
    group_counts: dict[str, dict[str, int]] = {}
    for r in respondents:
        if r.status == "not_asked":
            continue
        asked += 1
        if r.status == "non_substantive":
            non_substantive += 1
            continue
        if r.status != "answered":
            blank += 1
            continue
        answered += 1
        uncoded += not (r.coded or r.code_ids)
        unresolved += r.unresolved
        stale += r.stale
        group = (r.group or MISSING_VALUE) if breakdown_by else None
        if group is not None:
            group_base[group] = group_base.get(group, 0) + 1
            group_counts.setdefault(group, {})
        applied = r.code_ids & shown_ids
        if not applied:
            continue
        for code_id, members in family.items():
            if applied & members:
                counts[code_id] += 1
                if group is not None:
                    per = group_counts[group]
                    per[code_id] = per.get(code_id, 0) + 1

    base = Base(answered, asked if routing_known else None, non_substantive, blank, uncoded,
                unresolved, stale)
    rows = [FrequencyRow(c.id, c.label, c.output_code, depth, len(family[c.id]) > 1,
                         counts[c.id], _pct(counts[c.id], answered))
            for depth, c in shown]
    if sort == "frequency":
        rows = _sort_siblings(rows, frame)
    columns = tuple(BreakdownColumn(value, group_base[value], group_counts[value])
                    for value in _ordered_groups(group_base))
    return FrequencyTable(question_id, base, tuple(rows), min_base, breakdown_by, columns)


def _ordered_groups(group_base: Mapping[str, int]) -> list[str]:
    values = sorted((v for v in group_base if v != MISSING_VALUE), key=_natural)
    return values + ([MISSING_VALUE] if MISSING_VALUE in group_base else [])


def _natural(value: str) -> tuple[int, float, str]:
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value.casefold())


def _sort_siblings(rows: Sequence[FrequencyRow], frame: Codeframe) -> list[FrequencyRow]:
    by_id = {r.code_id: r for r in rows}
    result: list[FrequencyRow] = []

    def visit(parent: str | None) -> None:
        children = [by_id[c.id] for c in frame.children(parent) if c.id in by_id]
        for row in sorted(children, key=lambda r: (-r.n, r.output_code)):
            result.append(row)
            visit(row.code_id)

    visit(None)
    return result
