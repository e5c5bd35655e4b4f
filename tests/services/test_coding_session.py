"""CodingSession without the app: what a coder's keys save, which answers are listed, what the
current answer shows and suggests, and catching up after undo."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.core.coding.filters import FilterError, parse_filter
from coder.core.embedding import HashingEmbedder
from coder.core.themes.stored import StoredTheme, ThemeAssignment
from coder.services.codeframes import undo
from coder.services.coding import CodingSession, text_index_at
from coder.services.project import Project, Workspace
from coder.services.suggestions import build_suggestions, training_codings
from tests.services.conftest import Q2, code_of


def save(session: CodingSession, change: object) -> object:
    """Save a change as the app does when the project is free, and report it to the session."""
    assert change is not None
    result = change.apply(session.project)  # type: ignore[attr-defined]
    session.saved([change.answer_id])  # type: ignore[attr-defined]
    return result


def test_key_3_on_the_fifth_answer_saves_201_for_alice_on_that_answer(
        workspace: Workspace) -> None:
    session = CodingSession(workspace, Q2)
    project = workspace.project
    fifth = session.answer_ids[4]
    session.move_to(4)
    code = session.code_for_key("3")
    assert code is not None and code.output_code == 201
    assert save(session, session.toggle(code)) is True
    assert project.codes_of(fifth, workspace.coder.id) == [code_of(project, 201)]
    assert [c.answer_id for c in project.codings(question_id=Q2)] == [fifth]
    assert session.coded_count == 1 and session.is_coded(fifth)
    assert save(session, session.toggle(code)) is False  # the same key again removes it
    assert project.codes_of(fifth, workspace.coder.id) == []


def test_the_list_is_every_non_blank_answer_in_import_order(workspace: Workspace) -> None:
    session = CodingSession(workspace, Q2)
    expected = [a.id for a in workspace.project.answers(Q2) if not a.is_blank]
    assert session.answer_ids == expected and session.total == len(expected)
    assert session.current_id == expected[0]


def test_uncoded_only_follows_coding_without_a_new_query(workspace: Workspace) -> None:
    session = CodingSession(workspace, Q2)
    everything = list(session.answer_ids)
    assert session.toggle_filter("uncoded") == everything
    fees = session.code_for_key("1")
    assert fees is not None
    for _ in range(2):
        save(session, session.toggle(fees))  # codes the current answer; the list stays put
        session.move_by(1)
    coded = set(everything[:2])
    assert session.toggle_filter("uncoded") == everything  # off
    assert session.toggle_filter("uncoded") == [a for a in everything if a not in coded]
    project, me = workspace.project, workspace.coder
    assert session.answer_ids == project.answer_ids(
        Q2, me.id, parse_filter("is:uncoded").to_answer_filter(session.frame, None))


@pytest.mark.parametrize("typed", ["fees", "FEES is:uncoded", "is:flagged", "code:102",
                                   'region="North"', "code:'High school fees' cost"])
def test_typed_filters_list_what_the_store_lists_with_and_without_the_text_index(
        workspace: Workspace, project_path: Path, typed: str) -> None:
    project, me = workspace.project, workspace.coder
    ids = project.answer_ids(Q2)
    alice = me
    for answer_id in ids[:12:3]:
        project.set_codes(answer_id, alice, [code_of(project, 102), code_of(project, 101)])
    project.set_flag(ids[5], alice, True)
    from_store = project.answer_ids(
        Q2, me.id, parse_filter(typed).to_answer_filter(project.codeframe_for(Q2), None))
    session = CodingSession(workspace, Q2)
    assert session.filter_text(typed) == from_store
    session.text_index = text_index_at(project_path, Q2)
    assert session.filter_text(typed) == from_store
    assert session.query.describe() == parse_filter(typed).describe()


def test_a_filter_naming_an_unknown_code_or_theme_is_refused_and_the_list_kept(
        workspace: Workspace) -> None:
    session = CodingSession(workspace, Q2)
    listed = list(session.filter_text("fees"))
    with pytest.raises(FilterError, match="no code"):
        session.filter_text("code:555")
    with pytest.raises(FilterError, match="run theme discovery"):
        session.filter_text("theme:1")
    assert session.answer_ids == listed and session.query.text == "fees"


def test_next_uncoded_wraps_round_and_says_when_every_answer_is_coded(
        workspace: Workspace) -> None:
    project, me = workspace.project, workspace.coder
    session = CodingSession(workspace, Q2)
    ids = list(session.filter_text("fees"))
    for answer_id in ids[1:]:
        project.set_codes(answer_id, me, [code_of(project, 101)])
    session.load()
    session.move_to(2)
    assert session.next_uncoded() == ids[0] and session.cursor == 0
    project.set_codes(ids[0], me, [])
    session.saved([ids[0]])
    assert session.next_uncoded() is None


def test_memo_flag_and_no_code_apply_to_the_current_answer(workspace: Workspace) -> None:
    project, me = workspace.project, workspace.coder
    session = CodingSession(workspace, Q2)
    first, second = session.answer_ids[:2]
    save(session, session.write_memo("  check wording "))
    save(session, session.flip_flag())
    session.move_by(1)
    save(session, session.no_code())
    assert project.status(first, me.id) == {"coded_at": None, "memo": "check wording",
                                            "flagged": True}
    assert project.status(second, me.id)["coded_at"] is not None
    assert project.codes_of(second, me.id) == []
    assert session.filter_text("is:flagged") == [first]
    session.move_to(0)
    save(session, session.flip_flag())
    assert project.status(first, me.id)["flagged"] is False


def _theme_run(project: Project) -> list[int]:
    ids = project.answer_ids(Q2)
    themes = [StoredTheme(0, 1, "placement costs", ("cost", "fees"), 4, 0.6, (ids[0],)),
              StoredTheme(0, 2, "Disputes over who pays", ("pays",), 2, 0.4, (ids[4],))]
    assignments = [ThemeAssignment(ids[i], 1 if i < 4 else 2, 0.9, None) for i in range(6)]
    project.save_theme_run(question_id=Q2, wave_id=None, coder="alice", model="test", params={},
                           n_non_substantive=0, seconds=0.1, themes=themes,
                           assignments=assignments)
    return ids


def _learning(session: CodingSession) -> CodingSession:
    """Give the session learned suggestions, as the app's worker does once they are built."""
    session.use_suggestions(build_suggestions(
        session.project, Q2, session.frame, embedder=HashingEmbedder(),
        only_coder=session.coder.id if session.workspace.blind else None))
    return session


