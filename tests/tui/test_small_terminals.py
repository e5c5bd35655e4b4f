"""At 80x24 the screens keep their numbers whole: text gives way, then whole columns go."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.tui.app import build_app
from coder.tui.screens.overview import fit_columns
from tests.tui.conftest import screen_text

Q2 = "q2_barriers"
SMALL = (80, 24)


def test_columns_give_way_text_first_and_never_cut_a_number() -> None:
    columns = [["question", "q2_barriers"], ["text", "What barriers has your authority had?"],
               ["answers", "141"], ["non-subst.", "7"], ["coded (me)", "25%"],
               ["coded (all)", "100%"], ["theme runs", "1"], ["agreement", "0.812 good"]]
    wide = fit_columns(columns, 160)
    assert [c[0] for c in wide] == [c[0] for c in columns] and wide[1][1] == columns[1][1]
    narrow = fit_columns(columns, 78)
    kept = [c[0] for c in narrow]
    assert "text" not in kept and {"answers", "coded (me)", "agreement"} <= set(kept)
    for column in narrow:
        assert column in columns  # whatever is kept is whole


@pytest.mark.asyncio
async def test_overview_and_codeframe_keep_their_figures_at_80x24(demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        for header in ("answers", "coded (me)", "agreement"):
            assert header in text
        assert "141" in text  # q2's answers, whole
        await pilot.press("f4")
        await pilot.pause()
        await pilot.pause()
        tree = screen_text(app)
        assert "101 (0) High school fees" in tree  # the count before the (cut) label
        assert "▏^p palette" in tree.splitlines()[-1]  # the footer fits
