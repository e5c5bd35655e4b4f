"""`coder suggest` (file in, file out, no project: the real model) and `coder autocode`."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from coder.cli import cli
from coder.core.codeframe.files import load_codeframe
from coder.services.importing import import_survey
from coder.store import create_project, open_project

REPO = Path(__file__).resolve().parents[2]
Q2 = "q2_barriers"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


TRAIN = [["id", "answer", "codes"],
         ["1", "The fees are far too expensive for us", "cost"],
         ["2", "School fees keep rising every year", "cost"],
         ["3", "No suitable schools anywhere near the child", "distance"],
         ["4", "Long journeys to the nearest school", "distance"],
         ["5", "Fees are high and schools are far away", "cost;distance"],
         ["6", "Schools refuse our children after reading their history", "refusal"],
         ["7", "Schools turn us down", "refusal"],
         ["7", "Schools turn us down", "distance"]]  # ID 7 has two codes, on two rows


@pytest.mark.slow
def test_batch_suggest_writes_one_row_per_input_row_in_order(tmp_path: Path) -> None:
    train = write(tmp_path / "coded.csv", TRAIN)
    new = write(tmp_path / "new.csv", [["answer"], ["Schools turn us down"],
                                       ["The cost of the fees"], [""],
                                       ["Too far to travel to school"]])
    out = tmp_path / "out.csv"
    result = run("suggest", "--train", str(train), "--text-column", "answer", "--code-column",
                 "codes", "--id-column", "id", "--input", str(new), "--top", "2",
                 "--output", str(out))
    assert result.exit_code == 0, result.output
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["row", "code_1", "code_2", "score_1", "score_2"]
    assert [r[0] for r in rows[1:]] == ["0", "1", "2", "3"]
    body = {int(r[0]): r for r in rows[1:]}
    assert set(body[0][1:3]) == {"refusal", "distance"}  # the twin's two codes, both first
    assert body[1][1] == "cost" and body[3][1] == "distance"
    for r in rows[1:]:
        assert {r[1], r[2]} <= {"cost", "distance", "refusal"}
        assert 1.0 >= float(r[3]) >= float(r[4]) >= 0.0


def test_batch_suggest_names_the_missing_column_and_exits_2(tmp_path: Path) -> None:
    train = write(tmp_path / "coded.csv", TRAIN)
    new = write(tmp_path / "new.csv", [["text"], ["x"]])
    result = run("suggest", "--train", str(train), "--text-column", "answer", "--code-column",
                 "codes", "--input", str(new), "--output", str(tmp_path / "out.csv"))
    assert result.exit_code == 2
    assert "new.csv" in result.output and 'column "answer"' in result.output
    assert not (tmp_path / "out.csv").exists()


def test_autocode_refuses_without_enough_human_codings_and_writes_nothing(
        tmp_path: Path) -> None:
    path = tmp_path / "demo.coder"
    with create_project(path) as store:
        import_survey(store, REPO / "data" / "demo_survey.csv", wave="2025", coder="setup")
        store.add_codeframe(load_codeframe(REPO / "codeframes" / "q2_barriers.yaml"), "setup",
                            questions=[Q2])
    result = run("autocode", "--project", str(path), "--question", Q2, "--coder", "ann")
    assert result.exit_code != 0 and "needs 50" in result.output
    with open_project(path) as store:
        assert not [c for c in store.coders() if c.kind == "model"]
        assert store.codings(question_id=Q2) == []


def test_duplicates_lists_the_repeated_answers_of_the_demo(tmp_path: Path) -> None:
    path = tmp_path / "demo.coder"
    with create_project(path) as store:
        import_survey(store, REPO / "data" / "demo_survey.csv", wave="2025", coder="setup")
    result = run("duplicates", "--project", str(path), "--question", Q2, "--threshold", "0.99")
    assert result.exit_code == 0, result.output
    first = next(line for line in result.output.splitlines() if line.strip().startswith("1."))
    assert first.split()[1] == "3" and "schools saying no" in first.casefold()
