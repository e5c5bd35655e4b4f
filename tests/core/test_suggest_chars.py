"""The answers' characters as a suggestion part: hashed character n-grams and the ridge on them,
and the estimator learning from them when the embeddings say nothing."""

from __future__ import annotations

import numpy as np

from coder.core.suggest import CodeSuggester
from coder.core.suggest.chars import CharNgrams, CharRidge


def test_character_ngrams_are_counted_within_words_and_the_same_text_gives_the_same_row() -> None:
    ngrams = CharNgrams(n_features=4096, ngram_range=(2, 4))
    counts = ngrams.counts(["ab", "AB  ab", "ab cd", "", "é"])
    # " ab " holds 3 two-grams, 2 three-grams and 1 four-gram.
    assert counts[0].sum() == 6
    # Case and spacing do not matter; a repeated word counts twice.
    assert counts[1].sum() == 12 and (counts[1].toarray() == 2 * counts[0].toarray()).all()
    # No n-gram spans two words ("b c" is not one): each word alone gives 6.
    assert counts[2].sum() == 12
    assert counts[3].sum() == 0
    # Bytes, not characters: " é " is 4 bytes (3 + 2 + 1 n-grams).
    assert counts[4].sum() == 6
    again = ngrams.counts(["ab cd"])
    assert (again.toarray() == counts[2].toarray()).all()


def test_the_ridge_scores_codes_from_the_characters_of_unseen_answers() -> None:
    texts = ["car parking", "parking fees", "no parking", "parked cars",
             "rude staff", "staff were rude", "unhelpful staff", "staffing"]
    binary = np.array([[1, 0]] * 4 + [[0, 1]] * 4, dtype=np.float32)
    ngrams = CharNgrams(256)
    counts = ngrams.counts(texts)
    ngrams.fit(counts)
    ridge = CharRidge(alpha=0.5).fit(ngrams.weigh(counts), binary)
    scores = ridge.predict(ngrams.weigh(ngrams.counts(["parkng was a nightmare", "the staf"])))
    assert scores.shape == (2, 2) and ((scores >= 0) & (scores <= 1)).all()
    assert scores[0, 0] > scores[0, 1] and scores[1, 1] > scores[1, 0]


WORDS = {"parking": ["parking", "car park", "parked", "parking fees", "no spaces to park"],
         "staff": ["staff", "nurses", "rude staff", "staff attitude", "the nurse was lovely"],
         "waiting": ["waiting", "waited hours", "long wait", "waiting room", "delays"]}


def _answers(rng: np.random.Generator, n: int) -> tuple[list[str], list[set[str]]]:
    codes = list(WORDS)
    fillers = ["it was", "really", "the", "honestly", "so", "today"]
    texts, labels = [], []
    for i in range(n):
        code = codes[i % 3]
        texts.append(f"{rng.choice(fillers)} {rng.choice(WORDS[code])} {rng.choice(fillers)}")
        labels.append({code})
    return texts, labels


def test_with_embeddings_that_say_nothing_the_characters_still_rank_the_right_code() -> None:
    rng = np.random.default_rng(0)
    texts, codes = _answers(rng, 90)
    new_texts, new_codes = _answers(rng, 60)
    # Embeddings carrying no information: every answer a random direction.
    noise = rng.normal(size=(150, 32)).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    with_chars = CodeSuggester(random_state=0).fit(noise[:90], codes, texts)
    without = CodeSuggester(char_features=0, random_state=0).fit(noise[:90], codes, texts)
    assert with_chars.char_ridge_ is not None and without.char_ridge_ is None

    def top1(model: CodeSuggester) -> float:
        first = [s[0].code for s in model.suggest(noise[90:], new_texts, top=1)]
        return float(np.mean([f in c for f, c in zip(first, new_codes, strict=True)]))

    assert top1(with_chars) >= 0.9
    # Without characters only the exact repeats of coded answers come out right.
    assert top1(without) <= 0.6
    # Texts not given at prediction: the character part is silent, the rest still works.
    assert len(with_chars.suggest(noise[90:92], top=2)[0]) == 2


def test_no_answers_to_score_gives_no_rows() -> None:
    rng = np.random.default_rng(1)
    texts, codes = _answers(rng, 45)
    vectors = rng.normal(size=(45, 16)).astype(np.float32)
    model = CodeSuggester().fit(vectors, codes, texts)
    assert model.char_ridge_ is not None
    assert model.predict_proba(vectors[:0], []).shape == (0, 3)


def test_cached_counts_are_the_counts_and_a_refit_counts_only_new_texts() -> None:
    from coder.core.suggest import chars

    ngrams = CharNgrams(n_features=512)
    texts = ["rude staff", "long wait", "rude staff", "é accent"]
    first = ngrams.cached_counts(texts)
    assert (first.toarray() == ngrams.counts(texts).toarray()).all()
    cache = chars._CACHE[(512, (2, 4))]
    assert {"rude staff", "long wait", "é accent"} <= set(cache)
    # A text already counted is read back, not counted again: its cached row is what returns.
    cache["long wait"] = (np.array([7], dtype=np.int32), np.array([5.0], dtype=np.float32))
    again = ngrams.cached_counts(["long wait", "parking"])
    assert again[0].toarray()[0, 7] == 5.0 and again[0].sum() == 5.0
    assert (again[1].toarray() == ngrams.counts(["parking"]).toarray()).all()
    del cache["long wait"]
