"""Fictional local authorities for the demo survey and the personal data planted in answers.

Standard library and pandas only. Names are invented from nature words and English place-name
endings; none is a real local authority. Phone numbers are in the ranges Ofcom reserves for
drama (01632 960xxx, 07700 900xxx) and email domains belong to the fictional authorities.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

REGIONS = ("North", "East & Midlands", "London & South")
AUTHORITY_TYPES = ("county", "unitary")
OFSTED_RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate")
REGION_COUNTS = {"North": 44, "East & Midlands": 41, "London & South": 67}
COUNTY_COUNTS = {"North": 5, "East & Midlands": 8, "London & South": 8}
OFSTED_WEIGHTS = (0.20, 0.45, 0.27, 0.08)

_FIRST = (  # noqa: SIM905 - a word list reads better as one string
    "Amber Bramble Cinder Dapple Ember Fennel Gorse Heron Kestrel Linnet Nettle Otter Plover "
    "Quill Rowan Sorrel Thistle Umber Wren Yarrow Bittern Curlew Damson Foxglove Juniper Merlin "
    "Nightjar Osprey Pipit Sedge Teasel Vetch Bracken Lantern Marram Hollin Tansy Campion"
).split()
_ENDINGS = "mere vale wick holme stow combe moor dale worth shaw bridge by".split()  # noqa: SIM905
# Combinations that are, or are close to, real places.
_REAL_PLACES = {"Sedgemoor", "Heronbridge", "Hollinworth", "Nettlecombe", "Nettlebridge"}
_UNITARY_FORMS = {
    "North": (
        "{} Metropolitan Borough Council",
        "{} City Council",
        "{} Borough Council",
        "{} Council",
    ),
    "East & Midlands": ("{} City Council", "{} Borough Council", "{} Council"),
    "London & South": ("{} Council", "{} Borough Council", "{} City Council"),
}
_LONDON_BOROUGHS = 24

_FIRST_NAMES = "Sarah Priya Tom Gareth Aisha Daniel Fiona Kwame Joanne Imran Leanne Marek"
_SURNAMES = "Okafor Hughes Patel Morgan Kowalski Brennan Whitfield Ahmed Clarke Doyle"
_ROLES = (
    "principal social worker",
    "virtual school head",
    "IRO manager",
    "head of early years",
    "SEND lead",
    "workforce development manager",
)
_PII_TEMPLATES = {
    "authority_name": (
        "This is a particular issue in {stem}.",
        "In {stem} we have seen this for several years.",
        "{name} has raised this with the DfE.",
        "Across {stem} this is the picture.",
    ),
    "person_name": (
        "{first}, our {role}, has led on this.",
        "Thanks to {first} for pulling this together.",
        "Please speak to {first} {last} if you want more detail.",
    ),
    "email": (
        "Happy to discuss - {email}",
        "Contact {email} for more information.",
        "More detail from {email}",
    ),
    "phone": ("Call me on {phone} if useful.", "Tel: {phone}", "Ring {phone} to discuss."),
}
_PII_KINDS = ("authority_name", "person_name", "email", "phone")


@dataclass(frozen=True)
class Authority:
    """A fictional responding local authority."""

    la_code: str
    authority_name: str
    stem: str
    region: str
    authority_type: str
    ofsted_rating: str


def _stems(n: int, rng: random.Random) -> list[str]:
    stems = [f + e for f in _FIRST for e in _ENDINGS if f + e not in _REAL_PLACES]
    rng.shuffle(stems)
    return stems[:n]


def make_authorities(n: int, seed: int) -> list[Authority]:
    """The demo's 152 authorities (``n`` must be 152), codes LA001..LA152 in file order."""
    if n != sum(REGION_COUNTS.values()):
        raise ValueError(f"the demo has {sum(REGION_COUNTS.values())} authorities, not {n}")
    rng = random.Random(seed)
    stems = _stems(n, rng)
    slots = [(r, t) for r in REGIONS for t in AUTHORITY_TYPES for _ in range(_count(r, t))]
    rng.shuffle(slots)
    ratings = _allocate(n, OFSTED_WEIGHTS, rng)
    authorities = []
    london = 0
    for i, ((region, kind), stem, rating) in enumerate(zip(slots, stems, ratings, strict=True)):
        if kind == "county":
            name = f"{stem} County Council"
        elif region == "London & South" and london < _LONDON_BOROUGHS:
            london += 1
            name = f"London Borough of {stem}"
        else:
            name = rng.choice(_UNITARY_FORMS[region]).format(stem)
        authorities.append(
            Authority(f"LA{i + 1:03d}", name, stem, region, kind, OFSTED_RATINGS[rating])
        )
    return authorities


