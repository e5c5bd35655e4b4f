"""Back-coding by the closest example: a category's words and people's back-codes teach it, a
back-code marked genuinely other teaches "none", and the gate is the similarity that kept
the suggestions right as often as asked."""

from __future__ import annotations

import numpy as np

from coder.core.suggest.backcode import Backcode, estimate_min_similarity, match_categories


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
