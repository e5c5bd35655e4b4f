"""Write coder/core/reporting/data/name_words.txt: given names and surnames that are also
ordinary English words ("Grace", "Mark", "Hunter"), which redaction treats with care.

A name is an ordinary word when its lower-case form is common in English text and at least
about as frequent as the capitalised form (word probabilities from spaCy's lookup tables; the
names from Faker's person providers, the gazetteer redaction uses). Run again after upgrading
Faker: `python data/make_name_words.py`.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import spacy_lookups_data

from coder.core.reporting.person_names import gazetteer_names

OUT = Path(__file__).resolve().parent.parent / "coder/core/reporting/data/name_words.txt"


def main() -> None:
    tables = Path(spacy_lookups_data.__file__).parent / "data"
    with gzip.open(tables / "en_lexeme_prob.json.gz") as fh:
        prob: dict[str, float] = json.load(fh)
    first, last = gazetteer_names()
    words = []
    for name in sorted(first | last):
        lower = prob.get(name.lower())
        title = prob.get(name[:1].upper() + name[1:].lower())
        if lower is None or lower < -14.5:
            continue
        if title is None or lower >= title - 0.3 or lower > -11.5:
            words.append(name)
    OUT.write_text("# Names that are also ordinary words; made by data/make_name_words.py\n"
                   + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} names that are also words -> {OUT}")


if __name__ == "__main__":
    main()
