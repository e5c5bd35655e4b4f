"""Code frequencies with bases, nets, weights and breakdowns for one question; pure, no UI, CLI
or SQL.

Weighted percentages: with a weight w_i per respondent, a code's percentage is
100 * sum(w_i over respondents in the base with the code) / sum(w_i over the base); the
unweighted base (a count of respondents) is always shown beside it, and the effective base
(sum w_i)^2 / sum(w_i^2) (Kish) is what significance tests use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

from coder.core.codeframe.model import Code, Codeframe

if TYPE_CHECKING:
    from coder.core.reporting.significance import Significance

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


class RespondentAnswer(NamedTuple):
    """What the frequency count needs to know about one respondent and one question.

    A named tuple rather than a dataclass: a report makes one per answer (100,000 and more),
    and a tuple is several times quicker to make.

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
        wave: The wave of the answer (one record per respondent and wave).
        weight: The respondent's weight (1.0 unless the report is weighted).
        answer_id: The answer the record is about, if any.
        alike: How many respondents alike the record stands for (1 unless the answers were
            counted per combination, when `answer_id` is None).
    """

    respondent_id: int
    status: str
    code_ids: frozenset[str] = frozenset()
    coded: bool = False
    group: str | None = None
    unresolved: bool = False
    stale: bool = False
    wave: str | None = None
    weight: float = 1.0
    answer_id: int | None = None
    alike: int = 1


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
        weighted: Sum of the answered base's weights (None when unweighted).
        effective: Kish effective base of the answered (None when unweighted).
    """

    answered: int
    asked: int | None
    non_substantive: int
    blank: int
    uncoded: int = 0
    unresolved: int = 0
    stale: int = 0
    weighted: float | None = None
    effective: float | None = None

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
    pct: float  # 0-100, weighted when the table is; 0.0 when the base is empty
    weighted_n: float | None = None


@dataclass(frozen=True)
class BreakdownColumn:
    """One value of the breakdown attribute: its base and each code's count.

    `base` and `counts` are respondents (unweighted); `weighted_base` and `weighted_counts`
    are sums of weights (None when unweighted), and `effective_base` the Kish effective base.
    """

    value: str
    base: int
    counts: Mapping[str, int]
    weighted_base: float | None = None
    weighted_counts: Mapping[str, float] | None = None
    effective_base: float | None = None
    uncoded: int = 0

    def pct(self, code_id: str) -> float:
        """Percent of this column's base with the code, weighted when the table is (0.0 on an
        empty base)."""
        if self.weighted_counts is not None and self.weighted_base is not None:
            return _wpct(self.weighted_counts.get(code_id, 0.0), self.weighted_base)
        return _pct(self.counts.get(code_id, 0), self.base)

    def n(self, code_id: str) -> int:
        """Respondents in this column with the code (unweighted)."""
        return self.counts.get(code_id, 0)

    @property
    def test_base(self) -> float:
        """The base a significance test uses: the effective base when weighted, else `base`."""
        return self.effective_base if self.effective_base is not None else float(self.base)


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
    weighted_by: str | None = None
    significance: Significance | None = None

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


def _wpct(n: float, base: float) -> float:
    return 100.0 * n / base if base > 0 else 0.0


