"""`coder themes` with the real embedding model: the file contract and a stored project run."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from coder.cli import cli
from coder.services.importing import import_survey
from coder.store import create_project, open_project

DATA = Path(__file__).resolve().parents[2] / "data"
pytestmark = pytest.mark.slow


def test_file_mode_contract_on_five_rows(tmp_path: Path) -> None:
    source = tmp_path / "answers.csv"
    rows = [
        "Fees are far too high for our budget",
        "",
        "School fees are simply too expensive",
        "N/A",
        "Schools refuse children with complex needs",
    ]
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "answer"])
        writer.writerows([[i, text] for i, text in enumerate(rows)])
    assign, themes = tmp_path / "assign.csv", tmp_path / "themes.csv"
    result = CliRunner().invoke(
        cli,
        [
            "themes",
            str(source),
            "--text-column",
            "answer",
            "--output",
            str(assign),
            "--themes-output",
            str(themes),
        ],
    )
    assert result.exit_code == 0, result.output
    with assign.open(encoding="utf-8") as handle:
        out = list(csv.DictReader(handle))
    assert list(out[0]) == ["row", "theme_id", "theme_label"]
    assert [r["row"] for r in out] == ["0", "1", "2", "3", "4"]  # one row per input row, in order
    assert out[1]["theme_id"] == "-1"  # the blank answer
    assert out[0]["theme_id"] == out[2]["theme_id"] != "-1"  # the two answers about fees
    with themes.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames
        theme_rows = list(reader)
    assert header == [
        "theme_id",
        "label",
        "description",
        "keywords",
        "size",
        "share",
        "quote_1",
        "quote_2",
        "quote_3",
        "quote_4",
        "quote_5",
    ]
    assert theme_rows and all(r["quote_1"] in rows for r in theme_rows)


def test_missing_text_column_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "answers.csv"
    source.write_text("id,comment\n1,hello there\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["themes", str(source), "--text-column", "answer", "--output", str(tmp_path / "a.csv")]
    )
    assert result.exit_code == 2
    assert str(source) in result.output and "answer" in result.output


def test_project_mode_stores_a_run(tmp_path: Path) -> None:
    project = tmp_path / "p.coder"
    with create_project(project) as store:
        import_survey(store, DATA / "demo_survey.csv", wave="2025")
    result = CliRunner().invoke(
        cli,
        ["themes", "--project", str(project), "--question", "q5_asye_effective", "--coder", "ana"],
    )
    assert result.exit_code == 0, result.output
    with open_project(project) as store:
        (run,) = store.theme_runs("q5_asye_effective")
        assert run.coder == "ana" and run.model.endswith("all-MiniLM-L6-v2")
        assert 2 <= run.n_themes <= 20
        assert run.n_other <= 0.10 * run.n_answers + 1
        themes = store.themes(run.id)
        assignments = store.theme_assignments(run.id)
        for theme in themes:
            # the description is stored, in the words of one of the theme's own answers
            members = [store.answer(a).text for a, t in assignments.items()
                       if t.theme_id == theme.theme_id]
            assert theme.description
            assert any(" ".join(m.split()).startswith(theme.description.rstrip("…"))
                       for m in members), theme.description
            assert set(theme.quote_answer_ids) <= {a for a, t in assignments.items()
                                                   if t.theme_id == theme.theme_id}
    assert themes[0].description[:12] in result.output  # shown under the label
    listed = CliRunner().invoke(cli, ["themes", "--project", str(project), "--list"])
    assert "q5_asye_effective" in listed.output
