"""Pick representative quotes for a group of answers; pure numpy, no UI, CLI or store imports."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"\w+")
_TRAILING_CUT = re.compile(r"(\.\.\.|…|[,;:\-–(])\s*$")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _dedupe_key(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def quote_quality(texts: Sequence[str]) -> np.ndarray:
    """Score in [0, 1] for how well each answer reads as a quote on its own.

    Answers of the group's typical length score highest; very short answers (< 3 words),
    answers several times longer than typical, and answers that look cut off (ending in
    "...", a comma or an open bracket) score lower.
    """
    lengths = np.array([_words(t) for t in texts], dtype=float)
    if len(lengths) == 0:
        return np.zeros(0)
    typical = float(np.median(lengths)) if len(lengths) else 1.0
    typical = max(typical, 4.0)
    score = np.empty(len(texts))
    for i, text in enumerate(texts):
        n = lengths[i]
        s = 1.0 - min(1.0, 0.5 * abs(math.log((n + 1) / (typical + 1))))
        if n < 3:
            s -= 0.4
        if _TRAILING_CUT.search(text.strip()):
            s -= 0.3
        score[i] = max(0.0, s)
    return score


def select_representative(
    embeddings: np.ndarray,
    texts: Sequence[str],
    k: int = 5,
    *,
    centroid: np.ndarray | None = None,
    diversity: float = 0.3,
    quality_weight: float = 0.25,
    max_candidates: int = 300,
    duplicate_similarity: float = 0.95,
    first_of_each: np.ndarray | None = None,
) -> list[int]:
    """Choose up to ``k`` answers that are central to the group and different from each other.

    Maximal marginal relevance: each pick maximises
    ``(1 - diversity) * (centrality + quality_weight * quality) - diversity * max_sim_to_picked``.
    Identical answers (ignoring case and punctuation) and near-duplicates (cosine above
    ``duplicate_similarity``) are never picked twice while other answers remain.

    Args:
        embeddings: L2-normalised rows of the group's answers.
        texts: the answers, aligned with ``embeddings``.
        k: how many to return (fewer if the group has fewer distinct answers).
        centroid: the group centre; defaults to the normalised mean of ``embeddings``.
        diversity: 0 = only centrality, 1 = only difference from quotes already picked.
        quality_weight: weight of :func:`quote_quality` (typical length, complete answer).
        max_candidates: only the most central answers are considered (keeps it fast).
        duplicate_similarity: cosine above which two answers count as the same quote.
        first_of_each: the indices (ascending) of the first answer of each distinct text, as
            found here (ignoring case and punctuation), when the caller has them already.

    Returns:
        Indices into ``texts``, best first.
    """
    n = len(texts)
    if n == 0 or k <= 0:
        return []
    emb = np.asarray(embeddings, dtype=np.float32)
    if centroid is None:
        centroid = emb.mean(axis=0)
    norm = float(np.linalg.norm(centroid))
    centre = centroid / norm if norm > 0 else centroid
    centrality = emb @ centre
    # One candidate per distinct text: the first occurrence.
    if first_of_each is None:
        seen: dict[str, int] = {}
        for i, text in enumerate(texts):
            key = _dedupe_key(text) or text.strip()
            if key and key not in seen:
                seen[key] = i
        distinct = np.array(sorted(seen.values()), dtype=int)
    else:
        distinct = np.asarray(first_of_each, dtype=int)
    if len(distinct) == 0:
        return []
    cand = distinct[np.argsort(-centrality[distinct], kind="stable")[:max_candidates]]
    quality = quote_quality([texts[i] for i in cand])
    relevance = centrality[cand] + quality_weight * quality
    cand_emb = emb[cand]
    picked: list[int] = []
    max_sim = np.full(len(cand), -np.inf)
    available = np.ones(len(cand), dtype=bool)
    while len(picked) < min(k, len(cand)):
        redundancy = np.where(np.isfinite(max_sim), max_sim, 0.0)
        score = (1 - diversity) * relevance - diversity * redundancy
        near_dup = max_sim > duplicate_similarity
        if np.any(available & ~near_dup):
            score = np.where(near_dup, -np.inf, score)
        score = np.where(available, score, -np.inf)
        best = int(np.argmax(score))
        if not np.isfinite(score[best]):
            break
        picked.append(best)
        available[best] = False
        max_sim = np.maximum(max_sim, cand_emb @ cand_emb[best])
    return [int(cand[i]) for i in picked]
