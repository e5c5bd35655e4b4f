"""Codeframe exports to CSV and XLSX never hold a live formula, and read back unchanged."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from coder.core.codeframe.codebook_tables import write_codebook_csv, write_codebook_xlsx
from coder.core.codeframe.files import load_codeframe
from coder.core.codeframe.model import Code, Codeframe
from coder.core.spreadsheet_cells import FORMULA_START

EVIL = '=HYPERLINK("http://evil.example","click")'
FRAME = Codeframe("f", "Barriers", (
    Code(id="c1", codeframe_id="f", label=EVIL, output_code=1, position=1,
         definition="-2+3", examples=("@SUM(A1)", "+44 cost")),
    Code(id="c2", codeframe_id="f", label="\tTabbed", output_code=2, position=2),
))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_codeframe_export_has_no_live_formula_and_round_trips(tmp_path: Path,
                                                              suffix: str) -> None:
    path = tmp_path / f"frame{suffix}"
    (write_codebook_csv if suffix == ".csv" else write_codebook_xlsx)(FRAME, path)
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            cells = [c for row in csv.reader(handle) for c in row]
        assert cells and not [c for c in cells if c.startswith(FORMULA_START)]
    else:
        sheet = load_workbook(path).active
        cells = [c for row in sheet.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        assert not [c.value for c in cells
                    if isinstance(c.value, str) and c.value.startswith(FORMULA_START)]
    back = load_codeframe(path)
    first = back.codes[0] if back.codes[0].output_code == 1 else back.codes[1]
    assert (first.label, first.definition, first.examples) == \
        (EVIL, "-2+3", ("@SUM(A1)", "+44 cost"))
