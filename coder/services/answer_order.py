"""The order a coding session lists answers in: import order, or "most useful next" (the answers
the suggester would learn most from first; coded answers after them, in import order).

Must not depend on click, textual or SQL.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Sequence

from coder.core.errors import InputError
from coder.services.suggestions import QuestionSuggestions

#: Order name -> how the coding bar shows it.
ORDERS = {"import": "import order", "useful": "most useful next"}


def check_order(order: str) -> str:
    """`order` if it names an order.

    Raises:
        InputError: It does not.
    """
    if order not in ORDERS:
        raise InputError(f'no answer order "{order}": choose {" or ".join(ORDERS)}')
    return order


def ordered(order: str, answer_ids: Sequence[int], coded: Collection[int],
            suggestions: QuestionSuggestions | None) -> list[int]:
    """`answer_ids` (ascending) in `order`. Until the suggestions are built, "useful" lists
    the uncoded answers first, each part in import order."""
    if order == "import":
        return list(answer_ids)
    uncoded = [a for a in answer_ids if a not in coded]
    done = [a for a in answer_ids if a in coded]
    if suggestions is not None:
        uncoded = suggestions.useful_order(uncoded, covered=coded)
    return uncoded + done


def reordered_after(order: str, answer_ids: Sequence[int], cursor: int, coded: Collection[int],
                    suggestions: QuestionSuggestions | None) -> list[int]:
    """The list with what follows the cursor ranked again (after a refit): the answers up to
    the current one stay where the coder saw them."""
    if order == "import":
        return list(answer_ids)
    head, tail = list(answer_ids[:cursor + 1]), sorted(answer_ids[cursor + 1:])
    return head + ordered(order, tail, coded, suggestions)


def position(order: str, answer_ids: Sequence[int], answer_id: int | None) -> int | None:
    """Where `answer_id` is listed (None: it is not)."""
    if answer_id is None:
        return None
    if order == "import":
        index = bisect.bisect_left(answer_ids, answer_id)
        return index if index < len(answer_ids) and answer_ids[index] == answer_id else None
    try:
        return answer_ids.index(answer_id)
    except ValueError:
        return None
