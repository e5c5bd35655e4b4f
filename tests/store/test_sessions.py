"""Undo per window: one person in two windows never undoes the other window's work by accident."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from coder.cli import cli
from coder.core.codeframe.model import Code, Codeframe
from coder.core.errors import ProjectError
from coder.store import SQLiteStore, create_project, open_project


@pytest.fixture()
def path(store_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A new, empty project on each backend: a file, or a database on the test server."""
    if store_backend == "sqlite":
        location = str(tmp_path / "p.coder")
    else:
        location = request.getfixturevalue("pg_cluster").new_database()
    create_project(location).close()
    return location


def ago(minutes: float) -> str:
    moment = datetime.now(UTC) - timedelta(minutes=minutes)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def session_of(store: SQLiteStore, event_id: int) -> int | None:
    return store.conn.execute("SELECT session_id FROM events WHERE id = ?", (event_id,)).fetchone()[0]


def test_two_windows_of_one_coder_each_undo_and_redo_only_their_own_actions(path: str) -> None:
    """Random interleaved actions, undos and redos in two windows of the same coder."""
    rng = random.Random(7)
    windows = {"A": open_project(path), "B": open_project(path)}
    undo_stack: dict[str, list[str]] = {"A": [], "B": []}  # summaries, as each window saw them
    redo_stack: dict[str, list[str]] = {"A": [], "B": []}
    undos = 0
    for step in range(300):
        name = rng.choice("AB")
        store, other = windows[name], windows["B" if name == "A" else "A"]
        move = rng.choice(["act", "act", "undo", "redo"])
        if move == "act":
            store.set_setting(f"{name}{step}", step, "ana")
            undo_stack[name].append(f"set {name}{step}")
            redo_stack[name].clear()
            continue
        done, todo = (undo_stack, redo_stack) if move == "undo" else (redo_stack, undo_stack)
        replay = store.undo if move == "undo" else store.redo
        if not done[name]:
            if done["B" if name == "A" else "A"]:
                with pytest.raises(ProjectError, match="another window that is still open"):
                    replay("ana")
            else:
                assert replay("ana") is None
            continue
        expected = done[name].pop()
        event = replay("ana")
        assert event is not None and event.summary == expected, (step, move, name)
        todo[name].append(expected)
        undos += move == "undo"
        assert other.setting(expected.removeprefix("set ")) == (
            None if move == "undo" else int(expected[5:]))
    assert undos > 40
    for store in windows.values():
        store.close()


def test_undo_refuses_and_names_an_action_done_in_another_open_window(path: str) -> None:
    with open_project(path) as first:
        first.start_session("ana", label="app")
        first.set_setting("colour", "blue", "ana")
        with open_project(path) as second:
            assert second.can_undo("ana") is None
            with pytest.raises(
                ProjectError,
                match=r"cannot undo set colour: it was done in another window that is still"
                r" open \(the coder app, started .* UTC on .*\); undo it there",
            ):
                second.undo("ana")
            assert second.setting("colour") == "blue"
            assert second.undo("bob") is None  # other coders are unaffected, as before
    with open_project(path) as third:  # the first window has closed: its history is free
        assert third.can_undo("ana") is not None
        event = third.undo("ana")
        assert event is not None and event.summary == "set colour"
        assert third.setting("colour") is None


def test_undo_history_survives_closing_and_reopening(path: str) -> None:
    with open_project(path) as store:
        store.set_setting("a", 1, "ana")
        store.set_setting("b", 2, "ana")
        assert store.undo("ana") is not None  # b undone: on the redo stack
    with open_project(path) as store:
        assert store.can_redo("ana") is not None and store.can_redo("ana").summary == "set b"
        assert store.redo("ana") is not None and store.setting("b") == 2
    with open_project(path) as store:
        assert [store.undo("ana").summary, store.undo("ana").summary] == ["set b", "set a"]
        assert store.undo("ana") is None
        assert store.setting("a") is None and store.setting("b") is None


def test_a_window_that_stopped_its_heartbeat_frees_its_history(path: str) -> None:
    crashed = open_project(path)  # never closed, as after a crash or a killed terminal
    crashed.start_session("ana", label="app")
    crashed.set_setting("a", 1, "ana")
    with open_project(path) as store:
        with pytest.raises(ProjectError, match="another window"):
            store.undo("ana")
        store.conn.execute("UPDATE sessions SET last_seen = ?", (ago(3),))
        event = store.undo("ana")  # no heartbeat for three minutes: taken to be gone
        assert event is not None and store.setting("a") is None
        assert store.redo("ana") is not None
    crashed.heartbeat()  # it was only asleep: its heartbeat makes it open again
    crashed.set_setting("b", 2, "ana")
    with open_project(path) as store:
        event = store.undo("ana")  # redone by a window that has closed since: free
        assert event is not None and event.summary == "set a"
        with pytest.raises(ProjectError, match="cannot undo set b: it was done in another"):
            store.undo("ana")
    crashed.close()


def test_a_window_whose_process_has_ended_frees_its_history_at_once(path: str) -> None:
    crashed = open_project(path)
    crashed.set_setting("a", 1, "ana")
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    crashed.conn.execute("UPDATE sessions SET pid = ?", (int(finished.stdout),))
    with open_project(path) as store:
        event = store.undo("ana")
        assert event is not None and event.summary == "set a"
    crashed.close()


def test_events_and_stacks_record_their_session(path: str) -> None:
    with open_project(path) as store:
        session = store.start_session("ana", label="app")
        store.set_setting("a", 1, "ana")
        done = store.undo("ana")
        assert done is not None
        ids = [e.id for e in store.events(limit=2)]
        assert [session_of(store, i) for i in ids] == [session, session]
        assert store.conn.execute("SELECT session_id FROM history_stack").fetchall() == [
            (session,)]
        row = store.conn.execute(
            "SELECT coder, label, closed_at FROM sessions WHERE id = ?", (session,)).fetchone()
        assert row == ("ana", "app", None)
    with open_project(path) as store:
        closed = store.conn.execute(
            "SELECT closed_at FROM sessions WHERE id = ?", (session,)).fetchone()[0]
        assert closed is not None


def test_a_command_is_a_short_session_that_a_window_still_open_blocks(path: str) -> None:
    def run(*args: str):
        return CliRunner().invoke(cli, [*args, "-p", path, "--coder", "ana"],
                                  catch_exceptions=False)

    with open_project(path) as store:
        store.add_codeframe(Codeframe("f", "Frame", (Code("c1", "f", "Cost", 1),)), "setup")
    assert run("codeframe", "add", "Needs").exit_code == 0
    undone = run("codeframe", "undo")  # a new command adopts the finished one's history
    assert undone.exit_code == 0 and undone.output.strip() == 'undone: Add "Needs"'
    with open_project(path) as window:
        window.start_session("ana", label="app")
        window.set_setting("a", 1, "ana")
        refused = run("codeframe", "undo")
        assert refused.exit_code == 3
        assert "cannot undo set a: it was done in another window" in refused.stderr
        assert window.setting("a") == 1