def _answer_with_text(project: Project, text: str) -> list[int]:
    return [a.id for a in project.answers(Q2) if a.text.casefold() == text.casefold()]


def test_the_answer_shows_its_theme_and_learned_suggestions_and_a_accepts_the_first(
        workspace: Workspace) -> None:
    project = workspace.project
    ids = _theme_run(project)
    session = _learning(CodingSession(workspace, Q2))
    view = session.detail()
    assert view is not None and view.answer_id == ids[0]
    assert view.theme == "placement costs"
    # Before anything is coded the codes' own words suggest: three, each with a confidence.
    assert len(view.suggestions) == 3 and all(s.endswith("%") for s in view.suggestions)
    first = session.suggested[0]
    save(session, session.accept_suggestion())
    assert project.codes_of(ids[0], workspace.coder.id) == [first.id]
    after = session.detail()
    assert after is not None and first.id not in {c.id for c in session.suggested}
    save(session, session.accept_suggestion(2))  # the third suggestion, by its rank
    assert len(project.codes_of(ids[0], workspace.coder.id)) == 2
    assert session.accept_suggestion(7) is None


def test_suggestions_update_after_every_coding_and_a_duplicate_takes_its_twins_codes(
        workspace: Workspace) -> None:
    project, me = workspace.project, workspace.coder
    twins = _answer_with_text(project, "Schools saying no")
    assert len(twins) == 3
    session = _learning(CodingSession(workspace, Q2))
    quality = project.codeframe_for(Q2).by_output_code(303)  # type: ignore[union-attr]
    assert quality is not None
    session.move_to(session.answer_ids.index(twins[1]))
    session.detail()
    assert quality not in session.suggested[:1]
    session.move_to(session.answer_ids.index(twins[0]))
    save(session, session.toggle(quality))  # a deliberately odd code for "Schools saying no"
    assert project.codes_of(twins[0], me.id) == [quality.id]
    session.move_to(session.answer_ids.index(twins[1]))
    session.detail()
    assert session.suggested[0] == quality  # learned from the one coding, no refit needed
    assert session.confidence[0] > session.confidence[1]


def test_blind_mode_neither_shows_nor_suggests_from_other_coders_codes(
        project: Project) -> None:
    from coder.services.project import open_workspace

    ids = _theme_run(project)
    bob = project.coder("bob")
    project.set_codes(ids[0], bob, [code_of(project, 303)])
    project.set_codes(ids[1], bob, [code_of(project, 101)])
    seen = CodingSession(open_workspace(project, "alice"), Q2).detail()
    assert seen is not None and seen.other_codes == {"bob": ["303 Quality and oversight concerns"]}
    assert training_codings(project, Q2) == {ids[0]: {code_of(project, 303)},
                                             ids[1]: {code_of(project, 101)}}
    blind = _learning(CodingSession(open_workspace(project, "carol", blind=True), Q2))
    view = blind.detail()
    assert view is not None and view.blind and view.other_codes == {}
    assert blind.suggestions is not None and blind.suggestions.trained == {}
    assert blind.filter_text("code:303") == []


def test_after_an_undo_the_session_rereads_the_answer_and_makes_it_current(
        workspace: Workspace) -> None:
    project, me = workspace.project, workspace.coder
    session = CodingSession(workspace, Q2)
    session.move_to(3)
    answer = session.current_id
    save(session, session.toggle(session.code_for_key("2")))  # type: ignore[arg-type]
    session.move_to(0)
    event = undo(project, me.name)
    assert event is not None
    assert session.changed(event) == {answer}
    assert session.current_id == answer and session.coded_count == 0
    assert project.codes_of(answer, me.id) == []  # type: ignore[arg-type]
    assert session.changed(None) is None  # anything may have changed: everything re-read
