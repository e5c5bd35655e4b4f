"""The app is one session: its undo takes back only its own work, it beats, it closes on exit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from coder.store import open_project
from coder.store.schema import migrations, split_sql
from coder.tui.app import build_app
from tests.tui.conftest import code_id

pytestmark = pytest.mark.asyncio
Q2 = "q2_barriers"
SIZE = (120, 40)


def notices(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


async def test_undo_in_the_app_never_takes_back_the_other_windows_work(
        demo_project: Path) -> None:
    other = open_project(demo_project)  # the same person's second window, still open
    other.start_session("alice", label="app")
    alice = other.coder("alice")
    first, second = other.answer_ids(Q2)[:2]
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")  # the app codes the first answer with 101
        await pilot.pause()
        other.set_codes(second, alice, [code_id(other, Q2, 102)])  # later, in the other window
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert other.codes_of(first, alice.id) == []  # the app's own coding is undone
        assert other.codes_of(second, alice.id) == [code_id(other, Q2, 102)]
        await pilot.press("ctrl+z")  # nothing of its own left: refused, and said why
        await pilot.pause()
        assert other.codes_of(second, alice.id) == [code_id(other, Q2, 102)]
        assert any("done in another window that is still open" in n for n in notices(app))
    other.close()


async def test_the_app_beats_while_open_and_closes_its_session_on_exit(
        demo_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("coder.tui.app.HEARTBEAT_SECONDS", 0.05)
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        with open_project(demo_project) as store:
            store.conn.execute("UPDATE sessions SET last_seen = '2000-01-01T00:00:00.000Z'"
                               " WHERE coder = 'alice'")
        await pilot.pause(0.3)
        with open_project(demo_project) as store:
            label, seen, closed = store.conn.execute(
                "SELECT label, last_seen, closed_at FROM sessions WHERE coder = 'alice'"
            ).fetchone()
        assert label == "app" and seen > "2001" and closed is None
    with open_project(demo_project) as store:
        assert store.conn.execute(
            "SELECT closed_at FROM sessions WHERE coder = 'alice'").fetchone()[0] is not None


async def test_the_app_says_when_it_upgraded_the_project(tmp_path: Path) -> None:
    path = tmp_path / "old.coder"
    conn = sqlite3.connect(path)
    for number, _, sql in migrations()[:2]:
        for statement in split_sql(sql):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.commit()
    conn.close()
    app = build_app(path, "alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any(n.startswith(f"upgraded {path} from schema 2") for n in notices(app))
    app.store.close()
