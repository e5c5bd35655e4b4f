"""Theme labels: short phrases taken from a theme's own answers, and a one-line description.

Candidates are the noun phrases and gerund phrases of the answers (:mod:`.phrases`: "lack of
training", "cancelling a transfer"; never a fragment such as "schools add" or "expense
compared"). The most distinctive by c-TF-IDF are scored by meaning: cosine to the theme's
centre minus part of its cosine to the nearest other theme's centre.

Pure logic: no UI, CLI or store imports; spaCy is imported on first use.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from coder.core.themes.phrases import phrase_candidates
from coder.core.themes.phrases import tokens as _tokens

__all__ = ["occurs_in", "phrase_candidates", "_tokens"]

#: Embeds short phrases with the answers' model: ``phrases -> (len(phrases), d)`` array.
PhraseEmbedding = Callable[[Sequence[str]], np.ndarray]

@dataclass(frozen=True)
class LabelScorer:
    """How a theme's label is chosen among its candidate phrases.

    Candidates are first ranked by c-TF-IDF (share of the theme's answers containing the phrase
    times its rarity in other themes); the ``shortlist`` best are embedded and the label is the
    one with the best ``temperature * log p(theme | phrase) - distinct * cos(nearest other
    centre) + coverage * share``, where ``p(theme | phrase)`` is the softmax over all themes of
    ``cos(phrase, centre) / temperature``: the phrase that best retrieves its own theme.
    Defaults fixed on a development protocol (benchmarks/themes_labels.py).

    Attributes:
        temperature: softness of the retrieval (small: only the nearest rival theme counts;
            ``0`` scores by ``cos(centre)`` alone, before the other terms).
        distinct: weight of the nearest other theme's centre (distinctiveness).
        coverage: weight of the share of the theme's answers containing the phrase.
        shortlist: candidates per theme that are embedded.
        max_answers: the theme's most central answers read for candidates.
    """

    temperature: float = 0.1
    distinct: float = 0.0
    coverage: float = 0.0
    shortlist: int = 40
    max_answers: int = 100


def label_themes(
    texts_by_theme: Sequence[Sequence[str]],
    centres: np.ndarray,
    phrase_embedding: PhraseEmbedding | None,
    scorer: LabelScorer | None = None,
) -> list[str]:
    """A label per theme: the best candidate phrase of its answers (see :class:`LabelScorer`).

    Args:
        texts_by_theme: each theme's answers, most central first (only the first
            ``scorer.max_answers`` are read).
        centres: unit-length theme centres, aligned with ``texts_by_theme``.
        phrase_embedding: embeds phrases with the answers' model; without it candidates are
            ranked by coverage and rarity in other themes alone.

    Returns:
        A label per theme ("" when a theme has no candidate phrase).
    """
    scorer = scorer or LabelScorer()
    shortlists = candidate_shortlists(texts_by_theme, scorer)
    labels = [s[0][1] if s else "" for s in shortlists]
    if phrase_embedding is not None and any(shortlists):
        _rank_by_meaning(labels, shortlists, centres, phrase_embedding, scorer)
    return [_as_written(label, texts[: scorer.max_answers])
            for label, texts in zip(labels, texts_by_theme, strict=True)]


def candidate_shortlists(
    texts_by_theme: Sequence[Sequence[str]], scorer: LabelScorer
) -> list[list[tuple[str, str, float]]]:
    """Each theme's candidates as ``(key, phrase, share of its answers)``, best c-TF-IDF first."""
    k = len(texts_by_theme)
    cands = [phrase_candidates(list(t[: scorer.max_answers])) for t in texts_by_theme]
    df_all: Counter[str] = Counter()
    for coverage, _ in cands:
        df_all.update(coverage.keys())
    shortlists: list[list[tuple[str, str, float]]] = []
    for t, (coverage, surface) in enumerate(cands):
        size = max(1, min(len(texts_by_theme[t]), scorer.max_answers))
        need = 2 if size >= 4 else 1
        pre = []
        for key, count in coverage.items():
            if count < need:
                continue
            share = count / size
            rarity = math.log(1 + k / df_all[key])
            pre.append((share * rarity * (1 + 0.1 * key.count(" ")), key))
        pre.sort(key=lambda sk: (-sk[0], sk[1]))
        shortlists.append([(key, surface[key], coverage[key] / size)
                           for _, key in pre[: scorer.shortlist]])
    return shortlists


