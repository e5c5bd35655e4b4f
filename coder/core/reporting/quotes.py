"""Choose and anonymise the quotes shown under each code; pure, no UI, CLI, store or torch."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from coder.core.quotes import select_representative
from coder.core.reporting.anonymise import Redactor

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Quotes outside this many characters read badly in a report; used only if enough remain.
READABLE_CHARS = (20, 280)

# A spreadsheet would run these as formulas; as quotes they are noise or an attack.
_FORMULA_LIKE = re.compile(r"^\s*(?:[=+@\t\r]|-\s*[\d(.=+@]|-[A-Za-z_]+\()")
_WORD = re.compile(r"[^\W\d_]{2,}")


def is_quotable(text: str) -> bool:
    """False for answers no report should quote: formula-like ("=SUM(A1)", "@SUM(A1)",
    "-2+3"), or with fewer than two words of letters (punctuation, one character, "N/A")."""
    if _FORMULA_LIKE.match(text):
        return False
    first = _WORD.search(text)  # the first word, then one after it: not every word listed
    return first is not None and _WORD.search(text, first.end()) is not None


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
    candidates = [c for c in candidates if is_quotable(c.text)]

    def ranked(rest: Sequence[QuoteCandidate],
               room: int) -> tuple[Sequence[QuoteCandidate], Sequence[int]]:
        readable = [c for c in rest if READABLE_CHARS[0] <= len(c.text) <= READABLE_CHARS[1]]
        pool = readable if len(readable) >= room else rest
        texts = [c.text for c in pool]
        if embeddings is not None and all(c.answer_id in embeddings for c in pool):
            vectors = np.stack([embeddings[c.answer_id] for c in pool]).astype(np.float32)
        else:
            vectors = tfidf_vectors(texts)
        # A few more than needed, in case some may identify someone and are left out.
        return pool, select_representative(vectors, texts, k=min(len(pool), 3 * room + 5))

    picked = pick_quotes(
        [c for c in candidates if c.starred],
        lambda seen: [c for c in candidates if not c.starred and _key(c.text) not in seen],
        k, text=lambda c: c.text, answer_id=lambda c: c.answer_id,
        is_starred=lambda c: c.starred, rank=ranked, redactor=redactor, withheld=withheld)
    return [Quote(text, c.starred, c.answer_id) for c, text in picked]


def pick_quotes(
    starred: Iterable[T],
    rest: Callable[[AbstractSet[str]], Sequence[T]],
    k: int,
    *,
    text: Callable[[T], str],
    answer_id: Callable[[T], int],
    is_starred: Callable[[T], bool],
    rank: Callable[[Sequence[T], int], tuple[Sequence[T], Sequence[int]]],
    redactor: Redactor,
    withheld: list[int] | None = None,
) -> list[tuple[T, str]]:
    """The choice `choose_quotes` and `QuotePool.choose` make, over candidates of any form.

    Starred candidates are taken first, in order; then `rest(seen)` (the others, less those
    whose text is one already taken) are ranked by `rank(rest, room)`, which returns the pool it
    ranked and positions in it, best first. A candidate is taken only when its text is new and
    its redacted text may identify no one (starred ones left out for that go to `withheld`);
    if any was left out and quotes are still short, the rest are tried in order.

    Returns:
        The chosen candidates with their redacted texts.
    """
    redacted: dict[int, str] = {}
    chosen: list[T] = []
    seen: set[str] = set()

    def safe(item: T) -> bool:
        # Redaction runs only on answers about to be chosen: it is the slow step.
        aid = answer_id(item)
        if aid not in redacted:
            shown = redactor.redact(text(item))
            if redactor.risks(shown):
                log.info("answer %d not quoted: it may still identify someone", aid)
                shown = ""
                if is_starred(item) and withheld is not None:
                    withheld.append(aid)
            redacted[aid] = shown
        return bool(redacted[aid])

    def take(item: T) -> None:
        key = _key(text(item))
        if len(chosen) < k and key not in seen and safe(item):
            seen.add(key)
            chosen.append(item)

    for item in starred:
        take(item)
    remaining = rest(seen)
    room = k - len(chosen)
    if room > 0 and len(remaining):
        pool, picked = rank(remaining, room)
        for i in picked:
            take(pool[i])
        if any(not shown for shown in redacted.values()):
            for item in (*pool, *remaining):  # short because some were left out: in order
                if len(chosen) >= k:
                    break
                take(item)
    return [(item, redacted[answer_id(item)]) for item in chosen]


def _key(text: str) -> str:
    return " ".join(text.casefold().split())
