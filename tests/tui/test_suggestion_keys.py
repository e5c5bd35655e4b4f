"""The coding app's suggestion panel: learned suggestions with their confidence beside the
answer, `a` accepts the first and alt+N the N-th; checked in the project. Every test runs with
the suggestions fitted in a thread (a small question) and in a child process (a large one)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from coder.store import open_project
from coder.tui.app import build_app
from coder.tui.config import AppConfig
from tests.tui.conftest import screen_text

pytestmark = pytest.mark.asyncio
Q2 = "q2_barriers"
SIZE = (120, 40)


@pytest.fixture(params=["thread", "process"])
def config(request: pytest.FixtureRequest) -> AppConfig:
    """The suggestions fitted in a thread, or in a child process (as on a large question)."""
    return AppConfig(suggestion_process_from=0 if request.param == "process" else 10**9)


async def _suggestions_built(app: object) -> None:
    for _ in range(200):
        if app.screen.coding.suggestions is not None:  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the suggestions were never built")


async def test_a_accepts_the_first_suggestion_and_alt_2_the_second(demo_project: Path, config: AppConfig) -> None:
    app = build_app(demo_project, "alice", question_id=Q2, config=config)
    async with app.run_test(size=SIZE) as pilot:
        await _suggestions_built(app)
        await pilot.press("down")
        await pilot.pause()
        coding = app.screen.coding  # type: ignore[attr-defined]
        answer = coding.current_id
        assert len(coding.suggested) == 3
        text = screen_text(app)
        assert "Suggested:" in text and "[a/alt+1]" in text and "%" in text
        first = coding.suggested[0]
        assert f"{first.output_code} {first.label}" in text
        await pilot.press("a")
        await pilot.pause()
        second = coding.suggested[1]  # the list moved up: the first is applied now
        await pilot.press("alt+2")
        await pilot.pause()
        await pilot.press("alt+9")  # no ninth suggestion: nothing saved
        await pilot.pause()
    with open_project(demo_project) as store:
        alice = store.coder("alice", create=False)
        assert store.codes_of(answer, alice.id) == [first.id, second.id]
        assert {c.answer_id for c in store.codings(coder_id=alice.id)} == {answer}


async def test_suggestions_learn_from_the_code_just_applied(demo_project: Path, config: AppConfig) -> None:
    with open_project(demo_project) as store:
        twins = [a.id for a in store.answers(Q2) if a.text.casefold() == "schools saying no"]
        frame = store.codeframe_for(Q2)
        assert frame is not None
        quality = frame.by_output_code(303)
        assert quality is not None
    app = build_app(demo_project, "alice", question_id=Q2, config=config)
    async with app.run_test(size=SIZE) as pilot:
        await _suggestions_built(app)
        screen = app.screen
        screen.answers.move_to(screen.coding.answer_ids.index(twins[0]))  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("c")
        await pilot.press(*"303", "enter")  # find code 303 and apply it
        await pilot.pause()
        screen.answers.move_to(screen.coding.answer_ids.index(twins[1]))  # type: ignore[attr-defined]
        await pilot.pause()
        screen._show_current()  # type: ignore[attr-defined]
        assert screen.coding.suggested[0] == quality  # type: ignore[attr-defined]
        await pilot.press("a")
        await pilot.pause()
    with open_project(demo_project) as store:
        alice = store.coder("alice", create=False)
        assert store.codes_of(twins[1], alice.id) == [quality.id]


async def test_g_codes_the_similar_answers_alike_and_undo_takes_them_back(
        demo_project: Path, config: AppConfig) -> None:
    with open_project(demo_project) as store:
        twins = [a.id for a in store.answers(Q2) if a.text.casefold() == "schools saying no"]
        frame = store.codeframe_for(Q2)
        assert frame is not None and len(twins) == 3
        refusal = frame.by_output_code(202)
        assert refusal is not None
    app = build_app(demo_project, "alice", question_id=Q2, config=config)
    async with app.run_test(size=SIZE) as pilot:
        await _suggestions_built(app)
        screen = app.screen
        screen.answers.move_to(screen.coding.answer_ids.index(twins[0]))  # type: ignore[attr-defined]
        await pilot.pause()
        screen._show_current()  # type: ignore[attr-defined]
        assert "+2 similar" in screen_text(app)
        await pilot.press("4")  # 202 on the first
        await pilot.press("g")  # ... and on the two answers repeating it
        await pilot.pause()
        with open_project(demo_project) as store:
            alice = store.coder("alice", create=False)
            assert {a: store.codes_of(a, alice.id) for a in twins} == {
                a: [refusal.id] for a in twins}
        await pilot.press("ctrl+z")  # one action: both similar answers lose it together
        await pilot.pause()
    with open_project(demo_project) as store:
        alice = store.coder("alice", create=False)
        assert [store.codes_of(a, alice.id) for a in twins] == [[refusal.id], [], []]
        assert store.coded_count(Q2, alice.id) == 1


async def test_o_lists_the_most_useful_answer_first_and_codes_land_on_it(
        demo_project: Path, config: AppConfig) -> None:
    app = build_app(demo_project, "alice", question_id=Q2, config=config)
    async with app.run_test(size=SIZE) as pilot:
        await _suggestions_built(app)
        coding = app.screen.coding  # type: ignore[attr-defined]
        imported = list(coding.answer_ids)
        await pilot.press("o")  # scored on a worker, then listed
        for _ in range(200):
            if coding.order == "useful":
                break
            await asyncio.sleep(0.05)
        await pilot.pause()
        assert "order: most useful next" in screen_text(app)
        useful = list(coding.answer_ids)
        assert useful != imported and sorted(useful) == imported
        assert useful == coding.suggestions.useful_order(imported)
        first = useful[0]
        assert coding.current_id == first
        await pilot.press("1")  # the first code on the most useful answer
        await pilot.pause()
        await pilot.press("o")  # back to import order, on the same answer
        await pilot.pause()
        assert "most useful" not in screen_text(app)
        assert coding.answer_ids == imported and coding.current_id == first
    with open_project(demo_project) as store:
        alice = store.coder("alice", create=False)
        assert {c.answer_id for c in store.codings(coder_id=alice.id)} == {first}
