"""Redact names and contact details from quotes; pure text logic, no UI, CLI, store or SQL."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from coder.core.reporting.authorities import (
    COUNCIL_PREFIX,
    COUNCIL_SUFFIX,
    is_authority,
    redact_authorities,
)
from coder.core.reporting.authorities import PLACEHOLDER as COUNCIL
from coder.core.reporting.person_names import redact_people, risky_words

#: Project setting holding the redaction list (JSON; see `RedactionList.from_setting`).
SETTING_KEY = "redaction"

#: Attribute-column name fragments that mark a column of names, and the placeholder used.
_NAME_COLUMNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"authority|council|(^|_)la(_|$)|borough|county", re.I), "[council]"),
    (re.compile(r"school|academy|college", re.I), "[school]"),
    (re.compile(r"trust|hospital|practice|ward|site|organi[sz]ation|provider|service", re.I),
     "[organisation]"),
    (re.compile(r"name|person|staff|contact|manager|officer|respondent", re.I), "[name]"),
)
#: A column counts as naming something only when it says so (e.g. "authority_name", "school").
_NAMEISH = re.compile(r"name|authority|council|school|academy|trust|organi[sz]ation|provider|"
                      r"staff|contact|person", re.I)

# "Kestrelworth" as well as "London Borough of Kestrelworth" or "Kestrelworth City Council".
_COUNCIL_PREFIX = re.compile(r"^(?:(?:London|Royal|Metropolitan)\s+Borough\s+of|City\s+of|"
                             r"County\s+of)\s+", re.I)
_COUNCIL_SUFFIX = re.compile(r"\s+(?:(?:London|Royal|Metropolitan|County|City)\s+)?"
                             r"(?:(?:Borough|City|County|District)\s+)?Council$", re.I)

_EMAIL = re.compile(r"\b[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\b")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)]", re.I)
# UK numbers: +44 or 0, then 9-10 digits; spaces, dots, dashes or a bracketed area code allowed.
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?|\(?0)\d{2,4}\)?(?:[\s.-]?\d){6,8}(?!\w)")
_POSTCODE = re.compile(r"\b(?:GIR\s?0AA|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b", re.I)
# A title followed by a capitalised word names a person whether or not the list knows them.
_TITLED_NAME = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Sister|Nurse|Cllr|Councillor)\.?"
                          r"\s+[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?")
# Codes shaped like respondent IDs ("R1252", "LA-024", "ID 4410"), whatever the project's IDs.
_ID_SHAPE = re.compile(r"(?<![\w£$])(?:[A-Z]{1,3}[-_]?\d{3,6}|(?i:ID|ref|resp(?:ondent)?)"
                       r"\.?\s*(?:no\.?|number|#)?\s*:?\s*\d{2,})(?![\w%])")

# A capitalised name right after a cue such as "speak to" or "thanks to" ("Please speak to Tom
# Hughes"); the cue is kept. Words that usually follow a cue but are not people are exempt.
_CUE_NAME = re.compile(r"\b((?i:(?:speak|talk|speaking|talking|spoke)\s+to|contact|contacting|"
                       r"thanks?\s+(?:you\s+)?to|ask\s+for|cc))\s+"
                       r"([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)(?![A-Za-z])")
_NOT_NAMES = frozenset((
    "the", "our", "we", "us", "ofsted", "council", "team", "social", "children", "department",
    "government", "health", "education", "virtual", "independent", "school", "schools", "local",
))
_NAME_PART = re.compile(r"[A-Za-z]{3,}")

#: Built-in patterns, applied in this order, each with its placeholder.
PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("email", _EMAIL, "[email]"),
    ("url", _URL, "[url]"),
    ("phone", _PHONE, "[phone]"),
    ("postcode", _POSTCODE, "[postcode]"),
    ("titled_name", _TITLED_NAME, "[name]"),
    ("respondent_code", _ID_SHAPE, "[id]"),
)
#: Built-in steps after the listed terms: authority names (the built-in list), then people's
#: names (the gazetteer). Like the patterns, each can be switched off by name.
STEPS = ("authority", "person")
#: The patterns of the first versions, which stored the list of patterns kept on.
_FIRST_PATTERNS = ("email", "url", "phone", "postcode", "titled_name", "cue_name")
#: Every built-in pattern and step, all on by default.
DEFAULT_PATTERNS: tuple[str, ...] = (*(name for name, _, _ in PATTERNS), "cue_name", *STEPS)


@dataclass(frozen=True)
class RedactionTerm:
    """A word or phrase to replace wherever it appears as whole words, ignoring case."""

    text: str
    placeholder: str = "[name]"


@dataclass(frozen=True)
class RedactionList:
    """What to remove from quotes: listed terms and the built-in patterns.

    Attributes:
        terms: Names (authorities, schools, staff...) replaced by their placeholder.
        patterns: Names of built-in patterns to apply (see `PATTERNS`).
    """

    terms: tuple[RedactionTerm, ...] = ()
    patterns: tuple[str, ...] = DEFAULT_PATTERNS

    @classmethod
    def from_setting(cls, value: Mapping[str, Any] | None) -> RedactionList:
        """Read the project setting `{"terms": [{"text", "placeholder"}], "patterns_off": [...]}`.

        Every built-in pattern is on unless named in "patterns_off", so a pattern added in a
        later version of coder is on in older projects too.
        """
        if not value:
            return cls()
        terms = tuple(
            RedactionTerm(str(t["text"]), str(t.get("placeholder") or "[name]"))
            for t in value.get("terms", ()) if str(t.get("text", "")).strip()
        )
        off = set(value.get("patterns_off", ()))
        if value.get("patterns") is not None:  # the older form listed the patterns kept on
            off |= {p for p in _FIRST_PATTERNS if p not in value["patterns"]}
        return cls(terms, tuple(p for p in DEFAULT_PATTERNS if p not in off))

    def to_setting(self) -> dict[str, Any]:
        """The JSON form stored in the project setting."""
        return {"terms": [{"text": t.text, "placeholder": t.placeholder} for t in self.terms],
                "patterns_off": [p for p in DEFAULT_PATTERNS if p not in self.patterns]}

    def with_terms(self, extra: Iterable[RedactionTerm]) -> RedactionList:
        """This list plus `extra` terms (a term already listed keeps its placeholder)."""
        known = {t.text.casefold() for t in self.terms}
        added = []
        for term in extra:
            key = term.text.casefold()
            if key not in known and term.text.strip():
                known.add(key)
                added.append(term)
        return RedactionList((*self.terms, *added), self.patterns)


def placeholder_for_column(column: str) -> str | None:
    """The placeholder for values of a respondent attribute column that holds names, else None.

    Example: "authority_name" -> "[council]", "school" -> "[school]", "region" -> None.
    """
    if not _NAMEISH.search(column):
        return None
    for pattern, placeholder in _NAME_COLUMNS:
        if pattern.search(column):
            return placeholder
    return "[name]"


#: A column whose values are mostly different from each other holds names or identifiers; this
#: share of distinct values (with at least `_MIN_DISTINCT` of them) says so.
_DISTINCT_SHARE = 0.5
_MIN_DISTINCT = 3


def name_columns(rows: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """The respondent attribute columns that hold names, each with its placeholder.

    Decided by the values, not only the column name: a column is one of names when most of its
    values are English local authorities ("[council]"), or when its name suggests names and
    nearly every respondent has a different value ("LA", "LA name", "school"). A column of a
    few repeated categories ("authority_type": county, unitary) is not, whatever its name.

    Example: {"LA": "Barnet", "authority_type": "unitary"} rows -> {"LA": "[council]"}.
    """
    values: dict[str, list[str | None]] = {}
    for attributes in rows:
        for column, value in attributes.items():
            values.setdefault(column, []).append(value)
    return name_columns_of(values)


def name_columns_of(columns: Mapping[str, Iterable[str | None]]) -> dict[str, str]:
    """`name_columns` of the rows whose values are given column by column (each column's
    values in row order; None or blank where a row has none): a report reads the columns it
    needs rather than every respondent's attributes."""
    found = {}
    for column, column_values in columns.items():
        listed = list(column_values)
        # Counted per distinct value (a column of 100,000 holds few): how many texts, and each
        # text's spelling as last written (the last row wins, as in a dict of the rows).
        counts = Counter(listed)
        n_texts = sum(n for value, n in counts.items() if value and value.strip())
        if not n_texts:
            continue
        distinct: dict[str, str] = {}
        for value in dict.fromkeys(reversed(listed)):
            text = value.strip() if value else ""
            if text:
                distinct.setdefault(text.casefold(), text)
        if sum(t.replace(".", "", 1).isdigit() for t in distinct.values()) > len(distinct) / 2:
            continue
        if all(t == t.lower() for t in distinct.values()):
            continue  # categories ("county", "unitary"); names are written with capitals
        authorities = sum(is_authority(t) for t in distinct.values())
        if authorities and authorities >= len(distinct) / 2:
            found[column] = COUNCIL
            continue
        varied = len(distinct) >= _MIN_DISTINCT and len(distinct) >= _DISTINCT_SHARE * n_texts
        hinted = _NAMEISH.search(column) or re.search(r"(^|[\s_])(la|lea)($|[\s_])", column, re.I)
        if varied and (hinted or len(distinct) >= 0.9 * n_texts >= 10):
            found[column] = placeholder_for_column(column) or (
                COUNCIL if hinted and not _NAMEISH.search(column) else "[name]")
    return found


