"""Work allocation: shares, ranges and respondent lists given to coders, and what the coding
session lists for them (`is:sample`, `is:assigned`, blind mode)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.core.coding.filters import FilterError, parse_filter
from coder.core.errors import InputError, ProjectError
from coder.services import allocation as service
from coder.services import codeframes
from coder.services.coding import CodingSession
from coder.services.project import Project, open_workspace
from tests.services.conftest import Q2


def listed(project: Project) -> list[int]:
    """The q2 answers the coding screen lists, in order (every non-blank answer)."""
    return [a.id for a in project.answers(Q2) if not a.is_blank]


def test_two_half_shares_split_the_question_without_overlap(project: Project) -> None:
    alice = service.assign_share(project, Q2, "alice", 0.5, actor="lead", seed=1)
    bob = service.assign_share(project, Q2, "bob", 0.5, actor="lead", seed=2)
    a = project.work_answer_ids(project.coder("alice").id, Q2)
    b = project.work_answer_ids(project.coder("bob").id, Q2)
    everything = set(listed(project))
    assert not a & b
    assert a | b == everything
    assert abs(len(a) - len(everything) / 2) <= 1
    assert (alice.n_answers, bob.n_answers) == (len(a), len(b))
    assert "seed 1" in alice.rule
    with pytest.raises(ProjectError, match="already assigned"):
        service.assign_share(project, Q2, "carol", 0.1, actor="lead")


def test_the_same_seed_draws_the_same_share(project: Project, project_path: Path) -> None:
    first = service.assign_share(project, Q2, "alice", 0.3, actor="lead", seed=7)
    drawn = project.work_answer_ids(project.coder("alice").id, Q2)
    service.remove_assignment(project, first.id, actor="lead")
    service.assign_share(project, Q2, "alice", 0.3, actor="lead", seed=7)
    assert project.work_answer_ids(project.coder("alice").id, Q2) == drawn


def test_a_range_is_positions_in_the_coding_screen_list(project: Project) -> None:
    made = service.assign_range(project, Q2, "erin", 3, 12, actor="lead")
    assert made.n_answers == 10
    assert project.work_answer_ids(project.coder("erin").id, Q2) == frozenset(
        listed(project)[2:12])
    past_end = service.assign_range(project, Q2, "fay", 140, 10_000, actor="lead")
    assert past_end.n_answers == len(listed(project)) - 139
    with pytest.raises(ProjectError, match="must start"):
        service.assign_range(project, Q2, "fay", 10_000, 10_001, actor="lead")
    with pytest.raises(ValueError, match="FIRST-LAST"):
        service.parse_range("20-3")


def test_respondents_file_gives_their_answers_and_names_a_bad_line(
        project: Project, tmp_path: Path) -> None:
    by_respondent = project.answers_by_respondent(Q2)
    wanted = sorted(by_respondent)[:3]
    good = tmp_path / "carol.txt"
    good.write_text("respondent_id\n" + "\n".join(wanted) + "\n", encoding="utf-8")
    made = service.assign_respondents(project, Q2, "carol", good, actor="lead")
    assert project.work_answer_ids(project.coder("carol").id, Q2) == frozenset(
        a for r in wanted for a in by_respondent[r])
    assert made.rule == "respondents in carol.txt"
    bad = tmp_path / "bad.txt"
    bad.write_text(f"{wanted[0]}\nNOBODY\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.txt, row 2: respondent \"NOBODY\""):
        service.assign_respondents(project, Q2, "dan", bad, actor="lead")
    assert [a.coder for a in service.assignments(project)] == ["carol"]  # nothing half-made


def test_assignments_are_listed_removed_and_undone(project: Project) -> None:
    made = service.assign_range(project, Q2, "erin", 1, 5, actor="lead")
    assert [(a.id, a.coder, a.n_answers) for a in service.assignments(project, Q2)] == [
        (made.id, "erin", 5)]
    service.remove_assignment(project, made.id, actor="lead")
    assert service.assignments(project) == []
    codeframes.undo(project, "lead")  # the removal is one undoable action
    assert [a.n_answers for a in service.assignments(project)] == [5]
    codeframes.undo(project, "lead")  # and so is the assignment
    assert service.assignments(project) == []
    with pytest.raises(ProjectError, match="no work assignment 99"):
        service.remove_assignment(project, 99, actor="lead")


def test_is_sample_and_is_assigned_list_what_the_coder_was_given(project: Project) -> None:
    sample = project.create_qa_sample(Q2, 0.2, ["alice", "bob"], seed=3, actor="lead")
    service.assign_range(project, Q2, "alice", 1, 10, actor="lead")
    in_sample = set(project.sample_answers(sample.id))
    work = set(listed(project)[:10])
    session = CodingSession(open_workspace(project, "alice"), Q2)
    assert session.filter_text("is:sample") == sorted(in_sample)
    assert session.filter_text("is:assigned") == sorted(in_sample | work)
    assert parse_filter("is:assigned is:uncoded").describe() == "is:uncoded is:assigned"
    # terms combine: text within what was given
    word = project.answer(min(in_sample)).text.split()[0].lower()
    assert set(session.filter_text(f"is:sample {word}")) <= in_sample
    carol = CodingSession(open_workspace(project, "carol"), Q2)
    with pytest.raises(FilterError, match="no answers of this question are given to you"):
        carol.filter_text("is:assigned")


def test_blind_mode_opens_on_the_assigned_answers_only(project: Project) -> None:
    project.create_qa_sample(Q2, 0.2, ["alice", "bob"], seed=3, actor="lead")
    alice = project.coder("alice")
    blind = CodingSession(open_workspace(project, "alice", blind=True), Q2)
    assert blind.query.assigned
    assert set(blind.answer_ids) == project.sample_answer_ids(alice.id, Q2)
    seeing = CodingSession(open_workspace(project, "alice"), Q2)  # not blind: everything
    assert len(seeing.answer_ids) == len(listed(project))
    nobody = CodingSession(open_workspace(project, "zoe", blind=True), Q2)  # nothing given
    assert len(nobody.answer_ids) == len(listed(project))
