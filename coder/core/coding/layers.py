"""Coding layers: the final codes of each answer, stale adjudications, the disagreement queue.

Pure rules over plain values; no UI, CLI library or SQL. The store reads who coded what and
passes it in; these functions decide.

A *layer* is one coder's codings. Human coders, a model coder and the adjudicated layer (what
QA review settled) each form one. A coder who marked an answer coded with no code applied it an
empty code set: a decision, unlike an answer the coder never coded (absent from the mapping).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import TypeVar

from coder.core.reporting.frequencies import FinalCoding, FinalStatus

K = TypeVar("K", bound=Hashable)

#: answer id -> coder (id or name) -> the codes that coder applied (empty: coded, no code).
CodeSets = Mapping[int, Mapping[K, Set[str]]]


@dataclass(frozen=True)
class Adjudication:
    """Who settled an answer's final codes, and when.

    Attributes:
        answer_id: The answer.
        reviewer: Who decided.
        at: When (UTC timestamp).
        code_ids: The codes decided on (empty: no code applies), in the order applied.
        stale: A coder's coding of the answer changed since (see `is_stale`).
    """

    answer_id: int
    reviewer: str
    at: str
    code_ids: tuple[str, ...]
    stale: bool


@dataclass(frozen=True)
class Disagreement:
    """An answer whose coders applied different code sets.

    Attributes:
        answer_id: The answer.
        text: Its text.
        codes_by_coder: Coder name -> code ids that coder applied (empty: coded, no code).
        adjudicated: The adjudicated code ids, or None when not adjudicated.
        stale: Adjudicated, but a coder's coding changed since.
    """

    answer_id: int
    text: str
    codes_by_coder: dict[str, tuple[str, ...]]
    adjudicated: tuple[str, ...] | None = None
    stale: bool = False

    def differs_on(self, code_id: str) -> bool:
        """True when some coders applied `code_id` and others did not."""
        have = {code_id in codes for codes in self.codes_by_coder.values()}
        return len(have) > 1


def code_sets(marks: Iterable[tuple[int, K, str | None]]) -> dict[int, dict[K, frozenset[str]]]:
    """Group coding marks into each answer's code set per coder.

    Args:
        marks: ``(answer id, coder, code id)`` per coding, and ``(answer id, coder, None)`` per
            answer a coder marked coded (with codes or none); a coding alone also counts as
            coded.

    Returns:
        answer id -> coder -> the codes applied, in the order answers and coders first appear.
    """
    found: dict[int, dict[K, set[str]]] = {}
    for answer_id, coder, code_id in marks:
        codes = found.setdefault(answer_id, {}).setdefault(coder, set())
        if code_id is not None:
            codes.add(code_id)
    return {a: {c: frozenset(codes) for c, codes in by_coder.items()}
            for a, by_coder in found.items()}


def is_stale(adjudicated_at: str, basis: Mapping[str, str], current: Mapping[str, str]) -> bool:
    """Whether an adjudication needs another look because a coder's coding changed since.

    Args:
        adjudicated_at: When the reviewer decided (UTC timestamp, ISO 8601).
        basis: Coder id -> when that coder had last coded the answer, as the reviewer saw it.
            Empty for adjudications recorded before the basis was kept.
        current: Coder id -> when that coder last coded the answer now (every coder but the
            adjudicated layer: human and model).

    Returns:
        True when the coders' codings differ from the basis (re-coded, newly coded or
        un-coded); without a basis, when any coder coded the answer after the decision.
    """
    if basis:
        return dict(basis) != dict(current)
    return any(stamp > adjudicated_at for stamp in current.values())


def final_layer(
    human: CodeSets[K],
    adjudicated: Mapping[int, Set[str]],
    stale: Set[int] = frozenset(),
) -> dict[int, FinalCoding]:
    """Each coded answer's codes in the "final" layer, with how they were settled.

    Per answer: the adjudicated codes when the answer is adjudicated (status "stale" when it is
    in `stale`, else "adjudicated"); otherwise the code set every human coder who coded it
    agreed on ("agreed" with 2+ coders, "single" with one); otherwise no code and status
    "unresolved" (the answer stays in the base with no code). Answers nobody coded are absent.

    Args:
        human: The human coders' code sets (model coders never settle an answer).
        adjudicated: answer id -> the adjudicated layer's codes (empty: no code applies).
        stale: Adjudicated answers a coder has re-coded since (see `is_stale`).

    Returns:
        answer id -> its final codes; adjudicated answers first, then the others, each in the
        order given.
    """
    made: dict[tuple[frozenset[str], FinalStatus], FinalCoding] = {}

    def settled(codes: Set[str], status: FinalStatus) -> FinalCoding:
        # A survey has few distinct code sets: one value each (they are frozen).
        key = (frozenset(codes), status)
        found = made.get(key)
        if found is None:
            found = made[key] = FinalCoding(*key)
        return found

    result = {answer_id: settled(codes, "stale" if answer_id in stale else "adjudicated")
              for answer_id, codes in adjudicated.items()}
    # Most answers have one coder: their value is looked up by the code set alone (a report
    # settles hundreds of thousands of answers).
    single: dict[frozenset[str], FinalCoding] = {}
    for answer_id, sets in human.items():
        if len(sets) == 1:
            if answer_id in result:
                continue
            for codes in sets.values():
                key = frozenset(codes)  # the same object when it is one already
                found = single.get(key)
                if found is None:
                    found = single[key] = settled(key, "single")
                result[answer_id] = found
            continue
        if answer_id in result or not sets:
            continue
        distinct = {frozenset(codes) for codes in sets.values()}
        if len(distinct) > 1:
            result[answer_id] = settled(frozenset(), "unresolved")
        else:
            result[answer_id] = settled(distinct.pop(), "agreed")
    return result


def disagreement_queue(
    sets: CodeSets[str],
    coders: Sequence[str],
    adjudications: Mapping[int, Adjudication] | None = None,
    *,
    answer_ids: Set[int] | None = None,
    code_order: Sequence[str] = (),
    include_settled: bool = False,
) -> list[Disagreement]:
    """The adjudication queue: answers coded by 2+ of `coders` whose code sets differ.

    Args:
        sets: The compared coders' code sets, by coder name.
        coders: The compared coders, in the order each answer lists them.
        adjudications: The adjudicated answers, by answer id.
        answer_ids: Only these answers (e.g. a double-coding sample).
        code_order: Code ids in codeframe order: each coder's codes are listed in it.
        include_settled: Also list answers adjudicated since their last re-coding.

    Returns:
        The answers not yet adjudicated, or adjudicated but stale, in answer order; their
        `text` is empty (the caller adds it).
    """
    judged = adjudications or {}
    order = {code_id: i for i, code_id in enumerate(code_order)}
    found = []
    for answer_id in sorted(sets):
        by_coder = {c: sets[answer_id][c] for c in coders if c in sets[answer_id]}
        if len(by_coder) < 2 or (answer_ids is not None and answer_id not in answer_ids):
            continue
        if len({frozenset(codes) for codes in by_coder.values()}) < 2:
            continue
        settled = judged.get(answer_id)
        if settled is not None and not settled.stale and not include_settled:
            continue
        listed = {c: tuple(sorted(codes, key=lambda k: order.get(k, 0)))
                  for c, codes in by_coder.items()}
        found.append(Disagreement(answer_id, "", listed,
                                  None if settled is None else settled.code_ids,
                                  settled is not None and settled.stale))
    return found
