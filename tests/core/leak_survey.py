"""A survey of real English local authorities with identifiers planted in the answers, and a
scan of report files for them (used by the leak tests and benchmarks/report_leaks.py).

Nothing here comes from the project's own lists: the authority forms, people's names and IDs
are written out by hand as respondents write them.
"""

from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from coder.core.codeframe.model import Code, Codeframe
from coder.services.importing import import_survey
from coder.store import create_project

QUESTION = "Q_barriers"
FRAME_ID = "frame-leak"

# (value of the LA column, authority_type, region, the form an answer uses, the words that
# must not appear in a report (case-insensitive unless capitalised-only))
AUTHORITIES = [
    ("London Borough of Barnet", "london", "London", "Barnet London Borough Council", ["Barnet"]),
    ("Enfield", "london", "London", "Enfield", ["Enfield"]),
    ("Royal Borough of Kingston upon Thames", "london", "London", "Kingston upon Thames",
     ["Kingston", "Thames"]),
    ("Cheshire West and Chester Council", "unitary", "North", "Cheshire West & Chester",
     ["Cheshire", "Chester"]),
    ("Bath and North East Somerset", "unitary", "South", "Bath and North East Somerset",
     ["Bath", "Somerset"]),
    ("Royal Borough of Windsor and Maidenhead", "unitary", "South", "RBWM",
     ["RBWM", "Windsor", "Maidenhead"]),
    ("Kensington and Chelsea", "london", "London", "the Royal Borough of Kensington & Chelsea",
     ["Kensington", "Chelsea"]),
    ("City of London", "london", "London", "the City of London Corporation", ["City of London"]),
    ("Isles of Scilly", "unitary", "South", "the Isles of Scilly", ["Scilly"]),
    ("Bournemouth, Christchurch and Poole", "unitary", "South", "Poole", ["Poole"]),
    ("Reading Borough Council", "unitary", "South", "Reading", ["Reading"]),
    ("Bury", "metropolitan", "North", "Bury Council", ["Bury"]),
    ("St Helens", "metropolitan", "North", "St. Helens", ["Helens"]),
    ("Stoke-on-Trent", "unitary", "Midlands", "Stoke on Trent City Council", ["Stoke"]),
    ("Southend-on-Sea", "unitary", "South", "Southend", ["Southend"]),
    ("Brighton and Hove", "unitary", "South", "Brighton & Hove", ["Brighton", "Hove"]),
    ("London Borough of Hammersmith and Fulham", "london", "London", "LBHF",
     ["LBHF", "Hammersmith", "Fulham"]),
    ("Barking and Dagenham", "london", "London", "Barking & Dagenham", ["Dagenham"]),
    ("Kingston upon Hull", "unitary", "North", "Hull City Council", ["Hull"]),
    ("Newcastle upon Tyne", "metropolitan", "North", "Newcastle", ["Newcastle", "Tyne"]),
    ("Redcar and Cleveland", "unitary", "North", "Redcar", ["Redcar", "Cleveland"]),
    ("Telford and Wrekin", "unitary", "Midlands", "Telford & Wrekin", ["Telford", "Wrekin"]),
    ("Blackburn with Darwen", "unitary", "North", "Blackburn", ["Blackburn", "Darwen"]),
    ("Richmond upon Thames", "london", "London", "Richmond", ["Richmond"]),
    ("Westminster City Council", "london", "London", "Westminster", ["Westminster"]),
    ("Durham County Council", "unitary", "North", "County Durham", ["Durham"]),
    ("Isle of Wight", "unitary", "South", "the Isle of Wight", ["Wight"]),
    ("East Riding of Yorkshire", "unitary", "North", "East Riding", ["East Riding"]),
    ("Bristol City Council", "unitary", "South", "Bristol", ["Bristol"]),
    ("Hertfordshire County Council", "county", "South", "Herts", ["Herts", "Hertfordshire"]),
    ("Lancashire", "county", "North", "Lancashire County Council", ["Lancashire"]),
    ("Kent", "county", "South", "Kent", ["Kent"]),
    ("Devon County Council", "county", "South", "Devon", ["Devon"]),
    ("Leeds City Council", "metropolitan", "North", "Leeds", ["Leeds"]),
    ("Birmingham", "metropolitan", "Midlands", "Birmingham City Council", ["Birmingham"]),
    ("Wolverhampton", "metropolitan", "Midlands", "Wolverhampton", ["Wolverhampton"]),
    ("Milton Keynes", "unitary", "South", "Milton Keynes", ["Milton Keynes"]),
    ("Central Bedfordshire", "unitary", "South", "Central Beds", ["Central Beds"]),
    ("North East Lincolnshire", "unitary", "North", "NE Lincs", ["Lincs"]),
    ("Southwark", "london", "London", "LB Southwark", ["Southwark"]),
]

