"""A project whose write lock another connection holds: bounded waits, ProjectBusy, no half-writes."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from coder.core.codeframe.model import Code, Codeframe
from coder.core.errors import Cancelled, ProjectBusy, ProjectError
from coder.services.importing import import_survey
from coder.store import SQLiteStore, create_project
from tests.conftest import WriteLock
from tests.store.test_store import CSV, snapshot

LockFactory = Callable[[Path], WriteLock]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    survey = tmp_path / "survey.csv"
    survey.write_text(CSV, encoding="utf-8")
    path = tmp_path / "p.coder"
    with create_project(path) as store:
        import_survey(store, survey, wave="2025")
        frame = Codeframe("f", "Barriers", (Code("c1", "f", "Cost", 1), Code("c2", "f", "Staff", 2)),
                          questions=("barriers",))
        store.add_codeframe(frame, "setup")
        store.coder("ana")
    return path


@pytest.fixture()
def store(project: Path) -> Iterator[SQLiteStore]:
    from coder.store import open_project

    s = open_project(project)
    yield s
    s.close()


def test_a_write_waits_for_the_lock_then_raises_project_busy_and_changes_nothing(
        project: Path, store: SQLiteStore, write_lock: LockFactory) -> None:
    ana = store.coder("ana")
    answer = store.answers("barriers")[0].id
    store.set_codes(answer, ana, ["c1"])
    before = snapshot(project)
    waits: list[float] = []
    store.busy_wait, store.on_busy = 0.8, waits.append
    write_lock(project)
    started = time.monotonic()
    with pytest.raises(ProjectBusy, match="is busy: another user or window is writing") as caught:
        store.set_codes(answer, ana, ["c1", "c2"])
    took = time.monotonic() - started
    assert 0.8 <= took < 2.5
    assert "nothing was changed" in str(caught.value) and str(project) in str(caught.value)
    assert waits and waits == sorted(waits) and waits[-1] < 0.8  # shown while waiting
    assert not store.conn.in_transaction
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000  # reads as before
    assert snapshot(project) == before
    assert store.codes_of(answer, ana.id) == ["c1"]


def test_a_write_goes_through_when_the_lock_frees_during_the_wait(
        project: Path, store: SQLiteStore, write_lock: LockFactory) -> None:
    ana = store.coder("ana")
    answer = store.answers("barriers")[0].id
    waits: list[float] = []
    store.busy_wait, store.on_busy = 10.0, waits.append
    other = write_lock(project)
    other.write("INSERT INTO settings (key, value) VALUES ('from_other', '1')")
    other.release_after(0.6)
    started = time.monotonic()
    store.set_codes(answer, ana, ["c2"])
    assert 0.5 <= time.monotonic() - started < 5
    assert waits
    assert store.codes_of(answer, ana.id) == ["c2"]
    assert store.setting("from_other") == 1  # the other writer's work is kept too
    assert store.undo("ana") is not None  # one ordinary, undoable action
    assert store.codes_of(answer, ana.id) == []


def test_the_busy_callback_can_stop_the_wait(
        project: Path, store: SQLiteStore, write_lock: LockFactory) -> None:
    ana = store.coder("ana")
    before = snapshot(project)

    def give_up(waited: float) -> None:
        raise Cancelled("stopped waiting")

    store.busy_wait, store.on_busy = 30.0, give_up
    write_lock(project)
    started = time.monotonic()
    with pytest.raises(Cancelled):
        store.set_flag(store.answers("barriers")[0].id, ana, True)
    assert time.monotonic() - started < 2
    assert not store.conn.in_transaction and snapshot(project) == before


def test_a_busy_error_inside_a_transaction_rolls_everything_back(
        project: Path, store: SQLiteStore) -> None:
    ana = store.coder("ana")
    answers = [a.id for a in store.answers("barriers")]
    before = snapshot(project)
    with (pytest.raises(ProjectBusy, match="nothing was changed"),
          store.action("coding.set", "ana", "one answer") as act):
        act.insert("codings", {"answer_id": answers[0], "code_id": "c1", "coder_id": ana.id,
                               "created_at": "2025-01-01T00:00:00Z"})
        # what SQLite raises when a lock cannot be had mid-transaction (e.g. at COMMIT)
        raise sqlite3.OperationalError("database is locked")
    assert not store.conn.in_transaction
    assert snapshot(project) == before
    assert store.can_undo("ana") is None
    store.set_codes(answers[0], ana, ["c1"])  # the store is usable afterwards
    assert store.codes_of(answers[0], ana.id) == ["c1"]


def test_a_held_lock_outside_a_transaction_is_project_busy(
        project: Path, store: SQLiteStore, write_lock: LockFactory) -> None:
    write_lock(project)
    store.conn.execute("PRAGMA busy_timeout = 100")
    with pytest.raises(ProjectBusy):
        store.conn.execute("INSERT INTO settings (key, value) VALUES ('x', '1')")


def test_other_sqlite_failures_reach_users_as_project_errors(project: Path) -> None:
    from coder.store import open_project

    conn = sqlite3.connect(project)
    conn.execute("DROP TABLE starred_quotes")  # a damaged project file
    conn.close()
    with (open_project(project) as damaged,
          pytest.raises(ProjectError, match="could not be used .*no such table")):
        damaged.starred_quotes("c1")


def test_a_toggle_that_waited_for_the_lock_keeps_what_another_window_saved_meanwhile(
        project: Path, store: SQLiteStore, write_lock: LockFactory) -> None:
    ana = store.coder("ana")
    answer = store.answers("barriers")[0].id
    other = write_lock(project)  # ana's other window, saving code c1 on the same answer
    other.write("INSERT INTO codings (answer_id, code_id, coder_id, created_at)"
                " VALUES (?, 'c1', ?, '2025-01-01T00:00:00Z')", (answer, ana.id))
    other.release_after(0.5)
    store.busy_wait = 10.0
    assert store.toggle_code(answer, ana, "c2") is True  # waits, then adds c2
    assert sorted(store.codes_of(answer, ana.id)) == ["c1", "c2"]  # c1 was not lost
    assert store.toggle_code(answer, ana, "c1") is False  # it sees c1: this toggle removes it
    assert store.codes_of(answer, ana.id) == ["c2"]
