"""Back-coding "Other (please specify)": which of the closed question's categories an
other-specify answer belongs to, or "genuinely other".

Each category is known by its words (its label, any examples) and, once a coder has
back-coded some answers, by those answers; an answer takes the category of its most similar
example when that similarity reaches a threshold, else it is genuinely other (also when its
most similar example is an answer a coder marked genuinely other).

Why 0.6 by default: on the demo survey's 22 other-specify answers (all genuinely other:
universities, the ICB, charities, consultants) the closest category label reached at most
0.53 (MiniLM cosine), while answers naming a category in other words ("Help from our regional
partnership", "We had no external support at all", "The Department for Education sent
advisers") reached 0.72 to 0.90.

Pure numpy; no UI, CLI library or store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from coder.core.suggest.metrics import coverage_at_precision

#: Cosine to a category's closest example at or above which an answer is back-coded to it.
MIN_SIMILARITY = 0.6
#: The label of the "none of the categories" code of a back-coding codeframe.
GENUINELY_OTHER = "Genuinely other"


@dataclass(frozen=True)
class Backcode:
    """An other-specify answer's suggested category (None: genuinely other) and how similar
    it is to that category's closest example (cosine)."""

    category: str | None
    similarity: float


def match_categories(answers: np.ndarray, examples: Mapping[str | None, np.ndarray],
                     min_similarity: float = MIN_SIMILARITY) -> list[Backcode]:
    """Each answer's category by its most similar example.

    Args:
        answers: (n, d) L2-normalised embeddings of the other-specify answers.
        examples: Category -> (m, d) embeddings of its words and back-coded answers; the key
            None holds answers a coder marked genuinely other.
        min_similarity: Below this, an answer is genuinely other.
    """
    n = answers.shape[0]
    best = np.full(n, -1.0)
    chosen: list[str | None] = [None] * n
    for category, rows in examples.items():
        rows = np.atleast_2d(np.asarray(rows, dtype=np.float32))
        if rows.size == 0 or n == 0:
            continue
        sims = (answers @ rows.T).max(axis=1)
        better = np.flatnonzero(sims > best)
        best[better] = sims[better]
        for i in better.tolist():
            chosen[i] = category
    return [Backcode(c if s >= min_similarity else None, float(max(s, 0.0)))
            for c, s in zip(chosen, best.tolist(), strict=True)]


def estimate_min_similarity(suggested: Sequence[Backcode], truth: Sequence[str | None],
                            min_precision: float) -> tuple[float, float, float]:
    """The similarity above which suggested categories were right `min_precision` of the
    time on answers coders back-coded (suggested without those answers as examples).

    Returns:
        (threshold, precision, coverage) over the answers suggested a category; threshold is
        infinity when no similarity keeps `min_precision`.
    """
    pairs = [(s.similarity, s.category == t) for s, t in zip(suggested, truth, strict=True)
             if s.category is not None]
    if not pairs:
        return float("inf"), 0.0, 0.0
    coverage, threshold = coverage_at_precision([p[0] for p in pairs], [p[1] for p in pairs],
                                                min_precision)
    kept = [ok for s, ok in pairs if s >= threshold]
    return threshold, (float(np.mean(kept)) if kept else 0.0), coverage
