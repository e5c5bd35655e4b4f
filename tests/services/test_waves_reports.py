"""Reports across waves: which waves are covered, trend tables by wave, weighted percentages;
on each backend.

Figures are worked by hand in tests/services/waves_fixture.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from coder.cli import cli
from coder.core.errors import ProjectError
from coder.core.reporting.tables import table_grid
from coder.services.reports import build_report
from coder.store import open_project


@pytest.fixture()
def two_waves(waves_project: Callable[..., str]) -> str:
    """The two-wave project, on each backend."""
    return waves_project()


def _table(project: str, **options: object):  # type: ignore[no-untyped-def]
    with open_project(project) as store:
        report = build_report(store, quotes_per_code=0, **options)  # type: ignore[arg-type]
    return report, report.sections[0].table


def test_default_covers_every_wave_with_coding_and_says_so(two_waves: str,
                                                          tmp_path: Path) -> None:
    report, table = _table(two_waves)
    assert report.waves == ("2025", "2026")
    assert table.base.answered == 13  # 8 in 2025 + 5 in 2026, pooled
    assert table.row("c1").n == 6 and table.row("c2").n == 6
    out = tmp_path / "r.md"
    result = CliRunner().invoke(cli, ["report", "-p", two_waves, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "waves 2025, 2026" in result.output
    assert "Waves: 2025 and 2026 (answers pooled" in out.read_text(encoding="utf-8")


def test_default_leaves_out_a_wave_nobody_has_coded(waves_project: Callable[..., str]) -> None:
    project = waves_project(code_2026=False)
    report, table = _table(project)
    assert report.waves == ("2025",) and table.base.answered == 8
    report, table = _table(project, wave="all")
    assert report.waves == ("2025", "2026") and table.base.answered == 13
    assert table.base.uncoded == 5


def test_wave_lists_and_unknown_waves(two_waves: str) -> None:
    report, table = _table(two_waves, wave="2026")
    assert report.waves == ("2026",) and table.base.answered == 5
    assert table.row("c1").n == 2
    report, _ = _table(two_waves, wave="2026, 2025")
    assert report.waves == ("2025", "2026")  # oldest first, whatever the order given
    with pytest.raises(ProjectError, match=r'no wave "2024".*waves: 2025, 2026, or all'):
        _table(two_waves, wave="2025,2024")


def test_by_wave_is_a_trend_table_with_the_latest_change(two_waves: str,
                                                         tmp_path: Path) -> None:
    _, table = _table(two_waves, by="wave", min_base=1)
    assert [c.value for c in table.columns] == ["2025", "2026"]
    first, last = table.columns
    assert (first.base, first.n("c1"), first.pct("c1")) == (8, 4, 50.0)
    assert (last.base, last.n("c1"), last.pct("c1")) == (5, 2, 40.0)
    grid = table_grid(table)
    assert grid.head == ("Code", "n", "%", "2025 n", "2025 (n=8) [A] %", "2026 n",
                         "2026 (n=5) [B] %", "Change 2025 to 2026")
    cost = next(r for r in grid.rows if "Cost" in r.cells[0])
    assert cost.cells[1:] == ("6", "46%", "4", "50%", "2", "40%", "-10 pts")
    out = tmp_path / "trend.html"
    result = CliRunner().invoke(cli, ["report", "-p", two_waves, "-o", str(out),
                                      "--by", "wave"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Change 2025 to 2026" in html and "-10 pts" in html
    # Both waves have bases under 30: no test, and the report says so.
    assert "indicative rather than statistically significant" in html


def test_weighted_percentages_keep_the_unweighted_base(two_waves: str) -> None:
    _, table = _table(two_waves, wave="2025", weight="wt")
    assert table.weighted_by == "wt"
    assert table.base.answered == 8 and table.base.weighted == pytest.approx(10.0)
    assert table.row("c1").n == 4 and table.row("c1").pct == pytest.approx(55.0)
    assert table.row("c2").pct == pytest.approx(50.0)
    assert table.base.effective == pytest.approx(100 / 17.5)
    grid = table_grid(table)
    assert grid.head[2] == "% (weighted)"
    assert any("weighted by wt" in note and "unweighted" in note for note in grid.notes)


def test_weighted_breakdown_columns(two_waves: str) -> None:
    _, table = _table(two_waves, wave="2025", weight="wt", by="region", min_base=1)
    north, south = table.columns
    # North answered: W01 1, W02 1, W03 2, W08 0.5, W10 1 = 5.5; Cost W01 W02 W08 = 2.5.
    assert (north.value, north.base) == ("North", 5)
    assert north.pct("c1") == pytest.approx(100 * 2.5 / 5.5)
    # South answered: W04 3, W05 1, W09 0.5 = 4.5; Cost W04 = 3.
    assert south.pct("c1") == pytest.approx(100 * 3 / 4.5)


def test_a_bad_weight_is_named(two_waves: str, tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match='no respondent attribute "size" for the weight'):
        _table(two_waves, weight="size")
    with pytest.raises(ProjectError, match='respondent W01 \\(wave 2025\\).*"North", not a'
                                           ' number'):
        _table(two_waves, weight="region")
    result = CliRunner().invoke(cli, ["report", "-p", two_waves, "-o",
                                      str(tmp_path / "r.md"), "--weight", "region"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "not a number" in result.output


def test_suppressed_counts_hide_their_cells_in_a_trend_table(two_waves: str) -> None:
    _, table = _table(two_waves, by="wave", min_base=1)
    cost = next(r for r in table_grid(table, suppress_below=3).rows if "Cost" in r.cells[0])
    # 6 overall and 4 in 2025 are shown; 2 in 2026 is under 3: its n, % and the change hide.
    assert cost.cells[1:] == ("6", "46%", "4", "50%", "*", "*", "*")
