"""`coder assign`: give a coder answers, list and remove assignments; bad input exits 2."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from coder.cli.main import cli
from coder.store import open_project
from tests.core.test_report_project import QUESTION


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_assign_list_remove(project: Path, tmp_path: Path) -> None:
    p = str(project)
    code, out = run("assign", "-p", p, "-q", QUESTION, "--coder", "bob", "--range", "1-3",
                    "--by", "lead")
    assert code == 0, out
    assert f"assignment 1: 3 answers of {QUESTION} for bob (range 1-3)" in out
    assert f"coder open {p} --blind --question {QUESTION} --coder bob" in out
    listed = tmp_path / "who.csv"
    listed.write_text("respondent_id,note\nR02,x\nR09,y\n", encoding="utf-8")
    code, out = run("assign", "-p", p, "-q", QUESTION, "--coder", "carol", "--respondents",
                    str(listed))
    assert code == 0, out
    code, out = run("assign", "-p", p, "--list")
    assert out.splitlines() == [f"1  {QUESTION}  bob: 3 answers (range 1-3)",
                                f"2  {QUESTION}  carol: 2 answers (respondents in who.csv)"]
    code, out = run("assign", "-p", p, "--remove", "1")
    assert code == 0 and "no longer given to bob" in out
    code, out = run("assign", "-p", p, "--list")
    assert len(out.splitlines()) == 1
    with open_project(project) as store:
        assert store.events(limit=1)[0].action == "work.unassign"


def test_bad_assignments_exit_2_and_change_nothing(project: Path, tmp_path: Path) -> None:
    p = str(project)
    bad = tmp_path / "bad.txt"
    bad.write_text("R01\nR99\n", encoding="utf-8")
    code, out = run("assign", "-p", p, "-q", QUESTION, "--coder", "bob", "--respondents", str(bad))
    assert code == 2 and f"{bad}, row 2: respondent \"R99\"" in out
    code, out = run("assign", "-p", p, "-q", QUESTION, "--coder", "bob", "--range", "9-2")
    assert code == 2 and "FIRST-LAST" in out
    code, out = run("assign", "-p", p, "-q", QUESTION, "--coder", "bob")
    assert code == 2 and "one of --share, --range, --respondents" in out
    code, out = run("assign", "-p", p, "--remove", "7")
    assert code == 3 and "no work assignment 7" in out
    with open_project(project) as store:
        assert store.work_assignments() == []
