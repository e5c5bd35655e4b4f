"""Carrying codes forward into a new wave, and finding re-imported answers that changed after
they were coded (`is:changed`), on each backend. The answers are those of
tests/services/waves_fixture.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from coder.cli import cli
from coder.core.coding.filters import AnswerFilter, parse_filter
from coder.core.survey.carry import CodedAnswer, NewAnswer, plan_carry_forward
from coder.services.codeframes import undo
from coder.services.coding import CodingSession
from coder.services.importing import carry_forward
from coder.services.project import open_project as open_services_project
from coder.services.project import open_workspace
from coder.services.reports import build_report
from coder.store import open_project
from coder.store.protocol import ProjectStore
from coder.tui.widgets.answer_detail import render_answer
from tests.services.waves_fixture import QUESTION, WAVE_2025, write_wave


def _by_respondent(store: ProjectStore, wave: str, coder_name: str) -> dict[str, list[str]]:
    coder = store.coder(coder_name)
    external = {r.id: r.external_id for r in store.respondents()}
    coded = store.coded_answers(QUESTION).get(coder.id, set())
    return {external[a.respondent_id]: sorted(store.codes_of(a.id, coder.id))
            for a in store.answers(QUESTION, wave_id=store.wave_id(wave)) if a.id in coded}


def test_identical_answers_are_coded_as_one_undoable_action(
        waves_project: Callable[..., str]) -> None:
    project = waves_project(code_2026=False)
    with open_project(project) as store:
        result = carry_forward(store, "2026", code=True, actor="ann")
        assert (result.answers, result.coded, result.coder) == (3, True, "carried")
        # W01 and W04 verbatim; W02 differs only in case and spacing.
        assert _by_respondent(store, "2026", "carried") == {
            "W01": ["c1"], "W02": ["c1", "c2"], "W04": ["c1"]}
        report = build_report(store, quotes_per_code=0, wave="2026")
        assert report.sections[0].table.row("c1").n == 3
        assert carry_forward(store, "2026", code=True, actor="ann").answers == 0  # done already
        event = undo(store, "ann")
        assert event is not None and event.action == "coding.carry"
        assert _by_respondent(store, "2026", "carried") == {}


def test_without_carry_codes_they_are_suggestions_only(
        waves_project: Callable[..., str]) -> None:
    project = waves_project(code_2026=False)
    with open_project(project) as store:
        result = carry_forward(store, "2026", code=False, actor="ann")
        assert (result.answers, result.coder) == (3, "carried-suggested")
        final = build_report(store, quotes_per_code=0, wave="2026").sections[0].table
        assert final.row("c1").n == 0  # suggestions are not codes
        layer = build_report(store, quotes_per_code=0, wave="2026",
                             layer="model:carried-suggested").sections[0].table
        assert layer.row("c1").n == 3
        # Coding them later still works: suggestions do not count as coded.
        assert carry_forward(store, "2026", code=True, actor="ann").answers == 3


def test_cli_import_carries_codes(tmp_path: Path, waves_project: Callable[..., str]) -> None:
    project = waves_project(code_2026=False)
    wave3 = write_wave(tmp_path / "w2027.csv", [("W01", "North", "1", "The cost is high!", None),
                                                ("W02", "North", "1", "brand new answer", None)])
    result = CliRunner().invoke(cli, ["import", str(wave3), "-p", project, "--wave", "2027",
                                      "--id-column", "resp_id", "--open-column", QUESTION,
                                      "--carry-codes", "--coder", "ann"])
    assert result.exit_code == 0, result.output
    assert "carried forward: 1 answers" in result.output
    with open_project(project) as store:
        assert _by_respondent(store, "2027", "carried") == {"W01": ["c1"]}


def test_the_latest_earlier_wave_wins_and_conflicts_are_left_alone() -> None:
    coded = [CodedAnswer("q", "Fees", frozenset({"a"}), 0),
             CodedAnswer("q", "fees.", frozenset({"b"}), 1),  # later wave: its codes win
             CodedAnswer("q", "staff", frozenset({"a"}), 1),
             CodedAnswer("q", "Staff", frozenset({"b"}), 1),  # same wave, other codes
             CodedAnswer("q", "old", frozenset({"gone"}), 1)]
    new = [NewAnswer(1, "q", "FEES"), NewAnswer(2, "q", "staff"), NewAnswer(3, "q", "old"),
           NewAnswer(4, "other", "fees")]
    plan = plan_carry_forward(new, coded, {"a", "b"})
    assert [(c.answer_id, c.code_ids) for c in plan.carried] == [(1, ("b",))]
    assert (plan.ambiguous, plan.retired) == (1, 1)


def test_changed_answers_are_found_until_recoded(tmp_path: Path,
                                                 waves_project: Callable[..., str]) -> None:
    project = waves_project(code_2026=False)
    rows = [list(r) for r in WAVE_2025]
    rows[2][3] = "no staff to support them, and no money either"  # W03 changed
    again = write_wave(tmp_path / "w2025b.csv", [tuple(r) for r in rows])  # type: ignore[misc]
    result = CliRunner().invoke(cli, ["import", str(again), "-p", project, "--wave", "2025",
                                      "--id-column", "resp_id", "--open-column", QUESTION])
    assert result.exit_code == 0, result.output
    assert "1 changed answers were already coded" in result.output
    assert "need recoding" in result.output
    query = parse_filter("is:changed")
    assert query.changed and query.describe() == "is:changed"
    with open_services_project(project) as store:
        session = CodingSession(open_workspace(store, "alice"), QUESTION)
        changed = session.filter(query)
        w03 = next(a for a in store.answers(QUESTION) if a.text.startswith("no staff"))
        assert changed == [w03.id]
        view = session.detail()
        assert view is not None and view.answer_id == w03.id and view.needs_recoding
        assert "needs recoding" in render_answer(view).renderables[0].plain  # type: ignore[union-attr]
        assert store.answer_ids(QUESTION, None, AnswerFilter(changed=True)) == [w03.id]
        store.set_codes(w03.id, store.coder("alice"), ["c2", "c1"])  # recoded
        assert session.filter(query) == []
        assert not store.changed_since_coded(w03.id, store.coder("alice").id)
        store.end_sessions()


def test_a_wave_with_nul_characters_imports_carries_and_reimports_unchanged(
        tmp_path: Path, waves_project: Callable[..., str]) -> None:
    """Files from other systems can hold NUL characters, which a PostgreSQL text cannot: the
    wave imports on both backends alike, its answers' codes carry forward, and importing the
    same file again finds nothing changed."""
    project = waves_project()
    wave3 = write_wave(tmp_path / "w2027.csv", [
        ("W01", "North", "1", "fees are\x00 too high for us", None),
        ("W02", "North", "1", "brand new\x00 answer", None)])
    command = ["import", str(wave3), "-p", project, "--wave", "2027", "--id-column", "resp_id",
               "--open-column", QUESTION]
    result = CliRunner().invoke(cli, [*command, "--carry-codes", "--coder", "ann"])
    assert result.exit_code == 0, result.output
    assert "answers added 2" in result.output and "carried forward: 1 answers" in result.output
    with open_project(project) as store:
        assert _by_respondent(store, "2027", "carried") == {"W01": ["c1"]}
        assert sorted(a.text for a in store.answers(QUESTION, wave_id=store.wave_id("2027"))) \
            == ["brand new answer", "fees are too high for us"]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0, result.output
    assert "answers added 0, changed 0, unchanged 2" in result.output


_TEXTS = st.sampled_from(["fees", "Fees.", "FEES", "staff", "staff!", "the cost", "The  cost",
                          "buildings", "transport"])
_CODES = st.frozensets(st.sampled_from(["a", "b", "c"]), max_size=2)


@given(coded=st.lists(st.tuples(_TEXTS, _CODES, st.integers(0, 2)), max_size=12),
       new=st.lists(_TEXTS, max_size=8))
@settings(max_examples=150, deadline=None)
def test_carried_codes_are_always_those_of_the_latest_wave_that_agrees(
        coded: list[tuple[str, frozenset[str], int]], new: list[str]) -> None:
    """Worked out independently: per normalised text, the code sets of its latest wave."""
    from coder.core.normalise import match_key

    earlier = [CodedAnswer("q", text, codes, wave) for text, codes, wave in coded]
    plan = plan_carry_forward([NewAnswer(i, "q", t) for i, t in enumerate(new)], earlier,
                              {"a", "b"})
    carried = {c.answer_id: set(c.code_ids) for c in plan.carried}
    for i, text in enumerate(new):
        same = [(w, codes) for t, codes, w in coded if match_key(t) == match_key(text)]
        if not same:
            assert i not in carried
            continue
        latest = max(w for w, _ in same)
        ways = {codes for w, codes in same if w == latest}
        if len(ways) == 1 and next(iter(ways)) <= {"a", "b"}:
            assert carried[i] == set(next(iter(ways)))
        else:
            assert i not in carried
    assert len(plan.carried) + plan.ambiguous + plan.retired == sum(
        any(match_key(t) == match_key(text) for t, _, _ in coded) for text in new)
