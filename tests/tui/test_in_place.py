"""Widgets that repaint in place: content of the same height at the same width skips the layout
pass of the whole screen (the cost that made coding keys slow at 100,000 answers)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from coder.tui.widgets.in_place import InPlaceStatic

pytestmark = pytest.mark.asyncio


class _One(App[None]):
    def compose(self) -> ComposeResult:
        yield InPlaceStatic("Codes: none yet")


async def test_same_height_repaints_without_layout_and_a_new_height_lays_out() -> None:
    app = _One()
    async with app.run_test(size=(40, 10)) as pilot:
        widget = app.query_one(InPlaceStatic)
        await pilot.pause()
        widget.update("Codes: 101 High school fees")  # first measured update
        await pilot.pause()
        widget.update("Codes: no code applies")  # one line, as before
        assert not widget._layout_required  # noqa: SLF001
        await pilot.pause()
        widget.update("Codes: 101 High school fees, 201 No suitable local schools")  # wraps
        assert widget._layout_required  # noqa: SLF001
        await pilot.pause()
        assert widget.size.height == 2
