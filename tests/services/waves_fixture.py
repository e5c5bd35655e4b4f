"""A two-wave project coded by hand, for the wave, weight and export tests.

Wave 2025 (10 respondents; coder alice):
  W01 North wt 1   "fees are too high for us"          Cost
  W02 North wt 1   "fees and staff shortages"          Cost, Staff
  W03 North wt 2   "no staff to support them"          Staff
  W04 South wt 3   "the cost is high"                  Cost
  W05 South wt 1   "staff shortages everywhere"        Staff
  W06 South wt 1   (blank)
  W07 South wt 1   "Don't know"                        (non-substantive)
  W08 North wt 0.5 "cost of transport"                 Cost
  W09 South wt 0.5 "nothing else to add here really"   (coded: no code applies)
  W10 North wt 1   "staffing is the issue"             Staff
  Answered 8. Cost 4/8 = 50%, Staff 4/8 = 50%.
  Weighted: sum of weights 10; Cost 1+1+3+0.5 = 5.5 -> 55%; Staff 1+2+1+1 = 5 -> 50%;
  effective base 10^2 / (1+1+4+9+1+0.25+0.25+1) = 100/17.5 = 5.71.

Wave 2026 (6 respondents):
  W01 "fees are too high for us"   Cost     (same text as in 2025)
  W02 "Fees and  staff shortages"  uncoded  (the 2025 text, case and spaces aside)
  W03 "new problem with buildings" Staff
  W04 "the cost is high"           Cost     (same text as in 2025)
  W05 (blank)
  W06 "staff"                      Staff
  Answered 5 (W02 uncoded, in the base). Cost 2/5 = 40%, Staff 2/5 = 40%.
  Change 2025 -> 2026: Cost -10 pts, Staff -10 pts. Pooled: 13 answered, Cost 6, Staff 6.
"""

from __future__ import annotations

import csv
from pathlib import Path

from coder.core.codeframe.model import Code, Codeframe
from coder.services.importing import import_survey
from coder.store import create_project
from coder.store.protocol import ProjectStore

QUESTION = "barriers"
FRAME = "frame-barriers"
WAVE_2025 = [
    ("W01", "North", "1", "fees are too high for us", ["c1"]),
    ("W02", "North", "1", "fees and staff shortages", ["c1", "c2"]),
    ("W03", "North", "2", "no staff to support them", ["c2"]),
    ("W04", "South", "3", "the cost is high", ["c1"]),
    ("W05", "South", "1", "staff shortages everywhere", ["c2"]),
    ("W06", "South", "1", "", None),
    ("W07", "South", "1", "Don't know", None),
    ("W08", "North", "0.5", "cost of transport", ["c1"]),
    ("W09", "South", "0.5", "nothing else to add here really", []),
    ("W10", "North", "1", "staffing is the issue", ["c2"]),
]
WAVE_2026 = [
    ("W01", "North", "1", "fees are too high for us", ["c1"]),
    ("W02", "North", "1", "Fees and  staff shortages", None),
    ("W03", "North", "1", "new problem with buildings", ["c2"]),
    ("W04", "South", "1", "the cost is high", ["c1"]),
    ("W05", "South", "1", "", None),
    ("W06", "South", "1", "staff", ["c2"]),
]
CODES = (
    Code(id="c1", codeframe_id=FRAME, label="Cost", output_code=1, position=1),
    Code(id="c2", codeframe_id=FRAME, label="Staff", output_code=2, position=2),
)


def write_wave(path: Path, rows: list[tuple[str, str, str, str, list[str] | None]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["resp_id", "region", "wt", QUESTION])
        for row in rows:
            writer.writerow(row[:4])
    return path


def code_wave(store: ProjectStore, wave: str,
              rows: list[tuple[str, str, str, str, list[str] | None]]) -> None:
    alice = store.coder("alice")
    wave_id = store.wave_id(wave)
    external = {r.id: r.external_id for r in store.respondents()}
    answers = {external[a.respondent_id]: a.id
               for a in store.answers(QUESTION, wave_id=wave_id)}
    for ext, *_rest, codes in rows:
        if codes is not None:
            store.set_codes(answers[ext], alice, codes)


def build_two_waves(folder: Path, location: str | None = None, *, code_2026: bool = True
                    ) -> str:
    """The project at `location` (a new file path or an empty database's URL; default
    project.coder in `folder`, where the wave files are written): wave 2025 imported and
    coded, then wave 2026 imported (and coded unless told), as a team would on its backend."""
    location = location or str(folder / "project.coder")
    store = create_project(location)
    try:
        import_survey(store, write_wave(folder / "w2025.csv", WAVE_2025), wave="2025",
                      id_column="resp_id", open_columns=[QUESTION], coder="test")
        store.add_codeframe(Codeframe(FRAME, "Barriers", CODES), "test", questions=[QUESTION])
        code_wave(store, "2025", WAVE_2025)
        import_survey(store, write_wave(folder / "w2026.csv", WAVE_2026), wave="2026",
                      id_column="resp_id", open_columns=[QUESTION], coder="test")
        if code_2026:
            code_wave(store, "2026", WAVE_2026)
    finally:
        store.close()
    return location
