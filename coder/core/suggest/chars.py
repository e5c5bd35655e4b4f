"""The answers' own characters as a suggestion part: TF-IDF weighted character n-grams (hashed
into a fixed number of columns) and a one-vs-rest ridge regression on them.

Embeddings blur spelling, negation and the minor topics of a long answer; character n-grams keep
them, and they cost nothing to learn beyond one dense linear solve of fixed size, however many
answers are coded. Pure numpy and scikit-learn; no UI, CLI library or store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

#: Rows densified at once when the gram matrix is summed (bounds memory at many codings).
_CHUNK = 4096
#: Texts whose n-gram counts `CharNgrams.cached_counts` keeps (about 1 KB each).
CACHE_SIZE = 50_000
_CACHE: dict[tuple[int, tuple[int, int]], dict[str, tuple[np.ndarray, np.ndarray]]] = {}


class CharNgrams:
    """Turns texts into L2-normalised TF-IDF rows of hashed character n-grams.

    Args:
        n_features: Hashed columns (the ridge solves a system of this size).
        ngram_range: Lengths of the character n-grams (within word boundaries).
    """

    def __init__(self, n_features: int = 1024, ngram_range: tuple[int, int] = (2, 4)) -> None:
        self.n_features = n_features
        self.ngram_range = ngram_range

    def cached_counts(self, texts: Sequence[str]) -> Any:
        """`counts`, each text's row kept for the next call (a refit after one more coding
        counts only the new answer). The cache is shared by every `CharNgrams` of the same
        parameters in the process and emptied when it holds `CACHE_SIZE` texts."""
        from scipy import sparse

        cache = _CACHE.setdefault((self.n_features, self.ngram_range), {})
        missing = list(dict.fromkeys(t for t in texts if t not in cache))
        if missing:
            if len(cache) + len(missing) > CACHE_SIZE:
                cache.clear()
            new = self.counts(missing)
            for i, text in enumerate(missing):
                start, end = new.indptr[i], new.indptr[i + 1]
                cache[text] = (new.indices[start:end], new.data[start:end])
        rows = [cache[t] for t in texts]
        indptr = np.concatenate([[0], np.cumsum([len(r[0]) for r in rows])])
        indices = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, np.int32)
        data = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0, np.float32)
        return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), self.n_features))

    def counts(self, texts: Sequence[str]) -> Any:
        """(n, n_features) sparse n-gram counts (stateless: the same text, the same row).

        The n-grams are of the UTF-8 bytes of each lower-cased word with a space at either
        end (as scikit-learn's "char_wb"), hashed with numpy over all texts at once, several
        times faster than a tokeniser in Python: it matters when refitting after each coding."""
        from scipy import sparse

        # A 0 byte ends every word and text; no n-gram spans one.
        encoded = [(" " + " \0 ".join(words) + " \0").encode("utf-8") if words else b"\0"
                   for words in (t.lower().split() for t in texts)]
        n = len(encoded)
        data = np.frombuffer(b"".join(encoded), dtype=np.uint8).astype(np.uint32)
        doc = np.repeat(np.arange(n), [len(e) for e in encoded])
        zeros = np.concatenate([[0], np.cumsum(data == 0)])
        rows: list[np.ndarray] = []
        columns: list[np.ndarray] = []
        low, high = self.ngram_range
        for size in range(low, high + 1):
            m = data.size - size + 1
            if m <= 0:
                continue
            ok = zeros[size:] == zeros[:m]
            h = np.full(m, 2166136261 ^ size, dtype=np.uint32)
            for k in range(size):
                h = (h ^ data[k:k + m]) * np.uint32(16777619)  # FNV-1a, 32 bits
            h ^= h >> np.uint32(15)
            rows.append(doc[:m][ok])
            columns.append((h[ok] % np.uint32(self.n_features)).astype(np.int64))
        row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        column = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
        out = sparse.coo_matrix((np.ones(row.size, dtype=np.float32), (row, column)),
                                shape=(n, self.n_features)).tocsr()
        out.sum_duplicates()
        return out

    def fit(self, counts: Any) -> CharNgrams:
        """Learn the inverse document frequencies from the counts of coded answers."""
        n = counts.shape[0]
        df = np.bincount(counts.indices, minlength=self.n_features)
        self.idf_ = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
        return self

    def weigh(self, counts: Any) -> Any:
        """Sublinear TF-IDF rows, L2-normalised (a row of zeros stays zeros)."""
        rows = counts.tocsr(copy=True)
        rows.data = ((np.log(rows.data) + 1) * self.idf_[rows.indices]).astype(np.float32)
        squares = np.bincount(np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr)),
                              weights=rows.data.astype(np.float64) ** 2,
                              minlength=rows.shape[0])
        norms = np.sqrt(squares)
        rows.data /= np.repeat(np.where(norms > 0, norms, 1.0), np.diff(rows.indptr)).astype(
            np.float32)
        return rows


def gram_of(rows: Any) -> np.ndarray:
    """X'X (f, f) of sparse rows, summed a chunk of densified rows at a time."""
    f = rows.shape[1]
    gram = np.zeros((f, f), dtype=np.float64)
    for start in range(0, rows.shape[0], _CHUNK):
        dense = rows[start:start + _CHUNK].toarray()
        gram += dense.T @ dense
    return gram


class CharRidge:
    """One-vs-rest least squares from character n-gram rows to 0/1 "the answer has this code",
    with an intercept; scores clipped to [0, 1].

    Args:
        alpha: Regularisation.
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, rows: Any, binary: np.ndarray, gram: np.ndarray | None = None) -> CharRidge:
        """Fit on (n, f) sparse rows and (n, c) 0/1 targets; `gram` is rows' X'X when known
        (the calibration folds get theirs by subtracting the held-out rows' from the whole)."""
        n, f = rows.shape
        gram = gram_of(rows) if gram is None else gram.copy()
        mean_x = np.asarray(rows.mean(axis=0), dtype=np.float64).ravel()
        mean_y = binary.mean(axis=0)
        # Centred without densifying: X'X - n m m' and X'Y - n m ybar'.
        gram -= n * np.outer(mean_x, mean_x)
        gram[np.diag_indices(f)] += self.alpha
        cross = np.asarray(rows.T @ binary, dtype=np.float64) - n * np.outer(mean_x, mean_y)
        from scipy.linalg import solve

        # Single precision halves the solve; the scores are a calibration feature, not exact.
        self.coef_ = solve(gram.astype(np.float32), cross.astype(np.float32), assume_a="pos",
                           overwrite_a=True, overwrite_b=True)
        self.intercept_ = (mean_y - mean_x @ self.coef_).astype(np.float32)
        return self

    def predict(self, rows: Any) -> np.ndarray:
        """(n, c) scores in [0, 1]."""
        out: np.ndarray = np.clip(np.asarray(rows @ self.coef_) + self.intercept_, 0.0, 1.0)
        return out
