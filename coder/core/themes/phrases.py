"""Candidate label phrases of a group of answers: noun phrases and gerund phrases, never fragments.

There is no tagger: a word's possible parts of speech come from the WordNet index shipped in
spacy-lookups-data and its lemma from spaCy's lookup table, so tokenising stays as cheap as
spaCy's tokenizer. Two kinds of candidate:

- noun phrases of 1-5 words (at most 3 content words), joined only by words such as "of",
  "for", "in" ("lack of training", "distance from home"); they never start with a request's
  verb and never end in a word that cannot be a noun ("schools add", "expense compared");
- gerund phrases: a content verb of the answers followed by its object, written with the
  verb's "-ing" form ("cancel my transfer" -> "cancelling transfer", "top up with a card" is
  not one: an object follows the verb directly or after "a", "the", "my", ...).

Pure logic: no UI, CLI or store imports; spaCy is imported on first use.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_WORDISH = re.compile(r"^[a-z][a-z'\-]*$")
# Stop words that may join the words of a noun phrase ("lack of training").
JOINERS = frozenset([
    "of", "for", "from", "in", "on", "with", "and", "at", "by", "the", "a", "an",
    "without", "after", "about", "between", "into", "over", "per", "than", "or",
])
# spaCy lists these as stop words, but in answers they name things ("wrong amount",
# "change of name") or are actions with an object ("make a payment").
_CONTENT = frozenset([
    "amount", "name", "part", "side", "front", "bottom", "top", "call", "move", "show",
    "give", "take", "make", "put", "keep",
])
# Words between a verb and its object that the gerund label drops ("cancel my transfer"),
# and the articles it keeps when the answers mostly use them ("making a payment").
_DETERMINERS = frozenset([
    "a", "an", "the", "my", "your", "our", "their", "his", "her", "its", "this", "that",
    "these", "those", "some", "any", "another",
])
_ARTICLES = frozenset(["a", "an", "the"])
_PARTICLES = frozenset(["up", "out", "off", "on", "down", "back", "away"])
# What spaCy's tokenizer leaves of "won't", "can't", "shan't", "ain't".
_CONTRACTED = frozenset(["wo", "ca", "sha", "ai"])
# Verbs that carry no theme of their own (requests, wishes, "be", "have") head no gerund phrase.
_LIGHT_VERBS = frozenset([
    "be", "have", "do", "get", "go", "come", "want", "need", "like", "try", "know", "tell",
    "let", "think", "wonder", "mean", "seem", "say", "ask", "help", "see", "hope", "wish",
    "please", "thank", "look", "feel", "happen", "can", "will", "would", "could", "should",
    "may", "might", "must", "love", "hate", "prefer", "find", "give", "take", "put", "keep",
    "make", "show", "work",
])
# Base forms of verbs that are also nouns in the index but start requests, not names ("want a
# refund"); "needs", "changes" still start a noun phrase.
_VERB_STARTS = frozenset([
    "want", "need", "use", "know", "make", "get", "try", "like", "help", "find", "tell", "show",
    "see", "give", "take", "let", "put", "keep", "check", "remove", "add", "change", "set",
])
# Forms of "be" (and "get") between a subject and its passive verb ("offers are withdrawn").
_BE = frozenset(["is", "are", "was", "were", "be", "been", "being", "get", "gets", "got"])
# Units of time that, followed by "per" or "a", are a rate cut from its number ("£60,000 a year
# per child"), not a name.
_UNITS = frozenset(["year", "month", "week", "day", "hour", "minute", "time"])
# Adjectives that WordNet also lists as nouns but that end no noun phrase ("shortage of local").
_ADJ_ENDS = frozenset([
    "local", "public", "private", "special", "general", "national", "individual", "social",
    "professional", "potential", "key", "main", "principal", "chief", "equal", "external",
    "internal", "original", "regular", "standard", "additional", "extra", "current", "young",
    "independent", "residential",
])


def _lookup_json(name: str) -> dict[str, list[str]]:
    import spacy_lookups_data

    path = Path(spacy_lookups_data.en[name])
    if not path.exists():  # the package ships the tables gzipped
        path = path.with_name(path.name + ".gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data: dict[str, list[str]] = json.load(fh)
    return data


@lru_cache(maxsize=1)
def _pos_index() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Lemmas known as nouns, verbs and adjectives (spacy-lookups-data's WordNet index)."""
    index = _lookup_json("lemma_index")
    return frozenset(index["noun"]), frozenset(index["verb"]), frozenset(index["adj"])


