"""Quotes for every code of one question, with each answer's text work done once per question.

A report quotes under each code from the answers coded with it, and an answer with three codes
is a candidate three times. `QuotePool` tokenises, keys and counts the words of each answer once,
keeps each code's candidates as an index, and then picks, code by code, exactly the quotes
`coder.core.reporting.quotes.choose_quotes` picks for the same candidates (same TF-IDF vectors
or cached embeddings, same centrality, same de-duplication). Pure: no UI, CLI, store or torch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from itertools import count, repeat
from typing import overload

import numpy as np

from coder.core.quotes import select_representative
from coder.core.reporting.anonymise import Redactor
from coder.core.reporting.quotes import (
    READABLE_CHARS,
    Quote,
    is_quotable,
    pick_quotes,
    tfidf_vectors,
)

# The words of `coder.core.quotes` de-duplication; TF-IDF's tokens are those of 2+ characters.
_WORD = re.compile(r"\w+")
_BOUNDARY = "\x00"
_BOUNDARY_BYTE = b"\x00"
_BEYOND_ASCII = re.compile(r"[^\x00-\x7f]+")
_SPACES = re.compile(b"  +")
#: Bytes as `_word_bytes` reads them: an ASCII byte that is no word character (nor the
#: boundary) is a space; bytes beyond ASCII (parts of word characters by then) stay.
_ASCII_GAPS = bytes(b if b == 0 or b >= 0x80 or chr(b).isalnum() or b == ord("_") else 0x20
                    for b in range(256))
_NO_ROWS = np.zeros(0, dtype=np.int64)
#: TF-IDF vectors of a code are made dense whole up to this many cells (64 MB of float32);
#: larger ones are ranked from their sparse rows.
DENSE_CELLS = 16_000_000
#: How many of the most central distinct answers `select_representative` considers.
CANDIDATES = 300
#: TF-IDF vectors as (row, column, value) triples and their width.
_SparseRows = tuple[np.ndarray, np.ndarray, np.ndarray, int]
#: Vocabularies up to this many possible word pairs find their pairs in a table, not by sorting.
_DENSE_PAIRS = 1 << 22


class EmbeddingRows(Mapping[int, np.ndarray]):
    """Cached embeddings by answer id, kept as the rows of one matrix (a report may read
    100,000: a pool takes a code's rows from it at once, not vector by vector).

    Args:
        matrix: One vector per row.
        row_of: answer id -> its row in `matrix` (answers may share a row).
    """

    def __init__(self, matrix: np.ndarray, row_of: Mapping[int, int]) -> None:
        self.matrix = matrix
        self.row_of = row_of

    def __getitem__(self, answer_id: int) -> np.ndarray:
        return self.matrix[self.row_of[answer_id]]

    def __iter__(self) -> Iterator[int]:
        return iter(self.row_of)

    def __len__(self) -> int:
        return len(self.row_of)


class _RowTexts(Sequence[str]):
    """The texts of some of a pool's rows, looked up when read: a code's ranking reads a few
    hundred of its thousands of candidates' texts."""

    def __init__(self, texts: list[str], rows: np.ndarray) -> None:
        self._texts = texts
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._texts[r] for r in self._rows[index].tolist()]
        return self._texts[int(self._rows[index])]


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
        # Blank: empty or only whitespace (what `str.strip` removes).
        self._blank = np.fromiter(map(str.isspace, self._texts), dtype=bool,
                                  count=len(ordered)) | (self._length == 0)
        self._quotable = np.fromiter(map(is_quotable, self._texts), dtype=bool,
                                     count=len(ordered))
        self._tf: WordCounts | None = None
        self._embeddings = embeddings
        # The cached vectors as one matrix and each pool row's row in it (-1: none), when they
        # are all of one length: a code's rows are then taken at once rather than stacked
        # vector by vector, and the matrix is used as given, not copied into the pool's order.
        self._matrix: np.ndarray | None = None
        self._matrix_row = np.full(len(ordered), -1, dtype=np.int64)
        if isinstance(embeddings, EmbeddingRows):
            get = embeddings.row_of.get
            self._matrix_row = np.fromiter(map(get, self._ids.tolist(), repeat(-1)),
                                           dtype=np.int64, count=len(ordered))
            self._matrix = np.asarray(embeddings.matrix, dtype=np.float32)
        elif embeddings:
            embedded = np.fromiter((i in embeddings for i in self._ids.tolist()),
                                   dtype=bool, count=len(ordered))
            found = [embeddings[i] for i in self._ids[embedded].tolist()]
            if len({v.shape for v in found}) == 1:
                self._matrix = np.stack(found).astype(np.float32)
                self._matrix_row[embedded] = np.arange(len(found))
        self._embedded = self._matrix_row >= 0
        # The words are numbered only when some code may need TF-IDF vectors.
        self._words = None if self._embedded.all() else split_words(self._texts)
        # Which answers are the same quote for `select_representative` (-1: nothing to quote).
        keys = [k or t.strip() for k, t in zip(
            self._words.keys if self._words else split_keys(self._texts), self._texts,
            strict=True)]
        # Each answer's kind is the row of the first answer with its key.
        kind: dict[str, int] = {}
        self._kind = np.fromiter(map(kind.setdefault, keys, count()), dtype=np.int64,
                                 count=len(keys))
        if "" in kind:
            self._kind[self._kind == kind[""]] = -1

    def choose(self, code_id: str, k: int = 3, *, starred: AbstractSet[int] = frozenset(),
               exclude: AbstractSet[int] = frozenset(),
               redactor: Redactor | None = None,
               withheld: list[int] | None = None) -> list[Quote]:
        """Up to `k` quotes for the code: starred first, then the most representative.

        The candidates are the pool's answers with the code, but not those in `exclude`
        (already quoted), starred ones (answer ids in `starred`) first, then by answer id; what
        is picked from them is `choose_quotes`'s choice: never an answer that is not quotable,
        nor one whose redacted text may still identify someone (starred ones left out for that
        are added to `withheld`).
        """
        rows = self._rows.get(code_id, _NO_ROWS)
        if exclude and rows.size:
            rows = rows[~np.isin(self._ids[rows], np.fromiter(exclude, dtype=np.int64))]
        rows = rows[self._quotable[rows]]
        is_starred = (np.isin(self._ids[rows], np.fromiter(starred, dtype=np.int64))
                      if starred and rows.size else np.zeros(rows.size, dtype=bool))
        starred_rows = set(rows[is_starred].tolist())
        unstarred = rows[~is_starred & ~self._blank[rows]]

        def rest(seen: AbstractSet[str]) -> list[int]:
            if not seen:  # nothing taken yet (no starred quote): every other candidate
                return unstarred.tolist()
            return [r for r in unstarred.tolist() if _same_quote(self._texts[r]) not in seen]

        def ranked(remaining: Sequence[int], room: int) -> tuple[list[int], list[int]]:
            candidates = np.array(remaining, dtype=np.int64)
            lengths = self._length[candidates]
            readable = candidates[(lengths >= READABLE_CHARS[0])
                                  & (lengths <= READABLE_CHARS[1])]
            pool = readable if readable.size >= room else candidates
            texts = _RowTexts(self._texts, pool)
            # A few more than needed, in case some may identify someone and are left out.
            picked = self._representative(pool, texts, k=min(len(texts), 3 * room + 5))
            return pool.tolist(), picked

        picked = pick_quotes(
            rows[is_starred].tolist(), rest, k, text=self._texts.__getitem__,
            answer_id=lambda r: int(self._ids[r]), is_starred=starred_rows.__contains__,
            rank=ranked, redactor=redactor or Redactor(), withheld=withheld)
        return [Quote(shown, r in starred_rows, int(self._ids[r])) for r, shown in picked]

    def _first_of_each(self, pool: np.ndarray) -> np.ndarray:
        """Positions in `pool` of the first answer of each distinct quote, ascending."""
        kinds = self._kind[pool]
        positions = np.flatnonzero(kinds >= 0)
        _, first = np.unique(kinds[positions], return_index=True)
        return np.sort(positions[first])

    def _representative(self, pool: np.ndarray, texts: Sequence[str], k: int) -> list[int]:
        """`select_representative`'s choice among the pool's rows (positions in `pool`).

        TF-IDF vectors too large to hold as one dense matrix (a code of tens of thousands of
        answers has a vocabulary as large) are centred and ranked from their sparse rows, and
        only the most central distinct answers, those `select_representative` considers, are
        made dense: the same choice without the candidates x vocabulary array.
        """
        first = self._first_of_each(pool)
        vectors = self._embedding_rows(pool)
        if vectors is None:
            sparse = self._tfidf_rows(pool)
            if sparse is not None and len(pool) * sparse[3] > DENSE_CELLS:
                return self._representative_sparse(pool, sparse, first, k)
            vectors = _dense(sparse, texts)
        return select_representative(vectors, texts, k=k, first_of_each=first,
                                     max_candidates=CANDIDATES)

    def _representative_sparse(self, pool: np.ndarray, sparse: _SparseRows, first: np.ndarray,
                               k: int) -> list[int]:
        """`_representative` from sparse TF-IDF rows: centre and centrality computed on them,
        only the CANDIDATES most central distinct answers made dense."""
        rows, cols, values, width = sparse
        centroid = np.bincount(cols, weights=values, minlength=width) / len(pool)
        norm = float(np.linalg.norm(centroid))
        centre = centroid / norm if norm > 0 else centroid
        centrality = np.bincount(rows, weights=values * centre[cols], minlength=len(pool))
        cand = np.sort(first[np.argsort(-centrality[first], kind="stable")[:CANDIDATES]])
        where = np.full(len(pool), -1, dtype=np.int64)
        where[cand] = np.arange(len(cand))
        keep = where[rows] >= 0
        dense = np.zeros((len(cand), width), dtype=np.float32)
        dense[where[rows[keep]], cols[keep]] = values[keep]
        picked = select_representative(
            dense, _RowTexts(self._texts, pool[cand]), k=k, centroid=centroid.astype(np.float32),
            first_of_each=np.arange(len(cand)), max_candidates=CANDIDATES)
        return [int(cand[i]) for i in picked]

    def _embedding_rows(self, pool: np.ndarray) -> np.ndarray | None:
        """The pool's cached embeddings, when every one of its answers has one."""
        embeddings = self._embeddings
        if self._matrix is not None and self._embedded[pool].all():
            return self._matrix[self._matrix_row[pool]]
        if embeddings is not None:
            ids = self._ids[pool].tolist()
            if all(i in embeddings for i in ids):
                return np.stack([embeddings[i] for i in ids]).astype(np.float32)
        return None

    def _tfidf(self, pool: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """`tfidf_vectors(texts)` from the word counts made once for the whole pool.

        As the vectoriser does, fitted on the rows given: their vocabulary (in its sorted
        order), idf = ln((n + 1) / (df + 1)) + 1, term frequency 1 + ln(count), rows scaled
        to unit length. Row lengths are summed in column order rather than the vectoriser's
        order of first use, so a vector may differ from its in the last bit of a float32.
        """
        return _dense(self._tfidf_rows(pool), texts)

    def _tfidf_rows(self, pool: np.ndarray) -> _SparseRows | None:
        """The pool's TF-IDF vectors as (row, column, value) triples and their width, or None
        when the pool has only stop words."""
        if self._tf is None:  # as term frequencies, 1 + ln(count), computed once
            counts = word_counts(self._words or split_words(self._texts))
            tf = np.log(counts.data)
            tf += 1.0
            self._tf = replace(counts, data=tf)
        counts = self._tf.rows(pool)
        indptr, indices = counts.indptr, counts.indices
        used = np.bincount(indices, minlength=counts.shape[1])
        present = used > 0
        if not present.any():
            return None
        column = np.cumsum(present) - 1
        df: np.ndarray = used[present].astype(np.float64)
        df += 1.0
        idf: np.ndarray = np.full_like(df, float(len(pool) + 1))
        idf /= df
        np.log(idf, out=idf)
        idf += 1.0
        cols = column[indices]
        values = counts.data  # a copy: the pool's term frequencies
        values *= idf[cols]
        rows = np.repeat(np.arange(len(pool)), np.diff(indptr))
        lengths = np.sqrt(np.bincount(rows, weights=values * values, minlength=len(pool)))
        scale = lengths[rows]
        values = np.divide(values, scale, out=values, where=scale != 0.0)
        return rows, cols, values, int(idf.size)


def _dense(sparse: _SparseRows | None, texts: Sequence[str]) -> np.ndarray:
    """The TF-IDF rows of `texts` as one dense float32 matrix (None: only stop words, for
    which the vectoriser's own fallback decides)."""
    if sparse is None:
        return tfidf_vectors(list(texts))
    rows, cols, values, width = sparse
    dense = np.zeros((len(texts), width), dtype=np.float32)  # rounded as astype rounds
    dense[rows, cols] = values
    return dense


@dataclass(frozen=True)
class Words:
    """The words of many texts, as `re.findall(r"\\w+", text.lower())` finds them.

    Attributes:
        vocabulary: Each distinct word, in order of first use.
        ids: Every word of every text (one text after another) as its place in `vocabulary`.
        text: The text each entry of `ids` is in.
        keys: Each text's words joined by spaces (what quotes are de-duplicated on).
    """

    vocabulary: list[str]
    ids: np.ndarray
    text: np.ndarray
    keys: list[str]


@dataclass(frozen=True)
class WordCounts:
    """A matrix of counts in compressed rows (scipy's CSR layout, without importing scipy,
    about 0.2 s of a report): row i's columns are `indices[indptr[i]:indptr[i + 1]]`,
    ascending, with their counts in `data`.
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]

    def rows(self, chosen: np.ndarray) -> WordCounts:
        """The rows `chosen` (positions), in that order, as a matrix of their own."""
        starts = self.indptr[chosen]
        lengths = self.indptr[chosen + 1] - starts
        indptr = np.zeros(len(chosen) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        take = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1])
        return WordCounts(indptr, self.indices[take], self.data[take],
                          (len(chosen), self.shape[1]))

    def toarray(self) -> np.ndarray:
        """The matrix as a dense array."""
        dense = np.zeros(self.shape)
        dense[np.repeat(np.arange(self.shape[0]), np.diff(self.indptr)), self.indices] = self.data
        return dense


def split_words(texts: Sequence[str]) -> Words:
    """The words of every text (see `Words`), found in one pass over the texts joined."""
    flat: Sequence[str | bytes]
    joined = _BOUNDARY.join(texts)
    if texts and joined.count(_BOUNDARY) == len(texts) - 1:
        # One scan of all the texts, with a character no text has between them (a boundary
        # for the words and for lower-casing alike).
        spaced = _spaced_words(joined.lower())
        flat = _word_bytes(spaced)
        keys = _keys_of(spaced)
        boundary_word: str | bytes = _BOUNDARY_BYTE
    else:  # some text has the boundary character: one text at a time
        per_text = [_WORD.findall(t.lower()) for t in texts]
        keys = [" ".join(words) for words in per_text]
        flat = []
        for words in per_text:
            flat += words
            flat.append(_BOUNDARY)
        boundary_word = _BOUNDARY
    found = list(dict.fromkeys(flat))
    index = {w: i for i, w in enumerate(found)}
    ids = np.fromiter(map(index.__getitem__, flat), dtype=np.int64, count=len(flat))
    boundary = ids == index.get(boundary_word, -1)
    text = np.cumsum(boundary) - boundary  # the boundary after a text belongs to it
    keep = ~boundary
    if boundary_word in index:
        del found[index[boundary_word]]
        ids = np.where(ids > index[boundary_word], ids - 1, ids)
    vocabulary = [w.decode("utf-8", "surrogatepass") if isinstance(w, bytes) else w
                  for w in found]
    return Words(vocabulary, ids[keep], text[keep], keys)


def split_keys(texts: Sequence[str]) -> list[str]:
    """`split_words(texts).keys` (each text's words joined by spaces), without numbering the
    words: all a pool needs when every answer has a cached embedding."""
    joined = _BOUNDARY.join(texts)
    if texts and joined.count(_BOUNDARY) == len(texts) - 1:
        return _keys_of(_spaced_words(joined.lower()))
    return split_words(texts).keys


def _spaced_words(lowered: str) -> bytes:
    r"""Texts joined by the boundary (and lower-cased) as UTF-8 in which everything but the
    words `re.findall(r"\w+", ...)` finds and the boundaries is spaces.

    Bytes operations rather than one string per match: the few characters beyond ASCII that
    are not word characters become spaces, the bytes of ASCII ones too. A word character's
    UTF-8 bytes are all 0x80 or above (or an ASCII word character), so no word is cut or
    joined differently.
    """
    if not lowered.isascii():
        beyond_ascii = set("".join(_BEYOND_ASCII.findall(lowered)))
        gaps = sorted(c for c in beyond_ascii if not _WORD.fullmatch(c))
        if gaps:
            lowered = re.sub(f"[{''.join(map(re.escape, gaps))}]", " ", lowered)
    return lowered.encode("utf-8", "surrogatepass").translate(_ASCII_GAPS)


def _word_bytes(spaced: bytes) -> list[bytes]:
    """The words and boundaries of `_spaced_words`, in order."""
    return spaced.replace(_BOUNDARY_BYTE, b" \x00 ").split()


def _keys_of(spaced: bytes) -> list[str]:
    """Each text's words joined by spaces, from `_spaced_words`."""
    single = _SPACES.sub(b" ", spaced).decode("utf-8", "surrogatepass")
    return [k.strip() for k in single.split(_BOUNDARY)]


def word_counts(words: Words) -> WordCounts:
    """Counts of each text's words and word pairs, as scikit-learn's
    `TfidfVectorizer(ngram_range=(1, 2), stop_words="english")` counts them.

    Returns:
        A texts x features matrix of counts (float, in compressed rows), features sorted by
        name ("word" or "word word"): the vectoriser's tokens are the words of 2+ characters
        that are not English stop words (`coder.core.reporting.stop_words`), and its pairs
        are neighbours once stop words are gone.
    """
    from coder.core.reporting.stop_words import ENGLISH_STOP_WORDS

    n = len(words.keys)
    vocabulary = words.vocabulary
    kept = np.flatnonzero(np.fromiter((len(w) >= 2 and w not in ENGLISH_STOP_WORDS
                                       for w in vocabulary), dtype=bool, count=len(vocabulary)))
    feature = np.full(len(vocabulary), -1, dtype=np.int64)  # word -> its single-word feature
    feature[kept] = np.arange(kept.size)
    singles = feature[words.ids]
    doc, singles = words.text[singles >= 0], singles[singles >= 0]
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
    names = [vocabulary[i] for i in kept.tolist()] + [
        f"{vocabulary[kept[c // size]]} {vocabulary[kept[c % size]]}" for c in pairs.tolist()]
    rank = np.empty(len(names), dtype=np.int64)
    rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    rows = np.concatenate([doc, pair_doc])
    cols = np.concatenate([rank[singles], rank[kept.size + pair_col.reshape(-1)]])
    # Each (text, feature) once with its count, in text then feature order. The texts are in
    # two ascending runs (words, then pairs), which a stable sort merges cheaply.
    cells = rows * max(len(names), 1) + cols
    cells.sort(kind="stable")
    starts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]]) if cells.size else _NO_ROWS
    counts = np.diff(np.r_[starts, cells.size]).astype(np.float64)
    cells = cells[starts]
    cell_rows = cells // max(len(names), 1)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(cell_rows, minlength=n), out=indptr[1:])
    return WordCounts(indptr, cells % max(len(names), 1), counts, (n, len(names)))
