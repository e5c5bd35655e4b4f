"""The coding actions the CLI and the app share: finding a respondent's answer, naming codes,
applying and removing them as one undoable action each."""

from __future__ import annotations

import pytest

from coder.core.errors import NotInProject, ProjectError, Remedy
from coder.services.codeframes import retire_code, undo
from coder.services.coding import (
    apply_codes,
    codes_on,
    find_answer,
    question_codes,
    record_no_code,
    remove_codes,
    set_flag,
)
from coder.services.importing import import_survey
from coder.services.project import Project, acting_coder
from tests.services.conftest import DEMO_CSV, Q2, code_of


def test_a_respondent_is_found_by_the_id_in_the_survey_file(project: Project) -> None:
    answer = find_answer(project, Q2, "LA017")
    respondent = project.respondent(answer.respondent_id)
    assert respondent.external_id == "LA017" and answer.question_id == Q2


def test_unknown_respondents_blank_answers_and_unknown_questions_are_refused(
        project: Project) -> None:
    with pytest.raises(NotInProject, match='no respondent "LA999"'):
        find_answer(project, Q2, "LA999")
    blank = next(a for a in project.answers(Q2) if a.is_blank)
    who = project.respondent(blank.respondent_id).external_id
    with pytest.raises(ProjectError, match="blank"):
        find_answer(project, Q2, who)
    with pytest.raises(ProjectError, match='no question "q99"'):
        find_answer(project, "q99", "LA017")
    assert NotInProject.exit_code == 2 and ProjectError.exit_code == 3


def test_a_respondent_in_two_waves_needs_the_wave(project: Project, tmp_path: object) -> None:
    import_survey(project, DEMO_CSV, wave="2026", coder="setup")
    with pytest.raises(NotInProject, match="choose the wave") as err:
        find_answer(project, Q2, "LA017")
    assert err.value.remedy == Remedy(option="wave")
    later = find_answer(project, Q2, "LA017", wave="2026")
    assert later.wave_id == project.wave_id("2026")


def test_codes_are_named_by_number_label_path_or_key_and_nets_are_refused(
        project: Project) -> None:
    fees = code_of(project, 101)
    for ref in ("101", "high school fees", "Cost and funding > High school fees",
                "101 High school fees", fees):
        assert [c.id for c in question_codes(project, Q2, [ref])] == [fees]
    with pytest.raises(NotInProject, match="is a net"):
        question_codes(project, Q2, ["100"])
    with pytest.raises(NotInProject, match='did you mean "High school fees"'):
        question_codes(project, Q2, ["High school fee"])


def test_a_retired_code_cannot_be_applied_but_can_be_removed(project: Project) -> None:
    retire_code(project, "102", coder="lead", frame=project.codeframe_for(Q2))
    with pytest.raises(ProjectError, match="retired"):
        question_codes(project, Q2, ["102"])
    assert [c.output_code for c in question_codes(project, Q2, ["102"], in_use=False)] == [102]


def test_apply_keeps_the_coders_other_codes_and_each_change_is_one_undoable_action(
        project: Project) -> None:
    ann = acting_coder(project, "ann")
    answer = find_answer(project, Q2, "LA017").id
    apply_codes(project, answer, ann, [code_of(project, 201)])
    apply_codes(project, answer, ann, [code_of(project, 101), code_of(project, 201)])
    assert {c.output_code for c in codes_on(project, answer, ann)} == {201, 101}
    remove_codes(project, answer, ann, [code_of(project, 201)])
    assert [c.output_code for c in codes_on(project, answer, ann)] == [101]
    events = project.events(action_prefix="coding.")
    assert [e.summary for e in reversed(events)] == [
        f"added 201 No suitable local schools on answer {answer}",
        f"added 101 High school fees, 201 No suitable local schools on answer {answer}",
        f"removed 201 No suitable local schools on answer {answer}"]
    undo(project, "ann")
    assert {c.output_code for c in codes_on(project, answer, ann)} == {201, 101}


def test_no_code_and_flag(project: Project) -> None:
    ann = acting_coder(project, "ann")
    answer = find_answer(project, Q2, "LA017").id
    apply_codes(project, answer, ann, [code_of(project, 201)])
    record_no_code(project, answer, ann)
    assert codes_on(project, answer, ann) == []
    assert project.status(answer, ann.id)["coded_at"] is not None
    assert set_flag(project, answer, ann) is True
    assert set_flag(project, answer, ann) is False
    assert set_flag(project, answer, ann, True) is True


def test_the_adjudicated_layer_is_not_a_coder_name(project: Project) -> None:
    with pytest.raises(ProjectError, match="adjudicated layer"):
        acting_coder(project, "adjudicated")
