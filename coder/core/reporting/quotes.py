"""Choose and anonymise the quotes shown under each code; pure, no UI, CLI, store or torch."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from coder.core.quotes import select_representative
from coder.core.reporting.anonymise import Redactor

log = logging.getLogger(__name__)

#: Quotes outside this many characters read badly in a report; used only if enough remain.
READABLE_CHARS = (20, 280)

# A spreadsheet would run these as formulas; as quotes they are noise or an attack.
_FORMULA_LIKE = re.compile(r"^\s*(?:[=+@\t\r]|-\s*[\d(.=+@]|-[A-Za-z_]+\()")
_WORD = re.compile(r"[^\W\d_]{2,}")


def is_quotable(text: str) -> bool:
    """False for answers no report should quote: formula-like ("=SUM(A1)", "@SUM(A1)",
    "-2+3"), or with fewer than two words of letters (punctuation, one character, "N/A")."""
    return not _FORMULA_LIKE.match(text) and len(_WORD.findall(text)) >= 2


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
    withheld: list[int] | None = None,
) -> list[Quote]:
    """Pick up to `k` quotes: starred first, then the most representative of the rest.

    An answer is never quoted when it is not quotable (`is_quotable`) or when its redacted text
    may still identify someone (`Redactor.risks`): leaving a quote out is safer than printing
    it, starred or not.

    Representative means central to the code's answers and different from each other
    (maximal marginal relevance in `coder.core.quotes`), preferring readable lengths. Vectors come
    from `embeddings` (answer id -> L2-normalised vector) when every candidate has one, else
    from TF-IDF on the texts.

    Args:
        candidates: Substantive answers coded with the code.
        k: How many quotes at most.
        embeddings: Cached sentence embeddings by answer id, if the project has them.
        redactor: Applied to every chosen quote (names, emails, phones, postcodes, URLs).
        withheld: If given, receives the ids of starred answers left out as still risky.

    Returns:
        Quotes with redacted text, starred ones first.
    """
    redactor = redactor or Redactor()
    redacted: dict[int, str] = {}

    def safe(c: QuoteCandidate) -> bool:
        # Redaction runs only on answers about to be chosen: it is the slow step.
        if c.answer_id not in redacted:
            text = redactor.redact(c.text)
            if redactor.risks(text):
                log.info("answer %d not quoted: it may still identify someone", c.answer_id)
                text = ""
                if c.starred and withheld is not None:
                    withheld.append(c.answer_id)
            redacted[c.answer_id] = text
        return bool(redacted[c.answer_id])

    candidates = [c for c in candidates if is_quotable(c.text)]
    chosen: list[QuoteCandidate] = []
    seen: set[str] = set()

    def take(c: QuoteCandidate) -> None:
        if len(chosen) < k and _key(c.text) not in seen and safe(c):
            seen.add(_key(c.text))
            chosen.append(c)

    for c in candidates:
        if c.starred:
            take(c)
    rest = [c for c in candidates if not c.starred and _key(c.text) not in seen]
    room = k - len(chosen)
    if room > 0 and rest:
        readable = [c for c in rest if READABLE_CHARS[0] <= len(c.text) <= READABLE_CHARS[1]]
        pool = readable if len(readable) >= room else rest
        texts = [c.text for c in pool]
        if embeddings is not None and all(c.answer_id in embeddings for c in pool):
            vectors = np.stack([embeddings[c.answer_id] for c in pool]).astype(np.float32)
        else:
            vectors = tfidf_vectors(texts)
        # A few more than needed, in case some may identify someone and are left out.
        picked = select_representative(vectors, texts, k=min(len(pool), 3 * room + 5))
        for i in picked:
            take(pool[i])
        if any(not text for text in redacted.values()):
            for c in (*pool, *rest):  # short because some were left out: the rest in order
                if len(chosen) >= k:
                    break
                take(c)
    return [Quote(redacted[c.answer_id], c.starred, c.answer_id) for c in chosen]


def _key(text: str) -> str:
    return " ".join(text.casefold().split())