@lru_cache(maxsize=1)
def _adverbs() -> frozenset[str]:
    return frozenset(_lookup_json("lemma_index")["adv"])


@lru_cache(maxsize=1)
def _ing_forms() -> dict[str, tuple[str, ...]]:
    """Verb lemma -> its "-ing" forms in spaCy's lookup table ("cancel" -> "cancelling",
    "canceling")."""
    table: dict[str, str] = _lookup_json("lemma_lookup")  # type: ignore[assignment]
    forms: dict[str, list[str]] = defaultdict(list)
    for surface, lemma in table.items():
        if surface.endswith("ing") and surface.islower():
            forms[lemma].append(surface)
    # the doubled consonant first, as British English writes it ("cancelling", "topping")
    return {lemma: tuple(sorted(f, key=lambda w: (-len(w), w))) for lemma, f in forms.items()}


def ing_form(lemma: str, seen: Counter[str] | None = None) -> str:
    """The "-ing" form of a verb: the one the answers use, else the lookup table's, else by rule."""
    forms = _ing_forms().get(lemma, ())
    if seen:
        used = [f for f in forms if seen.get(f)] + [f for f in seen if f.endswith("ing")]
        if used:
            return max(used, key=lambda f: (seen.get(f, 0), f))
    if forms:
        return forms[0]
    if lemma.endswith("ie"):
        return lemma[:-2] + "ying"
    if lemma.endswith("e") and not lemma.endswith(("ee", "ye", "oe")) and len(lemma) > 2:
        return lemma[:-1] + "ing"
    return lemma + "ing"


@dataclass(frozen=True)
class Token:
    """One word of an answer as the candidate rules see it."""

    lemma: str
    surface: str
    stop: bool
    ok: bool  # a word (not punctuation or a number)


def tokens(texts: Sequence[str]) -> list[list[Token]]:
    """Lower-cased tokens of each text with their lookup lemma."""
    from coder.core.themes.keywords import _nlp, stop_words

    nlp = _nlp()
    stops = stop_words() - _CONTENT
    lemmas = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup", {})
    known: dict[str, Token] = {}
    out = []
    for doc in nlp.tokenizer.pipe(t.lower() for t in texts):
        toks: list[Token] = []
        glued = False  # the last token was a hyphen between two words ("top-up")
        for tok in doc:
            text = tok.text
            if glued:
                glued = False
                if _WORDISH.match(text):
                    first = toks.pop()
                    lemma = f"{first.surface[:-1]}-{lemmas.get(text, text) or text}"
                    toks.append(Token(lemma, first.surface + text, False, True))
                    continue
            if (text == "-" and not tok.whitespace_ and toks and toks[-1].ok
                    and doc[tok.i - 1].whitespace_ == ""):
                last = toks.pop()
                toks.append(Token(last.surface + "-", last.surface + "-", False, False))
                glued = True
                continue
            item = known.get(text)
            if item is None:
                lemma = lemmas.get(text, text) or text
                ok = bool(_WORDISH.match(text)) and len(text) > 1 or text in ("a", "i")
                stop = text in stops or lemma in stops or text in _CONTRACTED
                item = known[text] = Token(lemma, text, stop, ok)
            toks.append(item)
        out.append(toks)
    return out


def _can_end(tok: Token) -> bool:
    """Whether a phrase may end with this word: a noun, or a word the index does not know."""
    nouns, verbs, adjs = _pos_index()
    if tok.stop or not tok.ok or tok.lemma in _ADJ_ENDS:
        return False
    inflected_verb = tok.surface != tok.lemma and tok.lemma in verbs
    if inflected_verb and tok.surface.endswith("ed"):
        return False  # "expense compared"
    if inflected_verb and tok.surface.endswith("ing"):
        return tok.surface in nouns  # "training", "parking", but not "schools refusing"
    if tok.lemma in nouns or tok.surface in nouns:
        return True
    advs = _adverbs()
    return not any(w in verbs or w in adjs or w in advs for w in (tok.lemma, tok.surface))


