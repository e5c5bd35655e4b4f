"""The respondent view: on the coding screen, v shows the same respondent's answers to the other
questions of this wave (with the coder's codes), and their answers in other waves, marked."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.services.coding import apply_codes
from coder.services.importing import import_survey
from coder.store import open_project
from coder.tui.app import build_app
from coder.tui.widgets.respondent_view import RespondentView
from tests.tui.conftest import REPO, code_id, screen_text

pytestmark = pytest.mark.asyncio
Q2 = "q2_barriers"
SIZE = (120, 40)


async def test_v_shows_the_respondents_other_answers_and_waves(demo_project: Path) -> None:
    with open_project(demo_project) as store:
        import_survey(store, REPO / "data" / "demo_survey_wave2.csv", wave="2026", coder="setup")
        first = next(a for a in store.answers(Q2) if not a.is_blank)
        respondent = first.respondent_id
        mine = [a for a in store.respondent_answers(respondent) if a.wave_id == first.wave_id]
        q5 = next(a for a in mine if a.question_id == "q5_asye_effective")
        later = [a for a in store.respondent_answers(respondent) if a.wave_id != first.wave_id
                 and not a.is_blank]
        alice = store.coder("alice")
        apply_codes(store, first.id, alice, [code_id(store, Q2, 101)])
    assert later, "the demo's second wave has this respondent"
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.coding.current_id == first.id  # type: ignore[attr-defined]
        assert "other answers" not in screen_text(app)
        await pilot.press("v")
        await pilot.pause()
        shown = screen_text(app)
        assert "This respondent's other answers" in shown
        assert "q5_asye_effective" in shown and q5.text[:20] in shown
        panel = app.screen.query_one(RespondentView)
        assert "[wave 2026]" in panel.plain  # an answer from the other wave, marked (below)
        assert panel.plain.index("q5_asye_effective") < panel.plain.index("[wave 2026]")
        await pilot.press("1")  # the view stays while coding; the code is saved as always
        await pilot.pause()
    with open_project(demo_project) as store:
        assert store.codes_of(first.id, alice.id) == []  # 101 toggled off again


async def test_the_view_lists_this_wave_first_with_the_coders_codes(demo_project: Path) -> None:
    from coder.services.respondents import respondent_answers

    with open_project(demo_project) as store:
        import_survey(store, REPO / "data" / "demo_survey_wave2.csv", wave="2026", coder="setup")
        first = next(a for a in store.answers(Q2) if not a.is_blank)
        alice = store.coder("alice")
        apply_codes(store, first.id, alice, [code_id(store, Q2, 201)])
        listed = respondent_answers(store, first.id, alice)
    waves = [a.same_wave for a in listed]
    assert waves == sorted(waves, reverse=True) and not all(waves)
    current = next(a for a in listed if a.current)
    assert current.codes == ("201 No suitable local schools",) and current.wave == "2025"
    assert {a.question_id for a in listed if a.same_wave} >= {Q2, "q5_asye_effective"}
