"""No command writes over its project, its input, a database or through a link; outputs are
written atomically (a failed write leaves the old file whole) and readable only by their owner."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from coder.cli import cli
from coder.core.errors import InputError
from coder.core.safe_files import UnsafeOutput, atomic_output, check_output
from coder.store import open_project


@pytest.fixture()
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def codings_in(project: Path) -> int:
    with open_project(project) as store:
        return len(store.codings())


WRITERS = [
    ("export", "--format", "csv"),
    ("export", "--format", "xlsx"),
    ("export", "--format", "sav"),
    ("export", "--format", "quotes"),
    ("export", "--format", "qdpx"),
    ("report", "--format", "md"),
    ("report", "--format", "html"),
    ("report", "--format", "docx"),
]


@pytest.mark.parametrize("command", WRITERS, ids=[" ".join(w) for w in WRITERS])
def test_no_export_or_report_writes_over_its_project(project: Path, command: tuple[str, ...]
                                                     ) -> None:
    before, coded = digest(project), codings_in(project)
    result = run(*command, "-p", str(project), "-o", str(project))
    assert result.exit_code == 2, result.output
    assert "never writes over" in result.output and "wrote" not in result.output
    assert digest(project) == before
    assert codings_in(project) == coded > 0


@pytest.mark.parametrize("suffix", [".yaml", ".csv", ".xlsx", ".qdc"])
def test_codeframe_export_never_writes_over_the_project(project: Path, suffix: str) -> None:
    # A project saved under a codeframe file's name: the suffix chooses the format.
    renamed = project.with_name(f"frame{suffix}")
    project.rename(renamed)
    before = digest(renamed)
    result = run("codeframe", "export", str(renamed), "-p", str(renamed))
    assert result.exit_code == 2, result.output
    assert digest(renamed) == before and codings_in(renamed) > 0


def test_another_projects_file_and_its_journal_are_refused(project: Path, tmp_path: Path
                                                           ) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
    conn.close()
    before = digest(other)
    result = run("export", "-p", str(project), "-o", str(other), "--format", "csv")
    assert result.exit_code == 2 and "SQLite database" in result.output
    assert digest(other) == before
    wal = project.with_name(project.name + "-wal")
    wal.write_bytes(b"")  # whatever it holds, a project's journal is never an output
    result = run("export", "-p", str(project), "-o", str(wal), "--format", "csv")
    assert result.exit_code == 2, result.output


def test_a_hard_link_to_the_project_is_the_project(project: Path, tmp_path: Path) -> None:
    alias = tmp_path / "alias.csv"
    os.link(project, alias)
    result = run("export", "-p", str(project), "-o", str(alias), "--format", "csv")
    assert result.exit_code == 2 and "never writes over" in result.output
    assert codings_in(project) > 0


def test_output_through_a_symlink_is_refused_and_its_target_untouched(
        project: Path, tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me", encoding="utf-8")
    link = tmp_path / "report.html"
    link.symlink_to(target)
    result = run("report", "-p", str(project), "-o", str(link))
    assert result.exit_code == 2 and "symbolic link" in result.output
    assert target.read_text(encoding="utf-8") == "keep me" and link.is_symlink()


def test_themes_file_mode_refuses_to_write_over_its_input(tmp_path: Path) -> None:
    source = tmp_path / "answers.csv"
    source.write_text("text\nFees are high\nToo far away\n", encoding="utf-8")
    before = digest(source)
    result = run("themes", str(source), "--text-column", "text", "--output", str(source))
    assert result.exit_code == 2, result.output
    assert "own project or input" in result.output
    assert digest(source) == before


def test_a_failed_export_leaves_the_old_file_whole(project: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "codes.xlsx"
    assert run("export", "-p", str(project), "-o", str(out)).exit_code == 0
    good = digest(out)

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_excel", broken)
    result = run("export", "-p", str(project), "-o", str(out))
    assert result.exit_code != 0
    assert digest(out) == good
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.usefixtures("umask_022")
def test_outputs_are_readable_only_by_their_owner(project: Path, tmp_path: Path) -> None:
    outputs = []
    for fmt in ("csv", "xlsx", "sav", "quotes", "qdpx"):
        out = tmp_path / f"out_{fmt}.{'csv' if fmt == 'quotes' else fmt}"
        assert run("export", "-p", str(project), "-o", str(out), "--format", fmt).exit_code == 0
        outputs.append(out)
    for name in ("r.md", "r.html", "r.docx"):
        assert run("report", "-p", str(project), "-o", str(tmp_path / name)).exit_code == 0
        outputs.append(tmp_path / name)
    assert run("codeframe", "export", str(tmp_path / "f.yaml"), "-p", str(project)).exit_code == 0
    outputs += [tmp_path / "f.yaml", tmp_path / "out_csv_codebook.csv",
                *sorted((tmp_path / "r_files").glob("*.png"))]
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in outputs}
    assert modes == {name: 0o600 for name in modes}


def test_atomic_output_cleans_up_on_error_and_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "table.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), atomic_output(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_check_output_refuses_folders_and_fifos(tmp_path: Path) -> None:
    with pytest.raises(UnsafeOutput, match="is a folder"):
        check_output(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(UnsafeOutput, match="not a regular file"):
        check_output(fifo)
    assert issubclass(UnsafeOutput, InputError) and UnsafeOutput.exit_code == 2


def test_control_characters_never_reach_reports_or_error_messages(project: Path,
                                                                  tmp_path: Path) -> None:
    # An answer pasted with a NUL and a terminal escape sequence (as imported before they
    # were cleaned), and a quote that reports print.
    with sqlite3.connect(project) as conn:
        conn.execute("UPDATE answers SET text = ? WHERE text LIKE 'Distance from home%'",
                     ("Distance\x00 from home is \x1b[31mthe main problem\x1b[0m for us",))
    conn.close()
    for name in ("r.md", "r.html"):
        assert run("report", "-p", str(project), "-o", str(tmp_path / name)).exit_code == 0
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "the main problem" in text
        assert "\x00" not in text and "\x1b" not in text
    result = run("report", "-p", str(project), "-o", str(tmp_path / "r.md"),
                 "--layer", "coder:\x1b[2Jmallory")
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\\x1b[2Jmallory" in result.output


PG_WRITERS = [*WRITERS, ("codings", "export")]


@pytest.mark.parametrize("command", PG_WRITERS, ids=[" ".join(w) for w in PG_WRITERS])
def test_on_a_server_a_file_named_like_the_database_is_an_ordinary_output(
        project: Path, tmp_path: Path, request: pytest.FixtureRequest,
        monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]) -> None:
    # A project on a server has no file to protect: its database's name is only a name, and a
    # file of that name (in the folder the command runs in) is written like any other.
    import psycopg.conninfo

    from coder.services.db_copy import copy_project

    url = request.getfixturevalue("pg_cluster").new_database()
    copy_project(project, url)
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text("an older export\n", encoding="utf-8")
    result = run(*command, "-p", url, "-o", name)
    assert result.exit_code == 0, result.output
    assert (tmp_path / name).read_bytes() != b"an older export\n"
    with open_project(url) as store:
        assert store.project_files == ()
    with open_project(project) as store:  # a project file is still its own protected file
        assert store.project_files == (project,)
