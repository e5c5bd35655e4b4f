"""Finding a code by typing on the coding screen: the label beats the definition, and Enter
applies a code only when the search clearly means it."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.store import open_project
from coder.tui.app import build_app
from tests.tui.conftest import code_id, screen_text

pytestmark = pytest.mark.asyncio
Q2 = "q2_barriers"
SIZE = (120, 40)


async def test_search_and_enter_apply_the_code_named_by_its_label(demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", *"delays", "enter")  # 102's definition mentions delays
        await pilot.pause()
        first = app.screen.coding.answer_ids[0]  # type: ignore[attr-defined]
    with open_project(demo_project) as store:
        alice = store.coder("alice", create=False)
        assert store.codes_of(first, alice.id) == [code_id(store, Q2, 301)]


async def test_an_ambiguous_search_keeps_the_list_to_choose_from(demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", *"schools", "enter")
        await pilot.pause()
        first = app.screen.coding.answer_ids[0]  # type: ignore[attr-defined]
        with open_project(demo_project) as store:
            alice = store.coder("alice", create=False)
            assert store.codes_of(first, alice.id) == []  # nothing guessed
        shown = screen_text(app)
        assert "several codes match" in shown and "applies" not in shown
        for number in ("202", "201", "304"):
            assert f"{number} " in shown
        assert "101 " not in shown  # the list is the matches only
        await pilot.press("4")  # the coder picks 202 by its key
        await pilot.pause()
    with open_project(demo_project) as store:
        assert store.codes_of(first, alice.id) == [code_id(store, Q2, 202)]
