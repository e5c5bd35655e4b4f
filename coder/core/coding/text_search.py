"""An in-memory substring index over answer texts, for filtering long answer lists at typing speed.

Pure Python: no store, no UI. The coding app builds one per question off the UI thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


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
        self._folded: dict[int, str] = {aid: fold(text) for aid, text in answers}

    def __len__(self) -> int:
        return len(self._folded)

    def __contains__(self, answer_id: object) -> bool:
        return answer_id in self._folded

    def matching(self, phrase: str, answer_ids: Sequence[int]) -> list[int]:
        """The ids among `answer_ids` (order kept) whose text contains `phrase`, ignoring case.

        Ids the index does not hold never match.
        """
        needle = fold(phrase)
        folded = self._folded
        if not needle:
            return [aid for aid in answer_ids if aid in folded]
        return [aid for aid in answer_ids if needle in folded.get(aid, "")]
