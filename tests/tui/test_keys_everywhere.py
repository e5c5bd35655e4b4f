"""`?` lists every key of every screen, grouped by screen; what a coding key did is said on the
code list's edge (not in a toast over the answers)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coder.tui.app import build_app
from coder.tui.screens.keys import KeysScreen
from tests.tui.conftest import screen_text

pytestmark = pytest.mark.asyncio
Q2 = "q2_barriers"


def _rows(app: object) -> list[tuple[str, str, str]]:
    from textual.widgets import DataTable

    table = app.screen.query_one(DataTable)  # type: ignore[attr-defined]
    return [tuple(str(c) for c in table.get_row_at(i))  # type: ignore[misc]
            for i in range(table.row_count)]


async def test_keys_screen_groups_every_screens_keys(demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        rows = _rows(app)
        headings = [what for keys, bid, what in rows if not keys and not bid]
        assert headings[:2] == ["[b]coding[/]", "[b]everywhere[/]"]
        for other in ("overview", "themes", "codeframe", "quotes", "qa", "grid"):
            assert f"[b]{other}[/] (another screen)" in headings
        ids = [bid for _, bid, _ in rows]
        assert "grid.open" in ids and "themes.rename" in ids and "app.grid" in ids
        assert ids.index("grid.open") > ids.index("app.undo")  # grouped under its screen
        grid_open = next(r for r in rows if r[1] == "grid.open")
        others = app.screen._others  # noqa: SLF001
        assert grid_open[0] == app.get_key_display(others["grid"].BINDINGS[0])  # enter


async def test_a_remapped_key_shows_on_other_screens_too(demo_project: Path) -> None:
    from coder.tui.config import AppConfig

    app = build_app(demo_project, "alice", question_id=Q2,
                    config=AppConfig(keymap={"grid.next_wave": "W"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        wave = next(r for r in _rows(app) if r[1] == "grid.next_wave")
        assert wave[0] == "W"


async def test_what_a_key_did_is_said_beside_the_codes_not_in_a_toast(
        demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        assert "added 101 High school fees" in screen_text(app)
        assert not list(app._notifications)  # type: ignore[attr-defined]  # noqa: SLF001
        answer = app.screen.coding.current_id  # type: ignore[attr-defined]
        await pilot.press("ctrl+z")
        await pilot.pause()
        # Too long for the border at 80 columns: the label is shortened, no number is cut.
        bottom = next(line for line in screen_text(app).splitlines() if "undone:" in line)
        assert re.search(rf"undone: added 101 Hi\w*… on answer {answer} ─╯", bottom), bottom
        assert not list(app._notifications)  # type: ignore[attr-defined]  # noqa: SLF001
