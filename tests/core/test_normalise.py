"""Duplicate answers: which answers repeat an earlier one's text, as a pure rule."""

from __future__ import annotations

from coder.core.normalise import duplicate_links


def test_a_repeat_points_at_the_first_answer_with_the_same_text() -> None:
    links = duplicate_links([
        (1, "Cost of transport", False),
        (2, "Waiting lists", False),
        (3, "cost of transport.", False),  # case and surrounding punctuation aside
        (5, "COST OF TRANSPORT", False),
        (8, "Waiting lists", False),
    ])
    assert links == {1: None, 2: None, 3: 1, 5: 1, 8: 2}


def test_blank_and_punctuation_only_answers_repeat_nothing() -> None:
    links = duplicate_links([(1, "", True), (2, "", True), (3, "...", False), (4, "?!", False)])
    assert links == {1: None, 2: None, 3: None, 4: None}


def test_dashes_and_quotes_are_unified() -> None:
    links = duplicate_links([(1, "don\u2019t know \u2013 maybe", False),
                             (2, "don't know - maybe", False)])
    assert links[2] == 1
