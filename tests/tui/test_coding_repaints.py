"""The coding keys repaint only what changed: moving to an answer of another height never lays
the screen out (the detail region scrolls its own lines), and the answer list draws again only
the lines a key changed, with the right marks and cursor."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.screen import Screen

from coder.tui.app import build_app
from coder.tui.config import AppConfig
from tests.tui.conftest import screen_text

pytestmark = pytest.mark.asyncio
Q2 = "q2_barriers"


async def test_next_answer_of_another_height_repaints_without_a_layout_pass(
        demo_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    passes = [0]
    original = Screen._refresh_layout

    def counted(self: Screen[object], *args: object, **kwargs: object) -> None:
        passes[0] += 1
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    app = build_app(demo_project, "alice", question_id=Q2, config=AppConfig(suggestions=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "up")  # the first screen settled
        await pilot.pause()
        detail = app.screen.query_one("#detail")
        heights = []
        for _ in range(8):
            passes[0] = 0
            await pilot.press("down")
            await pilot.pause()
            heights.append(detail.virtual_size.height)
            assert passes[0] == 0
            answer = app.screen.coding.current_id  # type: ignore[attr-defined]
            assert f"Answer {answer} " in screen_text(app)  # the new answer is shown
        assert len(set(heights)) > 1  # the answers did differ in height


async def test_the_list_shows_the_new_mark_and_cursor_after_each_key(demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2, config=AppConfig(suggestions=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "1")  # code the second answer, then move on
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        second = next(line for line in lines if line.startswith("│ ✓      2 1c"))
        third = next(line for line in lines if line.startswith("│ ·      3"))
        answers = app.screen.query_one("#answers")
        cursor_style = answers.get_component_rich_style("answer-list--cursor")
        strips = app.screen._compositor.render_strips()  # noqa: SLF001
        row_of = {strip.text: strip for strip in strips}
        assert cursor_style.bgcolor in {s.style.bgcolor for s in row_of[third]._segments
                                        if s.style}  # noqa: SLF001
        assert cursor_style.bgcolor not in {s.style.bgcolor for s in row_of[second]._segments
                                            if s.style}  # noqa: SLF001


async def test_a_text_filter_lists_its_answers_without_a_layout_pass(
        demo_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from coder.core.coding.filters import FilterQuery, parse_filter

    passes = [0]
    original = Screen._refresh_layout

    def counted(self: Screen[object], *args: object, **kwargs: object) -> None:
        passes[0] += 1
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    app = build_app(demo_project, "alice", question_id=Q2, config=AppConfig(suggestions=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "up")  # the first screen settled
        await pilot.pause()
        screen = app.screen
        coding = screen.coding  # type: ignore[attr-defined]
        answers = screen.query_one("#answers")
        total = len(coding.answer_ids)
        for typed in ("fees", "zzzz", "", "cost", "independent schools", ""):
            passes[0] = 0
            query = parse_filter(typed) if typed else FilterQuery()
            assert screen._apply_query(query)  # type: ignore[attr-defined]  # noqa: SLF001
            await pilot.pause()
            assert passes[0] == 0
            listed = coding.answer_ids
            assert len(listed) < total if typed else len(listed) == total
            assert f"{len(listed)} of {total} answers" in screen_text(app)
            assert answers.virtual_size.height == len(listed)
            if listed:  # the scroll range fits the new list: the last answer can be reached
                await pilot.press("end")
                await pilot.pause()
                assert f"Answer {listed[-1]} " in screen_text(app)
                await pilot.press("home")
                await pilot.pause()
            else:
                assert "No answer matches the filter." in screen_text(app)
