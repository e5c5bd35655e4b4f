"""The respondent x question grid (f7): a wave's respondents as rows, the open questions as
columns with the coder's codes; Enter codes a cell on the coding screen, and the grid shows the
result when the coder comes back."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.services.coding import apply_codes
from coder.services.grid import RespondentGrid
from coder.services.importing import import_survey
from coder.store import open_project
from coder.tui.app import build_app
from coder.tui.screens.coding import CodingScreen
from coder.tui.screens.grid import GridScreen
from tests.tui.conftest import REPO, code_id, screen_text

Q2 = "q2_barriers"


async def _settle(pilot: object) -> None:
    await pilot.app.workers.wait_for_complete()  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_enter_on_a_cell_codes_that_answer_and_the_grid_shows_it(
        demo_project: Path) -> None:
    with open_project(demo_project) as store:
        respondents = store.wave_respondents(store.waves()[-1].id)
        second = respondents[1][0]
        answer = store.respondents_answer_ids([second], store.waves()[-1].id)[second][Q2]
        fees = code_id(store, Q2, 101)
        assert store.codes_of(answer, store.coder("alice").id) == []
    app = build_app(demo_project, "alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("f7")
        await _settle(pilot)
        assert isinstance(app.screen, GridScreen)
        assert "respondents 1-" in screen_text(app)
        await pilot.press("down")  # the second respondent, column q2 (the first question)
        cell = app.screen.current_cell()
        assert cell is not None and cell.answer_id == answer
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, CodingScreen) and app.screen.question_id == Q2
        assert app.screen.coding.current_id == answer
        await pilot.press("1")  # key 1 is 101's key in the q2 codeframe
        await _settle(pilot)
        await pilot.press("f7")
        await _settle(pilot)
        assert isinstance(app.screen, GridScreen)
        cell = app.screen.current_cell()
        assert cell is not None and cell.answer_id == answer and cell.codes == ("101",)
        assert "101 High school fees" in screen_text(app)  # the detail under the grid
    with open_project(demo_project) as store:
        assert store.codes_of(answer, store.coder("alice").id) == [fees]


@pytest.mark.asyncio
async def test_enter_clears_a_filter_that_hides_the_answer(demo_project: Path) -> None:
    with open_project(demo_project) as store:
        alice = store.coder("alice")
        first = store.answer_ids(Q2)[0]
        apply_codes(store, first, alice, [code_id(store, Q2, 201)])
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("u")  # uncoded only: the first answer is hidden
        await _settle(pilot)
        assert first not in app.screen.coding.answer_ids
        await pilot.press("f7")
        await _settle(pilot)
        cell = app.screen.current_cell()
        assert cell is not None and cell.answer_id == first and cell.codes == ("201",)
        await pilot.press("enter")
        await _settle(pilot)
        assert app.screen.coding.current_id == first  # the filter was cleared to show it
        await pilot.press("minus")  # no code applies: replaces 201
        await _settle(pilot)
    with open_project(demo_project) as store:
        assert store.codes_of(first, store.coder("alice").id) == []
        assert store.status(first, store.coder("alice").id)["coded_at"] is not None


@pytest.mark.asyncio
async def test_next_uncoded_and_pages(demo_project: Path) -> None:
    with open_project(demo_project) as store:
        wave = store.waves()[-1].id
        rid = store.wave_respondents(wave)[0][0]
        q2_answer = store.respondents_answer_ids([rid], wave)[rid][Q2]
        apply_codes(store, q2_answer, store.coder("alice"), [code_id(store, Q2, 101)])
    app = build_app(demo_project, "alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("f7")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, GridScreen)
        assert screen.current_cell().answer_id == q2_answer  # type: ignore[union-attr]
        await pilot.press("n")  # past the coded q2 cell to the next uncoded answer
        cell = screen.current_cell()
        assert cell is not None and cell.codable and not cell.coded
        assert cell.answer_id != q2_answer
        assert screen.page is not None and screen.page.start == 0
        await pilot.press("right_square_bracket")
        await _settle(pilot)
        assert screen.page.start == 100 and "respondents 101-" in screen_text(app)
        await pilot.press("left_square_bracket")
        await _settle(pilot)
        assert screen.page.start == 0


@pytest.mark.asyncio
async def test_w_shows_the_other_wave(demo_project: Path) -> None:
    with open_project(demo_project) as store:
        import_survey(store, REPO / "data" / "demo_survey_wave2.csv", wave="2026", coder="setup")
    app = build_app(demo_project, "alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("f7")
        await _settle(pilot)
        assert "wave 2026" in screen_text(app)  # the latest wave first
        await pilot.press("w")
        await _settle(pilot)
        assert "wave 2025" in screen_text(app)


def test_a_page_reads_the_wave_for_one_coder(demo_project: Path) -> None:
    with open_project(demo_project) as store:
        alice, bob = store.coder("alice"), store.coder("bob")
        wave = store.waves()[-1].id
        rid = store.wave_respondents(wave)[2][0]
        answer = store.respondents_answer_ids([rid], wave)[rid][Q2]
        apply_codes(store, answer, bob, [code_id(store, Q2, 201)])
        page = RespondentGrid(store, alice, page_size=10).page(0)
        assert len(page.rows) == 10 and page.total == len(store.wave_respondents(wave))
        assert not page.rows[2].cells[Q2].coded  # bob's codes are not alice's
        page = RespondentGrid(store, bob, page_size=10).page(5)
        assert page.start == 0
        assert page.rows[2].cells[Q2].labels == ("201 No suitable local schools",)
        blanks = [c for r in page.rows for c in r.cells.values() if not c.codable]
        assert all(c.mark in {"blank", "n/s"} for c in blanks)


@pytest.mark.asyncio
async def test_at_80x24_cut_headers_are_marked_and_the_highlighted_question_is_named_whole(
        demo_project: Path) -> None:
    app = build_app(demo_project, "alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("f7")
        await _settle(pilot)
        await pilot.press("right")  # the second question's column
        await pilot.pause()
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if line.lstrip().startswith("respondent"))
        assert "q2_barri…" in header and "q2_barriers" not in header
        question = app.screen.page.questions[1]  # type: ignore[attr-defined]
        cell = app.screen.current_cell()  # type: ignore[attr-defined]
        assert cell is not None and cell.question_id == question.id
        # Below the grid: the question whole, then the codes before the answer's text.
        detail = lines[lines.index(next(li for li in lines if li.startswith("─"))) + 1]
        assert f" · {question.id}  not coded yet" in detail
        summary = next(line for line in lines if line.lstrip().startswith("wave "))
        assert summary.rstrip().endswith("(· uncoded, - no code)")  # whole, not cut
