"""Back-coding "Other (please specify)": which of the closed question's categories an
other-specify answer belongs to, or "genuinely other".

Each category is known by its words (its label, any examples) and, once a coder has
back-coded some answers, by those answers; an answer takes the category of its most similar
example when that similarity reaches a threshold, else it is genuinely other (also when its
most similar example is an answer a coder marked genuinely other).

Why 0.55 by default (MiniLM cosine, benchmarks/backcode_threshold.py): on the demo survey's
other-specify answers the genuinely other ones (universities, the ICB, charities, consultants)
reach at most 0.53 to a category's words, and answers naming a category in other words 0.57
to 0.96 once the categories have short descriptions ("Peer authority" also known as "a
neighbouring local authority"); on CLINC150 intents the genuinely other queries reach at most
0.47, so 0.55 maps 25 of 30 obvious ones and no other one (0.6 maps 23). No bar on the labels
alone maps "a neighbouring authority mentored our managers" (0.46 to "Peer authority") without
also mapping genuinely other answers ("University" 0.53, "Private provider" 0.48), and neither
does a margin over the other categories: a short label needs its description.

Pure numpy; no UI, CLI library or store.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from coder.core.suggest.metrics import coverage_at_precision

#: Cosine to a category's closest example at or above which an answer is back-coded to it.
MIN_SIMILARITY = 0.55
#: The label of the "none of the categories" code of a back-coding codeframe.
GENUINELY_OTHER = "Genuinely other"
_LINK = re.compile(r"^Back-coding into (\S+)")


def link_description(closed_question_id: str) -> str:
    """A back-coding codeframe's description: it names the closed question."""
    return f"Back-coding into {closed_question_id}"


def closed_question_of(description: str) -> str | None:
    """The closed question a codeframe back-codes into (None: not a back-coding frame)."""
    found = _LINK.match(description)
    return found.group(1) if found else None


def _folded(label: str) -> str:
    return " ".join(label.casefold().split()).strip(" .,;:-–")


