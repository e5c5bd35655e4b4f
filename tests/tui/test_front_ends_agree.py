"""The app and the CLI give the same answers on the same project: agreement after adjudication,
promoted themes' examples, the quotes the report prints, and what coding keys and commands store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from textual.widgets import Static

from coder.cli import cli
from coder.core.themes.stored import StoredTheme, ThemeAssignment
from coder.services.reports import build_report
from coder.store import open_project
from coder.tui.app import build_app
from tests.tui.conftest import code_id, screen_text

pytestmark = pytest.mark.asyncio
Q2 = "q2_barriers"
SIZE = (120, 40)


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


# (alice's codes, bob's codes) per answer; they disagree on every third answer.
def _plan(i: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    codes = (101, 102, 201, 202, 301)
    mine = (codes[i % 5],)
    theirs = mine if i % 3 else (codes[(i + 1) % 5],)
    return mine, theirs


def double_code_and_adjudicate(project: Path) -> None:
    """alice and bob code 30 answers; rita adjudicates 5 disagreements with the CLI."""
    with open_project(project) as store:
        answers = [a.id for a in store.answers(Q2, substantive_only=True)[:30]]
        alice, bob = store.coder("alice"), store.coder("bob")
        for i, answer_id in enumerate(answers):
            mine, theirs = _plan(i)
            store.set_codes(answer_id, alice, [code_id(store, Q2, n) for n in mine])
            store.set_codes(answer_id, bob, [code_id(store, Q2, n) for n in theirs])
        queue = [d.answer_id for d in store.disagreements(Q2)]
    assert len(queue) >= 5
    for answer_id in queue[:5]:
        run("qa", "adjudicate", str(answer_id), "-p", str(project), "--codes", "101",
            "--reviewer", "rita")


async def test_overview_agreement_is_the_qa_screens_and_the_clis_after_adjudications(
        demo_project: Path) -> None:
    double_code_and_adjudicate(demo_project)
    cli_json = json.loads(run("agreement", "-p", str(demo_project), "-q", Q2,
                              "--format", "json").output)
    alpha = cli_json["overall"]["alpha_masi"]
    assert alpha is not None
    app = build_app(demo_project, "rita")
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        overview = next(line for line in screen_text(app).splitlines() if Q2 in line)
        assert f"α={alpha:.3f}" in overview
        await pilot.press("enter", "f6")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert f"Overall alpha (MASI) {alpha:.3f}" in screen_text(app)


def save_themes(project: Path) -> list[int]:
    """A theme run whose quotes name a council; returns the quoted answers."""
    with open_project(project) as store:
        ids = [a.id for a in store.answers(Q2, substantive_only=True)]
        themes = [StoredTheme(0, 1, "placement costs", ("cost", "fees"), 3, 0.6,
                              (ids[0], ids[1], ids[2])),
                  StoredTheme(0, 2, "school refusals", ("refuse",), 2, 0.4, (ids[3], ids[4]))]
        store.save_theme_run(
            question_id=Q2, wave_id=None, coder="alice", model="test", params={},
            n_non_substantive=0, seconds=0.1, themes=themes,
            assignments=[ThemeAssignment(a, 1 if i < 3 else 2, 0.9, None)
                         for i, a in enumerate(ids[:5])])
        word = store.answer(ids[0]).raw_text.split()[0]
    run("redaction", "add", "-p", str(project), word, "--placeholder", "[name]")
    return ids[:3]


async def test_promoting_a_theme_in_the_app_stores_the_examples_from_themes_stores(
        demo_project: Path) -> None:
    save_themes(demo_project)
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("p")  # the highlighted theme: placement costs
        await pilot.pause()
    run("codeframe", "from-themes", "-p", str(demo_project), "-q", Q2, "--coder", "alice")
    with open_project(demo_project) as store:
        from_app = store.codeframe_for(Q2).by_label("placement costs")
        from_cli = store.codeframe(f"{Q2} themes (run 1)").by_label("placement costs")
    assert len(from_app) == len(from_cli) == 1
    assert from_app[0].examples == from_cli[0].examples
    assert len(from_app[0].examples) == 3 and "[name]" in from_app[0].examples[0]


def code_for_quotes(project: Path) -> tuple[str, str]:
    """alice codes 7 answers 101, the first 6 of them 102 as well, and stars the first for both.

    The report quotes an answer once per question: the starred first answer goes under 101,
    the larger code, so 102's quotes cannot include it.
    """
    with open_project(project) as store:
        alice = store.coder("alice")
        fees, disputes = code_id(store, Q2, 101), code_id(store, Q2, 102)
        answers = [a.id for a in store.answers(Q2, substantive_only=True)[:7]]
        for i, answer_id in enumerate(answers):
            store.set_codes(answer_id, alice, [fees, disputes] if i < 6 else [fees])
        store.star_quote(fees, answers[0], alice)
        store.star_quote(disputes, answers[0], alice)
    return fees, disputes


def report_quotes(project: Path, code: str) -> list[str]:
    """The code's quotes in the report `coder report` writes."""
    with open_project(project) as store:
        report = build_report(store, question_ids=[Q2])
    for theme in report.sections[0].themes:
        if theme.row.code_id == code:
            return [q.text for q in theme.quotes]
    raise AssertionError("the code is not in the report")


