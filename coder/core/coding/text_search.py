"""An in-memory substring index over answer texts, for filtering long answer lists at typing speed.

Pure Python: no store, no UI. The coding app builds one per question off the UI thread.

A question's answers repeat (short answers such as "nothing" or "don't know" many times over), so
each distinct case-folded text is held and searched once; a search's result is a byte per answer
(1: the text contains the phrase), kept for the last few phrases so that switching another filter
on or off, or going back to a phrase typed before, searches nothing again, and a phrase that
extends one searched before (typing "fe", then "fee") only searches the texts that matched it.
The per-answer steps are numpy array operations, not Python statements per answer.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from itertools import compress, repeat
from operator import contains

import numpy as np

_KEPT = 8  # phrases whose results are kept


def fold(text: str) -> str:
    """Case-insensitive form used for matching (Unicode case folding, not only ASCII)."""
    return text.casefold()


class TextIndex:
    """Answer ids with their case-folded texts; `matching` keeps the ids whose text contains a
    phrase.

    Args:
        answers: (answer id, text) pairs.
    """

    def __init__(self, answers: Iterable[tuple[int, str]]) -> None:
        number: dict[str, int] = {}  # distinct folded text -> its number
        position: dict[int, int] = {}  # answer id -> its position
        text_of: list[int] = []  # position -> number of its folded text
        for aid, text in answers:
            folded = fold(text)
            if aid in position:  # a repeated id: its last text counts
                text_of[position[aid]] = number.setdefault(folded, len(number))
                continue
            position[aid] = len(text_of)
            text_of.append(number.setdefault(folded, len(number)))
        self._distinct: list[str] = list(number)
        self._position = position
        self._ids = list(position)  # in position order
        self._id_array = np.array(self._ids, dtype=np.int64)
        self._text_of = np.array(text_of, dtype=np.int64)
        self._found: OrderedDict[str, bytes] = OrderedDict()  # phrase -> flag per distinct text

    def __len__(self) -> int:
        return len(self._position)

    def __contains__(self, answer_id: object) -> bool:
        return answer_id in self._position

    def matching(self, phrase: str, answer_ids: Sequence[int]) -> list[int]:
        """The ids among `answer_ids` (order kept) whose text contains `phrase`, ignoring case.

        Ids the index does not hold never match.
        """
        needle = fold(phrase)
        if not needle:
            return [aid for aid in answer_ids if aid in self._position]
        distinct = np.frombuffer(self._distinct_flags(needle), dtype=np.bool_)
        matched: list[int] = self._id_array[distinct[self._text_of]].tolist()
        if answer_ids is self._ids or answer_ids == self._ids:  # every answer, in import order
            return matched
        kept = set(matched)
        return [aid for aid in answer_ids if aid in kept]

    def _distinct_flags(self, needle: str) -> bytes:
        """A byte per distinct text: 1 if it contains `needle` (already folded)."""
        found = self._found
        if needle in found:
            found.move_to_end(needle)
            return found[needle]
        distinct = self._distinct
        # The longest phrase searched before that this one contains: only its matches can match.
        within = max((p for p in found if p in needle), key=len, default=None)
        if within is None:
            flags = bytes(map(contains, distinct, repeat(needle)))
        else:
            hits = bytearray(len(distinct))
            for number in compress(range(len(distinct)), found[within]):
                if needle in distinct[number]:
                    hits[number] = 1
            flags = bytes(hits)
        found[needle] = flags
        if len(found) > _KEPT:
            found.popitem(last=False)
        return flags
