"""Redact names and contact details from quotes; pure text logic, no UI, CLI, store or SQL."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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
_COUNCIL_SUFFIX = re.compile(r"\s+(?:(?:Metropolitan\s+)?(?:Borough|City|County|District)\s+)?"
                             r"Council$", re.I)

_EMAIL = re.compile(r"\b[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\b")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)]", re.I)
# UK numbers: +44 or 0, then 9-10 digits; spaces, dots, dashes or a bracketed area code allowed.
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?|\(?0)\d{2,4}\)?(?:[\s.-]?\d){6,8}(?!\w)")
_POSTCODE = re.compile(r"\b(?:GIR\s?0AA|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b", re.I)
# A title followed by a capitalised word names a person whether or not the list knows them.
_TITLED_NAME = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Sister|Nurse)\.?\s+[A-Z][a-z'-]+"
                          r"(?:\s+[A-Z][a-z'-]+)?")

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
)


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
    patterns: tuple[str, ...] = (*(name for name, _, _ in PATTERNS), "cue_name")

    @classmethod
    def from_setting(cls, value: Mapping[str, Any] | None) -> RedactionList:
        """Read the project setting `{"terms": [{"text", "placeholder"}], "patterns": [...]}`."""
        if not value:
            return cls()
        terms = tuple(
            RedactionTerm(str(t["text"]), str(t.get("placeholder") or "[name]"))
            for t in value.get("terms", ()) if str(t.get("text", "")).strip()
        )
        patterns = value.get("patterns")
        return cls(terms, tuple(patterns) if patterns is not None else cls().patterns)

    def to_setting(self) -> dict[str, Any]:
        """The JSON form stored in the project setting."""
        return {"terms": [{"text": t.text, "placeholder": t.placeholder} for t in self.terms],
                "patterns": list(self.patterns)}

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


def terms_from_attributes(rows: Iterable[Mapping[str, str]]) -> list[RedactionTerm]:
    """Default terms: every value of the attribute columns whose name suggests a name.

    An authority's name also gives its short form ("Kestrelworth" from "London Borough of
    Kestrelworth"), since answers name the place rather than the council.
    """
    placeholders: dict[str, str | None] = {}
    found: dict[str, RedactionTerm] = {}
    for attributes in rows:
        for column, value in attributes.items():
            if column not in placeholders:
                placeholders[column] = placeholder_for_column(column)
            placeholder = placeholders[column]
            text = (value or "").strip()
            if placeholder is None or len(text) < 2 or text.isdigit():
                continue
            found.setdefault(text.casefold(), RedactionTerm(text, placeholder))
            if placeholder == "[council]":
                short = _COUNCIL_SUFFIX.sub("", _COUNCIL_PREFIX.sub("", text)).strip()
                if len(short) >= 3 and short != text:
                    found.setdefault(short.casefold(), RedactionTerm(short, placeholder))
    return list(found.values())


@dataclass(frozen=True)
class Redactor:
    """Applies a `RedactionList` to text: patterns first, then terms, longest term first."""

    redaction: RedactionList = field(default_factory=RedactionList)
    _terms: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _placeholders: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        terms = sorted(self.redaction.terms, key=lambda t: -len(t.text))
        placeholders = {_fold(t.text): t.placeholder for t in terms}
        pattern = None
        if terms:
            alternatives = "|".join(_term_regex(t.text) for t in terms)
            pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I)
        object.__setattr__(self, "_terms", pattern)
        object.__setattr__(self, "_placeholders", placeholders)

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
        if self._terms is not None:
            text = self._terms.sub(
                lambda m: self._placeholders.get(_fold(m.group(0)), "[name]"), text)
        return text

    def redact_all(self, texts: Sequence[str]) -> list[str]:
        """`redact` applied to each text."""
        return [self.redact(t) for t in texts]


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


def _term_regex(text: str) -> str:
    # Spaces in a term match any run of whitespace so "Kent  County" still matches.
    return r"\s+".join(re.escape(part) for part in text.split())
