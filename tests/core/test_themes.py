"""ThemeDiscovery: recovery of known groups, determinism, edge cases, quotes, labels."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from coder.core.embedding import HashingEmbedder
from coder.core.errors import Cancelled
from coder.core.progress import Progress
from coder.core.themes.discovery import OTHER, Theme, ThemeDiscovery
from coder.core.themes.keywords import stop_words

TOPICS = {
    "cost": [
        "the financial cost of placements is too high",
        "fees are too expensive for our budget",
        "independent school fees cost too much money",
        "the cost of fees is unaffordable",
        "placement costs and fees are expensive",
        "budget pressures make the fees unaffordable",
    ],
    "selection": [
        "selection criteria exclude our children",
        "schools use strict selection criteria",
        "entry selection criteria are a barrier",
        "admission selection tests rule children out",
        "selection criteria at admission are strict",
        "children fail the admission selection criteria",
    ],
    "needs": [
        "schools are ill equipped for the needs of looked after children",
        "staff do not understand trauma and attachment needs",
        "schools cannot meet emotional and behavioural needs",
        "needs of looked after children are not understood by staff",
        "schools lack training in trauma needs",
        "behavioural needs are not supported by staff",
    ],
}


def topic_answers(repeat: int = 3) -> tuple[list[str], list[str]]:
    texts, topics = [], []
    for r in range(repeat):
        for topic, answers in TOPICS.items():
            for a in answers:
                texts.append(a if r == 0 else f"{a} ({'again' if r == 1 else 'as said'})")
                topics.append(topic)
    return texts, topics


def blobs(
    n_per: int, k: int, dim: int = 48, spread: float = 0.35, seed: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Known groups on the unit sphere: the truth the estimator must recover."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim))
    truth = np.repeat(np.arange(k), n_per)
    x = centres[truth] / np.sqrt(dim) * 3 + rng.normal(scale=spread, size=(len(truth), dim)) / 1.5
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32), truth


def test_recovers_known_groups_without_being_told_how_many() -> None:
    x, truth = blobs(60, 8)
    model = ThemeDiscovery(random_state=0).fit(x)
    top = [t for t in model.themes_ if t.parent_id is None]
    assert len(top) == 8
    inliers = model.labels_ >= 0
    assert adjusted_rand_score(truth[inliers], model.labels_[inliers]) > 0.95
    assert model.n_other_ <= 0.10 * len(x)


def test_n_themes_is_respected() -> None:
    x, truth = blobs(40, 6)
    model = ThemeDiscovery(n_themes=3, random_state=0).fit(x)
    assert len(model.themes_) == 3
    model6 = ThemeDiscovery(n_themes=6, random_state=0).fit(x)
    assert (
        adjusted_rand_score(truth[model6.labels_ >= 0], model6.labels_[model6.labels_ >= 0]) > 0.95
    )


def test_same_input_and_seed_give_identical_output() -> None:
    texts, _ = topic_answers()
    x = HashingEmbedder().embed(texts)
    a = ThemeDiscovery(random_state=7).fit(x, texts)
    b = ThemeDiscovery(random_state=7).fit(x.copy(), list(texts))
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.confidence_, b.confidence_)
    assert a.themes_ == b.themes_


def test_outliers_go_to_other_with_a_nearest_theme_and_capped_share() -> None:
    x, _ = blobs(50, 5, seed=3)
    rng = np.random.default_rng(9)
    noise = rng.normal(size=(12, x.shape[1])).astype(np.float32)
    x = np.vstack([x, noise / np.linalg.norm(noise, axis=1, keepdims=True)])
    # Resolution 2: at higher resolutions the graph step splits these small, clean blobs
    # further and a few noise answers can form a theme of their own.
    model = ThemeDiscovery(random_state=0, resolution=2.0).fit(x)
    others = np.flatnonzero(model.labels_ == OTHER)
    assert 0 < len(others) <= 0.10 * len(x)
    assert np.mean(np.isin(np.arange(250, 262), others)) >= 0.75
    assert np.all(model.nearest_theme_[others] >= 0)
    assert np.all(model.nearest_theme_[model.labels_ >= 0] == model.labels_[model.labels_ >= 0])
    assert np.all((model.confidence_ >= 0) & (model.confidence_ <= 1))
    tight = ThemeDiscovery(random_state=0, resolution=2.0, max_other_share=0.02).fit(x)
    assert tight.n_other_ <= 0.02 * len(x)


def test_themes_have_readable_labels_member_quotes_and_consistent_sizes() -> None:
    texts, topics = topic_answers()
    x = HashingEmbedder().embed(texts)
    model = ThemeDiscovery(random_state=0, min_theme_size=4).fit(x, texts)
    stops = stop_words()
    assert model.themes_
    for theme in model.themes_:
        assert isinstance(theme, Theme)
        members = set(np.flatnonzero(model.labels_ == theme.id).tolist())
        assert theme.size == len(members)
        assert theme.share == pytest.approx(theme.size / len(texts))
        assert 1 <= len(theme.quote_indices) <= 5
        assert set(theme.quote_indices) <= members
        quotes = [texts[q] for q in theme.quote_indices]
        assert len(set(quotes)) == len(quotes)
        words = theme.label.lower().split()
        assert 1 <= len(words) <= 6, theme.label
        # stop words only join words ("looked after children"), never start or end a label
        assert words[0] not in stops and words[-1] not in stops, theme.label
        assert theme.keywords
    assert sum(t.size for t in model.themes_) + model.n_other_ == len(texts)


def test_five_answers() -> None:
    texts = [
        "Too expensive",
        "Fees are too expensive",
        "Selection criteria",
        "Strict selection criteria",
        "No family environment",
    ]
    x = HashingEmbedder().embed(texts)
    model = ThemeDiscovery().fit(x, texts)
    assert len(model.labels_) == 5
    assert len(model.themes_) >= 1
    assert sum(t.size for t in model.themes_) + model.n_other_ == 5
    assert model.n_other_ <= 1  # floor(10% of 5) = 0; never more than the cap


def test_all_identical_answers_make_one_theme() -> None:
    texts = ["Nothing to add"] * 12
    x = HashingEmbedder().embed(texts)
    model = ThemeDiscovery().fit(x, texts)
    assert len(model.themes_) == 1
    assert np.all(model.labels_ == 0)
    assert model.themes_[0].size == 12
    assert len(model.themes_[0].quote_indices) == 1


def test_single_answer_and_empty_input() -> None:
    model = ThemeDiscovery().fit(HashingEmbedder().embed(["Only one answer"]), ["Only one answer"])
    assert model.labels_.tolist() == [0] and len(model.themes_) == 1
    empty = ThemeDiscovery().fit(np.zeros((0, 16), dtype=np.float32), [])
    assert empty.labels_.shape == (0,) and empty.themes_ == [] and empty.n_other_ == 0


def test_subthemes_point_to_their_parent() -> None:
    x, truth = blobs(60, 2, seed=5)
    # Two top-level groups, each made of three well separated parts.
    rng = np.random.default_rng(2)
    parts = rng.normal(size=(6, x.shape[1])) * 0.9
    x = x + parts[truth * 3 + np.arange(len(x)) % 3] / np.sqrt(x.shape[1]) * 3
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    model = ThemeDiscovery(n_themes=2, subthemes=True, random_state=0).fit(x)
    subs = [t for t in model.themes_ if t.parent_id is not None]
    assert subs
    for sub in subs:
        members = np.flatnonzero(model.subtheme_labels_ == sub.id)
        assert len(members) == sub.size
        assert np.all(model.labels_[members] == sub.parent_id)


def test_cancel_stops_fit() -> None:
    x, _ = blobs(30, 3)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        ThemeDiscovery().fit(x, progress=Progress(cancel=cancel))


def test_labels_are_the_candidate_phrase_closest_in_meaning_to_the_theme() -> None:
    """With a phrase embedding, the label is the theme's phrase nearest its centre."""
    texts, topics = topic_answers()
    x = HashingEmbedder().embed(texts)
    plain = ThemeDiscovery(random_state=0, min_theme_size=4).fit(x, texts)
    calls: list[list[str]] = []
    cost = [t.id for t in plain.themes_ if "fees" in " ".join(t.keywords)][0]
    cost_answers = " ".join(texts[i] for i in np.flatnonzero(plain.labels_ == cost)).lower()
    chosen: list[str] = []

    def embed_phrases(phrases: list[str]) -> np.ndarray:
        # Every phrase far from every theme except one of the cost theme's phrases (not the
        # label it gets without meaning), which sits on the cost centre.
        calls.append(list(phrases))
        target = next(p for p in reversed(phrases) if p in cost_answers
                      and p != plain.themes_[cost].label.lower())
        chosen.append(target)
        out = np.tile(-plain.centroids_.mean(axis=0), (len(phrases), 1))
        out[phrases.index(target)] = plain.centroids_[cost]
        return out

    ranked = ThemeDiscovery(random_state=0, min_theme_size=4,
                            phrase_embedding=embed_phrases).fit(x, texts)
    assert len(calls) == 1  # one batch for all themes' candidates
    assert ranked.themes_[cost].label.lower() == chosen[0]
    assert [t.keywords for t in ranked.themes_] == [t.keywords for t in plain.themes_]
    np.testing.assert_array_equal(ranked.labels_, plain.labels_)


