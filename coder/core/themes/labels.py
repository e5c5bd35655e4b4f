"""Theme labels: short noun phrases taken from a theme's own answers, and a one-line description.

Candidates are 1-4 word phrases of the answers (lemmatised with spaCy's lookup tables) that
neither start nor end with a stop word and end in a word that can be a noun, so a label is never
a fragment such as "schools add" or "expense compared". Each candidate is scored by meaning:
cosine to the theme's centre, minus part of its cosine to the nearest other theme's centre
(distinctiveness), plus the share of the theme's answers containing it (coverage).

Pure logic: no UI, CLI or store imports; spaCy is imported on first use.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

#: Embeds short phrases with the answers' model: ``phrases -> (len(phrases), d)`` array.
PhraseEmbedding = Callable[[Sequence[str]], np.ndarray]

_WORDISH = re.compile(r"^[a-z][a-z'\-]*$")
# Stop words that may join the words of a phrase ("lack of training", "distance from home").
_JOINERS = frozenset([
    "of", "for", "from", "in", "on", "with", "and", "at", "by", "the", "a", "an",
    "without", "after", "about", "between", "into", "over", "per", "than", "or",
])


@lru_cache(maxsize=1)
def _pos_index() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Lemmas known as nouns, verbs and adjectives (spacy-lookups-data's WordNet index)."""
    import spacy_lookups_data

    path = Path(spacy_lookups_data.en["lemma_index"])
    if not path.exists():  # the package ships the tables gzipped
        path = path.with_name(path.name + ".gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        index = json.load(fh)
    return frozenset(index["noun"]), frozenset(index["verb"]), frozenset(index["adj"])


@dataclass(frozen=True)
class _Token:
    lemma: str
    surface: str
    stop: bool
    ok: bool  # a word (not punctuation or a number)


def _tokens(texts: Sequence[str]) -> list[list[_Token]]:
    from coder.core.themes.keywords import _nlp, stop_words

    nlp = _nlp()
    stops = stop_words()
    lemmas = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup", {})
    known: dict[str, _Token] = {}
    out = []
    for doc in nlp.tokenizer.pipe(t.lower() for t in texts):
        toks = []
        for tok in doc:
            text = tok.text
            item = known.get(text)
            if item is None:
                lemma = lemmas.get(text, text) or text
                ok = bool(_WORDISH.match(text)) and len(text) > 1 or text in ("a", "i")
                item = known[text] = _Token(lemma, text, text in stops or lemma in stops, ok)
            toks.append(item)
        out.append(toks)
    return out


# Adjectives that WordNet also lists as nouns but that end no noun phrase ("shortage of local").
_ADJ_ENDS = frozenset([
    "local", "public", "private", "special", "general", "national", "individual", "social",
    "professional", "potential", "key", "main", "principal", "chief", "equal", "external",
    "internal", "original", "regular", "standard", "additional", "extra", "current", "young",
])


def _can_end(tok: _Token) -> bool:
    """Whether a phrase may end with this word: a noun, or a word the index does not know."""
    nouns, verbs, adjs = _pos_index()
    if tok.stop or not tok.ok or tok.lemma in _ADJ_ENDS:
        return False
    inflected_verb = tok.surface != tok.lemma and tok.lemma in verbs
    if inflected_verb and tok.surface.endswith("ed"):
        return False  # "expense compared"
    if inflected_verb and tok.surface.endswith("ing"):
        return tok.surface in nouns  # "training", "parking", but not "schools refusing"
    if tok.lemma in nouns:
        return True
    return tok.lemma not in verbs and tok.lemma not in adjs and tok.surface not in verbs


def _participle(tok: _Token) -> bool:
    _, verbs, _ = _pos_index()
    return (tok.surface != tok.lemma and tok.lemma in verbs
            and tok.surface.endswith(("ed", "ing")))


def _noun_only(tok: _Token) -> bool:
    nouns, verbs, adjs = _pos_index()
    return tok.lemma not in verbs and tok.lemma not in adjs and tok.surface not in verbs


# Base forms of verbs that are also nouns in the index but start requests, not names ("want a
# refund"); "needs", "changes" still start a phrase.
_VERB_STARTS = frozenset([
    "want", "need", "use", "know", "make", "get", "try", "like", "help", "find", "tell", "show",
    "see", "give", "take", "let", "put", "keep", "check", "remove", "add", "change", "set",
])


def _can_start(tok: _Token) -> bool:
    """A phrase starts with a word that can be a noun or adjective, never a request's verb."""
    nouns, verbs, adjs = _pos_index()
    if not tok.ok or tok.stop or tok.surface in _VERB_STARTS:
        return False
    return not (tok.lemma in verbs and tok.lemma not in nouns and tok.lemma not in adjs)


def phrase_candidates(
    texts: Sequence[str], max_words: int = 5
) -> tuple[Counter[str], dict[str, str]]:
    """Candidate label phrases of a group of answers.

    Returns:
        ``(coverage, surface)``: the number of answers containing each phrase (by lemmas) and
        each phrase's commonest surface form.
    """
    coverage: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    for toks in _tokens(texts):
        seen: set[str] = set()
        for i, first in enumerate(toks):
            if not _can_start(first):
                continue
            for j in range(i, min(i + max_words, len(toks))):
                if not toks[j].ok:
                    break
                last = toks[j]
                if not _can_end(last):
                    continue
                span = toks[i : j + 1]
                if sum(not t.stop for t in span) > 3:
                    continue
                if any(t.stop and t.lemma not in _JOINERS for t in span):
                    break
                if j == i and not _noun_only(last):
                    continue  # one word that can also be a verb or adjective ("use", "extra")
                if j > i and _participle(first) and toks[i + 1].stop:
                    break  # "compared with maintained provision", not "declined transfer"
                key = " ".join(t.lemma for t in span)
                if len({t.lemma for t in span}) < len(span):
                    continue
                surfaces[key][" ".join(t.surface for t in span)] += 1
                seen.add(key)
        coverage.update(seen)
    surface = {k: c.most_common(1)[0][0] for k, c in surfaces.items()}
    return coverage, surface


@dataclass(frozen=True)
class LabelScorer:
    """Weights of a candidate's score: ``cos(centre) - distinct * cos(nearest other centre)
    + coverage * share of answers containing it``; only the ``shortlist`` candidates that best
    balance coverage and rarity elsewhere are embedded; ``combine`` > 0 tries that many second
    phrases ("A, B") when the pair scores higher. Defaults chosen on Banking77 and CLINC150
    (benchmarks/themes_labels.py)."""

    distinct: float = 0.7
    coverage: float = 0.0
    shortlist: int = 40
    max_answers: int = 100
    combine: int = 0


def label_themes(
    texts_by_theme: Sequence[Sequence[str]],
    centres: np.ndarray,
    phrase_embedding: PhraseEmbedding | None,
    scorer: LabelScorer | None = None,
) -> list[str]:
    """A label per theme: the best-scoring candidate phrase of its answers (see module doc).

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
    labels = [s[0][1] if s else "" for s in shortlists]
    if phrase_embedding is not None and any(shortlists):
        _rank_by_meaning(labels, shortlists, centres, phrase_embedding, scorer)
    return [_as_written(label, texts[: scorer.max_answers])
            for label, texts in zip(labels, texts_by_theme, strict=True)]


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
    cent = np.asarray(centres, dtype=np.float32)
    sims = vec @ cent.T  # phrase x theme

    def theme_score(s: np.ndarray, t: int, share: float) -> float:
        other = float(np.max(np.delete(s, t))) if k > 1 else 0.0
        return float(s[t]) - scorer.distinct * other + scorer.coverage * share

    ranked: list[list[tuple[float, str, str]]] = []
    for t, shortlist in enumerate(shortlists):
        scored = sorted(((theme_score(sims[row[surf]], t, share), surf, key)
                         for key, surf, share in shortlist), key=lambda x: (-x[0], x[1]))
        ranked.append(scored)
        if scored:
            labels[t] = scored[0][1]
    if scorer.combine:
        # a second phrase, when the pair says more about the theme than the first alone
        pairs: dict[int, list[str]] = {}
        for t, scored in enumerate(ranked):
            if len(scored) < 2:
                continue
            first_key = set(scored[0][2].split())
            pairs[t] = [f"{scored[0][1]}, {surf}" for _, surf, key in scored[1: 1 + scorer.combine]
                        if not set(key.split()) & first_key]
        combos = sorted({c for cs in pairs.values() for c in cs})
        if combos:
            cvec = np.asarray(phrase_embedding(combos), dtype=np.float32)
            cvec /= np.maximum(np.linalg.norm(cvec, axis=1, keepdims=True), 1e-12)
            csims = cvec @ cent.T
            crow = {c: i for i, c in enumerate(combos)}
            for t, cs in pairs.items():
                best_score = ranked[t][0][0]
                for c in cs:
                    sc = theme_score(csims[crow[c]], t, 0.0)
                    if sc > best_score:
                        labels[t], best_score = c, sc


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
