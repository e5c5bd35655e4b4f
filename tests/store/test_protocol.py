"""Every store backend is a `ProjectStore`: the same members, and the same behaviour through it.

The tests take a new project from the `new_store` fixture, parametrised by backend
(`tests/store/conftest.py`), and use it only through the protocol, the way the services do.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from coder.core.codeframe.model import Code, Codeframe
from coder.core.codeframe.ops import plan_merge
from coder.core.coding.filters import AnswerFilter
from coder.core.errors import ProjectError
from coder.core.themes.stored import StoredTheme, ThemeAssignment
from coder.services.importing import import_survey
from coder.store import SQLiteStore
from coder.store import protocol as protocol_module
from coder.store.protocol import ProjectStore

NewStore = Callable[[], ProjectStore]
Q = "barriers"

CSV = """la_code,region,barriers
LA01,North,Fees at independent schools are far too high
LA02,South,No local school will take our children
LA03,North,Staff shortages in the school mean delays
LA04,London,Fees and transport costs add up
LA05,South,N/A
LA06,London,Fees at independent schools are far too high
"""


def _static_check(path: Path) -> None:
    """Never called: a type checker proves here that SQLiteStore implements the protocol
    (`coder/store/sqlite.py` holds the same line, checked with the package)."""
    _: ProjectStore = SQLiteStore.create(path)


def _code(cid: str, label: str, number: int) -> Code:
    return Code(id=cid, codeframe_id="f1", label=label, output_code=number)


FRAME = Codeframe("f1", "Barriers", (
    _code("fees", "High fees", 101),
    _code("local", "No local school", 102),
    _code("staff", "Staff", 103),
    _code("cost", "Cost", 104),
))


def _project(new_store: NewStore, tmp_path: Path) -> ProjectStore:
    store = new_store()
    survey = tmp_path / "survey.csv"
    survey.write_text(CSV, encoding="utf-8")
    import_survey(store, survey, wave="2025", coder="setup")
    store.add_codeframe(FRAME, "setup", questions=[Q])
    return store


def _ids(store: ProjectStore) -> list[int]:
    return [a.id for a in store.answers(Q)]


def _members() -> dict[str, object]:
    """Every member the protocol declares, by name, from each of its topic protocols."""
    found: dict[str, object] = {}
    for cls in ProjectStore.__mro__:
        if cls.__module__ != protocol_module.__name__:
            continue
        for name in getattr(cls, "__annotations__", {}):
            found.setdefault(name, None)
        for name, value in vars(cls).items():
            public = not name.startswith("_") or name in ("__enter__", "__exit__")
            if public and callable(value):
                found.setdefault(name, value)
    return found


def test_backend_has_every_member_of_the_protocol(new_store: NewStore) -> None:
    store = new_store()
    members = _members()
    assert {"apply_import", "set_codes", "apply_frame_plan", "save_theme_run", "adjudicate",
            "final_layer", "undo", "reopen", "path", "busy_wait"} <= set(members)
    for name, declared in members.items():
        assert hasattr(store, name), f"{type(store).__name__} lacks {name}"
        if declared is None:
            continue
        wanted = list(inspect.signature(declared).parameters.values())[1:]  # without self
        actual = list(inspect.signature(getattr(store, name)).parameters.values())
        assert [(p.name, p.kind) for p in actual] == [(p.name, p.kind) for p in wanted], name


def test_survey_import_and_reads(new_store: NewStore, tmp_path: Path) -> None:
    store = _project(new_store, tmp_path)
    assert [w.name for w in store.waves()] == ["2025"]
    assert store.wave_id("2025") == store.waves()[0].id
    assert [q.id for q in store.questions(open_only=True)] == [Q]
    answers = store.answers(Q)
    assert len(answers) == 6
    assert len(store.answers(Q, substantive_only=True)) == 5  # "N/A" is not substantive
    first = store.answer(answers[0].id)
    assert first.text.startswith("Fees at independent")
    assert store.respondent(first.respondent_id).attributes["region"] == "North"
    assert {r.external_id for r in store.respondents()} == {f"LA0{i}" for i in range(1, 7)}
    stats = {s.question.id: s for s in store.question_stats()}[Q]
    assert (stats.n_answers, stats.n_non_substantive, stats.n_duplicates) == (6, 1, 1)
    assert [t for _, t in store.answer_texts(Q)] == [a.text for a in answers]
    with pytest.raises(ProjectError):
        store.question("nope")

    # the same file again adds nothing, and says so
    _, again = import_survey(store, tmp_path / "survey.csv", wave="2025", coder="setup")
    assert (again.respondents_added, again.answers_added, again.answers_unchanged) == (0, 0, 6)


def test_codings_and_answer_lists(new_store: NewStore, tmp_path: Path) -> None:
    store = _project(new_store, tmp_path)
    a1, a2, a3, a4, a5, a6 = _ids(store)
    ann = store.coder("ann")
    assert store.coder("ann") == ann and ann in store.coders()

    assert store.set_codes(a1, ann, ["fees", "cost"])
    assert store.toggle_code(a2, ann, "local") is True
    assert store.change_codes(a4, ann, add=["fees"], remove=[])
    assert store.set_codes(a3, ann, [])  # coded: no code applies
    store.set_flag(a3, ann, True)
    store.set_memo(a2, ann, "ask about transport")

    assert sorted(store.codes_of(a1, ann.id)) == ["cost", "fees"]
    assert store.status(a2, ann.id)["memo"] == "ask about transport"
    assert store.coded_answer_ids(Q, ann.id) == {a1, a2, a3, a4}
    assert store.flagged_answer_ids(Q, ann.id) == {a3}
    assert store.coded_count(Q, ann.id) == 4
    assert store.coded_answers(Q) == {ann.id: {a1, a2, a3, a4}}
    assert store.answers_with_code("fees") == [a1, a4]
    assert {(c.answer_id, c.code_id) for c in store.codings(question_id=Q)} == {
        (a1, "fees"), (a1, "cost"), (a2, "local"), (a4, "fees")}
    assert sorted(c.code_id for c in store.codings_of_answer(a1)) == ["cost", "fees"]

    rows = store.answer_rows([a1, a2, a3, a6], ann.id)
    assert set(rows[a1].code_ids) == {"fees", "cost"} and rows[a1].coded
    assert rows[a2].has_memo and rows[a3].flagged and rows[a3].code_ids == ()
    assert not rows[a6].coded

    assert store.answer_ids(Q, ann.id, AnswerFilter(uncoded=True)) == [a5, a6]
    assert store.answer_ids(Q, ann.id, AnswerFilter(code_id="fees")) == [a1, a4]
    assert store.answer_ids(Q, ann.id, AnswerFilter(attribute=("region", "North"))) == [a1, a3]
    assert store.answer_ids(Q, ann.id, AnswerFilter(text="FEES")) == [a1, a4, a6]
    assert store.answer_ids(Q, ann.id, AnswerFilter(flagged=True)) == [a3]

    bob = store.coder("bob")
    changed = store.replace_codings([(a1, bob.id, ["fees"]), (a6, bob.id, ["fees"])], "bob",
                                    "import")
    assert changed == (2, 2, 0)
    assert store.replace_codings([(a1, bob.id, ["fees"])], "bob", "again") == (0, 0, 0)


def test_undo_redo_and_the_log(new_store: NewStore, tmp_path: Path) -> None:
    store = _project(new_store, tmp_path)
    a1 = _ids(store)[0]
    ann = store.coder("ann")
    store.set_codes(a1, ann, ["fees"])
    store.toggle_code(a1, ann, "staff")
    assert store.can_redo("ann") is None
    last = store.can_undo("ann")
    assert last is not None and last.summary.startswith("added code")

    undone = store.undo("ann")
    assert undone is not None and store.codes_of(a1, ann.id) == ["fees"]
    redone = store.redo("ann")
    assert redone is not None and redone.id == undone.id
    assert store.codes_of(a1, ann.id) == ["fees", "staff"]
    assert store.undo("ann") is not None and store.undo("ann") is not None
    assert store.codes_of(a1, ann.id) == [] and store.status(a1, ann.id)["coded_at"] is None
    assert store.undo("ann") is None  # only ann's own actions: setup's are not hers

    kinds = [(e.kind, e.action) for e in store.events(limit=3)]
    assert kinds == [("undo", "coding.set")] * 2 + [("redo", "coding.set")]
    assert store.events(action_prefix="survey.")[0].action == "survey.import"
    assert store.events(limit=1, with_changes=True)[0].changes


def test_codeframes_and_a_merge_that_carries_codings(new_store: NewStore,
                                                     tmp_path: Path) -> None:
    store = _project(new_store, tmp_path)
    a1, a2, *_ = _ids(store)
    ann, bob = store.coder("ann"), store.coder("bob")
    store.set_codes(a1, ann, ["fees", "cost"])
    store.set_codes(a2, bob, ["cost"])
    frame = store.codeframe_for(Q)
    assert frame is not None and frame.name == "Barriers"
    assert store.codeframe("Barriers") == frame == store.codeframe("f1")
    assert [f.id for f in store.codeframes()] == ["f1"]
    assert store.coding_counts("f1") == {"fees": 1, "cost": 2}

    moved = store.apply_frame_plan(plan_merge(frame, ["cost"], "fees"), "ann")
    assert moved == 2
    assert store.codes_of(a1, ann.id) == ["fees"]  # one coding where ann had both
    assert store.codes_of(a2, bob.id) == ["fees"]
    assert store.codeframe("f1").code("cost").merged_into == "fees"
    store.undo("ann")
    assert sorted(store.codes_of(a1, ann.id)) == ["cost", "fees"]
    assert store.codes_of(a2, bob.id) == ["cost"]
    with pytest.raises(ProjectError):
        store.add_codeframe(FRAME, "ann")  # already there


def test_embedding_cache_and_theme_runs(new_store: NewStore, tmp_path: Path) -> None:
    store = _project(new_store, tmp_path)
    vectors = {"k1": np.array([1.0, 0.5], dtype="<f4"), "k2": np.array([0.0, 2.0], dtype="<f4")}
    store.put_many("model", vectors)
    store.put_many("model", {"k1": np.array([3.0, 4.0], dtype="<f4")})  # replaced
    got = store.get_many("model", ["k1", "k2", "missing"])
    assert set(got) == {"k1", "k2"} and got["k1"].tolist() == [3.0, 4.0]
    assert store.get_many("other", ["k1"]) == {}

    a1, a2, a3, a4, _a5, a6 = _ids(store)
    run_id = store.save_theme_run(
        question_id=Q, wave_id=None, coder="ann", model="model", params={"seed": 1},
        n_non_substantive=1, seconds=0.5,
        themes=[StoredTheme(0, 0, "Fees", ("fees",), 3, 0.6, (a1, a4)),
                StoredTheme(0, 1, "Places", ("school",), 2, 0.4, (a2,))],
        assignments=[ThemeAssignment(a1, 0, 0.9, None), ThemeAssignment(a4, 0, 0.8, None),
                     ThemeAssignment(a6, 0, 0.9, None), ThemeAssignment(a2, 1, 0.7, None),
                     ThemeAssignment(a3, 1, 0.6, 0)])
    run = store.theme_run(run_id)
    assert (run.n_answers, run.n_themes, run.params) == (5, 2, {"seed": 1})
    assert store.latest_theme_run(Q) == run and store.theme_runs(Q) == [run]
    assert [t.label for t in store.themes(run_id)] == ["Fees", "Places"]
    assert store.answer_theme(a2, run_id) == 1

    ann = store.coder("ann")
    store.set_codes(a1, ann, ["fees"])
    store.set_codes(a4, ann, ["fees", "cost"])
    assert store.codes_in_theme(run_id, 0) == [("fees", 2), ("cost", 1)]

    store.rename_theme(run_id, 1, "No places", "ann")
    store.merge_themes(run_id, [1], 0, "ann")
    (merged,) = store.themes(run_id)
    assert (merged.label, merged.size) == ("Fees", 5)
    assert store.answer_theme(a2, run_id) == 0
    store.undo("ann")
    assert [t.label for t in store.themes(run_id)] == ["Fees", "No places"]


def test_qa_adjudication_and_the_final_layer(new_store: NewStore, tmp_path: Path) -> None:
    store = _project(new_store, tmp_path)
    a1, a2, a3, *_ = _ids(store)
    ann, bob = store.coder("ann"), store.coder("bob")
    for answer, ann_codes, bob_codes in ((a1, ["fees"], ["fees"]), (a2, ["local"], ["staff"]),
                                         (a3, ["staff"], [])):
        store.set_codes(answer, ann, ann_codes)
        store.set_codes(answer, bob, bob_codes)

    assert [c.name for c in store.agreement_coders(Q)] == ["ann", "bob"]
    table = store.coding_table(Q)
    assert table.coders == ("ann", "bob") and len(table.units) == 3
    queue = store.disagreements(Q)
    assert [d.answer_id for d in queue] == [a2, a3]
    assert queue[0].codes_by_coder == {"ann": ("local",), "bob": ("staff",)}

    store.adjudicate(a2, ["local"], "rita")
    final = store.final_layer(Q)
    assert final[a1].code_ids == {"fees"} and final[a1].status == "agreed"
    assert final[a2].code_ids == {"local"} and final[a2].status == "adjudicated"
    assert final[a3].status == "unresolved"
    assert [d.answer_id for d in store.disagreements(Q)] == [a3]
    assert store.stale_adjudications(Q) == []
    store.set_codes(a2, bob, ["local"])  # re-coded since the adjudication
    assert store.stale_adjudications(Q) == [a2]

    humans = [ann.id, bob.id]
    assert store.layer_codes(Q, humans)[a2] == {"local"}
    assert store.layer_coded_answers(Q, humans) == {a1, a2, a3}
    assert store.coded_answers_by_coder(Q)[ann.id] == 3
    idle = store.coder("zed")  # a coder who has coded nothing
    assert store.coders_who_coded([Q]) == set(store.coded_answers_by_coder(Q)) >= {ann.id, bob.id}
    assert idle.id not in store.coders_who_coded([Q, "nope"])
    assert store.coders_who_coded(["nope"]) == store.coders_who_coded([]) == set()


def test_starred_quotes_and_settings(new_store: NewStore, tmp_path: Path) -> None:
    store = _project(new_store, tmp_path)
    a1, a2, *_ = _ids(store)
    ann = store.coder("ann")
    assert store.star_quote("fees", a2, ann) and store.star_quote("fees", a1, ann)
    assert not store.star_quote("fees", a2, ann)  # already starred
    assert sorted(store.starred_quotes("fees")) == [a1, a2]
    assert {k: sorted(v) for k, v in store.starred_answers(Q).items()} == {"fees": [a1, a2]}
    assert store.unstar_quote("fees", a2, ann) and not store.unstar_quote("fees", a2, ann)
    with pytest.raises(ProjectError):
        store.star_quote("nope", a1, ann)
    assert store.setting("absent", 7) == 7


def test_sessions_and_a_second_connection(new_store: NewStore, tmp_path: Path) -> None:
    store = _project(new_store, tmp_path)
    a1 = _ids(store)[0]
    session = store.start_session("ann", label="app")
    assert store.start_session("ann") == session
    store.heartbeat()
    ann = store.coder("ann")
    store.set_codes(a1, ann, ["fees"])

    with store.reopen() as other:  # e.g. a worker thread's connection, same window
        assert other.codes_of(a1, ann.id) == ["fees"]
        other.set_codes(a1, ann, ["staff"])
    assert store.codes_of(a1, ann.id) == ["staff"]
    assert store.undo("ann") is not None  # the same window's history
    assert store.codes_of(a1, ann.id) == ["fees"]
    store.end_sessions()
    assert store.path.name and store.upgrade is None and store.busy_wait > 0


def test_codings_import_is_one_action_undone_exactly(new_store: NewStore, tmp_path: Path) -> None:
    store = _project(new_store, tmp_path)
    a1, a2, a3, a4, _a5, a6 = _ids(store)
    ann, bob = store.coder("ann"), store.coder("bob")
    store.set_codes(a1, ann, ["fees", "cost"])  # to be replaced
    store.set_codes(a2, ann, ["local"])  # unchanged by the import
    store.set_memo(a3, ann, "unsure")  # a status without a coding decision yet

    def state() -> tuple[object, ...]:
        return (sorted((c.answer_id, c.code_id, c.coder_id, c.created_at)
                       for c in store.codings(question_id=Q)),
                [store.status(a, c) for a in (a1, a2, a3, a4, a6) for c in (ann.id, bob.id)])

    before = state()
    counts = store.replace_codings(
        [(a1, ann.id, ["fees", "staff"]), (a2, ann.id, ["local"]), (a3, ann.id, []),
         (a4, bob.id, ["cost"]), (a6, bob.id, ["fees", "fees"])], "lead", "import codings")
    assert counts == (4, 3, 1)  # a2 untouched; a1 +staff -cost; a3 no code; a4, a6 new
    assert sorted(store.codes_of(a1, ann.id)) == ["fees", "staff"]
    assert store.status(a3, ann.id)["coded_at"] and store.status(a3, ann.id)["memo"] == "unsure"
    assert store.codes_of(a6, bob.id) == ["fees"]
    after = state()
    (event,) = store.events(limit=1)
    assert event.action == "coding.import" and event.summary == "import codings"

    assert store.undo("lead") is not None and state() == before
    assert store.redo("lead") is not None and state() == after
    # the same answer of the same coder twice: each decision sees the one before it
    assert store.replace_codings([(a4, bob.id, ["staff"]), (a4, bob.id, ["local"])], "lead",
                                 "twice") == (2, 2, 2)
    assert store.codes_of(a4, bob.id) == ["local"]