def terms_from_attributes(rows: Iterable[Mapping[str, str]], *,
                          known_authorities: bool = False) -> list[RedactionTerm]:
    """Default terms: every value of the attribute columns that hold names (`name_columns`).

    An authority's name also gives its short form ("Kestrelworth" from "London Borough of
    Kestrelworth"), since answers name the place rather than the council. With
    `known_authorities=False`, values the built-in list of authorities knows are left to it
    (it matches every written form, and "Reading" only with its capital).
    """
    rows = list(rows)
    placeholders = name_columns(rows)
    found: dict[str, RedactionTerm] = {}
    for attributes in rows:
        for column, placeholder in placeholders.items():
            text = (attributes.get(column) or "").strip()
            if len(text) < 2 or text.isdigit() or (not known_authorities
                                                    and is_authority(text)):
                continue
            found.setdefault(text.casefold(), RedactionTerm(text, placeholder))
            if placeholder == COUNCIL:
                short = _COUNCIL_SUFFIX.sub("", _COUNCIL_PREFIX.sub("", text)).strip()
                if len(short) >= 3 and short != text:
                    found.setdefault(short.casefold(), RedactionTerm(short, placeholder))
    return list(found.values())


_SHAPED_ID = re.compile(r"([A-Za-z]{1,6})[-_ ]?(\d+)")


