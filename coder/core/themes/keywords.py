"""Keywords and short labels for groups of answers (spaCy lemmas + class-based TF-IDF).

Pure logic: no UI, CLI or store imports; spaCy is imported on first use.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from functools import lru_cache
from typing import Any

_ALPHA = re.compile(r"[a-z]")
# Words that carry no theme in survey answers, on top of spaCy's English stop words.
_EXTRA_STOP = frozenset(
    [
        "n't",
        "'s",
        "'m",
        "'re",
        "'ve",
        "'d",
        "'ll",
        "na",
        "nt",
        "etc",
        "ok",
        "okay",
        "yes",
        "thank",
        "thanks",
        "really",
        "just",
        "also",
        "bit",
        "lot",
        "like",
        "get",
        "got",
        "would",
        "could",
        "should",
        "much",
    ]
)


@lru_cache(maxsize=1)
def _nlp() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's English stop words plus a few survey fillers, lower-case."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(w.lower() for w in STOP_WORDS) | _EXTRA_STOP


def tokenise(texts: Iterable[str], batch_size: int = 1000) -> list[list[tuple[str, str]]]:
    """Content tokens of each text as ``(lemma, surface)`` pairs, lower-cased.

    Stop words, punctuation, numbers and tokens without a letter are replaced by ``("", "")``
    so that phrases are never formed across them. Only spaCy's tokenizer runs per text; the
    lookup lemma and the filters are worked out once per distinct token.
    """
    from spacy.attrs import ORTH

    nlp = _nlp()
    stops = stop_words()
    vocab = nlp.vocab
    lemmas = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup", {})
    gap = ("", "")
    known: dict[int, tuple[str, str]] = {}

    def classify(orth: int) -> tuple[str, str]:
        lex = vocab[orth]
        surface = lex.text
        lemma = lemmas.get(surface, surface) or surface
        if (
            lex.is_space
            or lex.is_punct
            or lex.like_num
            or len(surface) < 2
            or not _ALPHA.search(surface)
            or surface in stops
            or lemma in stops
        ):
            return gap
        return (lemma, surface)

    out: list[list[tuple[str, str]]] = []
    for doc in nlp.tokenizer.pipe((t.lower() for t in texts), batch_size=batch_size):
        toks: list[tuple[str, str]] = []
        for orth in doc.to_array([ORTH]).tolist() if len(doc) else []:
            pair = known.get(orth)
            if pair is None:
                pair = known[orth] = classify(orth)
            if pair is gap:
                if toks and toks[-1] is not gap:
                    toks.append(gap)
                continue
            toks.append(pair)
        out.append(toks)
    return out


def _terms(tokens: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Unigram and bigram lemma terms of one answer, each with its surface form."""
    terms: dict[str, str] = {}
    prev: tuple[str, str] = ("", "")
    for lemma, surface in tokens:
        if lemma:
            terms.setdefault(lemma, surface)
            if prev[0] and prev[0] != lemma:
                terms.setdefault(f"{prev[0]} {lemma}", f"{prev[1]} {surface}")
        prev = (lemma, surface)
    return terms


def class_keywords(
    texts: Sequence[str],
    groups: Sequence[Hashable],
    n_keywords: int = 8,
    *,
    min_df: int = 2,
) -> dict[Hashable, list[tuple[str, str, float]]]:
    """Class-based TF-IDF keywords per group of answers.

    Term frequency is the share of the group's answers containing the term (so one long
    answer cannot dominate); the weight is ``log(1 + mean group size / overall answers with
    the term)``, as in c-TF-IDF. Terms are lemmas and two-lemma phrases without stop words.

    Args:
        texts: all answers.
        groups: group of each answer; answers in group ``None`` are ignored.
        n_keywords: keywords per group.
        min_df: a term must occur in at least this many answers of the group (1 for groups
            smaller than 4).

    Returns:
        Group -> list of ``(lemma_term, surface_form, score)``, best first.
    """
    tokens = tokenise(texts)
    df_group: dict[Hashable, Counter[str]] = defaultdict(Counter)
    surfaces: dict[Hashable, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    size: Counter[Hashable] = Counter()
    df_all: Counter[str] = Counter()
    for toks, group in zip(tokens, groups, strict=True):
        if group is None:
            continue
        size[group] += 1
        terms = _terms(toks)
        df_group[group].update(terms.keys())
        df_all.update(terms.keys())
        for term, surface in terms.items():
            surfaces[group][term][surface] += 1
    if not size:
        return {}
    mean_size = sum(size.values()) / len(size)
    out: dict[Hashable, list[tuple[str, str, float]]] = {}
    for group, counts in df_group.items():
        need = min_df if size[group] >= 4 else 1
        scored = []
        for term, df in counts.items():
            if df < need:
                continue
            tf = df / size[group]
            # Phrases are rarer than words; a small boost lets a good phrase lead the label.
            boost = 1.15 if " " in term else 1.0
            scored.append((tf * math.log(1 + mean_size / df_all[term]) * boost, term))
        scored.sort(key=lambda st: (-st[0], st[1]))
        out[group] = [
            (term, surfaces[group][term].most_common(1)[0][0], score)
            for score, term in scored[:n_keywords]
        ]
    for group in size:
        out.setdefault(group, [])
    return out


def make_label(keywords: Sequence[tuple[str, str, float]], max_words: int = 5) -> str:
    """A short label (2-5 words, no stop words) from ranked keywords.

    Takes the best keyword's surface form, then adds further keywords whose lemmas are not
    already covered, as long as the label stays within ``max_words`` words.
    """
    words: list[str] = []
    lemmas: set[str] = set()
    for term, surface, _score in keywords:
        parts = term.split()
        if all(p in lemmas for p in parts):
            continue
        new = [s for p, s in zip(parts, surface.split(), strict=False) if p not in lemmas]
        if words and len(words) + len(new) > max_words:
            continue
        words.extend(new)
        lemmas.update(parts)
        if len(words) >= min(3, max_words) or (len(words) >= 2 and len(lemmas) >= 2
                                                and " " in term):
            break
    return " ".join(words[:max_words])
