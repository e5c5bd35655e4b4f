"""The QA screen: graded per-code agreement, drilling into disagreements, adjudication saved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coder.services.qa import single_code_coefficients
from coder.store import open_project
from coder.tui.app import build_app
from coder.tui.screens.qa import AdjudicateDialog, DisagreementsScreen, QAScreen
from tests.tui.conftest import code_id, screen_text

pytestmark = pytest.mark.asyncio
Q2 = "q2_barriers"
SIZE = (120, 40)


def double_code(project: Path) -> list[int]:
    """alice and bob code four answers: agree, disagree on 102, agree, disagree on 301."""
    with open_project(project) as store:
        answers = [a.id for a in store.answers(Q2, substantive_only=True)[:4]]
        alice, bob = store.coder("alice"), store.coder("bob")
        plan = [((101,), (101,)), ((101, 102), (101,)), ((201,), (201,)), ((301,), ())]
        for answer_id, (mine, theirs) in zip(answers, plan, strict=True):
            store.set_codes(answer_id, alice, [code_id(store, Q2, n) for n in mine])
            store.set_codes(answer_id, bob, [code_id(store, Q2, n) for n in theirs])
    return answers


async def _qa_screen(app, pilot) -> QAScreen:  # type: ignore[no-untyped-def]
    await pilot.press("f6")
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, QAScreen)
    return app.screen


async def test_table_is_graded_and_adjudication_is_saved_for_the_drilled_answer(
        demo_project: Path) -> None:
    answers = double_code(demo_project)
    app = build_app(demo_project, "rita", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _qa_screen(app, pilot)
        text = screen_text(app)
        assert "101 High school fees" in text and "Krippendorff" in text
        assert screen.figures is not None and len(screen.figures.disagreements) == 2
        assert "good" in text or "tentative" in text or "poor" in text
        await pilot.press("down")  # second row: 102, where alice and bob disagree once
        await pilot.press("enter")
        await pilot.pause()
        drill = app.screen
        assert isinstance(drill, DisagreementsScreen)
        assert [d.answer_id for d in drill.items] == [answers[1]]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AdjudicateDialog)
        # pre-ticked: 101, the code both applied; tick 102 (second in the list) as well
        await pilot.press("down", "space", "ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    with open_project(demo_project) as store:
        layer = store.coder("adjudicated", create=False)
        assert set(store.codes_of(answers[1], layer.id)) == {code_id(store, Q2, 101),
                                                             code_id(store, Q2, 102)}
        assert [aid for (aid,) in store.conn.execute(
            "SELECT answer_id FROM adjudications")] == [answers[1]]
        assert store.adjudication(answers[1]).reviewer == "rita"  # type: ignore[union-attr]
        assert [d.answer_id for d in store.disagreements(Q2)] == [answers[3]]


async def test_cancelling_writes_nothing_and_undo_reverts_an_adjudication(
        demo_project: Path) -> None:
    answers = double_code(demo_project)
    app = build_app(demo_project, "rita", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await _qa_screen(app, pilot)
        await pilot.press("a")  # every disagreement
        await pilot.pause()
        assert [d.answer_id for d in app.screen.items] == [answers[1], answers[3]]
        await pilot.press("down", "enter")
        await pilot.pause()
        await pilot.press("escape")  # cancel the dialog
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+s")  # nothing ticked: "no code applies"
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        with open_project(demo_project) as store:
            found = store.adjudication(answers[3])
            assert found is not None and found.code_ids == ()
            assert store.adjudication(answers[1]) is None
        await pilot.press("ctrl+z")
        await pilot.pause()
    with open_project(demo_project) as store:
        assert store.adjudication(answers[3]) is None


async def test_blind_mode_hides_qa(demo_project: Path) -> None:
    double_code(demo_project)
    app = build_app(demo_project, "alice", blind=True, question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert "not available in blind mode" in screen_text(app)
        assert "alice:" not in screen_text(app)


def single_code(project: Path, coders: tuple[str, ...]) -> None:
    """Each coder gives each of 12 answers one code (or none), agreeing on most of them."""
    plans = {"alice": [101, 101, 102, 201, 201, 301, 0, 101, 102, 201, 301, 301],
             "bob": [101, 102, 102, 201, 201, 301, 0, 101, 101, 201, 301, 0],
             "carol": [101, 101, 102, 201, 301, 301, 0, 101, 102, 201, 301, 301]}
    with open_project(project) as store:
        answers = [a.id for a in store.answers(Q2, substantive_only=True)[:12]]
        for name in coders:
            coder = store.coder(name)
            for answer_id, number in zip(answers, plans[name], strict=True):
                store.set_codes(answer_id, coder, [code_id(store, Q2, number)] if number else [])


def cli_overall(project: Path) -> dict[str, object]:
    from click.testing import CliRunner

    from coder.cli import cli

    result = CliRunner().invoke(cli, ["agreement", "-p", str(project), "-q", Q2,
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    overall: dict[str, object] = json.loads(result.output)["overall"]
    return overall


@pytest.mark.parametrize("coders", [("alice", "bob"), ("alice", "bob", "carol")])
async def test_single_code_question_shows_the_overall_coefficients_of_coder_agreement(
        demo_project: Path, coders: tuple[str, ...]) -> None:
    single_code(demo_project, coders)
    overall = cli_overall(demo_project)
    names = ["alpha_nominal", "ac1", "kappa_fleiss", "kappa_conger"]
    labels = ["alpha (nominal)", "AC1", "Fleiss' kappa", "Conger's kappa"]
    if len(coders) == 2:
        names.append("kappa_cohen")
        labels.append("Cohen's kappa")
    else:
        assert "kappa_cohen" not in overall
    assert all(isinstance(overall[n], float) for n in names)
    app = build_app(demo_project, "rita", question_id=Q2)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await _qa_screen(app, pilot)
        text = screen_text(app)
        assert screen.figures is not None
        shown = single_code_coefficients(screen.figures.report)
        assert shown == {n: overall[n] for n in names}  # the very numbers of the CLI's JSON
        assert "One code per answer" in text
        for name, label in zip(names, labels, strict=True):
            assert f"{label} {overall[name]:.3f}" in text
        assert ("Cohen's kappa" in text) == (len(coders) == 2)


async def test_a_multi_code_question_shows_no_single_code_line(demo_project: Path) -> None:
    double_code(demo_project)  # alice gives one answer two codes
    app = build_app(demo_project, "rita", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await _qa_screen(app, pilot)
        assert "One code per answer" not in screen_text(app)
        assert "kappa_fleiss" not in cli_overall(demo_project)