def _count(region: str, kind: str) -> int:
    counties = COUNTY_COUNTS[region]
    return counties if kind == "county" else REGION_COUNTS[region] - counties


def _allocate(n: int, weights: Sequence[float], rng: random.Random) -> list[int]:
    quotas = [n * w / sum(weights) for w in weights]
    counts = [int(q) for q in quotas]
    for i in sorted(range(len(weights)), key=lambda i: counts[i] - quotas[i])[: n - sum(counts)]:
        counts[i] += 1
    indices = [i for i, c in enumerate(counts) for _ in range(c)]
    rng.shuffle(indices)
    return indices


def rerate(authority: Authority, rng: random.Random) -> Authority:
    """The same authority a year later: one in eight has a new Ofsted rating."""
    if rng.random() >= 0.125:
        return authority
    return replace(authority, ofsted_rating=rng.choice(OFSTED_RATINGS))


def make_large_respondents(n: int, seed: int) -> list[Authority]:
    """``n`` respondents LA000001.. for benchmarks, reusing the 152 names and attributes."""
    base = make_authorities(152, seed=152)
    return [replace(base[i % len(base)], la_code=f"LA{i + 1:06d}") for i in range(n)]


def as_row(authority: Authority) -> dict[str, str]:
    """The respondent columns of one row of the export."""
    return {
        "la_code": authority.la_code,
        "authority_name": authority.authority_name,
        "region": authority.region,
        "authority_type": authority.authority_type,
        "ofsted_rating": authority.ofsted_rating,
    }


def plant_personal_data(
    rows: list[dict[str, str]],
    truth: list[tuple[int, str, str]],
    authorities: Sequence[Authority],
    count: int,
    rng: random.Random,
) -> pd.DataFrame:
    """Append a sentence naming the authority, a person, an email or a phone to ``count`` answers.

    Only substantive answers of 25 to 220 characters are chosen, outside q8_other_specify.
    ``rows`` is changed in place.

    Returns:
        One row per planted item: ``la_code, question_id, kind, value`` where ``value`` occurs
        verbatim in the answer.
    """
    candidates = [
        (i, q) for i, q, _ in truth if q != "q8_other_specify" and 25 <= len(rows[i][q]) <= 220
    ]
    planted = []
    for n, (i, question_id) in enumerate(rng.sample(candidates, min(count, len(candidates)))):
        kind = _PII_KINDS[n % len(_PII_KINDS)]
        authority = authorities[i]
        first, last = rng.choice(_FIRST_NAMES.split()), rng.choice(_SURNAMES.split())
        fields = {
            "stem": authority.stem,
            "name": authority.authority_name,
            "first": first,
            "last": last,
            "role": rng.choice(_ROLES),
            "email": f"{first.lower()}.{last.lower()}@{authority.stem.lower()}.gov.uk",
            "phone": rng.choice(("01632 960", "07700 900")) + f"{rng.randrange(1000):03d}",
        }
        template = rng.choice(_PII_TEMPLATES[kind])
        sentence = template.format(**fields)
        if kind == "authority_name":
            value = fields["name"] if "{name}" in template else fields["stem"]
        elif kind == "person_name":
            value = f"{first} {last}" if "{last}" in template else first
        else:
            value = fields[kind]
        rows[i][question_id] = rows[i][question_id] + " " + sentence
        planted.append((authority.la_code, question_id, kind, value))
    return pd.DataFrame(planted, columns=["la_code", "question_id", "kind", "value"])
