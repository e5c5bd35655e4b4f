"""How a planned codeframe edit carries codings: merges move them, split rules sort them.

Pure rules over `Coding` values; no UI, CLI library or SQL. The store reads the codings of the
codes a plan touches (and the texts of their answers for a split) and writes the changes
planned here, in their order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from coder.core.codeframe.ops import FramePlan
from coder.core.types import Coding


@dataclass(frozen=True)
class CodingChange:
    """One planned change to a coding.

    Attributes:
        op: "insert" (a new coding), "delete" (a coding removed) or "update" (a coding marked
            "needs recoding").
        before: The coding as it is (None for an insert).
        after: The coding as it will be (None for a delete).
    """

    op: Literal["insert", "delete", "update"]
    before: Coding | None
    after: Coding | None


@dataclass(frozen=True)
class CodingMoves:
    """The coding changes a codeframe edit makes, in the order they apply.

    Attributes:
        changes: What to write.
        moved: Codings of the merged or split codes the edit carried (a merged coding a coder
            already had on the target counts, though the two become one).
    """

    changes: tuple[CodingChange, ...]
    moved: int


def plan_codes(plan: FramePlan, rule: Mapping[str, str]) -> list[str]:
    """The codes whose codings `plan_coding_moves` needs, in the order to read them."""
    wanted = [c for pair in plan.recode for c in pair]
    wanted += [*plan.review_code_ids, *rule]
    return list(dict.fromkeys(wanted))


def split_targets(text: str, rule: Mapping[str, str]) -> list[str]:
    """The new codes an answer's coding moves to when its code is split.

    Args:
        text: The answer's text.
        rule: New code id -> a text fragment; a coding moves to every new code whose fragment
            the answer contains, ignoring case. Empty fragments match nothing.

    Returns:
        The matching new code ids, in the rule's order (empty: the coding stays, to recode).
    """
    lowered = text.casefold()
    return [code_id for code_id, fragment in rule.items()
            if fragment and fragment.casefold() in lowered]


def plan_coding_moves(
    plan: FramePlan,
    codings: Iterable[Coding],
    texts: Mapping[int, str],
    rule: Mapping[str, str],
    stamp: str,
) -> CodingMoves:
    """The coding changes of a codeframe edit.

    Merges (`plan.recode`) move every coding of each source to its target; where the same coder
    already has the target on the answer, the two become one. A split (`plan.review_code_ids`)
    moves each coding of the split code whose answer matches the rule (see `split_targets`) to
    the matching new codes, stamped `stamp`, and marks the others "needs recoding".

    Args:
        plan: The checked edit.
        codings: Every coding of the codes `plan_codes` names, in the order read.
        texts: Answer id -> text, for every answer coded with a code under review (a split).
        rule: New code id -> text fragment, for a split.
        stamp: When the moved codings are made (UTC timestamp).
    """
    view = _CodingsView(codings)
    changes: list[CodingChange] = []
    moved = _recode(view, plan.recode, changes)
    for code_id in plan.review_code_ids:
        rows = view.rows(code_id)
        flagged, taken, added = [], [], []
        for row in rows:
            targets = split_targets(texts[row.answer_id], rule)
            if not targets:
                if not row.needs_recoding:
                    flagged.append(CodingChange("update", row, replace(row, needs_recoding=True)))
                continue
            view.take_one(row)
            taken.append(CodingChange("delete", row, None))
            for new_id in targets:
                new = Coding(row.answer_id, new_id, row.coder_id, stamp)
                if view.add(new):
                    added.append(CodingChange("insert", None, new))
        changes.extend([*flagged, *taken, *added])
        moved += len(rows)
    return CodingMoves(tuple(changes), moved)


def plan_recode(recode: Iterable[tuple[str, str]], codings: Iterable[Coding]) -> CodingMoves:
    """The coding changes that move every coding of each source code to its target (as a
    merge does, also across codeframes): who coded, when, and "needs recoding" are kept; where
    the same coder already has the target on the answer, the two become one.

    Args:
        recode: (source code id, target code id) pairs.
        codings: Every coding of the source and target codes.
    """
    changes: list[CodingChange] = []
    moved = _recode(_CodingsView(codings), recode, changes)
    return CodingMoves(tuple(changes), moved)


def _recode(view: _CodingsView, recode: Iterable[tuple[str, str]],
            changes: list[CodingChange]) -> int:
    """Plan the moves of `recode` into `changes`; returns the codings moved."""
    moved = 0
    for source, target in recode:
        rows = view.take(source)
        changes.extend(CodingChange("delete", row, None) for row in rows)
        for row in rows:
            carried = Coding(row.answer_id, target, row.coder_id, row.created_at,
                             row.needs_recoding)
            if view.add(carried):
                changes.append(CodingChange("insert", None, carried))
        moved += len(rows)
    return moved


class _CodingsView:
    """The codings of the codes a plan touches, kept up to date as it plans."""

    def __init__(self, codings: Iterable[Coding]) -> None:
        self._by_code: dict[str, dict[tuple[int, int], Coding]] = {}
        for coding in codings:
            self._code(coding.code_id)[(coding.answer_id, coding.coder_id)] = coding

    def _code(self, code_id: str) -> dict[tuple[int, int], Coding]:
        return self._by_code.setdefault(code_id, {})

    def rows(self, code_id: str) -> list[Coding]:
        return list(self._code(code_id).values())

    def take(self, code_id: str) -> list[Coding]:
        """Every coding of the code, removed from the view."""
        rows = self.rows(code_id)
        self._code(code_id).clear()
        return rows

    def take_one(self, coding: Coding) -> None:
        del self._code(coding.code_id)[(coding.answer_id, coding.coder_id)]

    def add(self, coding: Coding) -> bool:
        """Add a coding unless the coder already has that code on that answer."""
        codings = self._code(coding.code_id)
        key = (coding.answer_id, coding.coder_id)
        if key in codings:
            return False
        codings[key] = coding
        return True