def _participle(tok: Token) -> bool:
    """A verb's "-ed" or "-ing" form, or an irregular past form ("declined", "bought")."""
    nouns, verbs, _ = _pos_index()
    return (tok.surface != tok.lemma and tok.lemma in verbs
            and (tok.surface.endswith(("ed", "ing"))
                 or not tok.surface.endswith("s") and tok.surface not in nouns))


def _clause_end(prev: Token, last: Token) -> bool:
    """Whether ``prev last`` reads as a subject and its verb ("card working", "daughter need",
    "card stopped"), not as a noun phrase."""
    nouns, verbs, adjs = _pos_index()
    if prev.stop or prev.lemma in adjs and prev.lemma not in nouns:
        return False  # "lack of training", "financial help"
    inflected = last.surface != last.lemma and last.lemma in verbs
    if inflected and last.surface.endswith(("ing", "ed")):
        return True
    return last.lemma in _LIGHT_VERBS and prev.lemma in nouns


def _noun_only(tok: Token) -> bool:
    _, verbs, adjs = _pos_index()
    return tok.lemma not in verbs and tok.lemma not in adjs and tok.surface not in verbs


def _can_start(tok: Token) -> bool:
    """A noun phrase starts with a word that can be a noun or adjective, never a request's verb."""
    nouns, verbs, adjs = _pos_index()
    if not tok.ok or tok.stop or tok.surface in _VERB_STARTS:
        return False
    return not (tok.lemma in verbs and tok.lemma not in nouns and tok.lemma not in adjs
                and tok.surface not in adjs)


def _noun_phrases(toks: Sequence[Token], i: int, max_words: int,
                  after_verb: bool = False) -> list[int]:
    """Ends ``j`` (inclusive) of the noun phrases starting at ``i`` (``after_verb``: the
    object of a verb, where a single word that could also be a verb is a noun: "my card")."""
    ends: list[int] = []
    if not _can_start(toks[i]) and not (after_verb and toks[i].ok and not toks[i].stop):
        return ends
    _, verbs, _ = _pos_index()
    if (i + 1 < len(toks) and toks[i].surface == toks[i].lemma and toks[i].lemma in verbs
            and (toks[i + 1].surface in _DETERMINERS or toks[i + 1].surface in _PARTICLES)):
        return ends  # "cancel a transfer", "turn on the lights" are requests, not names
    for j in range(i, min(i + max_words, len(toks))):
        if not toks[j].ok:
            break
        if j > i and (_clause_end(toks[j - 1], toks[j])
                      or j > i + 1 and _participle(toks[j - 1]) and _clause_end(toks[j - 2],
                                                                               toks[j - 1])):
            break  # "card working", "offers withdrawn minute"
        nxt = toks[j + 1] if j + 1 < len(toks) else None
        if not _can_end(toks[j]) or nxt is not None and (
                nxt.surface in _PARTICLES and toks[j].lemma in verbs
                or nxt.ok and not nxt.stop and toks[j].surface.endswith("ing")
                and toks[j].lemma in verbs):
            continue  # not "fees for top" of "fees for top up", "the living" of "living room"
        span = toks[i : j + 1]
        if sum(not t.stop for t in span) > 3:
            continue
        if j > i and span[0].lemma in _UNITS and span[1].surface in ("per", "a", "an"):
            break  # "year per child" of "£60,000 a year per child"
        if any(t.surface in _ARTICLES and not (s.stop and s.surface not in _ARTICLES)
               for s, t in zip(span, span[1:], strict=False)):
            break  # "times a maintained school": an article follows a joining word only
        if any(t.stop and t.lemma not in JOINERS for t in span):
            break
        if j == i and not after_verb and not _noun_only(toks[j]):
            continue  # one word that can also be a verb or adjective ("use", "extra")
        if j > i and _participle(toks[i]) and toks[i + 1].stop:
            break  # "compared with maintained provision", not "declined transfer"
        if len({t.lemma for t in span}) < len(span):
            continue
        if j > i and (toks[j].lemma in _LIGHT_VERBS or toks[j].lemma in _VERB_STARTS):
            break  # "mind and want a refund"
        ends.append(j)
    return ends


