"""Which answer to code next so that the suggester learns most: active learning by uncertainty
(the suggester is unsure of the answer's first code) times representativeness of what is not
covered yet (the answer sits in a dense part of the question's answers, far from any coded one).

Pure numpy; rows of every matrix are L2-normalised embeddings. No UI, CLI library or store.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from coder.core.suggest.neighbours import nearest

#: Answers compared with each answer to measure how typical it is (a sample on big questions).
DENSITY_REFERENCE = 2000
#: Neighbours averaged for the density.
DENSITY_NEIGHBOURS = 10


def density(X: np.ndarray, neighbours: int = DENSITY_NEIGHBOURS,
            reference: int = DENSITY_REFERENCE, random_state: int | None = 0) -> np.ndarray:
    """How typical each answer is: its mean cosine to its nearest other answers, in [0, 1].

    Args:
        X: (n, d) embeddings.
        neighbours: Nearest answers averaged.
        reference: At most this many answers (a seeded sample) are the ones compared with, so
            100,000 answers cost 100,000 x `reference` dot products.
        random_state: Seeds the sample.
    """
    n = X.shape[0]
    if n < 2:
        return np.ones(n)
    rows = np.arange(n)
    if n > reference:
        rows = np.sort(np.random.default_rng(random_state).choice(n, reference, replace=False))
    own = np.full(n, -1, dtype=np.int64)
    own[rows] = np.arange(rows.size)  # an answer in the sample must not find itself
    _, sims = nearest(X, X[rows], min(neighbours, rows.size - 1), exclude=own)
    out: np.ndarray = np.clip(sims.mean(axis=1), 0.0, 1.0)
    return out


def useful_order(X: np.ndarray, candidates: Sequence[int], first_confidence: np.ndarray,
                 covered: Sequence[int], typical: np.ndarray, diverse: int = 50) -> list[int]:
    """The candidate rows, most useful to code next first.

    Usefulness = (1 - confidence of the first suggestion) x density x distance to the closest
    covered answer (1 - cosine). The first `diverse` picks are greedy: each picked answer
    counts as covered for the next, so one batch does not spend itself on near duplicates.

    Args:
        X: (n, d) embeddings of every answer.
        candidates: Rows that may be ordered (e.g. answers the coder has not coded).
        first_confidence: (n,) the suggester's confidence in each answer's first code (0 when
            it has nothing to suggest).
        covered: Rows already coded (what the suggester has learned from).
        typical: (n,) from `density`.
        diverse: Picks made greedily; the rest follow by score.
    """
    cand = np.asarray(candidates, dtype=np.int64)
    if cand.size == 0:
        return []
    uncertainty = 1.0 - np.clip(np.asarray(first_confidence, dtype=float)[cand], 0.0, 1.0)
    base = (uncertainty + 1e-3) * (np.asarray(typical, dtype=float)[cand] + 1e-3)
    Xc = X[cand]
    gap = np.ones(cand.size)
    covered_rows = np.asarray(covered, dtype=np.int64)
    if covered_rows.size:
        _, sims = nearest(Xc, X[covered_rows], 1)
        gap = np.clip(1.0 - sims[:, 0].astype(float), 0.0, 1.0)
    score = base * (gap + 1e-3)
    picked: list[int] = []
    taken = np.zeros(cand.size, dtype=bool)
    for _ in range(min(diverse, cand.size)):
        best = int(np.argmax(np.where(taken, -np.inf, score)))
        picked.append(best)
        taken[best] = True
        gap = np.minimum(gap, np.clip(1.0 - Xc @ Xc[best], 0.0, 1.0))
        score = base * (gap + 1e-3)
    rest = np.flatnonzero(~taken)
    rest = rest[np.argsort(-score[rest], kind="stable")]
    return [int(cand[i]) for i in [*picked, *rest.tolist()]]
