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


WORDS = ["fees", "Fees", "FEES", "fee", "école", "ÉCOLE", "Straße", "STRASSE", "ß", "ss",
         "İstanbul", "no", " ", "n/a", "don't know", "ΣΊΣΥΦΟΣ", "σίσυφος"]


@given(st.lists(st.lists(st.sampled_from(WORDS), max_size=4).map(" ".join), max_size=40),
       st.lists(st.tuples(st.lists(st.sampled_from(WORDS), max_size=2).map(" ".join),
                          st.booleans(), st.integers(0, 3)), min_size=1, max_size=12))
def test_a_run_of_phrases_matches_a_plain_scan_each_time(
        texts: list[str], searches: list[tuple[str, bool, int]]) -> None:
    # One index searched again and again (as typing does: phrases repeated, extended,
    # shortened), over every answer or over another selection and order of ids.
    pairs = [(10 * i, text) for i, text in enumerate(texts)]
    index = TextIndex(pairs)
    folded = dict(pairs)
    every = [aid for aid, _ in pairs]
    for phrase, everything, step in searches:
        ids = every if everything else every[::-1][::step + 1] + [7, 10]  # 7: not indexed
        expected = [a for a in ids if a in folded and phrase.casefold() in folded[a].casefold()]
        assert index.matching(phrase, ids) == expected
    for typed in ("f", "fe", "fee", "fees", "fee", "f", "FeEs"):
        assert index.matching(typed, every) == [
            a for a in every if typed.casefold() in folded[a].casefold()]
