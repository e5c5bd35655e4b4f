"""The coding app on a project whose write lock another user holds: no crash, no half-saves."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from coder.store import open_project
from coder.tui.app import build_app
from coder.tui.config import AppConfig
from tests.conftest import WriteLock
from tests.tui.conftest import screen_text

pytestmark = pytest.mark.asyncio
Q2 = "q2_barriers"
SIZE = (120, 40)
LockFactory = Callable[[Path], WriteLock]


def notes(app: object) -> list[str]:
    """The notifications on screen now."""
    return [n.message for n in app._notifications]  # type: ignore[attr-defined]


def top_bar(app: object) -> str:
    return screen_text(app).splitlines()[0]


def codes(project: Path, answer_id: int, coder: str = "alice") -> list[int]:
    """Output codes the coder has saved on the answer."""
    with open_project(project) as store:
        me = store.coder(coder, create=False)
        frame = store.codeframe_for(Q2)
        return sorted(frame.code(c).output_code for c in store.codes_of(answer_id, me.id))


async def test_code_keys_on_a_busy_project_wait_shown_as_pending_then_save_in_order(
        demo_project: Path, write_lock: LockFactory) -> None:
    app = build_app(demo_project, "alice", question_id=Q2,
                    config=AppConfig(busy_wait=0.2, save_wait=30))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        first, second = app.screen.answers.answer_ids[:2]
        lock = write_lock(demo_project)  # e.g. a colleague's undo of a very large merge
        started = time.monotonic()
        await pilot.press("1")
        assert time.monotonic() - started < 2  # the screen did not freeze for the whole wait
        await pilot.press("j", "2")  # the next answer, while the first change still waits
        await pilot.pause(0.6)
        assert "project busy — waiting" in top_bar(app)
        assert "2 changes not saved yet" in top_bar(app)
        assert any("will be saved when it is free" in n for n in notes(app))
        assert codes(demo_project, first) == codes(demo_project, second) == []
        assert not app.screen.answers.row(first).coded  # the screen shows what the store has
        lock.release()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "project busy" not in top_bar(app)
        assert any("project free again: your changes are saved" in n for n in notes(app))
        assert app.screen.answers.row(first).coded and app.screen.answers.row(second).coded
        assert app.return_code is None  # still running
    assert codes(demo_project, first) == [101]
    assert codes(demo_project, second) == [102]
    with open_project(demo_project) as store:  # saved in the order pressed, each undoable
        events = store.events(action_prefix="coding.")
        assert [e.summary for e in reversed(events)] == [
            f"added 101 High school fees on answer {first}",
            f"added 102 Disputes over who pays on answer {second}"]


async def test_a_code_key_is_not_saved_and_the_coder_told_when_the_lock_never_frees(
        demo_project: Path, write_lock: LockFactory) -> None:
    app = build_app(demo_project, "alice", question_id=Q2,
                    config=AppConfig(busy_wait=0.2, save_wait=1.0))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        first = app.screen.answers.current_id
        lock = write_lock(demo_project)
        await pilot.press("1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("NOT saved" in n and "still busy after 1 s" in n for n in notes(app))
        assert not any("free again" in n for n in notes(app))
        assert "project busy" not in top_bar(app)
        assert codes(demo_project, first) == []
        assert not app.screen.answers.row(first).coded
        lock.release()
        await pilot.press("2")  # the project is free again: keys save at once
        await pilot.pause()
        assert app.screen.answers.row(first).coded
    assert codes(demo_project, first) == [102]


async def test_undo_on_a_busy_project_says_so_and_changes_nothing(
        demo_project: Path, write_lock: LockFactory) -> None:
    app = build_app(demo_project, "alice", question_id=Q2, config=AppConfig(busy_wait=0.2))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("1")
        await pilot.pause()
        first = app.screen.answers.current_id
        write_lock(demo_project)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert any("is busy: another user or window is writing" in n for n in notes(app))
        assert app.screen.answers.row(first).coded
    assert codes(demo_project, first) == [101]


async def test_a_crash_report_shows_no_local_variables(
        demo_project: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    app = build_app(demo_project, "alice", question_id=Q2)
    with open_project(demo_project) as store:
        definition = store.codeframe_for(Q2).by_output_code(101).definition

    def broken(answer_id: int, coder: object, code: str, **_names: object) -> bool:
        answer_text = app.store.answer(answer_id).text  # survey data in a local variable
        raise RuntimeError(f"simulated fault ({len(answer_text)})")

    monkeypatch.setattr(app.store, "toggle_code", broken)
    with pytest.raises(RuntimeError, match="simulated fault"):
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            first = app.screen.answers.current_id
            await pilot.press("1")  # the code key's handler holds the code (its definition)
            await pilot.pause()
    report = capsys.readouterr().err
    assert "RuntimeError" in report and "simulated fault" in report
    with open_project(demo_project) as store:
        text = store.answer(first).text
    assert text[:20] not in report
    assert definition[:20] not in report


async def test_quitting_while_changes_wait_asks_first(
        demo_project: Path, write_lock: LockFactory) -> None:
    app = build_app(demo_project, "alice", question_id=Q2,
                    config=AppConfig(busy_wait=0.2, save_wait=30))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        write_lock(demo_project)
        await pilot.press("1", "ctrl+q")
        await pilot.pause()
        assert app.is_running
        assert any("quit again to leave without them" in n for n in notes(app))
        started = time.monotonic()
        await pilot.press("ctrl+q")
        await pilot.pause()
        await app.workers.wait_for_complete()  # the waiting worker stops with the app
        assert time.monotonic() - started < 5


async def test_editing_the_codeframe_on_a_busy_project_says_so_and_saves_nothing(
        demo_project: Path, write_lock: LockFactory) -> None:
    with open_project(demo_project) as store:
        labels = [c.label for c in store.codeframe_for(Q2).codes]
    app = build_app(demo_project, "alice", question_id=Q2, config=AppConfig(busy_wait=0.2))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        write_lock(demo_project)
        await pilot.press("a", *"Transport costs", "enter")
        await pilot.pause()
        assert any("is busy: another user or window is writing" in n for n in notes(app))
        assert app.is_running
    with open_project(demo_project) as store:
        assert [c.label for c in store.codeframe_for(Q2).codes] == labels


async def test_escape_stops_theme_discovery_waiting_for_a_busy_project(
        demo_project: Path, write_lock: LockFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from coder.core.embedding import HashingEmbedder
    from coder.tui.screens import themes

    finished = threading.Event()  # the discovery thread has let go of its connection

    def tracked_open(path: Path) -> object:
        store = open_project(path)
        close = store.close
        store.close = lambda: (close(), finished.set())  # type: ignore[method-assign]
        return store

    monkeypatch.setattr(themes, "open_project", tracked_open)
    app = build_app(demo_project, "alice", question_id=Q2,
                    config=AppConfig(embedder=HashingEmbedder()))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        write_lock(demo_project)
        await pilot.press("f3", "d")
        await pilot.pause(1.0)  # discovery has done its work and waits to save it
        assert not finished.is_set()
        await pilot.press("escape")
        for _ in range(150):  # the thread stops within seconds (even on a loaded machine),
            if finished.is_set():  # not after the store's 30 s wait
                break
            await pilot.pause(0.1)
        assert finished.is_set()
        assert any("cancelled; nothing was saved" in n for n in notes(app))
    with open_project(demo_project) as store:
        assert store.theme_runs(Q2) == []