def effective_base(total: float, squares: float) -> float:
    """Kish's effective base (sum w)^2 / sum(w^2); 0.0 for an empty or all-zero base."""
    return total * total / squares if squares > 0 else 0.0


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
    group_order: Sequence[str] | None = None,
    weighted_by: str | None = None,
) -> FrequencyTable:
    """Count each code and net among respondents with a substantive answer.

    Args:
        question_id: The question the table is for.
        frame: The question's codeframe (retired codes are not shown).
        respondents: One entry per respondent (and wave) in scope; codes on non-substantive
            or blank answers are ignored.
        routing_known: Whether "not_asked" statuses were derived from routing; only then is
            the "asked" base reported.
        min_base: Bases under this get a caution flag.
        breakdown_by: The attribute the `group` values come from; None for no breakdown.
        sort: "frequency" orders siblings by n (largest first), "codeframe" keeps frame order.
        group_order: The breakdown columns in this order (e.g. waves oldest first); default
            natural order with "(not known)" last.
        weighted_by: The weight's name: percentages use each record's `weight` (see the
            module docstring); None counts every respondent once.

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
    # The rows a code counts in: its own and every net above it (each respondent once).
    rows_of: dict[str, frozenset[str]] = {
        code_id: frozenset(row for row, members in family.items() if code_id in members)
        for code_id in family}

    answered = non_substantive = blank = asked = uncoded = unresolved = stale = 0
    # Answered respondents summed per (codes, group): [n, sum w, sum w^2]. A survey has few
    # distinct combinations, so the per-code counting below runs over those, not respondents.
    cells: dict[tuple[frozenset[str], str | None], list[float]] = {}
    group_uncoded: dict[str, int] = {}
    for r in respondents:
        status = r.status
        many = r.alike  # 1, unless the record stands for answers counted alike
        if status == "answered":
            answered += many
            if not (r.coded or r.code_ids):
                uncoded += many
                if breakdown_by:
                    missing = r.group or MISSING_VALUE
                    group_uncoded[missing] = group_uncoded.get(missing, 0) + many
            unresolved += r.unresolved * many
            stale += r.stale * many
            key = (r.code_ids, (r.group or MISSING_VALUE) if breakdown_by else None)
            w = r.weight
            if many != 1:  # counted alike: only unweighted records come so (exact sums)
                w, w2 = w * many, w * w * many
            else:
                w2 = w * w
            cell = cells.get(key)
            if cell is None:
                cells[key] = [many, w, w2]
            else:
                cell[0] += many
                cell[1] += w
                cell[2] += w2
        elif status != "not_asked":
            if status == "non_substantive":
                non_substantive += many
            else:
                blank += many
    asked = answered + non_substantive + blank

    counts: dict[str, int] = dict.fromkeys(family, 0)
    weights: dict[str, float] = dict.fromkeys(family, 0.0)
    total = squares = 0.0
    group_base: dict[str, int] = {}
    group_counts: dict[str, dict[str, int]] = {}
    group_weights: dict[str, list[float]] = {}  # [sum w, sum w^2]
    group_wcounts: dict[str, dict[str, float]] = {}
    for (code_ids, group), (n_float, w, w2) in cells.items():
        n = int(n_float)
        total += w
        squares += w2
        if group is not None:
            group_base[group] = group_base.get(group, 0) + n
            per = group_counts.setdefault(group, {})
            wper = group_wcounts.setdefault(group, {})
            sums = group_weights.setdefault(group, [0.0, 0.0])
            sums[0] += w
            sums[1] += w2
        applied = code_ids & shown_ids
        if not applied:
            continue
        for code_id in frozenset().union(*(rows_of[c] for c in applied)):
            counts[code_id] += n
            weights[code_id] += w
            if group is not None:
                per[code_id] = per.get(code_id, 0) + n
                wper[code_id] = wper.get(code_id, 0.0) + w

    weighted = weighted_by is not None
    base = Base(answered, asked if routing_known else None, non_substantive, blank, uncoded,
                unresolved, stale, total if weighted else None,
                effective_base(total, squares) if weighted else None)
    rows = [FrequencyRow(c.id, c.label, c.output_code, depth, len(family[c.id]) > 1,
                         counts[c.id],
                         _wpct(weights[c.id], total) if weighted else _pct(counts[c.id], answered),
                         weights[c.id] if weighted else None)
            for depth, c in shown]
    if sort == "frequency":
        rows = _sort_siblings(rows, frame)
    order = _ordered_groups(group_base)
    if group_order is not None:
        known = [g for g in group_order if g in group_base]
        order = known + [g for g in order if g not in known]
    columns = tuple(
        BreakdownColumn(value, group_base[value], group_counts[value],
                        group_weights[value][0] if weighted else None,
                        group_wcounts[value] if weighted else None,
                        effective_base(*group_weights[value]) if weighted else None,
                        group_uncoded.get(value, 0))
        for value in order)
    return FrequencyTable(question_id, base, tuple(rows), min_base, breakdown_by, columns,
                          weighted_by)


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
