"""Clustering steps behind theme discovery: micro-clusters, weighted Ward merge, choice of k.

Pure numpy/scikit-learn; no UI, CLI or store imports. Memory stays O(n * d + m^2) for m
micro-clusters (never an n x n matrix).
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from coder.core.progress import check_cancelled

log = logging.getLogger(__name__)


def _check(cancel: threading.Event | None) -> None:
    check_cancelled(cancel, "theme discovery")


def normalise_rows(x: np.ndarray) -> np.ndarray:
    """Return ``x`` with unit-length rows (zero rows stay zero)."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.where(norms > 0, norms, 1.0)).astype(np.float32, copy=False)


def micro_clusters(
    x: np.ndarray,
    weights: np.ndarray,
    m: int,
    random_state: int,
    cancel: threading.Event | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Over-cluster ``x`` into ``m`` weighted k-means groups.

    Returns:
        ``(assignment, centroids)`` with centroids the weighted means (not normalised).
    """
    from sklearn.cluster import KMeans, MiniBatchKMeans

    n = len(x)
    if m >= n:
        return np.arange(n), x.astype(np.float64)
    _check(cancel)
    if n > 30_000:
        km: KMeans | MiniBatchKMeans = MiniBatchKMeans(
            n_clusters=m,
            random_state=random_state,
            batch_size=4096,
            n_init=1,
            max_iter=30,
            max_no_improvement=5,
            reassignment_ratio=0.001,
        )
    else:
        km = KMeans(n_clusters=m, random_state=random_state, n_init=1, max_iter=100)
    assign = km.fit_predict(x, sample_weight=weights)
    _check(cancel)
    # Recompute exact weighted means; drop empty clusters.
    used, assign = np.unique(assign, return_inverse=True)
    cent = group_sums(assign, x, weights, len(used))
    tot = np.bincount(assign, weights=weights, minlength=len(used))
    cent /= tot[:, None]
    return assign, cent


def ward_tree(
    centroids: np.ndarray, weights: np.ndarray, cancel: threading.Event | None = None
) -> np.ndarray:
    """Weighted Ward agglomeration of cluster centroids.

    Args:
        centroids: ``(m, d)`` cluster means.
        weights: ``(m,)`` cluster sizes.

    Returns:
        ``(m - 1, 3)`` array of merges ``(a, b, cost)`` in order; after a merge the new
        cluster keeps index ``a``.
    """
    m = len(centroids)
    c = centroids.astype(np.float64)
    w = weights.astype(np.float64)
    sq = np.einsum("ij,ij->i", c, c)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * c @ c.T, 0.0)
    dist = (w[:, None] * w[None, :] / (w[:, None] + w[None, :])) * d2
    np.fill_diagonal(dist, np.inf)
    active = np.ones(m, dtype=bool)
    nn = np.argmin(dist, axis=1) if m > 1 else np.zeros(1, dtype=int)
    nnd = dist[np.arange(m), nn] if m > 1 else np.full(1, np.inf)
    merges = np.zeros((max(m - 1, 0), 3))
    for step in range(m - 1):
        if step % 64 == 0:
            _check(cancel)
        a = int(np.argmin(nnd))
        b = int(nn[a])
        cost = float(nnd[a])
        if b < a:
            a, b = b, a
        merges[step] = (a, b, cost)
        # Lance-Williams update for Ward with weights.
        wa, wb = w[a], w[b]
        tot = wa + wb + w
        new = ((wa + w) * dist[a] + (wb + w) * dist[b] - w * dist[a, b]) / tot
        new[~active] = np.inf
        new[a] = np.inf
        new[b] = np.inf
        dist[a, :] = new
        dist[:, a] = new
        dist[b, :] = np.inf
        dist[:, b] = np.inf
        w[a] = wa + wb
        active[b] = False
        nnd[b] = np.inf
        stale = active & ((nn == a) | (nn == b))
        stale[a] = True
        for i in np.flatnonzero(stale):
            j = int(np.argmin(dist[i]))
            nn[i], nnd[i] = j, dist[i, j]
        better = active & (new < nnd)
        nn[better] = a
        nnd[better] = new[better]
    return merges


def cut_tree(merges: np.ndarray, m: int, k: int) -> np.ndarray:
    """Cluster of each of the ``m`` leaves when the tree is cut into ``k`` clusters (0..k-1)."""
    parent = np.arange(m)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b, _ in merges[: max(0, m - k)]:
        parent[find(int(b))] = find(int(a))
    roots = np.array([find(i) for i in range(m)])
    _, labels = np.unique(roots, return_inverse=True)
    return labels


@dataclass(frozen=True)
class KChoice:
    """The chosen number of clusters and the score curve behind it."""

    k: int
    scores: dict[int, float]


def choose_k(
    x_sample: np.ndarray,
    leaf_of_sample: np.ndarray,
    merges: np.ndarray,
    m: int,
    k_min: int,
    k_max: int,
    cancel: threading.Event | None = None,
    score_fn: Callable[[np.ndarray, np.ndarray], float] | None = None,
) -> KChoice:
    """Pick k in ``[k_min, k_max]`` maximising the mean cosine silhouette on a sample.

    Candidates are spaced geometrically (about 40), then refined around the best.
    """
    k_min = max(2, min(k_min, m))
    k_max = max(k_min, min(k_max, m))
    if k_max == k_min:
        return KChoice(k_min, {})
    sims = x_sample @ x_sample.T
    dist = np.maximum(1.0 - sims, 0.0)
    np.fill_diagonal(dist, 0.0)

    def silhouette(k: int) -> float:
        labels = cut_tree(merges, m, k)[leaf_of_sample]
        if score_fn is not None:
            return score_fn(dist, labels)
        return _silhouette(dist, labels)

    scores: dict[int, float] = {}
    grid = sorted(
        {int(round(v)) for v in np.geomspace(k_min, k_max, num=min(40, k_max - k_min + 1))}
    )
    for k in grid:
        _check(cancel)
        scores[k] = silhouette(k)
    best = max(scores, key=lambda kk: (scores[kk], -kk))
    lo = max(k_min, best - max(2, best // 10))
    hi = min(k_max, best + max(2, best // 10))
    for k in range(lo, hi + 1):
        if k not in scores:
            scores[k] = silhouette(k)
    best = max(scores, key=lambda kk: (scores[kk], -kk))
    return KChoice(best, scores)


def _silhouette(dist: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette from a precomputed distance matrix (singletons score 0)."""
    uniq, inv = np.unique(labels, return_inverse=True)
    if len(uniq) < 2:
        return -1.0
    onehot = np.zeros((len(labels), len(uniq)))
    onehot[np.arange(len(labels)), inv] = 1.0
    counts = onehot.sum(axis=0)
    sums = dist @ onehot
    own = counts[inv]
    a = sums[np.arange(len(labels)), inv] / np.maximum(own - 1, 1)
    mean_other = sums / np.where(counts > 0, counts, 1)[None, :]
    mean_other[np.arange(len(labels)), inv] = np.inf
    b = mean_other.min(axis=1)
    s = np.where(own > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


def group_sums(labels: np.ndarray, x: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """Weighted sum of the rows of ``x`` in each of ``k`` groups (a sparse product, not
    ``np.add.at``, which is slow)."""
    import scipy.sparse as sp

    onehot = sp.csr_matrix(
        (np.asarray(weights, dtype=np.float64), (labels, np.arange(len(labels)))),
        shape=(k, len(labels)),
    )
    return np.asarray(onehot @ x.astype(np.float64, copy=False))


def spherical_refine(
    x: np.ndarray,
    weights: np.ndarray,
    centroids: np.ndarray,
    n_iter: int = 10,
    cancel: threading.Event | None = None,
    chunk: int = 20_000,
) -> tuple[np.ndarray, np.ndarray]:
    """A few spherical k-means iterations from given centres.

    Returns:
        ``(assignment, unit_centroids)``; centres that lose all members are dropped.
    """
    cent = normalise_rows(np.asarray(centroids, dtype=np.float32))
    assign = np.zeros(len(x), dtype=int)
    for _ in range(n_iter):
        _check(cancel)
        new = assign_nearest(x, cent, chunk)[0]
        used, new = np.unique(new, return_inverse=True)
        sums = group_sums(new, x, weights, len(used))
        cent = normalise_rows(sums.astype(np.float32))
        if len(new) == len(assign) and np.array_equal(new, assign):
            break
        assign = new
    return assign, cent


def assign_nearest(
    x: np.ndarray, centroids: np.ndarray, chunk: int = 20_000
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest and second-nearest centre of each row by cosine, in chunks.

    Returns:
        ``(best, best_similarity, second_similarity)``.
    """
    n = len(x)
    best = np.zeros(n, dtype=int)
    s1 = np.zeros(n, dtype=np.float32)
    s2 = np.full(n, -1.0, dtype=np.float32)
    for start in range(0, n, chunk):
        sims = x[start : start + chunk] @ centroids.T
        idx = np.argmax(sims, axis=1)
        best[start : start + chunk] = idx
        rows = np.arange(len(idx))
        s1[start : start + chunk] = sims[rows, idx]
        if sims.shape[1] > 1:
            sims[rows, idx] = -np.inf
            s2[start : start + chunk] = sims.max(axis=1)
    return best, s1, s2


def default_micro_count(n: int) -> int:
    """Number of micro-clusters for ``n`` distinct answers: well above any plausible k."""
    return int(min(n, max(20, round(4 * math.sqrt(n))), 1500))


def knn_graph(
    x: np.ndarray,
    weights: np.ndarray,
    n_neighbors: int,
    cancel: threading.Event | None = None,
    chunk: int = 8192,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Symmetric cosine k-nearest-neighbour graph as COO arrays ``(rows, cols, weights)``.

    Edge weight is the (non-negative) cosine similarity; computed in chunks so memory stays
    ``O(chunk * n)``. ``weights`` (duplicate counts) scale nothing here: duplicates were
    collapsed before, and their count enters through node weights in :func:`leiden`.
    """
    from sklearn.neighbors import NearestNeighbors

    n = len(x)
    k = min(n_neighbors, n - 1)
    rows = np.repeat(np.arange(n), k)
    cols = np.zeros(n * k, dtype=np.int64)
    vals = np.zeros(n * k, dtype=np.float32)
    # Unit rows: Euclidean order is cosine order, and scikit-learn's compiled arg-k-min is
    # several times faster than a numpy partition over each row of similarities.
    index = NearestNeighbors(n_neighbors=k + 1, algorithm="brute").fit(x)
    for start in range(0, n, chunk):
        _check(cancel)
        block = x[start : start + chunk]
        dist, idx = index.kneighbors(block)
        own = np.arange(start, start + len(block))[:, None]
        # Drop each row's own index (or, if ties pushed it out, the farthest neighbour).
        is_self = idx == own
        drop = np.where(is_self.any(axis=1), np.argmax(is_self, axis=1), k)
        keep = np.ones(idx.shape, dtype=bool)
        keep[np.arange(len(block)), drop] = False
        idx = idx[keep].reshape(len(block), k)
        sim = 1.0 - 0.5 * dist[keep].reshape(len(block), k) ** 2
        cols[start * k : (start + len(block)) * k] = idx.ravel()
        vals[start * k : (start + len(block)) * k] = sim.ravel()
    return rows, cols, np.maximum(vals, 1e-6)


def leiden(
    n: int,
    rows: np.ndarray,
    cols: np.ndarray,
    vals: np.ndarray,
    node_weights: np.ndarray,
    resolution: float,
    random_state: int,
) -> np.ndarray:
    """Leiden communities (modularity, igraph) of the graph; a community index per node.

    Leiden rather than Louvain: its communities are guaranteed connected, and on the benchmark
    sets it gave equal or better agreement with human codes at half the time of networkx'
    Louvain (BENCHMARKS.md). Duplicate answers collapsed into one node add a self-loop
    proportional to their count, so that a node standing for 50 identical answers pulls like
    50 answers. Seeded through igraph's random number generator, restored afterwards.
    """
    import random

    import igraph as ig
    import scipy.sparse as sp

    adj = sp.coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()
    upper = sp.triu(adj.maximum(adj.T), k=1).tocoo()
    edges = np.column_stack([upper.row, upper.col])
    weights = upper.data.astype(np.float64)
    extra = node_weights - 1
    loops = np.flatnonzero(extra > 0)
    if len(loops):
        edges = np.vstack([edges, np.column_stack([loops, loops])])
        weights = np.concatenate([weights, extra[loops].astype(np.float64)])
    graph = ig.Graph(n=n, edges=edges.tolist(), directed=False)
    graph.es["weight"] = weights.tolist()
    with _IGRAPH_RNG_LOCK:
        ig.set_random_number_generator(random.Random(random_state))
        try:
            partition = graph.community_leiden(
                objective_function="modularity", weights="weight", resolution=resolution,
                n_iterations=-1)
        finally:
            ig.set_random_number_generator(random)
    membership = np.asarray(partition.membership, dtype=int)
    # Number communities by their smallest member so labels do not depend on igraph's order.
    _, first = np.unique(membership, return_index=True)
    rank = np.empty(len(first), dtype=int)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[membership]


# igraph's generator is process-wide: two discoveries in parallel threads must not interleave.
_IGRAPH_RNG_LOCK = threading.Lock()


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Median of ``values`` with each counted ``weights`` times."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, cum[-1] / 2.0)])


def default_resolution(n_distinct: int) -> float:
    """Leiden resolution for ``n_distinct`` distinct answers: 2 up to 100, 5 from 1,500,
    log-linear between.

    Measured (BENCHMARKS.md): on the demo survey's questions of ~100 answers a fixed 5 gives
    2-3 times the planted number of themes, 3 gives 1.5-2 times and 2 gives 1-1.4 times with
    the best agreement, while on human-coded sets of 800-24,000 answers 4.5-5 agrees best with
    the human codes.
    """
    low_n, high_n, low, high = 100, 1500, 2.0, 5.0
    if n_distinct <= low_n:
        return low
    if n_distinct >= high_n:
        return high
    share = math.log(n_distinct / low_n) / math.log(high_n / low_n)
    return low + share * (high - low)


def default_min_theme_size(n: int) -> int:
    """Smallest theme worth reporting for ``n`` answers: 0.2% of them, at least 2."""
    return max(2, int(round(0.002 * n)))
