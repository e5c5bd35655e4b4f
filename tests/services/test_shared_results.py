"""One answer per question, whoever asks: overview agreement, quotes preview, themes promoted."""

from __future__ import annotations

import pytest

from coder.core.agreement import compute_agreement
from coder.core.errors import ProjectError
from coder.core.themes.stored import StoredTheme, ThemeAssignment
from coder.services.codeframes import frame_from_themes
from coder.services.overview import question_rows
from coder.services.project import Project, acting_coder
from coder.services.qa import adjudicate_answer, question_agreement
from coder.services.quotes import list_quotes, preview_quotes, star_quote, toggle_star
from coder.services.reports import build_report
from coder.services.theme_edits import latest_themes, promote_themes
from tests.services.conftest import Q2, code_of


def _double_code(project: Project) -> list[int]:
    answers = [a.id for a in project.answers(Q2, substantive_only=True)[:24]]
    alice, bob = project.coder("alice"), project.coder("bob")
    numbers = (101, 102, 201, 202)
    for i, answer_id in enumerate(answers):
        mine = numbers[i % 4]
        theirs = mine if i % 3 else numbers[(i + 1) % 4]
        project.set_codes(answer_id, alice, [code_of(project, mine)])
        project.set_codes(answer_id, bob, [code_of(project, theirs)])
    return [d.answer_id for d in project.disagreements(Q2)]


def test_overview_agreement_is_the_qa_figure_and_ignores_the_adjudicated_layer(
        project: Project) -> None:
    queue = _double_code(project)
    for answer_id in queue[:5]:
        adjudicate_answer(project, answer_id, ["101"], "rita")
    row = next(r for r in question_rows(project, project.coder("rita").id)
               if r.question_id == Q2)
    qa = question_agreement(project, Q2).report
    humans = compute_agreement(project.coding_table(Q2, ["alice", "bob"]))
    assert row.agreement == qa.alpha_masi.value == humans.alpha_masi.value
    assert row.double_coded == qa.n_units == 24
    assert row.agreement_label == f"α={qa.alpha_masi.value:.3f} (n=24)"


def test_overview_shows_a_dash_until_two_answers_are_double_coded(project: Project) -> None:
    alice, bob = project.coder("alice"), project.coder("bob")
    first = project.answer_ids(Q2)[0]
    project.set_codes(first, alice, [code_of(project, 101)])
    project.set_codes(first, bob, [code_of(project, 101)])
    row = next(r for r in question_rows(project, alice.id) if r.question_id == Q2)
    assert row.agreement_label == "-" and row.coded_by_anyone == 1


def test_the_preview_is_the_reports_quotes_for_the_code(project: Project) -> None:
    alice = project.coder("alice")
    fees, disputes = code_of(project, 101), code_of(project, 102)
    answers = [a.id for a in project.answers(Q2, substantive_only=True)[:9]]
    for i, answer_id in enumerate(answers):
        project.set_codes(answer_id, alice, [fees, disputes] if i < 7 else [fees])
    star_quote(project, project.codeframe_for(Q2).code(disputes), answers[0], alice)
    star_quote(project, project.codeframe_for(Q2).code(fees), answers[0], alice)
    report = build_report(project, question_ids=[Q2])
    for theme in report.sections[0].themes:
        if not theme.row.is_net:
            shown = preview_quotes(project, Q2, theme.row.code_id)
            assert [q.text for q in shown] == [q.text for q in theme.quotes]
    printed = preview_quotes(project, Q2, disputes)
    assert printed and answers[0] not in {q.source for q in printed}  # quoted under 101


def test_a_quote_must_be_one_of_the_codes_answers(project: Project) -> None:
    alice = project.coder("alice")
    frame = project.codeframe_for(Q2)
    first, second = project.answer_ids(Q2)[:2]
    project.set_codes(first, alice, [code_of(project, 101)])
    with pytest.raises(ProjectError, match="not coded 101"):
        star_quote(project, frame.by_output_code(101), second, alice)
    assert toggle_star(project, frame.by_output_code(101), first, alice) is True
    listed = list_quotes(project, code_of(project, 101))
    assert [(q.answer_id, q.starred) for q in listed] == [(first, True)]
    assert listed[0].respondent == project.respondent(project.answer(first).respondent_id
                                                      ).external_id
    assert toggle_star(project, frame.by_output_code(101), first, alice) is False


def test_promoting_themes_drafts_the_codes_from_themes_drafts(project: Project) -> None:
    ids = [a.id for a in project.answers(Q2, substantive_only=True)]
    themes = [StoredTheme(0, 1, " placement costs ", ("cost", "fees"), 3, 0.6, tuple(ids[:3])),
              StoredTheme(0, 2, "", ("refuse", "history"), 2, 0.4, tuple(ids[3:5]))]
    project.save_theme_run(question_id=Q2, wave_id=None, coder="alice", model="test",
                           params={}, n_non_substantive=0, seconds=0.1, themes=themes,
                           assignments=[ThemeAssignment(a, 1 if i < 3 else 2, 0.9, None)
                                        for i, a in enumerate(ids[:5])])
    word = project.answer(ids[0]).raw_text.split()[0]
    project.set_setting("redaction", {"terms": [{"text": word, "placeholder": "[name]"}]},
                        "lead")
    found = latest_themes(project, Q2)
    promote_themes(project, Q2, list(found.themes), acting_coder(project, "alice").name)
    drafted = frame_from_themes(project, Q2, coder="alice")
    promoted = project.codeframe_for(Q2)
    for label in ("placement costs", "refuse, history"):
        (in_frame,) = promoted.by_label(label)
        (from_themes,) = drafted.by_label(label)
        assert (in_frame.definition, in_frame.examples) == (from_themes.definition,
                                                            from_themes.examples)
    assert promoted.by_label("placement costs")[0].examples[0].startswith("[name]")


def test_a_blind_coders_preview_is_the_report_of_their_own_codes(project: Project) -> None:
    alice, bob = project.coder("alice"), project.coder("bob")
    fees = code_of(project, 101)
    answers = [a.id for a in project.answers(Q2, substantive_only=True)[:8]]
    for answer_id in answers[:4]:
        project.set_codes(answer_id, alice, [fees])
    for answer_id in answers[4:]:
        project.set_codes(answer_id, bob, [fees])
    mine = preview_quotes(project, Q2, fees, only_coder="alice")
    report = build_report(project, question_ids=[Q2], layer="coder:alice")
    (theme,) = [t for t in report.sections[0].themes if t.row.code_id == fees]
    assert [q.text for q in mine] == [q.text for q in theme.quotes]
    assert {q.source for q in mine} <= set(answers[:4])
