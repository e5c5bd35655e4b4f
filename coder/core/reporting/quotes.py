"""Choose and anonymise the quotes shown under each code; pure, no UI, CLI, store or torch."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from coder.core.quotes import select_representative
from coder.core.reporting.anonymise import Redactor

log = logging.getLogger(__name__)

#: Quotes outside this many characters read badly in a report; used only if enough remain.
READABLE_CHARS = (20, 280)


@dataclass(frozen=True)
class QuoteCandidate:
    """An answer that may be quoted under a code; `answer_id` never leaves the service layer."""

    answer_id: int
    text: str
    starred: bool = False


@dataclass(frozen=True)
class Quote:
    """A quote ready for a report: redacted text, and whether an analyst starred it.

    `source` is the answer id, kept only for the internal quote bank; renderers never show it.
    """

    text: str
    starred: bool
    source: int
    respondent: str | None = None  # the respondent ID, set only when IDs were asked for


def tfidf_vectors(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised TF-IDF rows (word unigrams and bigrams): text-only stand-ins for embeddings.

    Used when the project has no cached embeddings, so a report never needs torch.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    try:
        matrix = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
                                 stop_words="english").fit_transform(texts)
    except ValueError:  # only stop words or punctuation
        try:
            matrix = TfidfVectorizer(ngram_range=(1, 1)).fit_transform(
                [t or "-" for t in texts]) if any(t.strip() for t in texts) else None
        except ValueError:  # no word of two letters either: nothing tells the answers apart
            matrix = None
    if matrix is None:
        return np.zeros((len(texts), 1), dtype=np.float32)
    return np.asarray(matrix.toarray(), dtype=np.float32)


def choose_quotes(
    candidates: Sequence[QuoteCandidate],
    k: int = 3,
    *,
    embeddings: Mapping[int, np.ndarray] | None = None,
    redactor: Redactor | None = None,
) -> list[Quote]:
    """Pick up to `k` quotes: starred first, then the most representative of the rest.

    Representative means central to the code's answers and different from each other
    (maximal marginal relevance in `coder.core.quotes`), preferring readable lengths. Vectors come
    from `embeddings` (answer id -> L2-normalised vector) when every candidate has one, else
    from TF-IDF on the texts.

    Args:
        candidates: Substantive answers coded with the code.
        k: How many quotes at most.
        embeddings: Cached sentence embeddings by answer id, if the project has them.
        redactor: Applied to every chosen quote (names, emails, phones, postcodes, URLs).

    Returns:
        Quotes with redacted text, starred ones first.
    """
    redactor = redactor or Redactor()
    starred = [c for c in candidates if c.starred][:k]
    chosen: list[QuoteCandidate] = list(starred)
    seen = {_key(c.text) for c in chosen}
    rest = [c for c in candidates if not c.starred and _key(c.text) not in seen and c.text.strip()]
    room = k - len(chosen)
    if room > 0 and rest:
        readable = [c for c in rest if READABLE_CHARS[0] <= len(c.text) <= READABLE_CHARS[1]]
        pool = readable if len(readable) >= room else rest
        texts = [c.text for c in pool]
        if embeddings is not None and all(c.answer_id in embeddings for c in pool):
            vectors = np.stack([embeddings[c.answer_id] for c in pool]).astype(np.float32)
        else:
            vectors = tfidf_vectors(texts)
        picked = select_representative(vectors, texts, k=room + len(chosen))
        for i in picked:
            if len(chosen) >= k:
                break
            if _key(pool[i].text) not in seen:
                seen.add(_key(pool[i].text))
                chosen.append(pool[i])
    return [Quote(redactor.redact(c.text), c.starred, c.answer_id) for c in chosen]


def _key(text: str) -> str:
    return " ".join(text.casefold().split())
