"""Redaction of authority names (all 152, as people write them), people's names, respondent IDs
and name-like attribute columns, without touching ordinary words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coder.core.reporting.anonymise import (
    RedactionList,
    Redactor,
    name_columns,
    terms_from_attributes,
)
from coder.core.reporting.authorities import authorities
from coder.core.reporting.quotes import QuoteCandidate, choose_quotes, is_quotable

# The 152 English authorities with children's services, written out independently of the
# built-in list (short forms, as answers name them).
LONDON = """Barking and Dagenham, Barnet, Bexley, Brent, Bromley, Camden, City of London, Croydon,
Ealing, Enfield, Greenwich, Hackney, Hammersmith and Fulham, Haringey, Harrow, Havering,
Hillingdon, Hounslow, Islington, Kensington and Chelsea, Kingston upon Thames, Lambeth, Lewisham,
Merton, Newham, Redbridge, Richmond upon Thames, Southwark, Sutton, Tower Hamlets,
Waltham Forest, Wandsworth, Westminster"""
METROPOLITAN = """Bolton, Bury, Manchester, Oldham, Rochdale, Salford, Stockport, Tameside,
Trafford, Wigan, Knowsley, Liverpool, St Helens, Sefton, Wirral, Barnsley, Doncaster, Rotherham,
Sheffield, Gateshead, Newcastle upon Tyne, North Tyneside, South Tyneside, Sunderland,
Birmingham, Coventry, Dudley, Sandwell, Solihull, Walsall, Wolverhampton, Bradford, Calderdale,
Kirklees, Leeds, Wakefield"""
COUNTIES = """Buckinghamshire, Cambridgeshire, Cumbria, Derbyshire, Devon, Dorset, East Sussex,
Essex, Gloucestershire, Hampshire, Hertfordshire, Kent, Lancashire, Leicestershire,
Lincolnshire, Norfolk, North Yorkshire, Northamptonshire, Nottinghamshire, Oxfordshire, Somerset,
Staffordshire, Suffolk, Surrey, Warwickshire, West Sussex, Worcestershire"""
UNITARIES = """Bath and North East Somerset, Bedford, Blackburn with Darwen, Blackpool,
Bournemouth, Bracknell Forest, Brighton and Hove, Bristol, Central Bedfordshire, Cheshire East,
Cheshire West and Chester, Cornwall, Darlington, Derby, Durham, East Riding of Yorkshire, Halton,
Hartlepool, Herefordshire, Isle of Wight, Isles of Scilly, Kingston upon Hull, Leicester, Luton,
Medway, Middlesbrough, Milton Keynes, North East Lincolnshire, North Lincolnshire, North Somerset,
Northumberland, Nottingham, Peterborough, Plymouth, Poole, Portsmouth, Reading,
Redcar and Cleveland, Rutland, Shropshire, Slough, South Gloucestershire, Southampton,
Southend-on-Sea, Stockton-on-Tees, Stoke-on-Trent, Swindon, Telford and Wrekin, Thurrock, Torbay,
Warrington, West Berkshire, Wiltshire, Windsor and Maidenhead, Wokingham, York"""


def _names(block: str) -> list[str]:
    return [n.strip() for n in block.replace("\n", " ").split(",")]


ALL_152 = _names(LONDON) + _names(METROPOLITAN) + _names(COUNTIES) + _names(UNITARIES)
REDACT = Redactor()


def test_the_list_has_152_authorities_and_their_successors() -> None:
    assert len(ALL_152) == 152
    listed = {a.name for a in authorities()}
    assert set(ALL_152) <= listed


def _written_forms(name: str) -> list[str]:
    forms = [name, f"{name} Council", name.replace(" and ", " & "), name.replace("-", " ")]
    if name in _names(LONDON) and name != "City of London":
        forms += [f"London Borough of {name}", f"{name} London Borough Council", f"LB {name}"]
    if name in _names(METROPOLITAN):
        forms += [f"{name} Metropolitan Borough Council", f"{name} MBC"]
    if name in _names(COUNTIES):
        forms.append(f"{name} County Council")
    return forms


@pytest.mark.parametrize("name", ALL_152)
def test_every_authority_is_redacted_whole_in_every_form(name: str) -> None:
    for form in _written_forms(name):
        assert REDACT.redact(f"We in {form} struggle.") == "We in [council] struggle.", form


@pytest.mark.parametrize(("text", "expected"), [
    ("Barnet London Borough Council and LB Enfield", "[council] and [council]"),
    ("the Royal Borough of Kingston upon Thames", "[council]"),
    ("Royal Borough of Windsor & Maidenhead (RBWM)", "[council] ([council])"),
    ("Kingston-upon-Thames and Newcastle-upon-Tyne", "[council] and [council]"),
    ("B&NES, Bath & North East Somerset and Bath and North East Somerset Council",
     "[council], [council] and [council]"),
    ("St. Helens and Saint Helens", "[council] and [council]"),
    ("Cheshire West & Chester, CWAC", "[council], [council]"),
    ("Bournemouth, Christchurch and Poole; Poole", "[council]; [council]"),
    ("the Isles of Scilly and the City of London Corporation", "[council] and [council]"),
])
def test_short_and_long_forms_are_whole_matches(text: str, expected: str) -> None:
    assert REDACT.redact(text) == expected


@pytest.mark.parametrize("text", [
    "Placements outside the county cost more than unitary provision in the north.",
    "After reading the guidance we will bury the old plan in London and the South East.",
    "Children in care need stable homes; the virtual school helps.",
])
def test_ordinary_words_stay(text: str) -> None:
    assert REDACT.redact(text) == text


@pytest.mark.parametrize(("text", "expected"), [
    ("Sarah Jones said the panel is slow", "[name] said the panel is slow"),
    ("Priya Sharma agrees", "[name] agrees"),
    ("our IRO Grace raised it and Mr Patel chairs", "our IRO [name] raised it and [name] chairs"),
    ("Fiona in the placements team", "[name] in the placements team"),
    ("Siobhan O'Neill wrote; Mohammed Khan's team", "[name] wrote; [name]'s team"),
    ("We don't know; Won't happen in May or June", "We don't know; Won't happen in May or June"),
    # Staff first names as patients write them in feedback.
    ("Becky and Tom on reception were amazing", "[name] and [name] on reception were amazing"),
    ("The receptionist, Sandra, was rude", "The receptionist, [name], was rude"),
    ("Great care from Abi and Zoe", "Great care from [name] and [name]"),
])
def test_people(text: str, expected: str) -> None:
    assert REDACT.redact(text) == expected


def test_the_projects_respondent_ids_in_any_form() -> None:
    redactor = Redactor(RedactionList(), ("R1001", "R1252", "R1500"))
    assert redactor.redact("see R1252, r 1252 and R-42; 2023 and 1252 stay") == \
        "see [id], [id] and [id]; 2023 and 1252 stay"
    numeric = Redactor(RedactionList(), ("100234", "100235"))
    assert numeric.redact("case 100234 cost £100234.50") == "case [id] cost £100234.50"


def test_name_columns_are_decided_by_values() -> None:
    rows = [{"LA": la, "authority_type": kind, "region": region, "school": school}
            for la, kind, region, school in [
                ("Barnet", "london", "London", "Oak Primary"),
                ("Kent County Council", "county", "South", "Elm Academy"),
                ("Leeds", "metropolitan", "North", "Ash High"),
                ("Devon", "county", "South", "Beech Primary"),
            ]]
    assert name_columns(rows) == {"LA": "[council]", "school": "[school]"}
    terms = {t.text for t in terms_from_attributes(rows)}
    assert "county" not in {t.casefold() for t in terms} and "Oak Primary" in terms
    redactor = Redactor(RedactionList(tuple(terms_from_attributes(rows))))
    assert redactor.redact("outside the county, Oak Primary helped") == \
        "outside the county, [school] helped"


@pytest.mark.parametrize("text", ["@SUM(A1)", "-2+3", "=HYPERLINK(\"x\")", "+44", "??", "x",
                                  "N/A"])
def test_junk_is_never_quoted(text: str) -> None:
    assert not is_quotable(text)
    picked = choose_quotes([QuoteCandidate(1, text, starred=True),
                            QuoteCandidate(2, "Fees are far too high for us")], 3)
    assert [q.source for q in picked] == [2]


def test_a_quote_that_may_still_name_someone_is_left_out_even_starred() -> None:
    # "Grace" is also an ordinary word, so it is not redacted on its own; the quote goes.
    picked = choose_quotes([QuoteCandidate(1, "We asked Grace about the fees", starred=True),
                            QuoteCandidate(2, "Fees are far too high for us")], 3)
    assert [q.source for q in picked] == [2]


def test_authorities_in_attributes_are_redacted_even_with_the_built_in_list_off() -> None:
    rows = [{"LA": la} for la in ("Reading", "Barnet", "Kent", "Leeds")]
    off = RedactionList(patterns=("email",))
    terms = terms_from_attributes(rows, known_authorities=True)
    assert Redactor(off.with_terms(terms)).redact("Barnet and Kent") == "[council] and [council]"
    # With the list on, it matches the whole name before any shorter term could.
    both = Redactor(RedactionList().with_terms([*terms_from_attributes(rows)]))
    assert both.redact("Barnet London Borough Council, after reading") == \
        "[council], after reading"


@pytest.mark.parametrize(("text", "risky"), [
    ("Main priority: work under the Public Law Outline.", False),
    ("1) Fewer leaving\n2) More confident work", False),
    ("We asked Grace about the fees", True),
    ("Thanks to Will and Grace", True),
])
def test_what_counts_as_still_risky(text: str, risky: bool) -> None:
    assert bool(REDACT.risks(REDACT.redact(text))) is risky


def _name_columns_one_row_at_a_time(rows: list[dict[str, str]]) -> dict[str, str]:
    """The rule as first written: every row's stripped text appended, the last spelling of
    each value (ignoring case) kept."""
    import re

    from coder.core.reporting.anonymise import _NAMEISH, placeholder_for_column
    from coder.core.reporting.authorities import PLACEHOLDER, is_authority

    values: dict[str, list[str]] = {}
    for attributes in rows:
        for column, value in attributes.items():
            text = (value or "").strip()
            if text:
                values.setdefault(column, []).append(text)
    found = {}
    for column, texts in values.items():
        distinct = {t.casefold(): t for t in texts}
        if sum(t.replace(".", "", 1).isdigit() for t in distinct.values()) > len(distinct) / 2:
            continue
        if all(t == t.lower() for t in distinct.values()):
            continue
        authorities = sum(is_authority(t) for t in distinct.values())
        if authorities and authorities >= len(distinct) / 2:
            found[column] = PLACEHOLDER
            continue
        varied = len(distinct) >= 3 and len(distinct) >= 0.5 * len(texts)
        hinted = _NAMEISH.search(column) or re.search(r"(^|[\s_])(la|lea)($|[\s_])", column, re.I)
        if varied and (hinted or len(distinct) >= 0.9 * len(texts) >= 10):
            found[column] = placeholder_for_column(column) or (
                PLACEHOLDER if hinted and not _NAMEISH.search(column) else "[name]")
    return found


@given(st.lists(st.fixed_dictionaries({}, optional={
    "school": st.sampled_from(["", " ", "Oak", "oak", " Oak ", "Elm", "ELM", "Ash", "12"]),
    "LA": st.sampled_from(["Barnet", "barnet", "Kent", "Leeds ", "", "Zeta Town", "north"]),
    "region": st.sampled_from(["north", "south", "North", "East", "x1", "y2", "z3"]),
}), max_size=40))
def test_column_by_column_reading_gives_the_same_columns(rows: list[dict[str, str]]) -> None:
    assert name_columns(rows) == _name_columns_one_row_at_a_time(rows)


@given(st.text(alphabet=st.sampled_from(["a", "B", "é", "1", "_", " ", "-", "\n", "ß", "x"]),
               max_size=12))
def test_quotable_means_two_words_of_two_letters(text: str) -> None:
    import re

    words = re.findall(r"[^\W\d_]{2,}", text)
    assert is_quotable(text) == (len(words) >= 2 and not re.match(
        r"^\s*(?:[=+@\t\r]|-\s*[\d(.=+@]|-[A-Za-z_]+\()", text))
