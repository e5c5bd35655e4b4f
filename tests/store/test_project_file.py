"""The project file: foreign files refused untouched, new projects private, upgrades said and kept."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from coder.cli import cli
from coder.core.errors import ProjectError
from coder.store import create_project, open_project
from coder.store.schema import SCHEMA_VERSION, migrations, split_sql


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def state(path: Path) -> tuple[bytes, int, list[str]]:
    """The file's bytes, its modification time and the files beside it."""
    return path.read_bytes(), path.stat().st_mtime_ns, sorted(p.name for p in path.parent.iterdir())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def old_project(path: Path, version: int) -> Path:
    """A project as an older coder left it: only the first `version` migrations applied."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    for number, _, sql in migrations()[:version]:
        for statement in split_sql(sql):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute("INSERT INTO waves (name, created_at) VALUES ('2024', '2024-01-01T00:00:00Z')")
    conn.commit()
    conn.close()
    return path


@pytest.fixture()
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_another_programs_database_is_refused_without_being_touched(
    tmp_path: Path, journal: str
) -> None:
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("CREATE TABLE contacts (name TEXT, email TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Ann', 'ann@example.org')")
    conn.commit()
    conn.close()
    before = state(other)
    assert not any(n.endswith(("-wal", "-shm")) for n in before[2])

    with pytest.raises(ProjectError, match="not a coder project"):
        open_project(other)
    result = run("info", "-p", str(other))
    assert result.exit_code == 3 and "not a coder project" in result.stderr
    result = run("report", "-p", str(other), "-o", str(tmp_path / "r.md"))
    assert result.exit_code == 3

    assert state(other) == before  # same bytes, same mtime, no -wal/-shm/-journal beside it


def test_an_empty_file_is_refused_not_turned_into_a_project(tmp_path: Path) -> None:
    empty = tmp_path / "empty.coder"
    empty.touch()
    before = state(empty)
    with pytest.raises(ProjectError, match="an empty file, not a coder project"):
        open_project(empty)
    result = run("info", "-p", str(empty))
    assert result.exit_code == 3 and "empty file" in result.stderr
    assert run("init", str(empty)).exit_code == 3  # only a new file becomes a project
    assert state(empty) == before and empty.stat().st_size == 0


def test_a_file_that_is_not_sqlite_is_refused_unchanged(tmp_path: Path) -> None:
    survey = tmp_path / "survey.csv"
    survey.write_text("id,q1\nR1,Fees are too high\n", encoding="utf-8")
    before = state(survey)
    result = run("info", "-p", str(survey))
    assert result.exit_code == 3 and "not an SQLite database" in result.stderr
    with pytest.raises(ProjectError, match="not a coder project"):
        open_project(survey)
    assert state(survey) == before


def test_new_projects_and_their_side_files_are_private(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "p.coder"
    with create_project(path) as store:
        store.set_setting("report.base_label", "authorities", "ana")
        wal, shm = path.with_name("p.coder-wal"), path.with_name("p.coder-shm")
        assert wal.exists() and shm.exists()
        assert (mode(path), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
    result = run("init", str(tmp_path / "cli.coder"))
    assert result.exit_code == 0 and mode(tmp_path / "cli.coder") == 0o600


def test_an_upgrade_keeps_a_private_copy_and_never_replaces_an_earlier_one(
    tmp_path: Path, umask_022: None
) -> None:
    path = old_project(tmp_path / "old.coder", 1)
    first_backup = tmp_path / "old.coder.v1.bak"
    first_backup.write_bytes(b"an earlier backup the user kept")
    original = path.read_bytes()

    with open_project(path) as store:
        assert store.schema_version == SCHEMA_VERSION
    assert first_backup.read_bytes() == b"an earlier backup the user kept"
    assert store.upgrade is not None
    assert (store.upgrade.from_version, store.upgrade.to_version) == (1, SCHEMA_VERSION)
    kept = store.upgrade.backup
    assert kept == tmp_path / "old.coder.v1.1.bak" and mode(kept) == 0o600
    assert kept.read_bytes()[:16] == original[:16]
    conn = sqlite3.connect(f"{kept.as_uri()}?mode=ro", uri=True)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT name FROM waves").fetchall() == [("2024",)]
    conn.close()

    path.unlink()
    old_project(path, 2)  # the same name upgraded again later: a third copy, nothing replaced
    with open_project(path) as store:
        assert store.upgrade is not None and store.upgrade.backup.name == "old.coder.v2.bak"
    path.unlink()
    old_project(path, 1)
    with open_project(path) as store:
        assert store.upgrade is not None and store.upgrade.backup.name == "old.coder.v1.2.bak"
    assert not list(tmp_path.glob("*.tmp"))


def test_commands_say_when_they_upgrade_a_project(tmp_path: Path) -> None:
    path = old_project(tmp_path / "old.coder", 2)
    result = run("info", "-p", str(path))
    assert result.exit_code == 0
    assert (
        f"upgraded {path} from schema 2 to {SCHEMA_VERSION}; the old file is kept as"
        f" {path}.v2.bak"
    ) in result.stderr
    again = run("info", "-p", str(path))
    assert again.exit_code == 0 and "upgraded" not in again.stderr


def test_opening_without_upgrade_refuses_an_older_project_unchanged(tmp_path: Path) -> None:
    path = old_project(tmp_path / "old.coder", 3)
    before = state(path)
    with pytest.raises(ProjectError, match="older version of coder"):
        open_project(path, upgrade=False)
    assert state(path) == before


def test_a_failed_upgrade_leaves_the_project_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = old_project(tmp_path / "old.coder", 2)
    broken = [*migrations()[:3], (4, "0004_broken.sql", "CREATE TABLE no_such (x REFERENCES")]
    monkeypatch.setattr("coder.store.schema.migrations", lambda: broken)
    with pytest.raises(ProjectError, match="the project is unchanged"):
        open_project(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2  # not half upgraded to 3
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'qa_samples'").fetchone()
    conn.close()


def test_a_second_opening_in_one_process_keeps_its_first_connection_safe_from_others(
        tmp_path: Path) -> None:
    """Opening the project again in a process that has it open (as the app's workers do) must
    not end that process's locks on the file: another process closing its connection would then
    take itself for the last one and delete the -wal file under the first connection."""
    import subprocess
    import sys

    path = tmp_path / "shared.coder"
    create_project(path).close()
    first = open_project(path)
    try:
        first.set_setting("colour", "blue", "ann")
        open_project(path).close()  # a worker's connection, opened and closed again
        other = ("import sys; from coder.store import open_project\n"
                 "with open_project(sys.argv[1]) as s: s.set_setting('size', '2', 'bob')")
        subprocess.run([sys.executable, "-c", other, str(path)], check=True,
                       env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
        assert (tmp_path / "shared.coder-wal").exists()  # still ours: not deleted by the other
        assert first.setting("size") == "2"
        first.set_setting("colour", "green", "ann")
    finally:
        first.close()
    with open_project(path) as again:
        assert (again.setting("colour"), again.setting("size")) == ("green", "2")
