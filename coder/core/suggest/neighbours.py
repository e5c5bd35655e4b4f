"""The parts of a suggestion that work from the first codings: similarity to coded answers
(k nearest neighbours, duplicates) and to the codes' own words (definitions, examples).

Pure numpy; rows of every matrix are L2-normalised embeddings, so a dot product is a cosine.
"""

from __future__ import annotations

import numpy as np

#: Rows of the similarity matrix computed at once (bounds memory on 100,000 answers).
_CHUNK = 2048


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    """Row-wise softmax of `scores / temperature`."""
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return out


def nearest(queries: np.ndarray, memory: np.ndarray, k: int,
            exclude: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The `k` most similar memory rows of each query, most similar first.

    Args:
        queries: (n, d) embeddings.
        memory: (m, d) embeddings of coded answers.
        k: Neighbours per query (at most m).
        exclude: For each query, a memory row it must not find (itself), or -1.

    Returns:
        (indices, similarities), both (n, k).
    """
    k = min(k, memory.shape[0])
    n = queries.shape[0]
    index = np.zeros((n, k), dtype=np.int64)
    sims = np.zeros((n, k), dtype=np.float32)
    for start in range(0, n, _CHUNK):
        block = queries[start:start + _CHUNK] @ memory.T
        if exclude is not None:
            rows = np.arange(block.shape[0])
            own = exclude[start:start + _CHUNK]
            mask = own >= 0
            block[rows[mask], own[mask]] = -np.inf
        if k < memory.shape[0]:
            # Partitioning the block as it is (no negated copy) is the cheaper pass.
            m = memory.shape[0]
            part = np.argpartition(block, m - k, axis=1)[:, m - k:]
        else:
            part = np.tile(np.arange(memory.shape[0]), (block.shape[0], 1))
        part_sims = np.take_along_axis(block, part, axis=1)
        order = np.argsort(-part_sims, axis=1)
        index[start:start + block.shape[0]] = np.take_along_axis(part, order, axis=1)
        sims[start:start + block.shape[0]] = np.take_along_axis(part_sims, order, axis=1)
    return index, sims


def knn_scores(index: np.ndarray, sims: np.ndarray, labels: np.ndarray,
               temperature: float) -> np.ndarray:
    """Codes of the neighbours, each weighted by softmax(similarity / temperature).

    Args:
        index, sims: from `nearest`.
        labels: (m, c) 0/1 codes of the memory rows, each row summing to 1 over its codes
            (an answer with two codes gives each half its vote).
        temperature: Lower trusts the closest neighbours more.

    Returns:
        (n, c) scores, rows summing to 1.
    """
    weights = softmax(np.where(np.isfinite(sims), sims, -1.0), temperature)
    out: np.ndarray = np.einsum("nk,nkc->nc", weights, labels[index])
    return out


def prototype_scores(queries: np.ndarray, prototypes: np.ndarray, known: np.ndarray,
                     temperature: float) -> np.ndarray:
    """Similarity to each code's own words (mean embedding of its label, definition, examples).

    Args:
        queries: (n, d) embeddings.
        prototypes: (c, d) one row per code (zeros where a code has no words).
        known: (c,) True where the code has words.
        temperature: Softmax temperature over the codes that have words.

    Returns:
        (n, c) scores, rows summing to 1 over the known codes (0 elsewhere).
    """
    sims = queries @ prototypes.T
    sims[:, ~known] = -np.inf
    return softmax(sims, temperature)
