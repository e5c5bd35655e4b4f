"""The app says what happened: the detail pane after "no code applies", the answer's wave,
history naming the code, adjudication naming codes, the keys screen, the palette and quitting."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.store import open_project
from coder.tui.app import build_app
from coder.tui.screens.keys import KeysScreen
from coder.tui.screens.qa import DisagreementsScreen
from tests.tui.conftest import code_id, screen_text
from tests.tui.test_qa_screen import _qa_screen, double_code

pytestmark = pytest.mark.asyncio
Q2 = "q2_barriers"
SIZE = (120, 40)


async def test_no_code_shows_in_the_detail_pane_and_history_names_codes(
        demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "wave 2025" in screen_text(app)
        await pilot.press("minus")
        await pilot.pause()
        assert "Codes: no code applies" in screen_text(app)
        first = app.screen.coding.answer_ids[0]  # type: ignore[attr-defined]
        await pilot.press("3")
        await pilot.pause()
        assert "Codes: 201 No suitable local schools" in screen_text(app)
    with open_project(demo_project) as store:
        alice = store.coder("alice", create=False)
        assert store.codes_of(first, alice.id) == [code_id(store, Q2, 201)]
        summaries = [e.summary for e in store.events(action_prefix="coding.")]
        assert summaries[0] == f"added 201 No suitable local schools on answer {first}"


async def test_adjudication_lists_coders_codes_with_labels(demo_project: Path) -> None:
    double_code(demo_project)
    app = build_app(demo_project, "rita", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await _qa_screen(app, pilot)
        await pilot.press("a")  # every disagreement
        await pilot.pause()
        assert isinstance(app.screen, DisagreementsScreen)
        text = screen_text(app)
        assert "alice: 101 High school fees, 102 Disputes over who pays" in text
        assert "bob: 101 High school fees" in text


async def test_keys_screen_lists_this_screens_keys_first_without_table_keys(
        demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        text = screen_text(app)
        lines = [line for line in text.splitlines() if "coding." in line or "app." in line]
        assert "coding.next" in lines[0] or "coding.code_1" in lines[0]
        assert text.index("coding.filter") < text.index("app.undo")
        assert "everywhere" in text
        assert "cursor" not in text.lower()  # no generic table rows (cursor up, page down...)


async def test_palette_offers_other_screens_commands_and_q_quits(demo_project: Path) -> None:
    app = build_app(demo_project, "alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "overview: open" in titles or any(t.startswith("overview:") for t in titles)
        assert not any(t.startswith("coding:") for t in titles)  # no question chosen yet
        await pilot.press("enter")  # choose the first question
        await pilot.pause()
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "coding: next uncoded" in titles and "codeframe: rename" in titles
        await pilot.press("f1")
        await pilot.pause()
        run = next(c for c in app.get_system_commands(app.screen)
                   if c.title == "coding: uncoded only")
        run.callback()
        await pilot.pause()
        await pilot.pause()
        assert app.screen.id == "coding"
        assert app.screen.coding.query.uncoded  # type: ignore[attr-defined]
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
