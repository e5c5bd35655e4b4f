"""Commands on a project whose write lock another user holds: a message and exit code 3."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from coder.cli import cli
from coder.core.codeframe.model import Code, Codeframe
from coder.services.importing import import_survey
from coder.store import create_project, open_project
from tests.conftest import WriteLock
from tests.store.test_store import CSV, snapshot

LockFactory = Callable[[Path], WriteLock]
BUSY = "is busy: another user or window is writing (e.g. a large merge or undo); nothing was" \
       " changed — try again in a moment"
WAITING = "another user or window is writing…"


@pytest.fixture()
def survey(tmp_path: Path) -> Path:
    path = tmp_path / "survey.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


@pytest.fixture()
def project(tmp_path: Path, survey: Path) -> Path:
    path = tmp_path / "p.coder"
    with create_project(path) as store:
        import_survey(store, survey, wave="2025")
        store.add_codeframe(Codeframe("f", "Barriers", (Code("c1", "f", "Cost", 1),),
                                      questions=("barriers",)), "lead")
    return path


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def assert_busy(result: Result, project: Path) -> None:
    assert result.exit_code == 3, result.output
    assert isinstance(result.exception, SystemExit)  # a message, not an escaped exception
    assert "Traceback" not in result.output
    assert result.stderr.count(WAITING) == 1
    assert f"waiting for {project}: {WAITING}" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"error: {project} {BUSY}"


def test_codeframe_add_on_a_busy_project_exits_3_with_a_message(
        project: Path, write_lock: LockFactory) -> None:
    before = snapshot(project)
    write_lock(project)
    started = time.monotonic()
    result = run("codeframe", "add", "Staff", "--project", str(project), "--coder", "ann",
                 env={"CODER_BUSY_WAIT": "1"})
    assert 1 <= time.monotonic() - started < 5
    assert_busy(result, project)
    assert snapshot(project) == before


def test_import_on_a_busy_project_exits_3_with_a_message_and_imports_nothing(
        project: Path, survey: Path, write_lock: LockFactory) -> None:
    survey.write_text(CSV.replace("LA05", "LA06"), encoding="utf-8")  # one new respondent
    before = snapshot(project)
    write_lock(project)
    result = run("import", str(survey), "--project", str(project),
                 env={"CODER_BUSY_WAIT": "0.5"})
    assert_busy(result, project)
    assert snapshot(project) == before


def test_a_command_goes_through_when_the_lock_frees_while_it_waits(
        project: Path, write_lock: LockFactory) -> None:
    write_lock(project).release_after(0.7)
    result = run("--wait", "10", "codeframe", "add", "Staff", "--project", str(project),
                 "--coder", "ann")
    assert result.exit_code == 0, result.output
    assert f"waiting for {project}: {WAITING}" in result.stderr
    with open_project(project) as store:
        assert [c.label for c in store.codeframe("f").codes] == ["Cost", "Staff"]


def test_wait_is_in_the_help() -> None:
    result = run("--help")
    assert "--wait SECONDS" in result.output and "busy" in result.output


def test_the_coder_command_prints_one_line_and_no_traceback(
        project: Path, write_lock: LockFactory) -> None:
    import os
    import subprocess
    import sys

    write_lock(project)
    env = {**os.environ, "CODER_BUSY_WAIT": "0.5", "PYTHONPATH": str(Path(__file__).parents[2])}
    done = subprocess.run([sys.executable, "-m", "coder", "codeframe", "add", "Staff",
                           "--project", str(project), "--coder", "ann"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [f"waiting for {project}: {WAITING}",
                                        f"error: {project} {BUSY}"]