def carried_categories(codes: Mapping[str, str], categories: Sequence[str],
                       other_options: Sequence[str] = (),
                       given: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """The category each code of an other-specify question's own codeframe carries its codings
    to when the question is linked for back-coding (None: genuinely other).

    A code given in `given` (code label -> category, or GENUINELY_OTHER) goes there; else a code
    named like a category (ignoring case, spacing and end punctuation) goes to it, and one named
    "Other", "Genuinely other" or like the closed question's "other" option is genuinely other.
    Codes named like nothing are left out: the caller decides what to do with their codings.

    Args:
        codes: Code id -> label.
        categories: The closed question's categories.
        other_options: The closed question's "other" options ("Other (please specify)").
        given: A person's mapping, by code label.
    """
    by_name: dict[str, str | None] = {_folded(c): c for c in categories}
    for other in ("other", GENUINELY_OTHER, *other_options):
        by_name.setdefault(_folded(other), None)
    chosen = {_folded(k): v for k, v in (given or {}).items()}
    out: dict[str, str | None] = {}
    for code_id, label in codes.items():
        name = _folded(label)
        if name in chosen:
            out[code_id] = None if _folded(chosen[name]) == _folded(GENUINELY_OTHER) \
                else chosen[name]
        elif name in by_name:
            out[code_id] = by_name[name]
    return out


@dataclass(frozen=True)
class Backcode:
    """An other-specify answer's suggested category (None: genuinely other) and how similar
    it is to that category's closest example (cosine)."""

    category: str | None
    similarity: float


def category_similarities(answers: np.ndarray, example_vectors: np.ndarray,
                          example_categories: Sequence[str | None],
                          categories: Sequence[str | None],
                          example_answers: Sequence[int] | None = None) -> np.ndarray:
    """Every answer's cosine to each category's closest example, in one matrix product.

    Args:
        answers: (n, d) L2-normalised embeddings of the other-specify answers.
        example_vectors: (m, d) embeddings of the categories' words and back-coded answers.
        example_categories: The category of each example (None: genuinely other).
        categories: The categories wanted, in the columns' order.
        example_answers: For each example that is one of `answers`, its row (else -1): an
            answer is never its own example.

    Returns:
        (n, len(categories)); -1 where a category has no example (left to an answer).
    """
    n = answers.shape[0]
    out = np.full((n, len(categories)), -1.0)
    if n == 0 or len(example_categories) == 0:
        return out
    sims = np.asarray(answers, dtype=np.float32) @ np.asarray(example_vectors,
                                                              dtype=np.float32).T
    if example_answers is not None:
        own = np.asarray(example_answers)
        cols = np.flatnonzero((own >= 0) & (own < n))
        sims[own[cols], cols] = -np.inf
    labels = np.asarray([categories.index(c) if c in categories else -1
                         for c in example_categories])
    for column in range(len(categories)):
        members = np.flatnonzero(labels == column)
        if members.size:
            out[:, column] = np.maximum(sims[:, members].max(axis=1), -1.0)
    return out


def ranked_categories(similarities: np.ndarray, categories: Sequence[str | None],
                      min_similarity: float = MIN_SIMILARITY,
                      top: int | None = None) -> list[list[Backcode]]:
    """Each answer's categories, most likely first.

    The first is the category of the closest example, or genuinely other (None) when that
    example is an answer marked genuinely other or is less similar than `min_similarity`,
    with the similarity of that closest example; the other categories follow by similarity
    (genuinely other among them where answers marked so are its examples).

    Args:
        similarities: (n, len(categories)) from `category_similarities`.
        categories: The columns' categories.
        min_similarity: Below this, an answer is genuinely other.
        top: How many per answer (default all).
    """
    out: list[list[Backcode]] = []
    order = np.argsort(-similarities, axis=1, kind="stable")
    for row, ranked in zip(similarities, order, strict=True):
        shown = [int(c) for c in ranked if row[c] > -1.0]
        best = float(row[shown[0]]) if shown else 0.0
        first = categories[shown[0]] if shown and best >= min_similarity else None
        found = [Backcode(first, max(best, 0.0))]
        found += [Backcode(categories[c], max(float(row[c]), 0.0)) for c in shown
                  if categories[c] is not None and categories[c] != first]
        out.append(found[:top] if top is not None else found)
    return out


def match_categories(answers: np.ndarray, examples: Mapping[str | None, np.ndarray],
                     min_similarity: float = MIN_SIMILARITY) -> list[Backcode]:
    """Each answer's category by its most similar example.

    Args:
        answers: (n, d) L2-normalised embeddings of the other-specify answers.
        examples: Category -> (m, d) embeddings of its words and back-coded answers; the key
            None holds answers a coder marked genuinely other.
        min_similarity: Below this, an answer is genuinely other.
    """
    n = answers.shape[0]
    kept = {k: np.atleast_2d(np.asarray(v, dtype=np.float32)) for k, v in examples.items()}
    kept = {k: v for k, v in kept.items() if v.size}
    if n == 0:
        return []
    if not kept:
        return [Backcode(None, 0.0) for _ in range(n)]
    categories = list(kept)
    vectors = np.concatenate(list(kept.values()))
    labels = [k for k, v in kept.items() for _ in range(len(v))]
    sims = category_similarities(answers, vectors, labels, categories)
    return [r[0] for r in ranked_categories(sims, categories, min_similarity, top=1)]


def estimate_min_similarity(suggested: Sequence[Backcode], truth: Sequence[str | None],
                            min_precision: float) -> tuple[float, float, float]:
    """The similarity above which suggested categories were right `min_precision` of the
    time on answers coders back-coded (suggested without those answers as examples).

    Returns:
        (threshold, precision, coverage) over the answers suggested a category; threshold is
        infinity when no similarity keeps `min_precision`.
    """
    pairs = [(s.similarity, s.category == t) for s, t in zip(suggested, truth, strict=True)
             if s.category is not None]
    if not pairs:
        return float("inf"), 0.0, 0.0
    coverage, threshold = coverage_at_precision([p[0] for p in pairs], [p[1] for p in pairs],
                                                min_precision)
    kept = [ok for s, ok in pairs if s >= threshold]
    return threshold, (float(np.mean(kept)) if kept else 0.0), coverage
