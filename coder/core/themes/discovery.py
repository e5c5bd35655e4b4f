"""Theme discovery: a scikit-learn style estimator over answer embeddings.

Pure logic (numpy, scikit-learn, igraph, spaCy on first use); must not import the UI, the
CLI library or the store.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from coder.core.progress import NO_PROGRESS, Progress, check_cancelled
from coder.core.quotes import select_representative
from coder.core.themes import cluster as tc
from coder.core.themes.cluster import default_min_theme_size, default_resolution
from coder.core.themes.keywords import class_keywords, make_label
from coder.core.themes.labels import (
    LabelScorer,
    capitalise,
    describe_theme,
    fallback_label,
    label_themes,
)
from coder.core.themes.parts import (
    Clusterer,
    GraphClusterer,
    SmallQuestionClusterer,
    run_clusterer,
    split_theme,
)

log = logging.getLogger(__name__)


OTHER = -1


@dataclass(frozen=True)
class Theme:
    """One discovered theme (or sub-theme, when ``parent_id`` is set).

    Attributes:
        id: 0-based, themes ordered by size (largest first); sub-themes follow.
        label: a short noun phrase from the theme's answers (see :mod:`.labels`).
        keywords: ranked keywords (lemmas and two-word phrases, surface form).
        size: number of answers in the theme.
        share: ``size`` over the substantive answers given to ``fit``.
        quote_indices: 3-5 representative answers (indices into the fitted texts).
        parent_id: the theme this sub-theme belongs to, else ``None``.
        description: one line in the theme's own words (its most central answer).
    """

    id: int
    label: str
    keywords: tuple[str, ...]
    size: int
    share: float
    quote_indices: tuple[int, ...]
    parent_id: int | None = None
    description: str = ""


#: Embeds short phrases with the answers' model: ``phrases -> (len(phrases), d)`` array.
PhraseEmbedding = Callable[[Sequence[str]], np.ndarray]
#: Picks quotes: ``(embeddings, texts, k, centroid=...) -> indices``, best first.
QuotePicker = Callable[..., list[int]]


class ThemeDiscovery:
    """Find themes in answer embeddings without being told how many there are.

    Method: identical answers are collapsed; a cosine k-nearest-neighbour graph is split into
    communities (Leiden, modularity, seeded), which a few spherical k-means steps then refine. With
    ``n_themes`` set, a weighted Ward tree over k-means micro-clusters is cut at that number
    instead. Themes smaller than ``min_theme_size`` are dissolved; answers far from their
    theme's centre (a robust z-score within the theme) go to the "other" bucket, at most
    ``max_other_share`` of answers, each keeping its nearest theme in ``nearest_theme_``.

    Args:
        min_theme_size: smallest theme; default :func:`default_min_theme_size`.
        n_themes: force this many themes (at most the number of distinct answers).
        max_other_share: cap on the share of answers put in "other".
        subthemes: also split large themes into 2-6 sub-themes where they separate well.
        random_state: seed for everything stochastic.
        n_neighbors: neighbours per answer in the graph.
        resolution: modularity resolution of the Leiden step; higher gives more, smaller
            themes. Default (None): :func:`default_resolution` of the number of distinct
            answers, lower for small surveys so that 100 answers do not make 20 themes.
        other_z: robust z-score (similarity to the theme centre) below which an answer is
            a candidate for "other".
        max_graph_size: larger inputs build the graph on a seeded sample of this many
            distinct answers; the rest join through the k-means refinement.
        n_quotes: quotes per theme (3-5 in reports).
        n_keywords: keywords per theme.
        phrase_embedding: optional function embedding short phrases with the same model as
            the answers; when given, a theme's label is the keyword phrase closest in meaning
            to the theme's centre (as KeyBERT does) rather than the top TF-IDF keyword.
        clusterer: your own clusterer (anything with scikit-learn's ``fit_predict``; see
            :mod:`coder.core.themes.parts`) in place of the default graph step; ``-1`` from
            it means "other". Small themes are still dissolved and outliers still go to
            "other".
        label_scorer: weights of the label phrases' score (:class:`.labels.LabelScorer`).
        quote_picker: picks a theme's quotes, as
            :func:`coder.core.quotes.select_representative` (the default) does.
        small_question_limit: below this many distinct answers the themes come from
            :class:`~coder.core.themes.parts.SmallQuestionClusterer` instead of the graph.

    Attributes:
        labels_: theme id per answer, ``-1`` = other.
        confidence_: in [0, 1], how clearly each answer belongs to its (nearest) theme.
        nearest_theme_: nearest theme of every answer (its own theme, or the suggestion
            for answers in "other").
        themes_: list of :class:`Theme` (top-level first, then sub-themes).
        subtheme_labels_: sub-theme id per answer, ``-1`` where none.
        centroids_: unit-length centre of each top-level theme.
        n_other_: answers in "other".
    """

    def __init__(
        self,
        min_theme_size: int | None = None,
        n_themes: int | None = None,
        max_other_share: float = 0.10,
        subthemes: bool = False,
        random_state: int = 0,
        n_neighbors: int = 12,
        resolution: float | None = None,
        other_z: float = 3.0,
        max_graph_size: int = 20_000,
        n_quotes: int = 5,
        n_keywords: int = 8,
        phrase_embedding: PhraseEmbedding | None = None,
        clusterer: Clusterer | None = None,
        small_question_limit: int = 80,
        label_scorer: LabelScorer | None = None,
        quote_picker: QuotePicker | None = None,
    ) -> None:
        self.min_theme_size = min_theme_size
        self.n_themes = n_themes
        self.max_other_share = max_other_share
        self.subthemes = subthemes
        self.random_state = random_state
        self.n_neighbors = n_neighbors
        self.resolution = resolution
        self.other_z = other_z
        self.max_graph_size = max_graph_size
        self.n_quotes = n_quotes
        self.n_keywords = n_keywords
        self.phrase_embedding = phrase_embedding
        self.clusterer = clusterer
        self.small_question_limit = small_question_limit
        self.label_scorer = label_scorer
        self.quote_picker = quote_picker

    # -- fitting -------------------------------------------------------------------------

    def fit(
        self,
        embeddings: np.ndarray,
        texts: Sequence[str] | None = None,
        *,
        progress: Progress = NO_PROGRESS,
    ) -> ThemeDiscovery:
        """Discover themes.

        Args:
            embeddings: ``(n, d)`` answer embeddings (normalised here if they are not).
            texts: the answers, for keywords, labels and quotes; without them themes get
                numbered labels and no keywords.
            progress: told ``(step, total_steps)``; cancelling it raises
                :class:`~coder.core.errors.Cancelled`.

        Returns:
            self
        """
        x = tc.normalise_rows(np.asarray(embeddings, dtype=np.float32))
        n = len(x)
        if texts is not None and len(texts) != n:
            raise ValueError(f"{len(texts)} texts for {n} embeddings")
        steps = 5

        cancel = progress.cancel

        def step(done: int) -> None:
            progress.step(done, steps)

        step(0)
        self.n_answers_ = n
        if n == 0:
            self._set_empty(x)
            step(steps)
            return self
        min_size = self.min_theme_size or default_min_theme_size(n)
        unique, first, inverse = np.unique(x, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
        # np.unique sorts rows; keep input order of first occurrence for stable ties.
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        u = unique[order]
        inv = rank[inverse]
        w = np.bincount(inv).astype(np.float64)
        step(1)

        u_labels, refine = self._cluster(u, w, min_size, cancel)
        left_out = u_labels < 0
        if left_out.all():  # a clusterer that grouped nothing: one theme
            u_labels, left_out = np.zeros(len(u), dtype=int), np.zeros(len(u), dtype=bool)
        step(2)
        kept = np.flatnonzero(~left_out)
        if refine:
            # the graph's communities are refined: small ones dissolved, members reassigned
            _, centroids = self._dissolve_small(u[kept], w[kept], u_labels[kept], min_size,
                                                cancel)
            best, s1, s2 = tc.assign_nearest(u, centroids)
            labels_u = best.copy()
            other_u = self._other_mask(u_labels=best, w=w, s1=s1, n=n) | left_out
        else:
            # the small-question step and a user's clusterer are taken as they are; only
            # groups below the smallest theme size go to "other"
            _, compact = np.unique(u_labels[kept], return_inverse=True)
            labels_u = np.full(len(u), OTHER)
            labels_u[kept] = compact.ravel()
            sizes = np.bincount(labels_u[kept], weights=w[kept])
            big = np.flatnonzero(sizes >= min(min_size, sizes.max()))
            remap_big = np.full(len(sizes), OTHER)
            remap_big[big] = np.arange(len(big))
            labels_u[kept] = remap_big[labels_u[kept]]
            kept = np.flatnonzero(labels_u >= 0)
            centroids = tc.normalise_rows(
                tc.group_sums(labels_u[kept], u[kept], w[kept], len(big)).astype(np.float32))
            best, s1, s2 = tc.assign_nearest(u, centroids)
            other_u = labels_u < 0
        labels_u[other_u] = OTHER
        # Order themes by size, largest first; ties by first answer.
        sizes = np.bincount(
            labels_u[labels_u >= 0], weights=w[labels_u >= 0], minlength=len(centroids)
        )
        theme_order = sorted(range(len(centroids)), key=lambda t: (-sizes[t], t))
        theme_order = [t for t in theme_order if sizes[t] > 0]
        remap = np.full(len(centroids), OTHER)
        remap[theme_order] = np.arange(len(theme_order))
        centroids = centroids[theme_order]
        nearest_u = remap[best]
        if np.any(nearest_u < 0):  # nearest theme emptied entirely by "other"
            nearest_u, s1, s2 = tc.assign_nearest(u, centroids)
        labels_u = np.where(labels_u >= 0, remap[np.maximum(labels_u, 0)], OTHER)

        self.labels_ = labels_u[inv]
        self.nearest_theme_ = nearest_u[inv]
        margin = (s1 - s2)[inv] if len(centroids) > 1 else np.ones(n)
        self.confidence_ = (1.0 / (1.0 + np.exp(-margin / 0.03))).astype(np.float32)
        if len(centroids) == 1:
            self.confidence_ = np.clip(s1[inv], 0.0, 1.0).astype(np.float32)
        self.centroids_ = centroids
        self.n_other_ = int(np.sum(self.labels_ == OTHER))
        step(4)
        self.themes_, self.subtheme_labels_ = self._describe(x, texts, min_size, cancel)
        step(5)
        return self

    def fit_predict(self, embeddings: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        """Fit and return ``labels_``."""
        return self.fit(embeddings, texts).labels_

    # -- steps ---------------------------------------------------------------------------

    def _set_empty(self, x: np.ndarray) -> None:
        self.labels_ = np.zeros(0, dtype=int)
        self.nearest_theme_ = np.zeros(0, dtype=int)
        self.confidence_ = np.zeros(0, dtype=np.float32)
        self.themes_ = []
        self.subtheme_labels_ = np.zeros(0, dtype=int)
        self.centroids_ = np.zeros((0, x.shape[1] if x.ndim == 2 else 0), dtype=np.float32)
        self.n_other_ = 0

    def _cluster(
        self, u: np.ndarray, w: np.ndarray, min_size: int, cancel: threading.Event | None
    ) -> tuple[np.ndarray, bool]:
        """Initial theme of each distinct answer (``-1``: the clusterer left it out), and
        whether the themes are to be refined (dissolved when small, members reassigned)."""
        m = len(u)
        if self.clusterer is not None:
            return run_clusterer(self.clusterer, u, w), False
        if m == 1:
            return np.zeros(1, dtype=int), True
        if self.n_themes is not None:
            return self._cluster_fixed_k(u, w, max(1, min(self.n_themes, m)), cancel), True
        if m < self.small_question_limit:
            return SmallQuestionClusterer().fit_predict(u, sample_weight=w), False
        graph = GraphClusterer(
            n_neighbors=self.n_neighbors,
            resolution=self.resolution or default_resolution(m),
            max_graph_size=self.max_graph_size,
            random_state=self.random_state,
            cancel=cancel,
        )
        return graph.fit_predict(u, sample_weight=w), True

    def _cluster_fixed_k(
        self, u: np.ndarray, w: np.ndarray, k: int, cancel: threading.Event | None
    ) -> np.ndarray:
        if k == 1:
            return np.zeros(len(u), dtype=int)
        m = min(len(u), max(tc.default_micro_count(len(u)), 3 * k))
        assign, cent = tc.micro_clusters(u, w, m, self.random_state, cancel)
        cw = np.bincount(assign, weights=w)
        merges = tc.ward_tree(cent, cw, cancel)
        leaf = tc.cut_tree(merges, len(cent), k)
        theme_cent = tc.group_sums(leaf, cent, cw, k)
        labels, _ = tc.spherical_refine(u, w, theme_cent, cancel=cancel)
        return labels

    def _dissolve_small(
        self,
        u: np.ndarray,
        w: np.ndarray,
        labels: np.ndarray,
        min_size: int,
        cancel: threading.Event | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Drop themes below ``min_size`` answers, reassigning members to the nearest theme."""
        _, labels = np.unique(labels, return_inverse=True)
        while True:
            check_cancelled(cancel, "theme discovery")
            k = labels.max() + 1
            sizes = np.bincount(labels, weights=w, minlength=k)
            cent = tc.normalise_rows(tc.group_sums(labels, u, w, k).astype(np.float32))
            small = np.flatnonzero(sizes < min_size)
            if k == 1 or len(small) == 0:
                return labels, cent
            # Dissolve all the small ones at once (the largest stays if all are small).
            keep = np.flatnonzero(sizes >= min_size)
            if len(keep) == 0:
                keep = np.array([int(np.argmax(sizes))])
            best, _, _ = tc.assign_nearest(u, cent[keep])
            labels = best

    def _other_mask(
        self, u_labels: np.ndarray, w: np.ndarray, s1: np.ndarray, n: int
    ) -> np.ndarray:
        """Distinct answers that fit no theme: low robust z-score, capped by answer count."""
        z = np.zeros(len(u_labels))
        for t in np.unique(u_labels):
            members = u_labels == t
            med = tc.weighted_median(s1[members], w[members])
            mad = tc.weighted_median(np.abs(s1[members] - med), w[members]) * 1.4826
            z[members] = (s1[members] - med) / max(mad, 0.02)
        cand = np.flatnonzero(z < -self.other_z)
        cand = cand[np.argsort(z[cand], kind="stable")]
        budget = math.floor(self.max_other_share * n)
        taken = np.cumsum(w[cand]) <= budget
        mask = np.zeros(len(u_labels), dtype=bool)
        mask[cand[taken]] = True
        return mask

    def _describe(
        self,
        x: np.ndarray,
        texts: Sequence[str] | None,
        min_size: int,
        cancel: threading.Event | None,
    ) -> tuple[list[Theme], np.ndarray]:
        """Build the :class:`Theme` records (labels, keywords, quotes, sub-themes)."""
        n = len(x)
        k = len(self.centroids_)
        groups: list[int | None] = [int(t) if t >= 0 else None for t in self.labels_]
        sub_labels = np.full(n, OTHER)
        specs: list[tuple[int | None, np.ndarray, np.ndarray]] = []  # parent, members, centre
        for t in range(k):
            specs.append((None, np.flatnonzero(self.labels_ == t), self.centroids_[t]))
        if self.subthemes:
            next_id = k
            for t in range(k):
                members = np.flatnonzero(self.labels_ == t)
                parts = split_theme(x, members, min_size, self.random_state, cancel)
                for sub_members, centre in parts:
                    specs.append((t, sub_members, centre))
                    sub_labels[sub_members] = next_id
                    next_id += 1
        kw: dict[Hashable, list[tuple[str, str, float]]] = {}
        if texts is not None:
            all_groups: list[Hashable] = list(groups)
            kw = class_keywords(texts, all_groups, self.n_keywords)
            for theme_id in range(k, len(specs)):
                parent, members, _ = specs[theme_id]
                assert parent is not None
                parent_members = specs[parent][1]
                in_sub = np.isin(parent_members, members)
                sub_kw = class_keywords(
                    [texts[i] for i in parent_members],
                    [theme_id if inside else -2 for inside in in_sub],
                    self.n_keywords,
                )
                kw[theme_id] = sub_kw.get(theme_id, [])
        base = max(1, n)
        themes: list[Theme] = []
        central = [members[np.argsort(-(x[members] @ centre), kind="stable")]
                   for _, members, centre in specs]
        phrases: list[str] = []
        if texts is not None and k:
            check_cancelled(cancel, "theme discovery")
            phrases = label_themes([[texts[int(i)] for i in central[t]] for t in range(k)],
                                   self.centroids_, self.phrase_embedding, self.label_scorer)
        sub_specs = {t: specs[t] for t in range(k, len(specs))}
        closest = self._closest_phrases(kw, [centre for _, _, centre in specs], cancel,
                                        only=sub_specs)
        for theme_id, (parent, members, centre) in enumerate(specs):
            words = kw.get(theme_id, [])
            if theme_id < len(phrases) and phrases[theme_id]:
                label = phrases[theme_id]
            elif theme_id in closest:  # ranked by meaning: the best phrase, or two words
                label = make_label(closest[theme_id], max_words=2)
                # two words that also occur together read better in their own order
                label = next((surface for term, surface, _ in closest[theme_id]
                              if " " in term and sorted(surface.split()) == sorted(label.split())),
                             label)
            else:
                label = make_label(words) if words else ""
            from_phrase = theme_id < len(phrases) and bool(phrases[theme_id])
            if not from_phrase and texts is not None and len(label.split()) < 2:
                label = fallback_label(label, [texts[int(i)] for i in members])
            label = capitalise(label) if label else f"Theme {theme_id + 1}"
            quotes: list[int] = []
            description = ""
            if texts is not None and len(members):
                description = describe_theme([texts[int(i)] for i in central[theme_id][:20]])
                # quotes from the clear members: nearer their own theme than any other
                clear = members[self.confidence_[members] >= 0.5]
                pool = clear if len(clear) >= min(self.n_quotes, len(members)) else members
                local = (self.quote_picker or select_representative)(
                    x[pool], [texts[int(i)] for i in pool], self.n_quotes, centroid=centre
                )
                quotes = [int(pool[i]) for i in local]
            themes.append(
                Theme(
                    id=theme_id,
                    label=label,
                    keywords=tuple(s for _, s, _ in words),
                    size=len(members),
                    share=len(members) / base,
                    quote_indices=tuple(quotes),
                    parent_id=parent,
                    description=description,
                )
            )
        return themes, sub_labels

    def _closest_phrases(
        self,
        keywords: Mapping[Hashable, list[tuple[str, str, float]]],
        centres: Sequence[np.ndarray],
        cancel: threading.Event | None,
        only: Mapping[int, object] | None = None,
    ) -> dict[Hashable, list[tuple[str, str, float]]]:
        """Each theme's keywords re-ranked by the cosine of their embedding to the theme centre
        (sub-themes' labels; ``only`` restricts it to these themes).

        Empty without ``phrase_embedding``. Two-word phrases get a small bonus (0.05): they
        read better as labels than a single word of about the same meaning.
        """
        if only is not None:
            keywords = {t: words for t, words in keywords.items() if t in only}
        if self.phrase_embedding is None or not keywords:
            return {}
        phrases = sorted({surface for words in keywords.values() for _, surface, _ in words})
        if not phrases:
            return {}
        check_cancelled(cancel, "theme discovery")
        vectors = tc.normalise_rows(np.asarray(self.phrase_embedding(phrases), dtype=np.float32))
        row = {phrase: i for i, phrase in enumerate(phrases)}
        ranked: dict[Hashable, list[tuple[str, str, float]]] = {}
        for theme_id, words in keywords.items():
            assert isinstance(theme_id, int)  # keywords are keyed by theme number
            centre = np.asarray(centres[theme_id], dtype=np.float32)
            norm = float(np.linalg.norm(centre))
            if not words or norm == 0:
                continue
            scores = [float(vectors[row[surface]] @ centre) / norm + 0.05 * (" " in term)
                      for term, surface, _ in words]
            order = sorted(range(len(words)), key=lambda i: (-scores[i], i))
            ranked[theme_id] = [(words[i][0], words[i][1], scores[i]) for i in order]
        return ranked
