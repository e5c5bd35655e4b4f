"""Drive the coding app with the test pilot and check what it saved in the project."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.store import open_project
from coder.tui.app import build_app
from coder.tui.config import AppConfig
from tests.tui.conftest import code_id, screen_text

pytestmark = pytest.mark.asyncio
Q2 = "q2_barriers"
SIZE = (120, 40)


def listed_answers(project: Path) -> list[tuple[int, str]]:
    """(id, text) of the q2 answers a coder sees: every non-blank answer, in import order."""
    with open_project(project) as store:
        return [(a.id, a.text) for a in store.answers(Q2) if not a.is_blank]


async def test_code_key_saves_that_code_for_that_coder_on_that_answer(demo_project: Path) -> None:
    answers = listed_answers(demo_project)
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "down", "down")  # the 5th answer
        await pilot.press("3")  # third codable code in the frame's order: 201
        await pilot.press("j", "A")  # next answer; A = eleventh codable code: 999
        await pilot.pause()
    with open_project(demo_project) as store:
        alice = store.coder("alice", create=False)
        saved = {(c.answer_id, c.code_id) for c in store.codings(coder_id=alice.id)}
        assert saved == {(answers[4][0], code_id(store, Q2, 201)),
                         (answers[5][0], code_id(store, Q2, 999))}
        assert store.codings(question_id=Q2) and all(
            c.coder_id == alice.id for c in store.codings(question_id=Q2))
        assert store.coded_count(Q2, alice.id) == 2


async def test_pressing_the_key_again_removes_the_code_and_codes_combine(
        demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "2", "3", "2")  # 101 on, 102 on, 201 on, 102 off
        await pilot.pause()
        first = app.screen.answers.current_id
    with open_project(demo_project) as store:
        alice = store.coder("alice", create=False)
        assert set(store.codes_of(first, alice.id)) == {code_id(store, Q2, 101),
                                                        code_id(store, Q2, 201)}


async def test_undo_removes_and_redo_restores_after_a_restart(demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "4")  # answer 2 gets 202
        await pilot.pause()
        answer = app.screen.answers.current_id
    with open_project(demo_project) as store:
        alice = store.coder("alice", create=False)
        assert store.codes_of(answer, alice.id) == [code_id(store, Q2, 202)]

    app = build_app(demo_project, "alice", question_id=Q2)  # a restart
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert "answer" in screen_text(app)
    with open_project(demo_project) as store:
        assert store.codes_of(answer, alice.id) == []
        assert store.status(answer, alice.id)["coded_at"] is None

    app = build_app(demo_project, "alice", question_id=Q2)  # another restart
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        await pilot.pause()
        # the list shows the redone answer as coded again
        assert app.screen.answers.row(answer).coded
    with open_project(demo_project) as store:
        assert store.codes_of(answer, alice.id) == [code_id(store, Q2, 202)]


async def test_undo_is_per_coder(demo_project: Path) -> None:
    with open_project(demo_project) as store:
        bob = store.coder("bob")
        first = store.answer_ids(Q2)[0]
        store.set_codes(first, bob, [code_id(store, Q2, 101)])
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+z")
        await pilot.pause()
    with open_project(demo_project) as store:
        assert store.codes_of(first, bob.id) == [code_id(store, Q2, 101)]


async def test_memo_flag_and_no_code_are_saved(demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await pilot.press(*"check wording")
        await pilot.press("enter", "f", "j", "minus")
        await pilot.pause()
        first, second = app.screen.answers.answer_ids[:2]
    with open_project(demo_project) as store:
        alice = store.coder("alice", create=False)
        assert store.status(first, alice.id) == {"coded_at": None, "memo": "check wording",
                                                 "flagged": True}
        assert store.status(second, alice.id)["coded_at"] is not None
        assert store.codes_of(second, alice.id) == []


async def test_next_uncoded_skips_coded_answers(demo_project: Path) -> None:
    ids = [a for a, _ in listed_answers(demo_project)]
    with open_project(demo_project) as store:
        alice = store.coder("alice")
        for answer in ids[1:4]:
            store.set_codes(answer, alice, [code_id(store, Q2, 101)])
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.answers.current_id == ids[4]
        assert " 3/" in screen_text(app) and "coded (" in screen_text(app)


async def test_blind_mode_shows_no_other_coders_codes(demo_project: Path) -> None:
    with open_project(demo_project) as store:
        bob = store.coder("bob")
        first = store.answer_ids(Q2)[0]
        store.set_codes(first, bob, [code_id(store, Q2, 303)])
    label = "Quality and oversight concerns"

    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        seen = screen_text(app)
        detail = seen.split("Codes:")[1]
        assert "bob:" in detail and f"303 {label}" in detail

    app = build_app(demo_project, "alice", blind=True, question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        seen = screen_text(app)
        detail = seen.split("Codes:")[1].split("╰")[0]
        assert "bob" not in seen and "BLIND" in seen
        assert "303 " not in detail  # the code list lists it, the answer shows no one's use
        await pilot.press("slash", *"code:303", "enter")  # nor does filtering by it reveal it
        await pilot.pause()
        assert app.screen.answers.answer_ids == []


async def test_filters_show_exactly_the_matching_answers(demo_project: Path) -> None:
    answers = listed_answers(demo_project)
    with open_project(demo_project) as store:
        alice = store.coder("alice")
        coded = [answers[0][0], answers[2][0], answers[7][0]]
        for answer in coded:
            store.set_codes(answer, alice, [code_id(store, Q2, 102)])
        store.set_flag(answers[5][0], alice, True)
        region = {a.id: store.respondent(a.respondent_id, a.wave_id).attributes.get("region")
                  for a in store.answers(Q2)}
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        shown = lambda: app.screen.answers.answer_ids  # noqa: E731
        await pilot.press("slash", *"fees", "enter")
        await pilot.pause()
        assert shown() == [a for a, t in answers if "fees" in t.lower()]
        assert 0 < len(shown()) < len(answers)
        await pilot.press("escape", "u")
        await pilot.pause()
        assert shown() == [a for a, _ in answers if a not in coded]
        await pilot.press("u", "r")
        await pilot.pause()
        assert shown() == [answers[5][0]]
        await pilot.press("escape", "slash", *"code:102", "enter")
        await pilot.pause()
        assert shown() == coded
        await pilot.press("escape", "slash", *'region="North"', "enter")
        await pilot.pause()
        assert shown() == [a for a, _ in answers if region[a] == "North"]
        assert shown()
        await pilot.press("escape")
        await pilot.pause()
        assert shown() == [a for a, _ in answers]


async def test_typed_filter_with_uncoded_uses_the_text_index_and_agrees_with_the_store(
        demo_project: Path) -> None:
    from coder.store.coding import AnswerFilter

    answers = listed_answers(demo_project)
    with_fees = [a for a, t in answers if "fees" in t.lower()]
    with open_project(demo_project) as store:
        alice = store.coder("alice")
        store.set_codes(with_fees[0], alice, [code_id(store, Q2, 101)])
        from_store = store.answer_ids(Q2, alice.id, AnswerFilter(text="fees", uncoded=True))
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        index = app.screen.coding.text_index
        assert index is not None and len(index) >= len(answers)
        await pilot.press("slash", *"FEES is:uncoded", "enter")
        await pilot.pause()
        assert app.screen.answers.answer_ids == with_fees[1:] == from_store
        # coding the current match takes it out of the uncoded list at the next filter
        await pilot.press("1", "escape", "slash", *"fees is:uncoded", "enter")
        await pilot.pause()
        assert app.screen.answers.answer_ids == with_fees[2:]


async def test_uncoded_filter_follows_coding_and_undo(demo_project: Path) -> None:
    answers = [a for a, _ in listed_answers(demo_project)]
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        shown = lambda: app.screen.answers.answer_ids  # noqa: E731
        await pilot.press("u")
        await pilot.pause()
        assert shown() == answers
        await pilot.press("1", "2")  # code the first answer, then the second
        await pilot.press("u", "u")
        await pilot.pause()
        with open_project(demo_project) as store:
            alice = store.coder("alice", create=False)
            coded_now = store.coded_answer_ids(Q2, alice.id)
        assert coded_now and coded_now <= set(answers[:2])
        assert shown() == [a for a in answers if a not in coded_now]
        await pilot.press("ctrl+z", "ctrl+z", "u", "u")
        await pilot.pause()
        assert shown() == answers


async def test_keys_can_be_remapped_from_the_key_file(demo_project: Path) -> None:
    config = AppConfig(keymap={"coding.next": "x", "coding.code_1": "ctrl+t"})
    app = build_app(demo_project, "alice", question_id=Q2, config=config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x", "ctrl+t")
        await pilot.pause()
        second = app.screen.answers.answer_ids[1]
        assert app.screen.answers.current_id == second
    with open_project(demo_project) as store:
        alice = store.coder("alice", create=False)
        assert store.codes_of(second, alice.id) == [code_id(store, Q2, 101)]


async def test_the_app_asks_who_is_coding_when_no_name_is_given(demo_project: Path) -> None:
    app = build_app(demo_project, None, question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Who is coding?" in screen_text(app)
        await pilot.press(*"carol", "enter", "1")
        await pilot.pause()
        assert "coder: carol" in screen_text(app)
    with open_project(demo_project) as store:
        carol = store.coder("carol", create=False)
        assert store.coded_count(Q2, carol.id) == 1