def _as_written(label: str, texts: Sequence[str]) -> str:
    """The label in the answers' own case ("ehcp" -> "EHCP") when they write it that way."""
    if not label:
        return label
    found: Counter[str] = Counter()
    pattern = re.compile(r"\b" + re.escape(label) + r"\b", re.IGNORECASE)
    for text in texts:
        found.update(m.group(0) for m in pattern.finditer(text))
    if not found:
        return label
    written = found.most_common(1)[0][0]
    # keep acronyms and names; a sentence's capital first letter is not the word's
    return written if any(w.isupper() and len(w) > 1 for w in written.split()) else label


def _rank_by_meaning(
    labels: list[str],
    shortlists: Sequence[Sequence[tuple[str, str, float]]],
    centres: np.ndarray,
    phrase_embedding: PhraseEmbedding,
    scorer: LabelScorer,
) -> None:
    """Replace each label by its shortlist's best phrase by meaning (see :class:`LabelScorer`)."""
    k = len(shortlists)
    phrases = sorted({surf for s in shortlists for _, surf, _ in s})
    vec = np.asarray(phrase_embedding(phrases), dtype=np.float32)
    vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)
    row = {p: i for i, p in enumerate(phrases)}
    sims = vec @ np.asarray(centres, dtype=np.float32).T  # phrase x theme
    for t, shortlist in enumerate(shortlists):
        if not shortlist:
            continue
        own = np.array([sims[row[surf], t] for _, surf, _ in shortlist])
        if k > 1:
            others = np.delete(sims[[row[surf] for _, surf, _ in shortlist]], t, axis=1)
            other = others.max(axis=1)
        else:
            other = np.zeros(len(shortlist))
        share = np.array([sh for _, _, sh in shortlist])
        if scorer.temperature > 0:
            z = sims[[row[surf] for _, surf, _ in shortlist]] / scorer.temperature
            z -= z.max(axis=1, keepdims=True)
            retrieval = scorer.temperature * (z[:, t] - np.log(np.exp(z).sum(axis=1)))
        else:
            retrieval = own
        score = retrieval - scorer.distinct * other + scorer.coverage * share
        order = sorted(range(len(shortlist)), key=lambda i: (-score[i], shortlist[i][1]))
        labels[t] = shortlist[order[0]][1]


def occurs_in(label: str, text: str) -> bool:
    """Whether a label is drawn from an answer: every content word of the label occurs in the
    answer in some form ("Cancelling a transfer" in "cancel my transfer", "Withdrawn offers"
    in "offers are withdrawn at the last minute")."""
    label_toks, text_toks = _tokens([label, text])
    have = {t.lemma for t in text_toks} | {t.surface for t in text_toks}
    words = [t for t in label_toks if t.ok and not t.stop]
    return bool(words) and all(t.lemma in have or t.surface in have for t in words)


def describe_theme(texts: Sequence[str], max_words: int = 20) -> str:
    """A one-line description in the theme's own words: its most central answer's first
    sentence, cut at ``max_words`` words.

    Args:
        texts: the theme's answers, most central first.
    """
    for text in texts:
        line = " ".join(text.split())
        if not line:
            continue
        sentence = re.split(r"(?<=[.!?])\s", line, maxsplit=1)[0]
        words = sentence.split()
        if len(words) > max_words:
            sentence = " ".join(words[:max_words]).rstrip(",;:") + "…"
        return sentence
    return ""


def capitalise(label: str) -> str:
    """First letter upper-case, the rest as written ("high school fees" -> "High school fees")."""
    return label[:1].upper() + label[1:] if label else label


def fallback_label(partial: str, texts: Sequence[str]) -> str:
    """Label from the theme's most common content words when keywords give fewer than 2."""
    from coder.core.themes.keywords import stop_words

    stops = stop_words()
    counts: Counter[str] = Counter()
    for text in texts:
        seen = {w.strip(".,;:!?\"'()").lower() for w in text.split()}
        counts.update(w for w in seen if len(w) > 1 and w.isalpha() and w not in stops)
    words = partial.split()
    if not words and not counts:
        # Answers made only of stop words ("Nothing.", "No"): quote the commonest answer.
        common = Counter(" ".join(t.split()).strip(" .!") for t in texts).most_common(1)
        return f'"{common[0][0][:60]}"' if common and common[0][0] else ""
    for word, _ in counts.most_common():
        if len(words) >= 3:
            break
        if word not in words:
            words.append(word)
    return " ".join(words)
