"""Writes the demo survey files (CSV, Windows-1252 CSV, XLSX, SPSS .sav, JSON); no coder imports.

Depends on pandas, openpyxl and pyreadstat only. The waves passed in are
``generate_demo.DemoWave`` records; labels and options come from ``generate_demo``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

ABOUT = (
    "Synthetic demo data: an annual survey of children's services in 152 fictional English "
    "local authorities (wave 2025).",
    "Every authority, name, answer, email address and phone number is invented.",
    "Blank cells are questions not answered or not asked (see routing below).",
    "Regenerate with: python data/generate_demo.py",
)
_FIXED_TIME = datetime(2025, 6, 30, 9, 0, 0)


def write_csv(frame: pd.DataFrame, path: Path, *, encoding: str = "utf-8") -> Path:
    """Write ``frame`` as CSV; Windows-1252 files get CRLF line ends like an Excel export."""
    newline = "\r\n" if encoding == "cp1252" else "\n"
    frame.to_csv(path, index=False, encoding=encoding, lineterminator=newline)
    return path


def write_xlsx(frame: pd.DataFrame, path: Path, notes: Sequence[Mapping[str, str]]) -> Path:
    """Write the responses to sheet "Responses" and the codebook to sheet "Notes"."""
    responses = frame.astype(object).where(frame != "", None)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        responses.to_excel(writer, sheet_name="Responses", index=False)
        about = pd.DataFrame({"About this file": list(ABOUT)})
        about.to_excel(writer, sheet_name="Notes", index=False)
        pd.DataFrame(list(notes)).to_excel(
            writer, sheet_name="Notes", index=False, startrow=len(ABOUT) + 2
        )
        sheet = writer.sheets["Responses"]
        for letter in ("A", "C", "D", "E"):
            sheet.column_dimensions[letter].width = 16
        sheet.column_dimensions["B"].width = 36
        sheet.freeze_panes = "C2"
        writer.book.properties.creator = "coder demo generator"
        writer.book.properties.created = _FIXED_TIME
    return path


def write_sav(
    frame: pd.DataFrame,
    path: Path,
    labels: Mapping[str, str],
    options: Mapping[str, Sequence[str]],
) -> Path:
    """Write an SPSS file: categorical columns as numeric codes 1..k with value labels."""
    import pyreadstat

    sav = frame.copy()
    value_labels: dict[str, dict[float, str]] = {}
    for column, opts in options.items():
        codes = {option: float(n) for n, option in enumerate(opts, start=1)}
        sav[column] = frame[column].map(codes).astype("float64")
        value_labels[column] = {code: option for option, code in codes.items()}
    pyreadstat.write_sav(
        sav,
        str(path),
        file_label="Children's services survey 2025 (synthetic demo data)",
        column_labels=[labels[c] for c in sav.columns],
        variable_value_labels=value_labels,
        variable_measure={c: "nominal" for c in options},
    )
    return path


def write_json(data: Any, path: Path) -> Path:
    """Write indented UTF-8 JSON with a final newline."""
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_all(
    out_dir: Path,
    first: Any,
    second: Any,
    *,
    labels: Mapping[str, str],
    options: Mapping[str, Sequence[str]],
    notes: Sequence[Mapping[str, str]],
    catalogue: Mapping[str, Any],
) -> list[Path]:
    """Write every demo file for the 2025 wave ``first`` and the 2026 wave ``second``.

    Returns:
        The paths written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    pii = pd.concat(
        [first.pii.assign(wave="2025"), second.pii.assign(wave="2026")], ignore_index=True
    )[["wave", "la_code", "question_id", "kind", "value"]]
    questions = {n["column"]: {k: v for k, v in n.items() if k != "column"} for n in notes}
    return [
        write_csv(first.responses, out_dir / "demo_survey.csv"),
        write_csv(first.responses, out_dir / "demo_survey_cp1252.csv", encoding="cp1252"),
        write_xlsx(first.responses, out_dir / "demo_survey.xlsx", notes),
        write_sav(first.responses, out_dir / "demo_survey.sav", labels, options),
        write_csv(second.responses, out_dir / "demo_survey_wave2.csv"),
        write_csv(first.ground_truth, out_dir / "demo_ground_truth.csv"),
        write_csv(second.ground_truth, out_dir / "demo_ground_truth_wave2.csv"),
        write_csv(pii, out_dir / "demo_pii.csv"),
        write_json(dict(catalogue), out_dir / "demo_themes.json"),
        write_json(questions, out_dir / "demo_questions.json"),
        write_csv(demo_codings({"2025": first.ground_truth, "2026": second.ground_truth},
                               catalogue), out_dir / "demo_codings.csv"),
    ]


#: The question the demo arrives coded (by coder "demo", in both waves), so its report is real.
CODED_QUESTION = "q2_barriers"


def demo_codings(truth: Mapping[str, pd.DataFrame],
                 catalogue: Mapping[str, Any]) -> pd.DataFrame:
    """A codings file (`coder codings import`) coding every answer to `CODED_QUESTION` in each
    wave (wave name -> that wave's ground truth) with its true themes, by label."""
    labels = {t["key"]: t["label"] for t in catalogue[CODED_QUESTION]}
    rows = [
        {"respondent_id": r.la_code, "question": CODED_QUESTION, "code": labels[key],
         "coder": "demo", "wave": wave}
        for wave, frame in truth.items()
        for r in frame[frame["question_id"] == CODED_QUESTION].itertuples()
        for key in str(r.themes).split(";") if key in labels
    ]
    return pd.DataFrame(rows, columns=["respondent_id", "question", "code", "coder", "wave"])