def respondent_id_pattern(ids: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern for the project's respondent IDs as people may write them in an answer.

    IDs made of letters and digits give their shape ("R0042".."R1500" -> "R" then up to four
    digits, with or without a space or dash); other IDs of three characters or more are matched
    as written. None when there is nothing to match.
    """
    prefixes: dict[str, int] = {}
    exact: set[str] = set()
    for raw in ids:
        value = raw.strip()
        shaped = _SHAPED_ID.fullmatch(value)
        if shaped:
            prefix = shaped.group(1).upper()
            prefixes[prefix] = max(prefixes.get(prefix, 0), len(shaped.group(2)))
        elif len(value) >= 3 and not (value.isdigit() and len(value) < 4):
            exact.add(value)
    parts = [rf"(?i:{re.escape(p)})[-_\s]?\d{{1,{n}}}" for p, n in sorted(prefixes.items())]
    parts += [re.escape(v) for v in sorted(exact, key=len, reverse=True)]
    if not parts:
        return None
    return re.compile(rf"(?<![\w£$.,])(?:{'|'.join(parts)})(?![\w%]|[.,]\d)")


@dataclass(frozen=True)
class Redactor:
    """Applies a `RedactionList` to text: patterns, the project's respondent IDs, authority
    names (the built-in list), listed terms (longest first), then people's names.

    Attributes:
        redaction: The terms and the built-in patterns to apply.
        respondent_ids: The project's respondent IDs (see `respondent_id_pattern`).
    """

    redaction: RedactionList = field(default_factory=RedactionList)
    respondent_ids: tuple[str, ...] = ()
    _terms: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _placeholders: dict[str, str] = field(init=False, repr=False, compare=False)
    _ids: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        terms = sorted(self.redaction.terms, key=lambda t: -len(t.text))
        placeholders = {_fold(t.text): t.placeholder for t in terms}
        pattern = None
        if terms:
            alternatives = "|".join(_term_regex(t) for t in terms)
            pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I)
        object.__setattr__(self, "_terms", pattern)
        object.__setattr__(self, "_placeholders", placeholders)
        object.__setattr__(self, "_ids", respondent_id_pattern(self.respondent_ids))

    def redact(self, text: str) -> str:
        """Return `text` with every listed term and enabled pattern replaced by its placeholder."""
        wanted = set(self.redaction.patterns)
        if "email" in wanted:
            text = _names_from_emails(text)
        if "cue_name" in wanted:
            text = _CUE_NAME.sub(_cue_name, text)
        for name, pattern, placeholder in PATTERNS:
            if name in wanted:
                text = pattern.sub(placeholder, text)
        if self._ids is not None:
            text = self._ids.sub("[id]", text)
        if "authority" in wanted:  # whole authority names first, before any shorter term
            text = redact_authorities(text)
        if self._terms is not None:
            text = self._terms.sub(self._placeholder, text)
        if "person" in wanted:
            text = redact_people(text)
        return text

    def redact_all(self, texts: Sequence[str]) -> list[str]:
        """`redact` applied to each text."""
        return [self.redact(t) for t in texts]

    def risks(self, redacted: str) -> list[str]:
        """What in an already redacted text may still identify someone: words the name
        gazetteer knows (ordinary-word names such as "Grace" included, except at the start of a
        sentence), ID-shaped codes, "@" and web addresses. Empty means safe to print."""
        found = risky_words(redacted) if "person" in self.redaction.patterns else []
        found += [m.group(0) for m in _ID_SHAPE.finditer(redacted)]
        found += re.findall(r"\S*@\S+|\bhttps?:\S+|\bwww\.\S+", redacted)
        return found

    def _placeholder(self, match: re.Match[str]) -> str:
        text = match.group(0)
        placeholder = self._placeholders.get(_fold(text))
        if placeholder is None:  # a council term matched with its prefix or suffix
            core = _COUNCIL_SUFFIX.sub("", _COUNCIL_PREFIX.sub("", text)).strip()
            placeholder = self._placeholders.get(_fold(core), COUNCIL)
        return placeholder


def _cue_name(match: re.Match[str]) -> str:
    words = match.group(2).split()
    if words[0].casefold() in _NOT_NAMES:
        return match.group(0)
    return f"{match.group(1)} [name]"


def _names_from_emails(text: str) -> str:
    """Remove the names an email address gives away ("kwame.ahmed@..." -> "Kwame", "Ahmed")."""
    parts = {p.casefold() for m in _EMAIL.finditer(text)
             for p in _NAME_PART.findall(m.group(0).split("@", 1)[0])}
    if not parts:
        return text
    names = "|".join(re.escape(p) for p in sorted(parts, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w.@])(?:{names})(?![\w@]|\.[\w-]+@)", re.I)
    # Email addresses themselves are replaced afterwards by the email pattern.
    return _EMAIL.sub(lambda m: m.group(0), pattern.sub("[name]", text))


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip()).casefold()


def _term_regex(term: RedactionTerm) -> str:
    # Spaces in a term match any run of whitespace so "Kent  County" still matches; a council's
    # name takes its prefix and suffix with it ("Kestrelworth London Borough Council").
    core = r"\s+".join(re.escape(part) for part in term.text.split())
    if term.placeholder == COUNCIL:
        return f"{COUNCIL_PREFIX}?{core}{COUNCIL_SUFFIX}?"
    return core
