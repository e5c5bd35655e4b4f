"""The in-memory text index the coding app filters with."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coder.core.coding.text_search import TextIndex


def test_matches_a_phrase_ignoring_case_in_the_given_order() -> None:
    index = TextIndex([(1, "High FEES in Kent"), (2, "no places"), (3, "fees, fees"),
                       (4, "École fees")])
    assert index.matching("fees", [4, 3, 2, 1]) == [4, 3, 1]
    assert index.matching("high fees", [1, 2, 3]) == [1]
    assert index.matching("ÉCOLE", [1, 2, 3, 4]) == [4]  # not only ASCII
    assert index.matching("fees", [99, 1]) == [1]  # unknown ids never match
    assert index.matching("", [2, 99, 1]) == [2, 1]


@given(st.lists(st.text(max_size=12), max_size=30), st.text(max_size=3))
def test_same_as_a_plain_scan(texts: list[str], phrase: str) -> None:
    pairs = list(enumerate(texts))
    index = TextIndex(pairs)
    expected = [i for i, t in pairs if phrase.casefold() in t.casefold()]
    assert index.matching(phrase, [i for i, _ in pairs]) == expected
