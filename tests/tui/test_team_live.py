"""The live team view: the app notices what another connection writes (a colleague coding, an
edit of the codeframe) within a few polls, and the overview says who is coding what."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coder.services import codeframes
from coder.services.coding import apply_codes
from coder.services.project import open_project, open_workspace
from coder.tui.app import build_app
from coder.tui.config import AppConfig
from tests.tui.conftest import code_id, screen_text

pytestmark = pytest.mark.asyncio
Q2 = "q2_barriers"
SIZE = (120, 40)
FAST = AppConfig(live_poll=0.1)


async def wait_for(pilot: object, shown: object, polls: int = 30) -> None:
    for _ in range(polls):
        await pilot.pause(0.1)  # type: ignore[attr-defined]
        if shown():  # type: ignore[operator]
            return
    raise AssertionError("the app did not show it within a few polls")


async def test_a_colleague_coding_the_current_answer_appears_in_the_app(
        demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2, config=FAST)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        current = app.screen.coding.current_id  # type: ignore[attr-defined]
        await pilot.press("1")  # alice codes it too
        await pilot.pause()
        with open_project(demo_project) as other:  # bob, on another connection
            bob = open_workspace(other, "bob").coder
            fees = other.codeframe_for(Q2).by_output_code(102)
            apply_codes(other, current, bob, [code_id(other, Q2, 102)])
            other.end_sessions()
        await wait_for(pilot, lambda: f"bob: 102 {fees.label}" in screen_text(app))
        assert app.screen.coding.current_id == current  # type: ignore[attr-defined]


async def test_alices_other_window_coding_updates_her_counts(demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2, config=FAST)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert re.search(r" 0/\d+ coded", screen_text(app))
        with open_project(demo_project) as other:
            ids = other.answer_ids(Q2)
            alice = open_workspace(other, "alice").coder
            for answer_id in ids[5:8]:
                apply_codes(other, answer_id, alice, [code_id(other, Q2, 101)])
            other.end_sessions()
        await wait_for(pilot, lambda: re.search(r" 3/\d+ coded", screen_text(app)) is not None)


async def test_a_renamed_code_shows_in_the_open_app(demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2, config=FAST)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        with open_project(demo_project) as other:
            codeframes.rename_code(other, 101, "School fees (renamed)", coder="bob")
        await wait_for(pilot, lambda: "School fees (renamed)" in screen_text(app))


async def test_the_overview_says_who_is_coding_what(demo_project: Path) -> None:
    bobs = build_app(demo_project, "bob", question_id=Q2, config=FAST)
    async with bobs.run_test(size=SIZE) as bob_pilot:
        await bob_pilot.pause()
        app = build_app(demo_project, "alice", config=FAST)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: f"bob: {Q2} (seen" in screen_text(app))
            await bob_pilot.press("f1")  # bob goes back to his overview
            await bob_pilot.pause()
            await wait_for(pilot, lambda: "bob: overview (seen" in screen_text(app))


async def test_an_edit_of_a_code_a_colleague_changed_meanwhile_is_refused(
        demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2, config=FAST)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        for _ in range(40):
            selected = app.screen.selected  # type: ignore[attr-defined]
            if selected is not None and selected.output_code == 101:
                break
            await pilot.press("down")
        await pilot.press("e")  # alice starts editing the definition of 101...
        await pilot.pause()
        with open_project(demo_project) as other:  # ...while bob renames it
            codeframes.rename_code(other, 101, "Fees (bob)", coder="bob")
        await pilot.press("ctrl+a", *"New definition", "enter")
        await wait_for(pilot, lambda: any("was changed by someone else" in n.message
                                          for n in app._notifications))  # noqa: SLF001
        told = [n.message for n in app._notifications][-1]  # noqa: SLF001
        assert 'renamed to "Fees (bob)"); nothing was changed' in told
        await wait_for(pilot, lambda: "Fees (bob)" in screen_text(app))  # the editor caught up
    with open_project(demo_project) as store:
        code = store.codeframe_for(Q2).by_output_code(101)
        assert code.label == "Fees (bob)" and code.definition != "New definition"


async def test_a_blind_coder_sees_work_given_to_her_while_the_app_is_open(
        demo_project: Path) -> None:
    from coder.services import allocation

    app = build_app(demo_project, "alice", question_id=Q2, blind=True, config=FAST)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        everything = list(screen.coding.answer_ids)  # type: ignore[attr-defined]
        with open_project(demo_project) as lead:
            made = allocation.assign_range(lead, Q2, "alice", 1, 10, actor="lead")
        await wait_for(pilot, lambda: screen.coding.answer_ids == everything[:10])  # type: ignore[attr-defined]
        assert "coded 0/10 of yours" in screen_text(app)
        with open_project(demo_project) as lead:
            allocation.remove_assignment(lead, made.id, actor="lead")
        await wait_for(pilot, lambda: screen.coding.answer_ids == everything)  # type: ignore[attr-defined]
