"""Quotes picked per question from one prepared pool: the same words, counts, vectors and
quotes as scikit-learn's vectoriser and `choose_quotes` give code by code."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from coder.core.embedding import HashingEmbedder
from coder.core.reporting.anonymise import Redactor
from coder.core.reporting.quote_pool import QuotePool, split_keys, split_words, word_counts
from coder.core.reporting.quotes import QuoteCandidate, choose_quotes, tfidf_vectors
from coder.core.reporting.stop_words import ENGLISH_STOP_WORDS as OUR_STOP_WORDS

TRICKY = ["ΟΔΟΣ ΑΣ", "Σ starts it", "", "   ", "it's £5 — ok_then, fine", "x", "İstanbul ok",
          "ﬁne print", "a\nb", "tab\tsep", "emoji 😀 word", "ΑΣ'", "'Σ", "the and of",
          "Don't know", "No 2 3", "Cost, cost and COST!", "it\u2019s \u201cfine\u201d",
          "no\u00a0break", "Stra\u00dfe STRASSE", "cafe\u0301 e\u0301", "a\x1cb\x1fc",
          "snake_case a1b2 _x_", "line\u2028sep", "\u00bd \u2155 \u0663\u0664",
          "\u4e2d\u6587\u3002\u5b57", "tab\x0bvt\x0cff\rcr", "\U0001d400\U0001d401 bold"]
ASCII = ["Fees, fees!", "  ", "", "it's 5 -- ok_then", "a\x1cb", "tab\tsep\r\n", "No 2 3",
         "=SUM(A1)", "x"]
WORDS = ["placement", "fees", "cost", "the", "distance", "school", "and", "refused", "of",
         "delay", "x", "I", "panel", "staff", "£", "too", "high", "it's", "café", "—"]


def _corpus(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    texts = [" ".join(rng.choices(WORDS, k=rng.randint(1, 25))) for _ in range(n)]
    return texts + TRICKY


def test_the_stop_words_are_scikit_learns() -> None:
    assert OUR_STOP_WORDS == ENGLISH_STOP_WORDS


@pytest.mark.parametrize("corpus", ["joined", "ascii", "one by one"])
def test_words_are_those_a_regular_expression_finds_text_by_text(corpus: str) -> None:
    texts = {"joined": _corpus(200), "ascii": ASCII * 20,
             "one by one": [*_corpus(200), "has a \x00 in it"]}[corpus]
    words = split_words(texts)
    expected = [re.findall(r"\w+", t.lower()) for t in texts]
    assert words.keys == [" ".join(w) for w in expected]
    assert split_keys(texts) == words.keys
    found: list[list[str]] = [[] for _ in texts]
    for word, text in zip(words.ids.tolist(), words.text.tolist(), strict=True):
        found[text].append(words.vocabulary[word])
    assert found == expected


def test_word_counts_are_the_vectorisers() -> None:
    texts = _corpus(300)
    counts = word_counts(split_words(texts))
    vectoriser = CountVectorizer(ngram_range=(1, 2), stop_words="english")
    expected = vectoriser.fit_transform(texts)
    assert counts.shape == expected.shape
    mine = csr_matrix((counts.data, counts.indices, counts.indptr), shape=counts.shape)
    assert (mine != expected).nnz == 0
    expected.sort_indices()  # the layout too: each row's features ascending, once each
    assert counts.indptr.tolist() == expected.indptr.tolist()
    assert counts.indices.tolist() == expected.indices.tolist()
    assert counts.data.tolist() == expected.data.astype(float).tolist()
    np.testing.assert_array_equal(counts.toarray(), expected.toarray())


def test_rows_of_word_counts_are_scipys_rows() -> None:
    texts = _corpus(300)
    counts = word_counts(split_words(texts))
    theirs = csr_matrix((counts.data, counts.indices, counts.indptr), shape=counts.shape)
    rng = np.random.default_rng(2)
    for size in (0, 1, 5, 120, len(texts)):
        chosen = np.sort(rng.choice(len(texts), size, replace=False))
        mine, expected = counts.rows(chosen), theirs[chosen]
        assert mine.shape == expected.shape
        assert mine.indptr.tolist() == expected.indptr.tolist()
        assert mine.indices.tolist() == expected.indices.tolist()
        assert mine.data.tolist() == expected.data.tolist()


def test_pool_vectors_are_tfidf_vectors() -> None:
    texts = _corpus(400)
    pool = QuotePool([(i, t, {"c"}) for i, t in enumerate(texts)])
    rng = np.random.default_rng(5)
    for size in (1, 2, 17, 250, len(texts)):
        rows = np.sort(rng.choice(len(texts), size, replace=False))
        chosen = [texts[i] for i in rows]
        mine = pool._tfidf(rows, chosen)
        theirs = tfidf_vectors(chosen)
        assert mine.shape == theirs.shape and mine.dtype == theirs.dtype == np.float32
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-7)


@pytest.mark.parametrize("embedded", [False, True], ids=["tfidf", "embeddings"])
def test_pool_picks_what_choose_quotes_picks(embedded: bool) -> None:
    rng = random.Random(8)
    texts = _corpus(500)
    texts += [rng.choice(texts) for _ in range(100)]  # repeated answers
    codes = ["a", "b", "c", "d"]
    answers = [(10 + i, t, set(rng.sample(codes, rng.randint(1, 2)))) for i, t in
               enumerate(texts) if t.strip()]
    vectors = None
    if embedded:
        found = HashingEmbedder().embed([t for _, t, _ in answers])
        vectors = {aid: v for (aid, _, _), v in zip(answers, found, strict=True)}
    pool = QuotePool(answers, embeddings=vectors)
    redactor = Redactor()
    used: set[int] = set()
    for code in codes:
        starred = {aid for aid, _, c in answers if code in c and rng.random() < 0.01}
        candidates = [QuoteCandidate(aid, text, aid in starred) for aid, text, c in answers
                      if code in c and aid not in used]
        candidates.sort(key=lambda c: (not c.starred, c.answer_id))
        for k in (1, 3, 7):
            expected = choose_quotes(candidates, k, embeddings=vectors, redactor=redactor)
            assert pool.choose(code, k, starred=starred, exclude=used,
                               redactor=redactor) == expected
        used |= {q.source for q in expected}
    assert pool.choose("no such code", 3) == []


def test_answers_of_stop_words_only_are_still_quoted() -> None:
    """Such answers once stopped a report: the vectoriser found no word at all. (Answers
    without two words of letters, such as "x" or "? !", are never quoted.)"""
    candidates = [QuoteCandidate(1, "do it"), QuoteCandidate(2, "is it"),
                  QuoteCandidate(3, "? !"), QuoteCandidate(4, "x")]
    assert [q.source for q in choose_quotes(candidates, 2)] == [1, 2]
    pool = QuotePool([(c.answer_id, c.text, {"a"}) for c in candidates])
    assert [q.source for q in pool.choose("a", 2)] == [1, 2]


def _many_worded(n: int, seed: int = 11) -> list[str]:
    """Answers that share some words and each bring new ones: a vocabulary as large as the
    answers are many, as in a large open question."""
    rng = random.Random(seed)
    return [" ".join(rng.choices(WORDS, k=rng.randint(3, 12))
                     + [f"w{i}x{j}" for j in range(rng.randint(1, 5))]) for i in range(n)]


def test_a_code_too_large_for_dense_vectors_picks_what_dense_vectors_pick(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Ranked from sparse rows (only the most central answers made dense), the quotes are the
    ones the whole dense TF-IDF matrix gives."""
    import coder.core.reporting.quote_pool as quote_pool

    rng = random.Random(4)
    texts = _many_worded(1500)
    texts += [rng.choice(texts) for _ in range(200)]  # repeated answers
    answers = [(i, t, {"a"} if i % 3 else {"a", "b"}) for i, t in enumerate(texts)]
    pool = QuotePool(answers)
    dense = {(code, k): pool.choose(code, k) for code in ("a", "b") for k in (1, 3, 7)}
    monkeypatch.setattr(quote_pool, "DENSE_CELLS", 0)
    sparse = {(code, k): QuotePool(answers).choose(code, k) for code in ("a", "b") for k in (1, 3, 7)}
    assert sparse == dense
    assert all(len(quotes) == k for (_, k), quotes in dense.items())


def test_quotes_of_a_large_code_do_not_hold_a_dense_vocabulary_matrix() -> None:
    """A 250,000-answer question once asked for a 83,334 x 250,138 array (77.7 GiB) to quote
    one code; here 6,000 answers with 18,000 words would take 430 MB dense."""
    import tracemalloc

    texts = _many_worded(6000)
    pool = QuotePool([(i, t, {"a"}) for i, t in enumerate(texts)])
    tracemalloc.start()
    try:
        quotes = pool.choose("a", 3)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(quotes) == 3
    assert peak < 100 * 2**20, f"peak {peak / 2**20:.0f} MiB"