@pytest.mark.slow
def test_real_model_labels_name_the_theme() -> None:
    from coder.core.themes.run import discover_themes

    texts, topics = topic_answers()
    run = discover_themes(texts, min_theme_size=4, random_state=0)
    stops = stop_words()
    for theme in run.themes:
        words = theme.label.lower().split()
        assert 1 <= len(words) <= 6, theme.label
        assert words[0] not in stops and words[-1] not in stops, theme.label
        assert theme.description
        members = [topics[i] for i in np.flatnonzero(run.labels == theme.id)]
        main = max(set(members), key=members.count)
        hint = {"cost": ("cost", "fee", "expensive", "budget", "unaffordable"),
                "selection": ("selection", "criteria", "admission", "entry"),
                "needs": ("need", "trauma", "staff", "equipped", "behavioural", "lack",
                          "training")}[main]
        assert any(h in theme.label.lower() for h in hint), (main, theme.label)


def test_default_resolution_grows_with_the_number_of_answers() -> None:
    from coder.core.themes.cluster import default_resolution

    values = [default_resolution(n) for n in (5, 100, 300, 800, 1500, 100_000)]
    assert values[0] == values[1] == 2.0 and values[-2] == values[-1] == 5.0
    assert values == sorted(values) and 3.0 < values[2] < values[3] < 5.0
