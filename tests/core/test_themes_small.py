"""Small questions with the real model, and a user's own clusterer as a part of the pipeline."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import AgglomerativeClustering, KMeans

from coder.core.embedding import HashingEmbedder, SentenceTransformerEmbedder
from coder.core.themes.discovery import OTHER, ThemeDiscovery
from coder.core.themes.parts import SmallQuestionClusterer

EIGHT = [
    ("fees", "The school fees are far too expensive for our budget"),
    ("fees", "We cannot afford the high fees independent schools charge"),
    ("fees", "Cost of the placement fees is prohibitive"),
    ("distance", "The nearest suitable school is too far from the child's home"),
    ("distance", "Long travel distances to school for the children"),
    ("distance", "Schools are located a long way from where the children live"),
    ("training", "Teachers lack training in trauma and attachment"),
    ("training", "Staff have not been trained to support looked after children"),
]


@pytest.fixture(scope="module")
def real_model() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


def test_eight_answers_of_three_clear_themes_give_three_themes(
    real_model: SentenceTransformerEmbedder,
) -> None:
    texts = [t for _, t in EIGHT]
    truth = [k for k, _ in EIGHT]
    model = ThemeDiscovery(random_state=0).fit(real_model.embed(texts), texts)
    assert len(model.themes_) == 3
    for theme in model.themes_:
        members = {truth[i] for i in np.flatnonzero(model.labels_ == theme.id)}
        assert len(members) == 1, (theme.label, members)
        assert theme.size >= 2
    assert model.n_other_ == 0


def test_small_question_keeps_a_lone_answer_apart_as_other(
    real_model: SentenceTransformerEmbedder,
) -> None:
    texts = [t for _, t in EIGHT] + ["The weather was lovely at the seaside"]
    model = ThemeDiscovery(random_state=0).fit(real_model.embed(texts), texts)
    assert model.labels_[-1] == OTHER
    assert model.nearest_theme_[-1] >= 0
    assert all(t.size >= 2 for t in model.themes_)


def test_one_theme_only_when_the_answers_really_are_one(
    real_model: SentenceTransformerEmbedder,
) -> None:
    same = ["Nothing", "Nothing at all", "Nothing really", "No, nothing", "nothing whatsoever",
            "Nothing to add"]
    assert SmallQuestionClusterer().fit_predict(real_model.embed(same)).tolist() == [0] * 6
    texts = [t for _, t in EIGHT]
    assert len(set(SmallQuestionClusterer().fit_predict(real_model.embed(texts)).tolist())) > 1


@pytest.mark.parametrize("clusterer", [KMeans(n_clusters=3, n_init=10, random_state=0),
                                       AgglomerativeClustering(n_clusters=3)])
def test_the_pipeline_accepts_a_users_own_clusterer(clusterer: object) -> None:
    texts = [t for _, t in EIGHT] * 3
    x = HashingEmbedder().embed(texts)
    model = ThemeDiscovery(clusterer=clusterer, random_state=0).fit(x, texts)  # type: ignore[arg-type]
    assert len(model.themes_) == 3
    assert sum(t.size for t in model.themes_) + model.n_other_ == len(texts)
    # identical answers stay together, whatever the clusterer
    for i in range(8):
        assert len({int(model.labels_[i + 8 * r]) for r in range(3)}) == 1


def test_a_clusterer_giving_the_wrong_number_of_labels_is_refused() -> None:
    class Broken:
        def fit_predict(self, X: np.ndarray) -> np.ndarray:  # noqa: N803
            return np.zeros(len(X) + 1, dtype=int)

    texts = [t for _, t in EIGHT]
    with pytest.raises(ValueError, match="labels for"):
        ThemeDiscovery(clusterer=Broken()).fit(HashingEmbedder().embed(texts), texts)


def test_labels_are_phrases_of_the_themes_own_answers(
    real_model: SentenceTransformerEmbedder,
) -> None:
    from coder.core.themes.labels import occurs_in
    from coder.core.themes.run import discover_themes

    texts = [t for _, t in EIGHT]
    run = discover_themes(texts, embedder=real_model, random_state=0)
    assert len(run.themes) == 3
    for theme in run.themes:
        members = [texts[i] for i in np.flatnonzero(run.labels == theme.id)]
        in_answers = [m for m in members if occurs_in(theme.label, m)]
        assert in_answers, (theme.label, members)
        assert theme.description and theme.description.split()[0] in " ".join(members)
        # the quotes are the theme's own answers
        assert {texts[q] for q in theme.quote_indices} <= set(members)


def test_demo_other_specify_answers_give_no_more_themes_than_planted(
    real_model: SentenceTransformerEmbedder,
) -> None:
    """The demo survey's routed "other, please specify" question (19 single-theme answers,
    6 planted themes) was split into 7 themes that agreed poorly with the planted ones."""
    import csv
    from pathlib import Path

    from sklearn.metrics import adjusted_rand_score

    data = Path(__file__).resolve().parents[2] / "data"
    with (data / "demo_survey.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    key = next(iter(rows[0]))
    question = "q8_other_specify"
    answer_of = {r[key]: r[question] for r in rows}
    with (data / "demo_ground_truth.csv").open(newline="", encoding="utf-8") as fh:
        truth = [r for r in csv.DictReader(fh) if r["question_id"] == question
                 and r["themes"] and ";" not in r["themes"] and answer_of[r["la_code"]].strip()]
    texts = [answer_of[r["la_code"]] for r in truth]
    planted = [r["themes"] for r in truth]
    assert len(texts) == 19 and len(set(planted)) == 6
    found = ThemeDiscovery(random_state=0).fit(real_model.embed(texts), texts).labels_
    assert int(found.max()) + 1 <= 6
    assert adjusted_rand_score(planted, found) >= 0.35
