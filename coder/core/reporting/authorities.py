"""English local authority names in the forms people write them; pure text, no UI, CLI or SQL.

The list (`data/english_authorities.txt`) holds the 152 authorities with children's services
and their successors, each with its short forms. Matching adds the generic forms: "and" or "&",
hyphens or spaces, "St" or "Saint", and council prefixes and suffixes, so "Barnet London Borough
Council", "LB Barnet" and "Barnet" are each one whole match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

#: What replaces an authority's name in a quote.
PLACEHOLDER = "[council]"

#: What may come before an authority's name, and after it ("London Borough of", "Council").
COUNCIL_PREFIX = (r"(?:the\s+)?(?:(?:(?:London|Royal|Metropolitan|County)\s+)?Borough\s+of\s+|"
           r"City\s+and\s+County\s+of\s+|City\s+of\s+|County\s+of\s+|(?:LB|RB)\s+(?:of\s+)?)")
COUNCIL_SUFFIX = (r"(?:\s+(?:(?:London|Royal|Metropolitan|County|City)\s+)?"
           r"(?:(?:Borough|City|County|District)\s+)?Council|\s+(?:MBC|LBC|CC|BC|UA)(?![\w&]))")


@dataclass(frozen=True)
class Authority:
    """One authority: its usual name, its kind and every listed form (the name included).

    `capitalised` holds the forms that are also ordinary words ("Reading", "Bury"): they match
    only when written with a capital.
    """

    name: str
    kind: str
    forms: tuple[str, ...]
    capitalised: frozenset[str] = frozenset()


@cache
def authorities() -> tuple[Authority, ...]:
    """The built-in list, in file order."""
    text = files("coder.core.reporting").joinpath("data/english_authorities.txt").read_text(
        encoding="utf-8")
    found = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, *forms = (part.strip() for part in line.split("|"))
        capitalised = frozenset(f[1:] for f in forms if f.startswith("~"))
        names = tuple(f.lstrip("~") for f in forms)
        found.append(Authority(names[0], kind, names, capitalised))
    return tuple(found)


def _form_regex(form: str) -> str:
    parts = []
    for word in re.split(r"(\s+|-)", form):
        if not word.strip() or word == "-":
            parts.append(r"[\s-]+")
        elif word.casefold() == "and":
            parts.append(r"(?:and|&)")
        elif word in ("St", "St."):
            parts.append(r"(?:St\.?|Saint)")
        else:
            parts.append(re.escape(word))
    return "".join(parts)


@cache
def authority_pattern() -> re.Pattern[str]:
    """One pattern matching any authority in any form, longest forms first, with its council
    prefix or suffix, as whole words and ignoring case (except the capitalised-only forms)."""
    forms: dict[str, bool] = {}
    for authority in authorities():
        for form in authority.forms:
            forms[form] = form in authority.capitalised
    ordered = sorted(forms, key=lambda f: (-len(f), f))
    alternatives = "|".join(
        f"(?-i:{_form_regex(f)})" if forms[f] else _form_regex(f) for f in ordered)
    return re.compile(
        rf"(?<![\w&]){COUNCIL_PREFIX}?(?:{alternatives}){COUNCIL_SUFFIX}?(?![\w&])", re.I)


def redact_authorities(text: str, placeholder: str = PLACEHOLDER) -> str:
    """`text` with every authority name (whole forms first) replaced by `placeholder`."""
    return authority_pattern().sub(placeholder, text)


def is_authority(value: str) -> bool:
    """True when `value` is, as a whole, one authority's name in some written form."""
    return authority_pattern().fullmatch(value.strip()) is not None
