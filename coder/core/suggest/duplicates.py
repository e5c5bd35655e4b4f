"""Near-duplicate groups: answers with the same normalised text, or whose embeddings are at
cosine `threshold` or above (linked transitively), coded once as a group.

Why 0.95 by default: on the NHS FFT answers coded by NHS staff, pairs of different texts at
cosine 0.95-0.98 had the same code set 77% of the time and shared a code 85% of the time;
exact duplicates (the same normalised text) had the same code set only 74% of the time. So
pairs above 0.95 are as safe to code together as exact repeats.

Pure numpy; no UI, CLI library or store.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from coder.core.suggest.neighbours import nearest

#: Default cosine at or above which two answers count as near duplicates.
NEAR_DUPLICATE_COSINE = 0.95


def duplicate_groups(keys: Sequence[str], vectors: np.ndarray,
                     threshold: float = NEAR_DUPLICATE_COSINE,
                     neighbours: int = 20) -> list[list[int]]:
    """Groups of two or more answers, largest first; members in input order.

    Args:
        keys: Each answer's duplicate key (e.g. `normalise.match_key`; "" never matches).
        vectors: (n, d) L2-normalised embeddings, in the same order.
        threshold: Cosine at or above which two answers are linked.
        neighbours: Nearest answers examined per answer.
    """
    n = len(keys)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key:
            union(first.setdefault(key, i), i)
    if n > 1:
        index, sims = nearest(vectors, vectors, min(neighbours + 1, n))
        rows, cols = np.nonzero(sims >= threshold)
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
            other = int(index[row, col])
            if other != row:
                union(row, other)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    found = [g for g in groups.values() if len(g) > 1]
    return sorted(found, key=lambda g: (-len(g), g[0]))