# Planted people and contact details: (text planted, words that must not appear).
PEOPLE = [
    ("Sarah Jones said the panel is slow", ["Sarah", "Jones"]),
    ("Priya Sharma in commissioning agrees", ["Priya", "Sharma"]),
    ("please speak to Tom Hughes", ["Tom Hughes", "Hughes"]),
    ("Mr Patel chairs the panel", ["Patel"]),
    ("our IRO Grace raised it", ["Grace"]),
    ("Fiona in the placements team has the figures", ["Fiona"]),
    ("Gareth and Rachel run the hub", ["Gareth", "Rachel"]),
    ("Siobhan O'Neill, head of service, wrote to us", ["Siobhan", "O'Neill"]),
    ("Kwame Mensah (the virtual head) disagrees", ["Kwame", "Mensah"]),
    ("Mohammed Khan's team", ["Mohammed", "Khan"]),
    ("ask Zainab", ["Zainab"]),
    ("Dr Aisha Begum, our designated doctor", ["Aisha", "Begum"]),
]
CONTACTS = [
    ("email j.bloggs@barnet.gov.uk", ["bloggs", "barnet.gov"]),
    ("ring 020 8359 2000", ["8359"]),
    ("call 07700 900123", ["900123"]),
    ("our office is at EN1 3XA", ["EN1 3XA"]),
    ("see https://www.kingston.gov.uk/fees", ["kingston.gov"]),
]
# Ordinary words that must survive redaction.
ORDINARY = ["county", "unitary", "north", "reading the guidance"]

THEMES = [
    ("c1", 1, "High fees", "Fees for independent places keep rising across the county"),
    ("c2", 2, "Lack of local places", "There are not enough local places in the north of the area"),
    ("c3", 3, "Staff shortages", "We cannot recruit social workers for unitary services"),
    ("c999", 999, "No barriers", "No barriers to report this year"),
]


@dataclass(frozen=True)
class LeakSurvey:
    path: Path
    forbidden: list[str]  # every planted identifier word
    ids: list[str]


def _answer(i: int, form: str, ids: list[str]) -> tuple[str, str, list[str]]:
    code, _, _, base = THEMES[i % len(THEMES)]
    person, person_words = PEOPLE[(i * 5) % len(PEOPLE)]
    contact, contact_words = CONTACTS[(i * 3) % len(CONTACTS)]
    other_id = ids[(i * 7 + 3) % len(ids)]
    parts = [f"{base}; in {form} {person}."]
    words = [*person_words]
    if i % 2 == 0:
        parts.append(f"After reading the guidance we raised it as respondent {other_id}, {contact}.")
        words += [*contact_words, other_id]
    else:
        parts.append(f"Case {other_id}: {contact}.")
        words += [*contact_words, other_id]
    return code, " ".join(parts), words


def build(folder: Path, *, star: bool) -> LeakSurvey:
    """Write the survey, import it, code every answer and (with `star`) star every answer."""
    ids = [f"R{1230 + i}" for i in range(len(AUTHORITIES))]
    rows, forbidden, codes = [], set(ids), []
    for i, (la, kind, region, form, words) in enumerate(AUTHORITIES):
        code, text, planted = _answer(i, form, ids)
        rows.append([ids[i], la, kind, region, text])
        codes.append(code)
        forbidden.update(words)
        forbidden.update(planted)
    survey = folder / "la_survey.csv"
    with survey.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["resp_id", "LA", "authority_type", "region", QUESTION])
        writer.writerows(rows)
    path = folder / "la.coder"
    store = create_project(path)
    try:
        import_survey(store, survey, id_column="resp_id", open_columns=[QUESTION], coder="t")
        frame = Codeframe(FRAME_ID, "Barriers", tuple(
            Code(id=cid, codeframe_id=FRAME_ID, label=label, output_code=out, position=out)
            for cid, out, label, _ in THEMES))
        store.add_codeframe(frame, "t", questions=[QUESTION])
        coder = store.coder("analyst")
        answer_of = {a.respondent_id: a.id for a in store.answers(QUESTION)}
        for person in store.respondents():
            code = codes[ids.index(person.external_id)]
            store.set_codes(answer_of[person.id], coder, [code])
            if star:
                store.star_quote(code, answer_of[person.id], coder)
    finally:
        store.close()
    return LeakSurvey(path, sorted(forbidden), ids)


def report_text(path: Path) -> str:
    """The readable text of a report file: Markdown, HTML, or every XML part of a .docx."""
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as archive:
            xml = " ".join(archive.read(n).decode("utf-8", "replace")
                           for n in archive.namelist() if n.endswith(".xml"))
        return re.sub(r"<[^>]+>", "", xml)
    return path.read_text(encoding="utf-8")


CAPITALISED_ONLY = {"Reading", "Bury", "Bath", "Hull", "Stoke"}


def leaks(text: str, forbidden: list[str]) -> list[str]:
    """The forbidden words found in `text` as whole words (ignoring case, except for the
    authority names that are also ordinary words)."""
    import html

    text = html.unescape(text)
    found = []
    for word in forbidden:
        flags = 0 if word in CAPITALISED_ONLY else re.I
        if re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text, flags):
            found.append(word)
    return found
