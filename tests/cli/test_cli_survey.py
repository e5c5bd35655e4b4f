"""The command line end to end on the demo survey: init, import (all formats), info, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from coder.cli import cli

DATA = Path(__file__).resolve().parents[2] / "data"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_demo_survey_end_to_end(tmp_path: Path) -> None:
    project = str(tmp_path / "demo.coder")
    assert run("init", project).exit_code == 0
    first = run("import", str(DATA / "demo_survey.sav"), "--project", project, "--wave", "2025")
    assert first.exit_code == 0, first.output
    assert "ID column la_code" in first.output
    again = run("import", str(DATA / "demo_survey.csv"), "--project", project, "--wave", "2025")
    assert "answers added 0, changed 0, unchanged 1216" in again.output  # same data, other format
    xlsx = run(
        "import",
        str(DATA / "demo_survey.xlsx"),
        "--project",
        project,
        "--wave",
        "2025",
        "--sheet",
        "Responses",
    )
    assert "answers added 0, changed 0" in xlsx.output
    second = run(
        "import", str(DATA / "demo_survey_wave2.csv"), "--project", project, "--wave", "2026"
    )
    assert second.exit_code == 0

    info = json.loads(run("info", "--project", project, "--json").output)
    questions = {q["id"]: q for q in info["questions"]}
    assert list(questions) == [
        "q2_barriers",
        "q3_overcome",
        "q5_asye_effective",
        "q6_ld_priorities",
        "q7_iro_examples",
        "q9_two_year_olds",
        "q10_send_actions",
        "q8_other_specify",
    ]
    q2 = questions["q2_barriers"]
    assert q2["text"].startswith("What barriers has your authority experienced")
    assert set(q2) >= {"id", "text", "n_answers", "n_non_substantive", "n_duplicates"}
    assert q2["n_answers"] > 100 and q2["n_non_substantive"] > 0 and q2["n_duplicates"] > 0
    assert questions["q5_asye_effective"]["routing"] == 'asked if q4_asye_participates = "Yes"'
    assert info["waves"] == ["2025", "2026"]


def test_bad_input_exits_2_naming_file_row_column(tmp_path: Path) -> None:
    project = str(tmp_path / "p.coder")
    run("init", project)
    bad = tmp_path / "bad.csv"
    bad.write_text("la_code,comment\nLA1,one two three four\nLA1,five six seven eight\n")
    result = CliRunner().invoke(
        cli, ["import", str(bad), "--project", project, "--id-column", "la_code"]
    )
    assert result.exit_code == 2
    assert f'{bad}, row 3, column "la_code": duplicate respondent ID "LA1"' in result.output
    assert json.loads(run("info", "--project", project, "--json").output)["questions"] == []


def test_missing_project_exits_3(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["info", "--project", str(tmp_path / "none.coder")])
    assert result.exit_code == 3
    assert "no such project" in result.output


def test_help_is_fast_and_imports_nothing_heavy() -> None:
    code = (
        "import sys; from coder.cli import cli; cli(['--help'], standalone_mode=False);"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'spacy', 'pandas', 'textual',"
        " 'sklearn', 'matplotlib') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]")


def test_python_dash_m_runs_the_cli() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "coder", "--version"], capture_output=True, text=True, check=True
    )
    assert "coder" in out.stdout
