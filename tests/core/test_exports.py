"""Data exports: 0/1 and concatenated layouts, codebook, SPSS labels, spreadsheet-safe cells."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from test_report_project import QUESTION, answer_id, build_project

from coder.core.reporting.exports import (
    STATUS_LABELS,
    QuoteBankRow,
    neutralise_cell,
    variable_stem,
    write_quote_bank,
)
from coder.services.exports import export_data, export_quote_bank
from coder.store import open_project

PAYLOADS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("export"))


def test_neutralise_cell() -> None:
    for payload in PAYLOADS:
        assert neutralise_cell(payload) == "'" + payload
    assert neutralise_cell("fees") == "fees" and neutralise_cell(-3) == -3


def test_variable_names_are_spss_safe() -> None:
    assert variable_stem("Q2 Barriers (open)") == "q2_barriers_open"
    assert variable_stem("2nd question") == "q2nd_question"
    assert len(variable_stem("x" * 100)) == 64


def test_csv_dichotomy_matches_the_hand_coding(project: Path, tmp_path: Path) -> None:
    with open_project(project) as store:
        files = export_data(store, "csv", tmp_path / "codes.csv", attributes=["region"]).files
    assert [f.name for f in files] == ["codes.csv", "codes_codebook.csv"]
    with files[0].open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    # The respondent ID is the first column by default, so the file merges back.
    assert list(rows[0])[0] == "respondent_id" and rows[0]["respondent_id"] == "R01"
    by_case = {int(r["respondent_id"][1:]): r for r in rows}
    # R02: fees + ill-equipped -> both nets; R09: 201 and 202 -> net 200 once.
    assert by_case[2]["q2_barriers_c101"] == "1" and by_case[2]["q2_barriers_c200"] == "1"
    assert by_case[2]["q2_barriers_c301"] == "0"
    assert by_case[9]["q2_barriers_c200"] == "1" and by_case[9]["q2_barriers_c100"] == "0"
    assert sum(r["q2_barriers_c100"] == "1" for r in rows) == 4
    # Not asked (R05), blank (R07), don't know (R04), uncoded (R11): system-missing.
    assert [by_case[i]["q2_barriers_status"] for i in (5, 7, 4, 11)] == ["5", "4", "3", "2"]
    assert all(by_case[i]["q2_barriers_c101"] == "" for i in (4, 5, 7, 11))
    assert "q2_barriers_c401" not in rows[0]  # retired
    with files[1].open(encoding="utf-8-sig") as handle:
        book = {r["variable"]: r for r in csv.DictReader(handle)}
    label = book["q2_barriers_c201"]["label"]
    assert label == "q2_barriers: Ill-equipped for looked-after children"
    assert book["q2_barriers_c100"]["net"] == "yes"


def test_disagreements_export_as_missing_until_adjudicated(tmp_path: Path) -> None:
    """Two coders (the report fixture's alice and bob): R01 disagrees, R10 agrees."""
    path = build_project(tmp_path, coders=("alice", "bob"))
    with open_project(path) as store:
        files = export_data(store, "csv", tmp_path / "codes.csv", include_ids=True).files
        with files[0].open(encoding="utf-8-sig") as handle:
            rows = {r["respondent_id"]: r for r in csv.DictReader(handle)}
        assert rows["R01"]["q2_barriers_status"] == "6"
        assert rows["R01"]["q2_barriers_c101"] == "" and rows["R01"]["q2_barriers_c301"] == ""
        assert rows["R10"]["q2_barriers_status"] == "1"
        assert rows["R10"]["q2_barriers_c301"] == "1"
        store.adjudicate(answer_id(store, "R01"), ["c101"], "rev")
        files = export_data(store, "csv", tmp_path / "codes.csv", include_ids=True).files
        with files[0].open(encoding="utf-8-sig") as handle:
            rows = {r["respondent_id"]: r for r in csv.DictReader(handle)}
        assert rows["R01"]["q2_barriers_status"] == "1"
        assert (rows["R01"]["q2_barriers_c101"], rows["R01"]["q2_barriers_c301"]) == ("1", "0")


def test_concatenated_layout(project: Path, tmp_path: Path) -> None:
    with open_project(project) as store:
        files = export_data(store, "csv", tmp_path / "c.csv", layout="concatenated",
                            include_ids=True).files
    with files[0].open(encoding="utf-8-sig") as handle:
        rows = {r["respondent_id"]: r for r in csv.DictReader(handle)}
    assert rows["R12"]["q2_barriers_codes"] == "101;301"
    assert rows["R09"]["q2_barriers_codes"] == "201;202"
    assert rows["R03"]["q2_barriers_codes"] == "202"  # the retired 401 is left out
    assert rows["R05"]["q2_barriers_codes"] == ""


def test_sav_round_trips_with_labels(project: Path, tmp_path: Path) -> None:
    import pyreadstat

    with open_project(project) as store:
        files = export_data(store, "sav", tmp_path / "codes.sav").files
    frame, meta = pyreadstat.read_sav(str(files[0]))
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["q2_barriers_c101"] == "q2_barriers: High fees"
    assert labels["q2_barriers_c100"] == "q2_barriers: NET Cost"
    value_labels = meta.variable_value_labels
    assert value_labels["q2_barriers_c101"] == {0.0: "Not mentioned", 1.0: "Mentioned"}
    assert value_labels["q2_barriers_status"] == {float(k): v for k, v in STATUS_LABELS.items()}
    assert frame["q2_barriers_c100"].sum() == 4 and frame["q2_barriers_c200"].sum() == 3
    assert math.isnan(frame.loc[4, "q2_barriers_c101"])  # R05, not asked
    assert frame["q2_barriers_c101"].notna().sum() == 7  # the coded substantive answers


def test_xlsx_has_data_codebook_and_concatenated_sheets(project: Path, tmp_path: Path) -> None:
    import openpyxl

    with open_project(project) as store:
        files = export_data(store, "xlsx", tmp_path / "codes.xlsx", include_ids=False).files
    book = openpyxl.load_workbook(files[0])
    assert book.sheetnames == ["data", "codebook", "concatenated"]
    header = [c.value for c in book["data"][1]]
    assert header[:3] == ["case", "q2_barriers_status", "q2_barriers_c100"]


def test_injection_payloads_are_neutralised_in_csv_and_xlsx(tmp_path: Path) -> None:
    import openpyxl
    import pandas as pd

    from coder.core.reporting.exports import ExportTable, Variable, write_export

    data = pd.DataFrame({"note": PAYLOADS, "n": [1.0, 0.0, float("nan"), 1.0, 0.0, 1.0]})
    table = ExportTable(data, (Variable("note", "=evil label"), Variable("n", "n")), "dichotomy")
    write_export(table, "xlsx", tmp_path / "x.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx")["data"]
    cells = [sheet.cell(row=i + 2, column=1) for i in range(len(PAYLOADS))]
    assert [c.value for c in cells] == ["'" + p for p in PAYLOADS]
    assert all(c.data_type == "s" for c in cells)
    codebook = openpyxl.load_workbook(tmp_path / "x.xlsx")["codebook"]
    assert codebook.cell(row=2, column=2).value == "'=evil label"
    write_export(table, "csv", tmp_path / "x.csv")
    with (tmp_path / "x.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["note"] for r in rows] == ["'" + p for p in PAYLOADS]
    assert [r["n"] for r in rows] == ["1", "0", "", "1", "0", "1"]


def test_quote_bank_keeps_provenance_and_is_neutralised(project: Path, tmp_path: Path) -> None:
    with open_project(project) as store:
        path = export_quote_bank(store, tmp_path / "bank.csv")
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    fees = [r for r in rows if r["output_code"] == "101"]
    assert sorted(r["respondent_id"] for r in fees) == ["R01", "R02", "R08", "R12"]
    assert any("jo.bloggs@kent.gov.uk" in r["text"] for r in fees)  # unredacted: internal
    assert all(r["question"] == QUESTION for r in rows)
    write_quote_bank([QuoteBankRow("q", 1, "c", False, "R1", 1, "=HYPERLINK(\"x\")")],
                     tmp_path / "b2.csv")
    assert "'=HYPERLINK" in (tmp_path / "b2.csv").read_text(encoding="utf-8-sig")
