"""The adjudicated layer: the queue, adjudication, staleness, and reports reading it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from coder.core.codeframe.files import load_codeframe
from coder.core.errors import ProjectError
from coder.core.types import CoderKind
from coder.services.importing import import_survey
from coder.services.qa import adjudicate_answer
from coder.services.reports import build_report, resolve_layer
from coder.store import SQLiteStore, create_project

REPO = Path(__file__).resolve().parents[2]
DEMO_CSV = REPO / "data" / "demo_survey.csv"
Q2_FRAME = REPO / "codeframes" / "q2_barriers.yaml"
Q2 = "q2_barriers"


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("adjudication") / "template.coder"
    with create_project(path) as store:
        import_survey(store, DEMO_CSV, wave="2025", coder="setup")
        store.add_codeframe(load_codeframe(Q2_FRAME), "setup", questions=[Q2])
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def demo(demo_template: Path, copy_of: Callable[[Path], SQLiteStore]
         ) -> SQLiteStore:
    """The demo survey with the Q2 codeframe, in a fresh project on each backend."""
    return copy_of(demo_template)


def ids(store: SQLiteStore, *output_codes: int) -> list[str]:
    frame = store.codeframe_for(Q2)
    assert frame is not None
    found = [frame.by_output_code(n) for n in output_codes]
    return [c.id for c in found if c is not None]


@pytest.fixture
def double_coded(demo: SQLiteStore) -> tuple[SQLiteStore, list[int]]:
    """Five answers coded by alice and bob: 0 agree, 1-3 disagree, 4 coded by alice only."""
    answers = [a.id for a in demo.answers(Q2, substantive_only=True)[:5]]
    alice, bob = demo.coder("alice"), demo.coder("bob")
    plan = [((101,), (101,)), ((101,), (102,)), ((201, 301), (201,)), ((), (304,))]
    for answer_id, (mine, theirs) in zip(answers, plan, strict=False):
        demo.set_codes(answer_id, alice, ids(demo, *mine))
        demo.set_codes(answer_id, bob, ids(demo, *theirs))
    demo.set_codes(answers[4], alice, ids(demo, 202))
    return demo, answers


def test_queue_lists_answers_whose_coders_differ_with_each_coders_codes(
        double_coded: tuple[SQLiteStore, list[int]]) -> None:
    store, answers = double_coded
    queue = store.disagreements(Q2)
    assert [d.answer_id for d in queue] == answers[1:4]
    third = queue[1]
    assert third.codes_by_coder == {"alice": tuple(ids(store, 201, 301)),
                                    "bob": tuple(ids(store, 201))}
    assert third.differs_on(ids(store, 301)[0]) and not third.differs_on(ids(store, 201)[0])
    assert queue[2].codes_by_coder["alice"] == ()  # coded with no code, not missing
    assert all(d.adjudicated is None and not d.stale for d in queue)


def test_adjudication_writes_the_layer_status_and_log_and_leaves_the_queue(
        double_coded: tuple[SQLiteStore, list[int]]) -> None:
    store, answers = double_coded
    target = answers[1]
    adjudicate_answer(store, target, ["102"], "rita")
    layer = store.coder("adjudicated", create=False)
    assert layer.kind == CoderKind.ADJUDICATED
    assert store.codes_of(target, layer.id) == ids(store, 102)
    assert store.status(target, layer.id)["coded_at"] is not None
    row = store.conn.execute("SELECT reviewer, at FROM adjudications WHERE answer_id = ?",
                             (target,)).fetchone()
    assert row[0] == "rita"
    event = store.events(limit=1, with_changes=True)[0]
    assert (event.action, event.coder, event.details["answer_id"]) == ("qa.adjudicate", "rita",
                                                                       target)
    assert {c["table"] for c in event.changes} == {"codings", "answer_status", "adjudications"}
    assert target not in [d.answer_id for d in store.disagreements(Q2)]
    settled = store.disagreements(Q2, include_settled=True)
    assert [d.adjudicated for d in settled if d.answer_id == target] == [tuple(ids(store, 102))]
    # the coders' own codings are untouched
    assert store.codes_of(target, store.coder("alice").id) == ids(store, 101)


def test_adjudication_is_undoable_by_the_reviewer(
        double_coded: tuple[SQLiteStore, list[int]]) -> None:
    store, answers = double_coded
    store.adjudicate(answers[2], ids(store, 201), "rita")
    store.undo("rita")
    assert store.adjudication(answers[2]) is None
    assert answers[2] in [d.answer_id for d in store.disagreements(Q2)]


def test_adjudicating_with_no_code_is_a_decision(
        double_coded: tuple[SQLiteStore, list[int]]) -> None:
    store, answers = double_coded
    store.adjudicate(answers[3], [], "rita")
    found = store.adjudication(answers[3])
    assert found is not None and found.code_ids == () and not found.stale
    layer = store.coder("adjudicated", create=False)
    assert answers[3] in store.layer_coded_answers(Q2, [layer.id])


def test_recoding_after_adjudication_flags_it_stale_and_undo_clears_it(
        double_coded: tuple[SQLiteStore, list[int]]) -> None:
    store, answers = double_coded
    target = answers[1]
    store.adjudicate(target, ids(store, 102), "rita")
    assert store.stale_adjudications(Q2) == []
    store.set_codes(target, store.coder("bob"), ids(store, 102, 201))  # bob re-codes
    assert store.stale_adjudications(Q2) == [target]
    found = store.adjudication(target)
    assert found is not None and found.stale
    queued = [d for d in store.disagreements(Q2) if d.answer_id == target]
    assert len(queued) == 1 and queued[0].stale and queued[0].adjudicated == tuple(ids(store, 102))
    store.undo("bob")
    assert store.stale_adjudications(Q2) == []
    store.adjudicate(target, ids(store, 102), "rita")  # re-adjudicating settles it
    assert store.stale_adjudications(Q2) == []


def test_a_new_coder_coding_an_adjudicated_answer_makes_it_stale(
        double_coded: tuple[SQLiteStore, list[int]]) -> None:
    store, answers = double_coded
    store.adjudicate(answers[0], ids(store, 101), "rita")
    store.set_codes(answers[0], store.coder("carol"), ids(store, 101))
    assert store.stale_adjudications(Q2) == [answers[0]]


def test_memos_and_flags_do_not_make_an_adjudication_stale(
        double_coded: tuple[SQLiteStore, list[int]]) -> None:
    store, answers = double_coded
    store.adjudicate(answers[1], ids(store, 101), "rita")
    store.set_memo(answers[1], store.coder("alice"), "unsure")
    store.set_flag(answers[1], store.coder("bob"), True)
    assert store.stale_adjudications(Q2) == []


def test_adjudication_refuses_codes_outside_the_frame_and_nets(
        double_coded: tuple[SQLiteStore, list[int]]) -> None:
    store, answers = double_coded
    with pytest.raises(ProjectError):
        store.adjudicate(answers[1], ["not-a-code"], "rita")
    with pytest.raises(ProjectError, match="net"):
        adjudicate_answer(store, answers[1], ["100"], "rita")
    with pytest.raises(ProjectError):
        adjudicate_answer(store, answers[1], ["999999"], "rita")
    assert store.adjudication(answers[1]) is None


def test_codes_by_label_or_number(double_coded: tuple[SQLiteStore, list[int]]) -> None:
    store, answers = double_coded
    chosen = adjudicate_answer(store, answers[2], ["201", "ehcp process delays"], "rita")
    assert chosen == ids(store, 201, 301)


def test_sample_queue_compares_the_sample_coders_on_its_answers(demo: SQLiteStore) -> None:
    sample = demo.create_qa_sample(Q2, 0.1, ["alice", "bob"], seed=2)
    inside = demo.sample_answers(sample.id)
    outside = next(a.id for a in demo.answers(Q2, substantive_only=True) if a.id not in inside)
    alice, bob, carol = demo.coder("alice"), demo.coder("bob"), demo.coder("carol")
    for answer_id in (inside[0], outside):
        demo.set_codes(answer_id, alice, ids(demo, 101))
        demo.set_codes(answer_id, bob, ids(demo, 102))
    demo.set_codes(inside[1], alice, ids(demo, 101))
    demo.set_codes(inside[1], carol, ids(demo, 102))  # carol is not in the sample
    assert [d.answer_id for d in demo.disagreements(Q2, sample.id)] == [inside[0]]


# -- reports ---------------------------------------------------------------------------------


def _counts(store: SQLiteStore, layer: str | None = None) -> dict[int, int]:
    report = build_report(store, question_ids=[Q2], layer=layer, quotes_per_code=0)
    table = report.sections[0].table
    return {row.output_code: row.n for row in table.rows if not row.is_net}


def _base(store: SQLiteStore, layer: str | None = None) -> tuple[int, int]:
    base = build_report(store, question_ids=[Q2], layer=layer,
                        quotes_per_code=0).sections[0].table.base
    return base.unresolved, base.stale


def test_reports_read_the_final_layer(double_coded: tuple[SQLiteStore, list[int]]) -> None:
    store, answers = double_coded
    # Nothing adjudicated: answer 0 agreed (101), answer 4 single coder (202); 1-3 unresolved.
    assert resolve_layer(store, None, [Q2]).name == "final"
    counts = _counts(store)
    assert (counts[101], counts[202], counts[102], counts[201], counts[304]) == (1, 1, 0, 0, 0)
    assert _base(store) == (3, 0)
    store.adjudicate(answers[1], ids(store, 102), "rita")
    store.adjudicate(answers[2], ids(store, 201, 301), "rita")
    report = build_report(store, question_ids=[Q2], quotes_per_code=0)
    assert report.layer.startswith("final codes")
    counts = _counts(store)
    # the reviewer's decisions count, not the coders': alice put 101 and 201+301, bob 102 and 201
    assert (counts[101], counts[102], counts[201], counts[301], counts[202], counts[304]) == (
        1, 1, 1, 1, 1, 0)
    assert _base(store) == (1, 0)
    # only the adjudicated answers, on request
    only = _counts(store, "adjudicated")
    assert (only[101], only[102], only[201], only[301], only[202]) == (0, 1, 1, 1, 0)
    assert (_counts(store, "coder:alice")[102], _counts(store, "coder:bob")[301]) == (0, 0)
    # bob re-codes an adjudicated answer: the adjudication still counts, flagged stale
    store.set_codes(answers[1], store.coder("bob"), ids(store, 101))
    assert _base(store) == (1, 1) and _counts(store)[102] == 1


def test_reports_fall_back_when_adjudications_are_undone(
        double_coded: tuple[SQLiteStore, list[int]]) -> None:
    store, answers = double_coded
    store.adjudicate(answers[1], ids(store, 102), "rita")
    assert _base(store) == (2, 0)
    store.undo("rita")
    assert _base(store) == (3, 0) and _counts(store)[102] == 0
    with pytest.raises(ProjectError, match="nothing has been adjudicated"):
        build_report(store, question_ids=[Q2], layer="adjudicated", quotes_per_code=0)