def _gerund_head(tok: Token) -> bool:
    """A content verb in its base or "-ing" form ("cancel", "cancelling"; not "cancelled")."""
    _, verbs, _ = _pos_index()
    if not tok.ok or tok.stop or tok.lemma not in verbs or tok.lemma in _LIGHT_VERBS:
        return False
    return tok.surface == tok.lemma or tok.surface.endswith("ing")


def _passive(toks: Sequence[Token], i: int) -> tuple[Token, Token] | None:
    """``(noun, participle)`` when ``toks[i]`` is a noun that a passive verb follows ("offers
    are withdrawn", "my card was declined"), written as a noun phrase: "withdrawn offers"."""
    if i + 2 >= len(toks) or toks[i + 1].surface not in _BE:
        return None  # cheap test first: this runs for every word
    nouns, verbs, _ = _pos_index()
    noun = toks[i]
    if not (noun.ok and not noun.stop and _can_end(noun)):
        return None
    if i and not toks[i - 1].stop:
        return None  # only a one-word subject: "card payment was declined" is left alone
    k = i + 1
    k += toks[k + 1].surface in _BE if k + 1 < len(toks) else 0  # "have been", "is being"
    part = toks[k + 1] if k + 1 < len(toks) else None
    if (part is None or not part.ok or part.surface == part.lemma or part.lemma not in verbs
            or part.lemma in _LIGHT_VERBS or part.surface.endswith(("ing", "s"))
            or part.surface in nouns or part.lemma == noun.lemma):
        return None
    return noun, part


def phrase_candidates(
    texts: Sequence[str], max_words: int = 5
) -> tuple[Counter[str], dict[str, str]]:
    """Candidate label phrases of a group of answers (see the module doc).

    Returns:
        ``(coverage, surface)``: the number of answers containing each phrase (by lemmas;
        gerund phrases keyed ``"~verb object"``) and each phrase as a label would read it.
    """
    coverage: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    verb_forms: dict[str, Counter[str]] = defaultdict(Counter)
    for toks in tokens(texts):
        seen: set[str] = set()
        for i in range(len(toks)):
            for j in _noun_phrases(toks, i, max_words):
                span = toks[i : j + 1]
                key = " ".join(t.lemma for t in span)
                surfaces[key][" ".join(t.surface for t in span)] += 1
                seen.add(key)
            passive = _passive(toks, i)
            if passive:
                key = f"^{passive[1].lemma} {passive[0].lemma}"
                surfaces[key][f"{passive[1].surface} {passive[0].surface}"] += 1
                seen.add(key)
            if not _gerund_head(toks[i]) or i and toks[i - 1].surface in _DETERMINERS:
                continue  # "my refund" is a noun
            verb = toks[i]
            verb_forms[verb.lemma][verb.surface] += 1
            k = i + 1
            head = [verb.lemma]
            if k < len(toks) and toks[k].surface in _PARTICLES:
                head.append(toks[k].surface)
                k += 1
            article = ""
            if k < len(toks) and toks[k].surface in _DETERMINERS:
                article = toks[k].surface if toks[k].surface in _ARTICLES else ""
                k += 1
            nouns, _, _ = _pos_index()
            if k >= len(toks) or k == i + 1 and (verb.surface != verb.lemma
                                                 or verb.lemma in nouns):
                continue  # "parking space", "card payment" are noun phrases
            for j in _noun_phrases(toks, k, min(max_words, 3), after_verb=True):
                span = toks[k : j + 1]
                if any(t.lemma == verb.lemma for t in span) or j == k and _participle(span[0]):
                    continue  # "refund showing"
                key = "~" + " ".join(head + [t.lemma for t in span])
                obj = " ".join(t.surface for t in span)
                surfaces[key][" ".join([*head[1:], article, obj]).strip()] += 1
                seen.add(key)
        coverage.update(seen)
    surface: dict[str, str] = {}
    for key, written in surfaces.items():
        best = written.most_common(1)[0][0]
        if key.startswith("~"):
            lemma = key[1:].split()[0]
            best = f"{ing_form(lemma, verb_forms[lemma])} {best}"
            best = re.sub(r"\s+", " ", best)
        surface[key] = best
    return coverage, surface
