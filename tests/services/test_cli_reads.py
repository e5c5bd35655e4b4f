"""The service functions the CLI's commands call (info, qa sample/progress/queue, themes
--list/--show, codeframe history, redaction), on both backends: what each command reads or
writes comes through the services, so the CLI needs no store of its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from coder.core.errors import NotInProject, ProjectError
from coder.core.themes.stored import StoredTheme, ThemeAssignment
from coder.services import coding, lookup, overview, qa, redaction, theme_edits
from coder.services.codeframes import add_code
from coder.services.project import history, schema_version
from coder.store.schema import SCHEMA_VERSION
from tests.services.conftest import Q2, code_of

REPO = Path(__file__).resolve().parents[2]


def test_project_summary_counts_waves_and_questions(project) -> None:
    summary = overview.project_summary(project)
    assert summary.waves == ("2025",)
    q2 = next(s for s in summary.questions if s.question.id == Q2)
    substantive = [a for a in project.answers(Q2) if not a.is_blank]
    assert q2.n_answers + q2.n_blank == len(project.answers(Q2))
    assert summary.counts["respondents"] == len(project.respondents())
    assert summary.counts["codings"] == 0
    assert len(substantive) >= q2.n_answers
    assert overview.project_summary(project, "2025").questions == summary.questions
    with pytest.raises(NotInProject):
        overview.project_summary(project, "1999")
    assert schema_version(project) == SCHEMA_VERSION


def test_a_sample_planned_by_wave_name_then_its_progress_and_queue(project) -> None:
    sample = qa.plan_sample(project, Q2, 0.1, ["alice", "bob"], seed=3, actor="lead",
                            wave="2025")
    assert sample.coders == ("alice", "bob") and sample.seed == 3
    answers = project.sample_answers(sample.id)
    assert len(answers) == sample.n_answers > 0
    alice, bob = project.coder("alice"), project.coder("bob")
    coding.apply_codes(project, answers[0], alice, [code_of(project, 101)])
    coding.apply_codes(project, answers[0], bob, [code_of(project, 102)])
    [(found, progress)] = qa.sample_progress(project)
    assert found == sample
    by_coder = {p.coder: (p.assigned, p.coded) for p in progress}
    assert by_coder == {"alice": (sample.n_answers, 1), "bob": (sample.n_answers, 1)}
    assert qa.sample_progress(project, sample.id) == [(found, progress)]
    queue = qa.adjudication_queue(project, Q2, sample.id)
    assert [d.answer_id for d in queue] == [answers[0]]
    assert qa.adjudication_queue(project, Q2, coders=["alice"]) == []
    with pytest.raises(NotInProject):
        qa.plan_sample(project, Q2, 0.1, ["alice", "bob"], actor="lead", wave="1999")


def test_planning_a_sample_is_one_undoable_action(project) -> None:
    sample = qa.plan_sample(project, Q2, 0.2, ["alice", "bob"], seed=1, actor="lead")
    assert qa.sample_progress(project) != []
    undone = project.undo("lead")
    assert undone is not None and undone.action == "qa.sample"
    assert sample.question_id == Q2
    assert qa.sample_progress(project) == []


def test_frames_and_answer_texts_the_cli_prints(project) -> None:
    frame = lookup.question_frame(project, Q2)
    assert frame is not None and frame == project.codeframe_for(Q2)
    answer = next(a for a in project.answers(Q2) if not a.is_blank)
    assert lookup.answer_frame(project, answer.id) == frame
    assert lookup.answer_texts(project, [answer.id]) == {answer.id: answer.text}
    with pytest.raises(NotInProject):
        lookup.question_frame(project, "no_such_question")


def test_stored_theme_runs_and_their_themes(project) -> None:
    answers = [a for a in project.answers(Q2) if not a.is_blank][:4]
    run_id = project.save_theme_run(
        question_id=Q2, wave_id=None, coder="alice", model="test", params={"seed": 0},
        n_non_substantive=0, seconds=0.5,
        themes=[StoredTheme(0, 0, "Fees", ("fees",), 2, 0.5, (answers[0].id, answers[1].id)),
                StoredTheme(0, 1, "Transport", ("bus",), 2, 0.5, (answers[2].id,))],
        assignments=[ThemeAssignment(a.id, i // 2, 0.9, None) for i, a in enumerate(answers)])
    [run] = theme_edits.theme_runs(project, Q2)
    assert run.id == run_id and run.n_themes == 2
    assert theme_edits.theme_runs(project, "q1_other") == []
    shown, themes = theme_edits.theme_run(project, run_id)
    assert shown == run
    assert [t.label for t in themes] == ["Fees", "Transport"]
    with pytest.raises(NotInProject):
        theme_edits.theme_run(project, run_id + 99)


def test_history_lists_the_codeframe_edits_newest_first(project) -> None:
    add_code(project, "Waiting lists", coder="alice")
    coding.apply_codes(project, next(a.id for a in project.answers(Q2) if not a.is_blank),
                       project.coder("alice"), [code_of(project, 101)])
    everything = history(project, limit=2)
    assert len(everything) == 2 and everything[0].id > everything[1].id
    frames_only = history(project, action_prefix="codeframe.")
    assert frames_only and all(e.action.startswith("codeframe.") for e in frames_only)
    assert "Waiting lists" in frames_only[0].summary


def test_redaction_terms_added_and_removed_each_one_undoable_action(project) -> None:
    assert redaction.redaction_setting(project).redaction.terms == ()
    assert redaction.redaction_setting(project).attribute_terms is True
    added = redaction.add_terms(project, ["Kestrelworth", "Tom"], "[name]", "alice")
    assert [t.text for t in added.after.terms] == ["Kestrelworth", "Tom"]
    removed = redaction.remove_terms(project, ["tom"], "alice")
    assert [t.text for t in removed.after.terms] == ["Kestrelworth"]
    assert [t.text for t in redaction.redaction_setting(project).redaction.terms] == [
        "Kestrelworth"]
    project.undo("alice")
    assert [t.text for t in redaction.redaction_setting(project).redaction.terms] == [
        "Kestrelworth", "Tom"]
    project.undo("alice")
    assert redaction.redaction_setting(project).redaction.terms == ()


def test_the_store_protocol_names_only_core_types() -> None:
    tree = ast.parse((REPO / "coder" / "store" / "protocol.py").read_text(encoding="utf-8"))
    ours = [node.module for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
            and node.module.startswith("coder.")]
    assert ours and all(m.startswith("coder.core.") for m in ours), ours


def test_store_modules_define_no_value_types_of_the_protocol() -> None:
    """The dataclasses the store returns live in the core, not in a store module."""
    from coder.store import protocol

    returned = {"ImportResult", "QuestionStats", "StoredTheme", "StoredThemeRun",
                "ThemeAssignment", "AnswerRow", "WorkAssignment", "OpenWindow", "QASample",
                "SampleProgress", "Upgrade"}
    for path in (REPO / "coder" / "store").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
        assert not defined & returned, (path.name, defined & returned)
    assert protocol.ProjectStore is not None


def test_adjudication_refuses_an_answer_of_a_question_without_frame(project) -> None:
    other = next(q.id for q in project.questions(open_only=True) if q.id != Q2)
    answer = next(a for a in project.answers(other) if not a.is_blank)
    assert lookup.answer_frame(project, answer.id) is None
    with pytest.raises(ProjectError, match="no codeframe"):
        qa.adjudicate_answer(project, answer.id, ["101"], "rev")
