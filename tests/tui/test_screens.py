"""Pilot tests of the codeframe editor, quotes and themes screens, asserting the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.core.themes.stored import StoredTheme, ThemeAssignment
from coder.store import open_project
from coder.tui.app import build_app
from tests.tui.conftest import code_id, screen_text

pytestmark = pytest.mark.asyncio
Q2 = "q2_barriers"
SIZE = (120, 40)


async def _select_code(app: object, pilot: object, output_code: int) -> None:
    """Move the editor's tree cursor to the code with this output code."""
    screen = app.screen  # type: ignore[attr-defined]
    for _ in range(40):
        code = screen.selected
        if code is not None and code.output_code == output_code:
            return
        await pilot.press("down")  # type: ignore[attr-defined]
    raise AssertionError(f"code {output_code} not reached")


async def test_merge_in_the_editor_carries_codings(demo_project: Path) -> None:
    with open_project(demo_project) as store:
        alice, bob = store.coder("alice"), store.coder("bob")
        ids = store.answer_ids(Q2)
        fees, disputes = code_id(store, Q2, 101), code_id(store, Q2, 102)
        store.set_codes(ids[0], alice, [disputes])
        store.set_codes(ids[1], alice, [disputes, fees])  # both: keeps one coding of 101
        store.set_codes(ids[2], bob, [disputes])
        store.set_codes(ids[3], bob, [fees])
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await _select_code(app, pilot, 102)
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("down", "enter")  # first option: 100 Cost and funding (a net)...
        await pilot.pause()
        if "cannot be coded" in screen_text(app):  # ...nets cannot take codings: pick 101
            await pilot.press("g", "down", "down", "enter")
            await pilot.pause()
        assert "3 codings move" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
    with open_project(demo_project) as store:
        coded = {(c.answer_id, c.coder_id) for c in store.codings(code_ids=[fees])}
        assert coded == {(ids[0], alice.id), (ids[1], alice.id), (ids[2], bob.id),
                         (ids[3], bob.id)}
        assert store.codings(code_ids=[disputes]) == []
        frame = store.codeframe_for(Q2)
        assert frame.code(disputes).status == "retired"
        assert frame.code(disputes).merged_into == fees


async def test_add_and_rename_in_the_editor_and_undo(demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await _select_code(app, pilot, 201)
        await pilot.press("a", *"Transport costs", "enter")
        await pilot.pause()
        await pilot.press("r", "end", *" (placements)", "enter")  # the old label is selected
        await pilot.pause()
    with open_project(demo_project) as store:
        frame = store.codeframe_for(Q2)
        added = frame.by_label("Transport costs")
        assert len(added) == 1 and added[0].parent_id == frame.by_output_code(200).id
        assert added[0].output_code == 203
        renamed = frame.by_output_code(201)
        assert renamed.label == "No suitable local schools (placements)"
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+z", "ctrl+z")
        await pilot.pause()
    with open_project(demo_project) as store:
        frame = store.codeframe_for(Q2)
        assert frame.by_label("Transport costs") == []
        assert frame.by_output_code(201).label == "No suitable local schools"


async def test_starring_a_quote_is_saved_and_undoable(demo_project: Path) -> None:
    with open_project(demo_project) as store:
        alice = store.coder("alice")
        fees = code_id(store, Q2, 101)
        ids = [a.id for a in store.answers(Q2) if "fee" in a.text.lower()][:6]
        for answer in ids:
            store.set_codes(answer, alice, [fees])
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        ranked = app.screen.ranked
        assert ranked is not None and sorted(a for a, _ in ranked.answers) == sorted(ids)
        await pilot.press("tab", "s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        top = ranked.answers[0][0]
        with open_project(demo_project) as store:
            assert store.starred_quotes(fees) == [top]
        await pilot.press("v")
        await pilot.pause()
        assert "report quotes" in screen_text(app)
        await pilot.press("escape", "ctrl+z")
        await pilot.pause()
    with open_project(demo_project) as store:
        assert store.starred_quotes(fees) == []


async def test_themes_rename_merge_and_promote_to_codes(demo_project: Path) -> None:
    with open_project(demo_project) as store:
        ids = store.answer_ids(Q2)
        themes = [StoredTheme(0, 1, "placement costs", ("cost", "fees"), 3, 0.5, (ids[0],)),
                  StoredTheme(0, 2, "school refusals", ("refuse",), 2, 0.3, (ids[3],)),
                  StoredTheme(0, 3, "distance", ("distance",), 1, 0.2, (ids[5],))]
        assignments = [ThemeAssignment(ids[i], t, 0.9, None)
                       for i, t in [(0, 1), (1, 1), (2, 1), (3, 2), (4, 2), (5, 3)]]
        run = store.save_theme_run(question_id=Q2, wave_id=None, coder="alice", model="test",
                                   params={}, n_non_substantive=0, seconds=0.1, themes=themes,
                                   assignments=assignments)
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert "placement costs" in screen_text(app)
        await pilot.press("down", "space", "up", "up")  # select theme 2; back to theme 1
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("r", *"Cost of places", "enter")  # replaces the selected label
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
    with open_project(demo_project) as store:
        remaining = {t.theme_id: t for t in store.themes(run)}
        assert set(remaining) == {1, 3}
        assert remaining[1].label == "Cost of places" and remaining[1].size == 5
        moved = store.theme_assignments(run)
        assert {a for a, t in moved.items() if t.theme_id == 1} == set(ids[:5])
        promoted = store.codeframe_for(Q2).by_label("Cost of places")
        assert len(promoted) == 1 and "cost" in promoted[0].definition


async def test_question_and_palette_keys_listed(demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        for expected in ("coding.next_uncoded", "app.undo", "coding.filter", "1-9, 0, A-Z",
                         "Next uncoded"):
            assert expected in text
        await pilot.press("escape")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "coding: next uncoded" in titles and "app: undo" in titles
