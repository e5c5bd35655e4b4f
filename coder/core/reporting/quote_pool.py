"""Quotes for every code of one question, with each answer's text work done once per question.

A report quotes under each code from the answers coded with it, and an answer with three codes
is a candidate three times. `QuotePool` tokenises, keys and counts the words of each answer once,
keeps each code's candidates as an index, and then picks, code by code, exactly the quotes
`coder.core.reporting.quotes.choose_quotes` picks for the same candidates (same TF-IDF vectors
or cached embeddings, same centrality, same de-duplication). Pure: no UI, CLI, store or torch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np

from coder.core.quotes import select_representative
from coder.core.reporting.anonymise import Redactor
from coder.core.reporting.quotes import READABLE_CHARS, Quote, tfidf_vectors

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

# The words of `coder.core.quotes` de-duplication; TF-IDF's tokens are those of 2+ characters.
_WORD = re.compile(r"\w+")
_NO_ROWS = np.zeros(0, dtype=np.int64)
#: Vocabularies up to this many possible word pairs find their pairs in a table, not by sorting.
_DENSE_PAIRS = 1 << 22


def _same_quote(text: str) -> str:
    """What `choose_quotes` counts as the same quote (case and spacing aside)."""
    return " ".join(text.casefold().split())


class QuotePool:
    """The answers one question's quotes come from, prepared once for all its codes.

    Args:
        answers: (answer id, text, code ids) of every answer that may be quoted.
        embeddings: Cached sentence embeddings by answer id; used for a code when every one of
            its candidates has one (else TF-IDF vectors, as `choose_quotes` does).
    """

    def __init__(self, answers: Sequence[tuple[int, str, AbstractSet[str]]], *,
                 embeddings: Mapping[int, np.ndarray] | None = None) -> None:
        ordered = sorted(answers, key=lambda a: a[0])
        self._ids = np.fromiter((a[0] for a in ordered), dtype=np.int64, count=len(ordered))
        self._texts = [a[1] for a in ordered]
        members: dict[str, list[int]] = {}
        for row, (_, _, codes) in enumerate(ordered):
            for code_id in codes:
                members.setdefault(code_id, []).append(row)
        self._rows = {code_id: np.array(rows, dtype=np.int64) for code_id, rows in members.items()}
        self._length = np.fromiter(map(len, self._texts), dtype=np.int64, count=len(ordered))
        self._blank = np.fromiter((not t.strip() for t in self._texts), dtype=bool,
                                  count=len(ordered))
        # Each distinct text is tokenised once; rows point at their text.
        distinct = dict.fromkeys(self._texts)
        position = {text: i for i, text in enumerate(distinct)}
        self._text_of = np.fromiter(map(position.__getitem__, self._texts), dtype=np.int64,
                                    count=len(ordered))
        self._tokens = [_WORD.findall(text.lower()) for text in distinct]
        self._keys = [" ".join(tokens) for tokens in self._tokens]
        self._counts: csr_matrix | None = None
        self._embeddings = embeddings
        self._matrix: np.ndarray | None = None
        if embeddings is not None and ordered and all(a[0] in embeddings for a in ordered):
            self._matrix = np.stack([embeddings[a[0]] for a in ordered]).astype(np.float32)

    def choose(self, code_id: str, k: int = 3, *, starred: AbstractSet[int] = frozenset(),
               exclude: AbstractSet[int] = frozenset(),
               redactor: Redactor | None = None) -> list[Quote]:
        """Up to `k` quotes for the code: starred first, then the most representative.

        The candidates are the pool's answers with the code, but not those in `exclude`
        (already quoted), starred ones (answer ids in `starred`) first, then by answer id; what
        is picked from them is `choose_quotes`'s choice.
        """
        redactor = redactor or Redactor()
        rows = self._rows.get(code_id, _NO_ROWS)
        if exclude and rows.size:
            rows = rows[~np.isin(self._ids[rows], np.fromiter(exclude, dtype=np.int64))]
        is_starred = (np.isin(self._ids[rows], np.fromiter(starred, dtype=np.int64))
                      if starred and rows.size else np.zeros(rows.size, dtype=bool))
        chosen = [int(r) for r in rows[is_starred][:k]]
        seen = {_same_quote(self._texts[r]) for r in chosen}
        rest = rows[~is_starred & ~self._blank[rows]]
        if seen and rest.size:
            fresh = [_same_quote(self._texts[r]) not in seen for r in rest.tolist()]
            rest = rest[np.array(fresh, dtype=bool)]
        room = k - len(chosen)
        if room > 0 and rest.size:
            lengths = self._length[rest]
            readable = rest[(lengths >= READABLE_CHARS[0]) & (lengths <= READABLE_CHARS[1])]
            pool = readable if readable.size >= room else rest
            texts = [self._texts[r] for r in pool.tolist()]
            keys = [self._keys[t] for t in self._text_of[pool].tolist()]
            picked = select_representative(self._vectors(pool, texts), texts,
                                           k=room + len(chosen), dedupe_keys=keys)
            for i in picked:
                if len(chosen) >= k:
                    break
                key = _same_quote(texts[i])
                if key not in seen:
                    seen.add(key)
                    chosen.append(int(pool[i]))
        starred_rows = set(rows[is_starred].tolist())
        return [Quote(redactor.redact(self._texts[r]), r in starred_rows, int(self._ids[r]))
                for r in chosen]

    def _vectors(self, pool: np.ndarray, texts: list[str]) -> np.ndarray:
        """The pool's rows as `choose_quotes` vectorises them: embeddings, else TF-IDF."""
        if self._matrix is not None:
            return self._matrix[pool]
        embeddings = self._embeddings
        if embeddings is not None:
            ids = self._ids[pool].tolist()
            if all(i in embeddings for i in ids):
                return np.stack([embeddings[i] for i in ids]).astype(np.float32)
        return self._tfidf(pool, texts)

    def _tfidf(self, pool: np.ndarray, texts: list[str]) -> np.ndarray:
        """`tfidf_vectors(texts)` from the word counts made once for the whole pool.

        TF-IDF is fitted on the rows given: their vocabulary (in the vectoriser's sorted
        order), their document frequencies, sublinear term frequencies, rows L2-normalised.
        """
        from sklearn.feature_extraction.text import TfidfTransformer

        if self._counts is None:
            self._counts = word_counts(self._tokens)
        counts = self._counts[self._text_of[pool]]
        present = np.unique(counts.indices)
        if present.size == 0:  # only stop words: the vectoriser's own fallback
            return tfidf_vectors(texts)
        tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts[:, present])
        return np.asarray(tfidf.toarray(), dtype=np.float32)


