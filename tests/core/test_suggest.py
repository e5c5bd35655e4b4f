"""The suggestion estimator and its measures, on small hand-made data (hashing embedder)."""

from __future__ import annotations

import numpy as np

from coder.core.embedding import HashingEmbedder
from coder.core.suggest import CodeSuggester, coverage_at_precision, evaluate

EMBED = HashingEmbedder()
TEXTS = ["school fees are too high", "the fees cost too much", "fees fees fees",
         "no local places for children", "not enough places nearby", "places are scarce here",
         "staff shortages at the school", "we cannot recruit staff", "staff keep leaving"] * 4
CODES = [{"fees"}] * 3 + [{"places"}] * 3 + [{"staff"}] * 3
CODES = CODES * 4


def test_parameters_are_kept_verbatim_and_state_ends_in_underscore() -> None:
    model = CodeSuggester(n_neighbors=7, C=3.0, random_state=5)
    assert (model.n_neighbors, model.C, model.random_state) == (7, 3.0, 5)
    assert not hasattr(model, "classes_")
    model.fit(EMBED.embed(TEXTS), CODES, TEXTS)
    assert list(model.classes_) == ["fees", "places", "staff"]
    assert model.n_coded_ == 36 and model.classifier_ is not None and model.calibrated_


def test_the_codes_words_suggest_before_anything_is_coded() -> None:
    words = {"fees": EMBED.embed(["fees cost"]), "staff": EMBED.embed(["staff recruitment"])}
    model = CodeSuggester().fit(np.zeros((0, EMBED.dim)), [], None, words)
    assert model.n_coded_ == 0 and not model.calibrated_
    first = model.suggest(EMBED.embed(["the fees and the cost"]), top=2)[0]
    assert [s.code for s in first] == ["fees", "staff"]


def test_an_exact_duplicate_takes_its_twins_odd_codes_with_high_confidence() -> None:
    texts = [*TEXTS, "Schools saying no"]
    codes = [*CODES, {"staff", "places"}]  # deliberately unlike its words
    model = CodeSuggester().fit(EMBED.embed(texts), codes, texts)
    got = model.suggest(EMBED.embed(["schools saying no!"]), ["schools saying no!"], top=3)[0]
    assert {s.code for s in got[:2]} == {"staff", "places"}
    assert got[1].confidence > 2 * got[2].confidence


def test_predict_proba_ranks_and_predict_takes_the_first_code_at_least() -> None:
    model = CodeSuggester().fit(EMBED.embed(TEXTS), CODES, TEXTS)
    queries = ["fees are too high", "places nearby", "recruit staff"]
    proba = model.predict_proba(EMBED.embed(queries), queries)
    assert proba.shape == (3, 3) and ((proba >= 0) & (proba <= 1)).all()
    assert [model.classes_[j] for j in proba.argmax(axis=1)] == ["fees", "places", "staff"]
    assert model.predict(EMBED.embed(queries), queries) == [{"fees"}, {"places"}, {"staff"}]
    assert model.suggest(EMBED.embed(queries[:1]), top=2, exclude=[{"fees"}])[0][0].code != "fees"


def test_coverage_at_precision_counted_by_hand() -> None:
    # Ranked by score: right, right, wrong, right, wrong -> precision 1, 1, .67, .75, .6
    scores = [0.9, 0.8, 0.7, 0.6, 0.5]
    right = [True, True, False, True, False]
    assert coverage_at_precision(scores, right, 0.75) == (0.8, 0.6)
    assert coverage_at_precision(scores, right, 0.9) == (0.4, 0.8)
    assert coverage_at_precision(scores, [False] * 5, 0.9)[0] == 0.0
    # Tied scores are taken together: the tie at .8 holds one wrong answer.
    assert coverage_at_precision([0.9, 0.8, 0.8], [True, True, False], 0.9) == (1 / 3, 0.9)


def test_evaluate_counted_by_hand() -> None:
    truth = [{"a"}, {"a", "b"}, {"c"}]
    ranked = [["a", "b", "c"], ["b", "c", "a"], ["a", "b", "d"]]
    predicted = [{"a"}, {"b"}, {"a"}]
    scores = evaluate(ranked, [0.9, 0.8, 0.1], predicted, truth, ["a", "b", "c", "d"])
    assert scores.top1 == 2 / 3
    assert scores.top3_recall == (1 + 1 + 0) / 3
    # tp a=1 b=1; fp a=1; fn a=1 c=1 -> micro 2*2/(4+1+2)
    assert abs(scores.micro_f1 - 4 / 7) < 1e-12
    assert abs(scores.macro_f1 - np.mean([2 / 4, 2 / 2, 0.0])) < 1e-12
    assert scores.coverage_90 == 2 / 3


def test_duplicate_groups_join_exact_and_near_repeats_transitively() -> None:
    from coder.core.suggest.duplicates import duplicate_groups

    keys = ["a", "b", "a", "c", "", ""]
    vectors = np.array([[1, 0, 0], [0, 1, 0], [1, 0, 0], [0.97, 0.243, 0], [0, 0, 1],
                        [0, 0, 1]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    # 0 and 2 share a key; 3 is at cosine .97 of them; 4 and 5 are identical vectors with no
    # key (blank keys never match by key); 1 is alone.
    assert duplicate_groups(keys, vectors, threshold=0.95) == [[0, 2, 3], [4, 5]]
    assert duplicate_groups(keys, vectors, threshold=0.99) == [[0, 2], [4, 5]]