async def test_the_quotes_preview_shows_the_reports_quotes_in_the_reports_order(
        demo_project: Path, tmp_path: Path) -> None:
    fees, disputes = code_for_quotes(demo_project)
    expected = report_quotes(demo_project, disputes)
    assert expected
    out = tmp_path / "report.md"
    run("report", "-p", str(demo_project), "-q", Q2, "--format", "md", "--output", str(out))
    printed = out.read_text(encoding="utf-8")
    assert all(q.split()[0] in printed for q in expected)
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        while app.screen.code_id != disputes:
            await pilot.press("down")
            await app.workers.wait_for_complete()
        await pilot.press("v")
        await pilot.pause()
        shown = " ".join(str(app.screen.query_one("#preview-text", Static).content).split())
        where = [shown.find(" ".join(q.split())[:40]) for q in expected]
        assert -1 not in where, (expected, shown)
        assert where == sorted(where)
        assert shown.count("“") == len(expected)


def stored(project: Path, answer_id: int, coder: str) -> tuple[list[int], dict[str, object]]:
    """(output codes, sorted; status) the coder has on the answer."""
    with open_project(project) as store:
        me = store.coder(coder, create=False)
        frame = store.codeframe_for(Q2)
        status = store.status(answer_id, me.id)
        status["coded"] = status.pop("coded_at") is not None
        return sorted(frame.code(c).output_code for c in store.codes_of(answer_id, me.id)), status


async def test_coder_code_memo_and_flag_store_what_the_apps_keys_store(
        demo_project: Path, tmp_path: Path) -> None:
    by_cli = tmp_path / "cli.coder"
    shutil.copyfile(demo_project, by_cli)
    with open_project(demo_project) as store:
        listed = [a for a in store.answers(Q2) if not a.is_blank]
        people = {r.id: r.external_id for r in store.respondents()}
    first, second = listed[16], listed[17]
    r1, r2 = people[first.respondent_id], people[second.respondent_id]
    cli_project = ("-p", str(by_cli), "-q", Q2, "--coder", "ann")
    run("code", *cli_project, r1, "201")
    run("code", *cli_project, r1, "102")
    run("memo", *cli_project, r1, "check wording")
    run("flag", *cli_project, r1)
    run("code", *cli_project, r2, "--none")
    app = build_app(demo_project, "ann", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*["down"] * 16)
        assert app.screen.answers.current_id == first.id
        await pilot.press("3", "2", "m", *"check wording", "enter", "f", "j", "minus")
        await pilot.pause()
    for answer in (first, second):
        assert stored(demo_project, answer.id, "ann") == stored(by_cli, answer.id, "ann")
    assert stored(by_cli, first.id, "ann") == (
        [102, 201], {"memo": "check wording", "flagged": True, "coded": True})


async def test_coder_quotes_star_stars_what_the_apps_s_key_stars(
        demo_project: Path, tmp_path: Path) -> None:
    with open_project(demo_project) as store:
        ann = store.coder("ann")
        fees = code_id(store, Q2, 101)
        answers = [a.id for a in store.answers(Q2) if "fee" in a.text.lower()][:5]
        for answer in answers:
            store.set_codes(answer, ann, [fees])
        people = {a.id: store.respondent(a.respondent_id).external_id
                  for a in store.answers(Q2)}
    by_cli = tmp_path / "cli.coder"
    shutil.copyfile(demo_project, by_cli)
    app = build_app(demo_project, "ann", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.code_id == fees
        await pilot.press("tab", "s")
        await app.workers.wait_for_complete()
        top = app.screen.ranked.answers[0][0]
    run("quotes", "star", "-p", str(by_cli), "-q", Q2, "--code", "101", people[top],
        "--coder", "ann")
    with open_project(demo_project) as in_app, open_project(by_cli) as in_cli:
        assert in_app.starred_quotes(fees) == in_cli.starred_quotes(fees) == [top]
        listed = run("quotes", "list", "-p", str(by_cli), "-q", Q2, "--code", "101")
        assert listed.output.splitlines()[0].startswith(f"* {people[top]}\t")