def word_counts(tokens: Sequence[Sequence[str]]) -> csr_matrix:
    """Counts of each text's words and word pairs, as scikit-learn's
    `TfidfVectorizer(ngram_range=(1, 2), stop_words="english")` counts them.

    Args:
        tokens: Each text's words: `re.findall(r"\\w+", text.lower())`.

    Returns:
        A texts x features matrix of counts (float), features sorted by name ("word" or
        "word word"): the vectoriser's tokens are the words of 2+ characters that are not
        English stop words, and its pairs are neighbours once stop words are gone.
    """
    from scipy.sparse import coo_matrix
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    n = len(tokens)
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=n)
    flat = list(chain.from_iterable(tokens))
    words = list(dict.fromkeys(flat))
    index = {w: i for i, w in enumerate(words)}
    ids = np.fromiter(map(index.__getitem__, flat), dtype=np.int64, count=len(flat))
    kept = np.flatnonzero(np.fromiter((len(w) >= 2 and w not in ENGLISH_STOP_WORDS
                                       for w in words), dtype=bool, count=len(words)))
    feature = np.full(len(words), -1, dtype=np.int64)  # word id -> its single-word feature
    feature[kept] = np.arange(kept.size)
    doc = np.repeat(np.arange(n, dtype=np.int64), lengths)
    singles = feature[ids]
    doc, singles = doc[singles >= 0], singles[singles >= 0]
    neighbours = doc[1:] == doc[:-1]
    size = max(int(kept.size), 1)
    pair_codes = singles[:-1][neighbours] * size + singles[1:][neighbours]
    pair_doc = doc[:-1][neighbours]
    if size * size <= _DENSE_PAIRS:  # a table of every possible pair beats sorting them
        seen = np.zeros(size * size, dtype=bool)
        seen[pair_codes] = True
        pairs = np.flatnonzero(seen)
        position = np.cumsum(seen) - 1
        pair_col = position[pair_codes]
    else:
        pairs, pair_col = np.unique(pair_codes, return_inverse=True)
    names = [words[i] for i in kept.tolist()] + [
        f"{words[kept[c // size]]} {words[kept[c % size]]}" for c in pairs.tolist()]
    rank = np.empty(len(names), dtype=np.int64)
    rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    rows = np.concatenate([doc, pair_doc])
    cols = np.concatenate([rank[singles], rank[kept.size + pair_col.reshape(-1)]])
    matrix = coo_matrix((np.ones(rows.size), (rows, cols)), shape=(n, len(names))).tocsr()
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix
