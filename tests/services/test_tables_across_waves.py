"""Survey tables across waves: export variables that line up wave by wave, and small breakdown
columns left out of the significance tests with the report saying so; on each backend."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyreadstat
import pytest

from coder.services.exports import export_data
from coder.services.reports import build_report, write_report
from coder.store import open_project
from tests.services.waves_fixture import QUESTION


def test_code_variables_are_named_and_labelled_alike_in_every_wave(
        tmp_path: Path, waves_project: Callable[..., str]) -> None:
    """Wave 2026 has no Staff code at all once its two are removed: its export still has the
    Staff variable, with the same name, label and value labels as wave 2025's."""
    project = waves_project()
    with open_project(project) as store:
        alice = store.coder("alice")
        for answer in store.answers(QUESTION, wave_id=store.wave_id("2026")):
            if "c2" in store.codes_of(answer.id, alice.id):
                store.set_codes(answer.id, alice, [])
        metas = {}
        for wave in ("2025", "2026", "all"):
            result = export_data(store, "sav", tmp_path / f"codes_{wave}.sav", wave=wave)
            frame, metas[wave] = pyreadstat.read_sav(str(result.files[0]))
            if wave == "2026":
                assert frame[f"{QUESTION}_c2"].sum() == 0
    codes = [c for c in metas["2025"].column_names if c.startswith(f"{QUESTION}_c")]
    assert codes == [f"{QUESTION}_c1", f"{QUESTION}_c2"]
    for wave in ("2026", "all"):
        meta = metas[wave]
        assert [c for c in meta.column_names if c.startswith(f"{QUESTION}_")] == \
            [c for c in metas["2025"].column_names if c.startswith(f"{QUESTION}_")]
        for column in codes + [f"{QUESTION}_status"]:
            assert meta.column_names_to_labels[column] == \
                metas["2025"].column_names_to_labels[column], column
            assert meta.variable_value_labels.get(column) == \
                metas["2025"].variable_value_labels.get(column), column


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_small_breakdown_columns_are_not_tested_and_the_report_says_so(
        tmp_path: Path, fmt: str, waves_project: Callable[..., str]) -> None:
    """With a caution threshold of 5, North (5 answered in 2025) is tested and South (3) is
    not: the table's significance leaves South out and the report names it."""
    project = waves_project()
    with open_project(project) as store:
        report = build_report(store, wave="2025", by="region", min_base=5, quotes_per_code=0)
    table = report.sections[0].table
    assert [(c.value, c.base) for c in table.columns] == [("North", 5), ("South", 3)]
    assert table.significance is not None
    assert table.significance.excluded == ("South",) and table.significance.tested == ("North",)
    assert all(test.first != "South" and test.second != "South"
               for test in table.significance.pairs.values())
    out = tmp_path / f"r.{fmt}"
    write_report(report, fmt, out)
    text = out.read_text(encoding="utf-8")
    assert "base under 5 (South) are not tested" in text
    assert "indicative rather than statistically significant" in text
