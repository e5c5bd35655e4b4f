"""Swappable parts of theme discovery: clusterers (graph, small question, a user's own).

A clusterer is anything with scikit-learn's ``fit_predict(X)`` (``sample_weight`` is passed when
its ``fit_predict`` accepts it) returning a group per row, ``-1`` for "no group". The rows it
sees are the distinct answers (unit length); ``sample_weight`` counts their duplicates.

Pure numpy/scipy/igraph; no UI, CLI or store imports.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any, Protocol

import numpy as np

from coder.core.themes import cluster as tc


class Clusterer(Protocol):
    """What a clusterer must offer (scikit-learn's clusterers do)."""

    def fit_predict(self, X: Any, *args: Any, **kwargs: Any) -> Any: ...  # noqa: N803


def run_clusterer(clusterer: Clusterer, x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Labels from any clusterer, ``sample_weight`` passed only if it takes it.

    Raises:
        ValueError: the clusterer returned the wrong number of labels.
    """
    try:
        takes_weight = "sample_weight" in inspect.signature(clusterer.fit_predict).parameters
    except (TypeError, ValueError):
        takes_weight = False
    if takes_weight:
        labels = clusterer.fit_predict(x, sample_weight=weights)
    else:
        labels = clusterer.fit_predict(x)
    labels = np.asarray(labels).astype(int).ravel()
    if len(labels) != len(x):
        raise ValueError(f"the clusterer gave {len(labels)} labels for {len(x)} answers")
    return labels


class SmallQuestionClusterer:
    """Themes of a question with few distinct answers (fewer than about 80).

    Ward clustering of the unit-length answers, cut at the number of groups (2 up to
    ``max_themes``, at most one per ``answers_per_theme`` answers) with the best mean silhouette
    (cosine); groups of a single answer are "other" (-1). The answers are one theme when every
    two of them have a cosine of at least ``one_theme_similarity`` (paraphrases of one point:
    "Nothing", "Nothing at all", "No, nothing" are about 0.5 apart; samples of 2-6 human codes
    had pairs at least 0.72 apart) or when no cut has a positive silhouette.
    Measured on 144 samples of 8-50 answers from human-coded sets (benchmarks/themes_small.py):
    mean NMI above k-means told the true number of codes; the graph step on such inputs
    often put every answer in one theme. Complete linkage with up to one theme per two answers
    split the demo survey's 19 "other, please specify" answers into more themes than planted.

    Args:
        max_themes: most themes considered.
        one_theme_similarity: least cosine between any two answers of one theme.
        min_silhouette: best silhouette at or below which the answers are one theme.
        linkage: scipy's linkage method ("ward", "complete", "average", ...).
        answers_per_theme: the cut has at most one theme per this many answers.
    """

    def __init__(self, max_themes: int = 12, one_theme_similarity: float = 0.35,
                 min_silhouette: float = 0.0, linkage: str = "ward",
                 answers_per_theme: int = 3) -> None:
        self.max_themes = max_themes
        self.one_theme_similarity = one_theme_similarity
        self.min_silhouette = min_silhouette
        self.linkage = linkage
        self.answers_per_theme = answers_per_theme

    def fit_predict(self, X: np.ndarray, sample_weight: np.ndarray | None = None) -> np.ndarray:  # noqa: N803
        """Group of each row (``-1`` = other)."""
        from scipy.cluster.hierarchy import fcluster, linkage
        from scipy.spatial.distance import squareform

        x = tc.normalise_rows(np.asarray(X, dtype=np.float32))
        m = len(x)
        w = np.ones(m) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if m < 4:
            return np.zeros(m, dtype=int)
        dist = np.maximum(1.0 - (x @ x.T).astype(np.float64), 0.0)
        np.fill_diagonal(dist, 0.0)
        dist = (dist + dist.T) / 2
        if dist.max() <= 1.0 - self.one_theme_similarity:
            return np.zeros(m, dtype=int)
        # Ward's criterion needs Euclidean distances: |a - b| = sqrt(2 * cosine distance)
        # for unit vectors
        tree_dist = np.sqrt(2.0 * dist) if self.linkage == "ward" else dist
        tree = linkage(squareform(tree_dist, checks=False), method=self.linkage)
        best: tuple[float, np.ndarray] | None = None
        most = -(-m // self.answers_per_theme)  # rounded up: 8 answers may hold 3 themes
        for k in range(2, min(self.max_themes, most, m - 1) + 1):
            labels = fcluster(tree, k, criterion="maxclust") - 1
            score = tc._silhouette(dist, labels)
            if best is None or score > best[0]:
                best = (score, labels)
        if best is None or best[0] <= self.min_silhouette:
            return np.zeros(m, dtype=int)
        labels = best[1].astype(int)
        sizes = np.bincount(labels, weights=w)
        labels[sizes[labels] < 2] = -1
        return labels


class GraphClusterer:
    """The default for larger questions: cosine kNN graph, Leiden communities, spherical k-means.

    Args:
        n_neighbors: neighbours per answer in the graph.
        resolution: Leiden's modularity resolution (higher: more, smaller themes).
        max_graph_size: larger inputs build the graph on a seeded sample of this many rows.
        random_state: seed.
        cancel: set it to stop.
    """

    def __init__(self, n_neighbors: int = 12, resolution: float = 5.0,
                 max_graph_size: int = 20_000, random_state: int = 0,
                 cancel: threading.Event | None = None) -> None:
        self.n_neighbors = n_neighbors
        self.resolution = resolution
        self.max_graph_size = max_graph_size
        self.random_state = random_state
        self.cancel = cancel

    def fit_predict(self, X: np.ndarray, sample_weight: np.ndarray | None = None) -> np.ndarray:  # noqa: N803
        """Theme of each row."""
        u = np.asarray(X, dtype=np.float32)
        m = len(u)
        w = np.ones(m) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if m == 1:
            return np.zeros(1, dtype=int)
        if m > self.max_graph_size:
            rng = np.random.default_rng(self.random_state)
            sample = np.sort(rng.choice(m, size=self.max_graph_size, replace=False))
        else:
            sample = np.arange(m)
        xs = u[sample]
        rows, cols, vals = tc.knn_graph(xs, w[sample], self.n_neighbors, self.cancel)
        comm = tc.leiden(len(xs), rows, cols, vals, w[sample], self.resolution,
                         self.random_state)
        cent = tc.group_sums(comm, xs, w[sample], int(comm.max()) + 1)
        labels, _ = tc.spherical_refine(u, w, cent, cancel=self.cancel)
        return labels


def split_theme(
    x: np.ndarray, members: np.ndarray, min_size: int, random_state: int,
    cancel: threading.Event | None = None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Sub-themes of a large theme (2-6), kept only if they separate (silhouette > 0.05)."""
    sub_min = max(min_size, 10)
    if len(members) < 4 * sub_min:
        return []
    xm = x[members]
    w = np.ones(len(members))
    m = min(len(members), max(20, tc.default_micro_count(len(members))))
    assign, cent = tc.micro_clusters(xm, w, m, random_state, cancel)
    cw = np.bincount(assign, weights=w)
    merges = tc.ward_tree(cent, cw, cancel)
    rng = np.random.default_rng(random_state)
    sample = rng.choice(len(xm), size=min(1000, len(xm)), replace=False)
    choice = tc.choose_k(xm[sample], assign[sample], merges, len(cent), 2, 6, cancel)
    if not choice.scores or choice.scores.get(choice.k, -1.0) <= 0.05:
        return []
    leaf = tc.cut_tree(merges, len(cent), choice.k)
    sub = leaf[assign]
    out = []
    for s in range(choice.k):
        idx = np.flatnonzero(sub == s)
        if len(idx) < sub_min:
            return []
        centre = tc.normalise_rows(xm[idx].mean(axis=0, keepdims=True))[0]
        out.append((members[idx], centre))
    return out
