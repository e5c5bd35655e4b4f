"""Find people's names in free text with a name gazetteer and capitalisation cues; pure text.

Given names and surnames come from Faker's person providers (a maintained gazetteer package,
loaded lazily) for the locales of people in UK public services, plus the short forms in
`data/given_names_extra.txt`. Names that are also ordinary
words ("Grace", "Mark", "Hunter"; `data/name_words.txt`) count only beside a surer cue: a
title ("Mr"), a role ("our IRO Grace") or another name ("Grace Patel").
"""

from __future__ import annotations

import importlib
import re
from functools import cache
from importlib.resources import files

PLACEHOLDER = "[name]"

#: Faker locales whose names are read: English-speaking countries and the largest groups of
#: people born abroad living in the UK.
LOCALES = ("en_GB", "en_US", "en_IE", "ga_IE", "en_IN", "en_PK", "en_NZ", "en_NG", "yo_NG",
           "ig_NG", "tw_GH", "en_KE", "pl_PL", "ro_RO", "tr_TR", "pt_PT", "it_IT", "lt_LT")
_ATTRIBUTES = ("first_names", "first_names_male", "first_names_female", "last_names",
               "last_names_male", "last_names_female")
_LATIN = re.compile(r"^[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f'-]+$")

#: Capitalised words that are never taken for a person on their own (places, months, days,
#: institutions and words that start sentences), whatever the gazetteer says.
NOT_PEOPLE = frozenset("""
a an the this that these those we our they their it its in on at for and but if when as i
he she his her him my me you your us there here what which who how why all any some no not
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday christmas easter
london england english britain british uk wales welsh scotland scottish ireland irish europe
european america american india indian africa african spain poland france germany
north south east west northern southern eastern western midlands central greater
council councils authority authorities borough county city district region regional local
national government parliament department ministry ofsted nhs dfe court courts act acts
service services team teams manager managers panel board school schools college academy
care social health education family families children child young people parent parents
virtual independent trust agency group network programme project centre center unit hub
office forum partnership plan plans review reviews lead leads policy officer officers
director head staff worker workers practice practitioners support funding budget covid
god lord king queen prince princess sir dame saint st mr mrs ms miss dr
""".split())  # noqa: SIM905 (a word list reads better as text)

_WORD = r"(?:Mc|Mac|O')?[A-Z][a-z\u00df-\u00ff]+(?:-[A-Z][a-z\u00df-\u00ff]+)?"
# Not followed by a contraction ("Don't", "Won't"); a possessive ("Sarah's") is fine.
_RUN = re.compile(rf"(?<![\w'\u2019-])({_WORD}(?:\s+{_WORD}){{0,3}})"
                  r"(?![\w-]|['\u2019](?!s\b)[a-z])")
_ROLE = re.compile(
    r"\b((?i:IROs?|SWs?|social\s+workers?|managers?|team\s+managers?|head\s*teachers?|heads?|"
    r"directors?|DCS|officers?|leads?|colleagues?|advis[eo]rs?|co-?ordinators?|nurses?|"
    r"doctors?|consultants?|PAs?|supervisors?|practitioners?|case\s*workers?|workers?|"
    r"chairs?|clerks?|admin))\s+(" + _WORD + r")(?![\w-])")


@cache
def gazetteer_names() -> tuple[frozenset[str], frozenset[str]]:
    """(given names, surnames) from Faker's person providers for `LOCALES`, Latin script only."""
    first: set[str] = set()
    last: set[str] = set()
    for locale in LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:  # a locale dropped by a later Faker
            continue
        for attribute in _ATTRIBUTES:
            names = getattr(provider, attribute, ())
            target = last if attribute.startswith("last") else first
            target.update(n for n in names if _LATIN.match(n))
    extra = files("coder.core.reporting").joinpath("data/given_names_extra.txt").read_text(
        encoding="utf-8")
    first.update(n.strip() for n in extra.splitlines() if n.strip() and not n.startswith("#"))
    return frozenset(first), frozenset(last)


@cache
def name_words() -> frozenset[str]:
    """Names that are also ordinary English words (casefolded)."""
    text = files("coder.core.reporting").joinpath("data/name_words.txt").read_text(
        encoding="utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


@cache
def _lookup() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    first, last = gazetteer_names()
    return (frozenset(n.casefold() for n in first), frozenset(n.casefold() for n in last),
            name_words() | NOT_PEOPLE)


def _bare(word: str) -> str:
    return word.casefold()


def is_name(word: str, *, sure: bool) -> bool:
    """Whether a capitalised word is a name: `sure` asks for a name that is no ordinary word."""
    first, last, words = _lookup()
    key = _bare(word)
    if key in NOT_PEOPLE:
        return False
    known = key in first or key in last or (
        "-" in key and all((p in first or p in last) and p not in NOT_PEOPLE
                           for p in key.split("-")))
    return known and (not sure or key not in words)


def is_given_name(word: str) -> bool:
    """Whether `word` is in the gazetteer's given names (ordinary words included)."""
    return _bare(word) in _lookup()[0] and _bare(word) not in NOT_PEOPLE


def redact_people(text: str, placeholder: str = PLACEHOLDER) -> str:
    """`text` with people's names replaced: whole runs ("Sarah Jones" -> one placeholder).

    A run of capitalised words is a name when one word is a sure name (in the gazetteer and no
    ordinary word); the name words beside it, and the word after a sure given name (usually a
    surname the gazetteer lacks), go with it. A word after a role ("our IRO Grace") is a name
    when the gazetteer knows it at all.
    """
    text = _ROLE.sub(lambda m: f"{m.group(1)} {placeholder}"
                     if is_name(m.group(2), sure=False) else m.group(0), text)
    return _RUN.sub(lambda m: _redact_run(m.group(1), placeholder), text)


def _redact_run(run: str, placeholder: str) -> str:
    words = run.split()
    flags = [is_name(w, sure=True) for w in words]
    if not any(flags):
        return run
    for i, word in enumerate(words):
        if flags[i] and is_given_name(word) and i + 1 < len(words) \
                and _bare(words[i + 1]) not in NOT_PEOPLE:
            flags[i + 1] = True
    changed = True
    while changed:  # name words next to a sure name join it ("Grace Patel")
        changed = False
        for i, word in enumerate(words):
            if not flags[i] and is_name(word, sure=False) and (
                    (i and flags[i - 1]) or (i + 1 < len(words) and flags[i + 1])):
                flags[i] = changed = True
    out: list[str] = []
    for word, flag in zip(words, flags, strict=True):
        if not flag:
            out.append(word)
        elif not out or out[-1] != placeholder:
            out.append(placeholder)
    return " ".join(out)


def risky_words(text: str) -> list[str]:
    """Capitalised words left in `text` that may still be names (ordinary-word names included),
    not counting the first word of a sentence, line or list item, nor a name word inside a
    longer title ("the Public Law Outline")."""
    found = []
    for match in _RUN.finditer(text):
        head = text[:match.start()]
        before = head.rstrip()
        sentence_start = (not before or before[-1] in ".!?:;\"\u201c()*-\u2022"
                          or "\n" in head[len(before):])
        words = match.group(1).split()
        all_names = all(is_name(w, sure=False) for w in words)
        for offset, word in enumerate(words):
            if offset == 0 and sentence_start:
                continue
            if is_name(word, sure=False) and (all_names or is_name(word, sure=True)):
                found.append(word)
    return found
