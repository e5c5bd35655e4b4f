"""Carry codes forward: answers of a new wave identical (normalised) to answers coded in an
earlier wave take the same codes. Pure: reads nothing from the project and writes nothing.

Identical means the same `coder.core.normalise.match_key` (case, spacing, dashes and quotes and
edge punctuation aside) on the same question. When the latest earlier wave holding the text
coded it in more than one way, nothing is carried for it (a person decides).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from coder.core.normalise import match_key

#: The coder that carried codes are attributed to (and, suggested only, the model layer's name).
CARRIED_CODER = "carried"
SUGGESTED_CODER = "carried-suggested"


@dataclass(frozen=True)
class CodedAnswer:
    """An answer coded in an earlier wave: its question, text, final codes and wave order."""

    question_id: str
    text: str
    code_ids: frozenset[str]
    wave_order: int


@dataclass(frozen=True)
class NewAnswer:
    """A substantive answer of the new wave that nobody has coded yet."""

    answer_id: int
    question_id: str
    text: str


@dataclass(frozen=True)
class CarriedCodes:
    """The codes an answer of the new wave takes from an earlier one."""

    answer_id: int
    question_id: str
    code_ids: tuple[str, ...]


@dataclass(frozen=True)
class CarryPlan:
    """What carrying forward would write, and what it left alone.

    Attributes:
        carried: Answers that take codes (possibly none: "no code applies" is carried too).
        ambiguous: Answers whose text was coded in several ways in the same earlier wave.
        retired: Answers whose earlier codes include a code no longer active.
    """

    carried: tuple[CarriedCodes, ...]
    ambiguous: int = 0
    retired: int = 0


def plan_carry_forward(new_answers: Iterable[NewAnswer], coded: Iterable[CodedAnswer],
                       active_codes: Collection[str]) -> CarryPlan:
    """Match new answers to earlier coded ones.

    Args:
        new_answers: The new wave's uncoded substantive answers.
        coded: Earlier waves' coded answers (final codes).
        active_codes: Codes that may still be applied (active, codable).

    Returns:
        The plan: per matching answer the codes of the latest earlier wave that coded the text.
    """
    latest: dict[tuple[str, str], tuple[int, set[frozenset[str]]]] = {}
    for answer in coded:
        key = (answer.question_id, match_key(answer.text))
        if not key[1]:
            continue
        order, seen = latest.get(key, (-1, set()))
        if answer.wave_order > order:
            latest[key] = (answer.wave_order, {answer.code_ids})
        elif answer.wave_order == order:
            seen.add(answer.code_ids)
    carried, ambiguous, retired = [], 0, 0
    for new in new_answers:
        found = latest.get((new.question_id, match_key(new.text)))
        if found is None:
            continue
        _, ways = found
        if len(ways) > 1:
            ambiguous += 1
            continue
        (codes,) = ways
        if not codes <= set(active_codes):
            retired += 1
            continue
        carried.append(CarriedCodes(new.answer_id, new.question_id, tuple(sorted(codes))))
    return CarryPlan(tuple(carried), ambiguous, retired)
