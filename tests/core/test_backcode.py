"""Back-coding by the closest example: a category's words and people's back-codes teach it, a
back-code marked genuinely other teaches "none", and the gate is the similarity that kept
the suggestions right as often as asked."""

from __future__ import annotations

import numpy as np

from coder.core.suggest.backcode import (
    GENUINELY_OTHER,
    Backcode,
    carried_categories,
    category_similarities,
    estimate_min_similarity,
    match_categories,
    ranked_categories,
)


def unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_closest_example_wins_and_weak_or_other_matches_are_genuinely_other() -> None:
    examples = {"A": np.stack([unit(1, 0, 0)]), "B": np.stack([unit(0, 1, 0)]),
                None: np.stack([unit(0, 0, 1)])}  # an answer a person marked genuinely other
    answers = np.stack([unit(1, 0.1, 0), unit(0.1, 1, 0), unit(0, 0.1, 1), unit(1, 1, 1.2)])
    found = match_categories(answers, examples, min_similarity=0.6)
    assert [b.category for b in found] == ["A", "B", None, None]
    assert found[0].similarity > 0.99 and found[3].similarity < 0.7


def test_the_gate_keeps_the_precision_asked_for() -> None:
    suggested = [Backcode("A", s) for s in (0.95, 0.9, 0.85, 0.8, 0.7, 0.65)]
    truth = ["A", "A", "A", "A", "B", None]
    threshold, precision, coverage = estimate_min_similarity(suggested, truth, 0.9)
    assert threshold == 0.8 and precision == 1.0 and coverage == 4 / 6
    assert estimate_min_similarity([Backcode(None, 0.3)], [None], 0.9)[0] == float("inf")


def test_ranked_categories_put_the_closest_first_and_genuinely_other_below_the_bar() -> None:
    categories = ["A", "B", None]
    vectors = np.stack([unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1)])
    answers = np.stack([unit(1, 0.5, 0), unit(0.3, 0.2, 0.1), unit(0, 0.2, 1)])
    sims = category_similarities(answers, vectors, categories, categories)
    ranked = ranked_categories(sims, categories, min_similarity=0.9, top=3)
    assert [b.category for b in ranked[0]] == [None, "A", "B"]  # 0.89 < 0.9: below the bar
    assert [b.category for b in ranked[2]] == [None, "B", "A"]  # closest to "other"
    loose = ranked_categories(sims, categories, min_similarity=0.5)
    assert [b.category for b in loose[0]] == ["A", "B"]
    assert loose[0][0].similarity == sims[0, 0] and loose[0][1].similarity == sims[0, 1]


def test_an_answer_is_never_its_own_example() -> None:
    answers = np.stack([unit(1, 0), unit(0.8, 0.6)])
    # Example 0 is the first answer itself, coded "A"; example 1 is the word of "B".
    sims = category_similarities(answers, np.stack([answers[0], unit(0, 1)]), ["A", "B"],
                                 ["A", "B"], example_answers=[0, -1])
    assert sims[0, 0] == -1.0  # "A" has no other example for the answer that is it
    assert abs(sims[1, 0] - 0.8) < 1e-6 and abs(sims[1, 1] - 0.6) < 1e-6


def test_codes_carry_to_the_category_they_are_named_like_or_as_a_person_says() -> None:
    codes = {"a": "peer  AUTHORITY.", "b": "Other", "c": "Other (please specify)",
             "d": "Charities", "e": "Uni", "f": "genuinely other"}
    found = carried_categories(codes, ["Peer authority", "Regional partnership"],
                               ["Other (please specify)"],
                               {"uni": GENUINELY_OTHER, "Charities": "Regional partnership"})
    assert found == {"a": "Peer authority", "b": None, "c": None, "d": "Regional partnership",
                     "e": None, "f": None}
    assert carried_categories({"x": "Schools"}, ["Peer authority"]) == {}
