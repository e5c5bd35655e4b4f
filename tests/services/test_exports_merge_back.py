"""Data exports that merge back onto the survey: respondent IDs by default, one row per
respondent and wave, SPSS attributes with their original codes and value labels; on each
backend."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from pathlib import Path

import pyreadstat
import pytest
from click.testing import CliRunner

from coder.cli import cli
from coder.services.codeframes import import_codeframe
from coder.services.exports import export_data
from coder.services.importing import import_survey
from coder.store import create_project, open_project

DEMO = Path(__file__).resolve().parents[2] / "data"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_every_coded_wave_one_row_per_respondent_and_wave(
        tmp_path: Path, waves_project: Callable[..., str]) -> None:
    project = waves_project()
    with open_project(project) as store:
        result = export_data(store, "csv", tmp_path / "codes.csv", attributes=["region"])
    assert result.waves == ("2025", "2026")
    assert (result.rows, result.respondents, result.code_variables) == (16, 10, 2)
    rows = _rows(result.files[0])
    assert list(rows[0])[:3] == ["respondent_id", "wave", "region"]
    keyed = {(r["respondent_id"], r["wave"]): r for r in rows}
    assert len(keyed) == 16
    assert keyed[("W02", "2025")]["barriers_c1"] == "1"
    assert keyed[("W02", "2025")]["barriers_c2"] == "1"
    assert keyed[("W02", "2026")]["barriers_status"] == "2"  # not yet coded in 2026
    assert keyed[("W03", "2026")]["barriers_c2"] == "1"
    assert keyed[("W03", "2026")]["barriers_c1"] == "0"
    assert ("W07", "2026") not in keyed  # not in wave 2026


def test_no_ids_on_request(tmp_path: Path, waves_project: Callable[..., str]) -> None:
    project = waves_project()
    with open_project(project) as store:
        result = export_data(store, "csv", tmp_path / "codes.csv", include_ids=False,
                             wave="2026")
    rows = _rows(result.files[0])
    assert "respondent_id" not in rows[0] and [r["case"] for r in rows] == [str(i) for i in
                                                                            range(1, 7)]


def test_cli_says_what_it_wrote(tmp_path: Path, waves_project: Callable[..., str]) -> None:
    project = waves_project()
    out = tmp_path / "codes.sav"
    result = CliRunner().invoke(cli, ["export", "-p", project, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        f"wrote {out}: 16 rows (10 respondents), waves 2025, 2026, 2 code variables;"
        f" codebook {tmp_path / 'codes_codebook.csv'}")
    frame, meta = pyreadstat.read_sav(str(out))
    assert list(frame.columns[:2]) == ["respondent_id", "wave"]
    assert sorted(set(frame["wave"])) == [2025.0, 2026.0]
    result = CliRunner().invoke(cli, ["export", "-p", project, "-o", str(out), "--no-ids",
                                      "--wave", "2025"])
    assert result.exit_code == 0, result.output
    assert "10 respondents, wave 2025" in result.output and "cannot be merged back" in \
        result.output


def test_sav_attributes_keep_their_original_codes_and_value_labels(
        tmp_path: Path, new_location: Callable[[], str]) -> None:
    """The demo .sav: region, authority_type and q1 go back out as the file's numeric codes."""
    source = DEMO / "demo_survey.sav"
    original, original_meta = pyreadstat.read_sav(str(source), apply_value_formats=False)
    store = create_project(new_location())
    try:
        import_survey(store, source, wave="2025", coder="test")
        import_codeframe(store, DEMO.parent / "codeframes" / "q2_barriers.yaml", "test")
        result = export_data(store, "sav", tmp_path / "codes.sav",
                             attributes=["region", "authority_type", "q1_placed_independent",
                                         "authority_name"])
    finally:
        store.close()
    frame, meta = pyreadstat.read_sav(str(result.files[0]))
    merged = frame.merge(original, left_on="respondent_id", right_on="la_code",
                         suffixes=("", "_orig"))
    assert len(merged) == 152
    for column in ("region", "authority_type", "q1_placed_independent"):
        assert (merged[column] == merged[f"{column}_orig"]).all(), column
        assert meta.variable_value_labels[column] == \
            original_meta.variable_value_labels[column]
        assert meta.column_names_to_labels[column] == \
            original_meta.column_names_to_labels[column]
    assert (merged["authority_name"] == merged["authority_name_orig"]).all()
    assert not math.isnan(frame["region"].iloc[0])


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav"])
def test_weights_and_other_numbers_export_as_numbers(tmp_path: Path, fmt: str,
                                                    waves_project: Callable[..., str]) -> None:
    project = waves_project()
    with open_project(project) as store:
        result = export_data(store, fmt, tmp_path / f"codes.{fmt}", attributes=["wt"],
                             wave="2025")
    if fmt == "sav":
        frame, _ = pyreadstat.read_sav(str(result.files[0]))
        assert list(frame["wt"]) == [1, 1, 2, 3, 1, 1, 1, 0.5, 0.5, 1]
    elif fmt == "csv":
        assert [r["wt"] for r in _rows(result.files[0])][7] == "0.5"
    else:
        import openpyxl

        sheet = openpyxl.load_workbook(result.files[0])["data"]
        header = [c.value for c in sheet[1]]
        column = header.index("wt")
        assert [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)][2:4] == \
            [2, 3]
