"""Large codeframe edits hold the write lock only to write: reads and planning happen before."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from coder.core.codeframe.model import Code, Codeframe
from coder.core.errors import ProjectError
from coder.services import codeframes as service
from coder.services.importing import import_survey
from coder.store import SQLiteStore, create_project, open_project
from tests.conftest import WriteLock

LockFactory = Callable[[Path], WriteLock]
N = 60


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """N answers; code A on the first two thirds, code B on the last half (overlapping)."""
    survey = tmp_path / "survey.csv"
    survey.write_text("id,q1\n" + "".join(f"R{i},answer {i} about fees\n" for i in range(N)),
                      encoding="utf-8")
    path = tmp_path / "p.coder"
    with create_project(path) as store:
        import_survey(store, survey, wave="1", id_column="id", open_columns=["q1"])
        codes = (Code("a", "f", "Fees", 101), Code("b", "f", "Cost", 102, position=1))
        store.add_codeframe(Codeframe("f", "frame", codes), "lead", questions=["q1"])
        ann = store.coder("ann")
        ids = store.answer_ids("q1")
        for i, answer in enumerate(ids):
            wanted = (["a"] if i < 2 * N // 3 else []) + (["b"] if i >= N // 2 else [])
            store.set_codes(answer, ann, wanted)
    return path


def coded(store: SQLiteStore, code: str) -> set[int]:
    return {c.answer_id for c in store.codings(code_ids=[code])}


def test_a_merge_reads_nothing_of_the_codings_while_it_holds_the_lock(project: Path) -> None:
    with open_project(project) as store:
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        change = service.merge_codes(store, ["101"], "102", coder="ann")
        store.conn.set_trace_callback(None)
        begin, commit = statements.index("BEGIN IMMEDIATE"), statements.index("COMMIT")
        planning, locked = statements[:begin], statements[begin:commit]
        assert any("FROM codings" in s for s in planning)
        assert [s for s in locked if s.lstrip().upper().startswith("SELECT") and "codings" in s] \
            == []
        assert change.codings_moved == 2 * N // 3
        assert coded(store, "a") == set() and len(coded(store, "b")) == N


def test_a_merge_planned_before_another_write_is_planned_again_under_the_lock(
        project: Path, write_lock: LockFactory) -> None:
    with open_project(project) as store:
        ann = store.coder("ann")
        late = store.answer_ids("q1")[-1]  # coded B only, so far
        before = coded(store, "a") | {late}
        other = write_lock(project)  # a colleague codes A on one more answer meanwhile
        other.write("INSERT INTO codings (answer_id, code_id, coder_id, created_at)"
                    " VALUES (?, 'a', ?, '2025-01-01T00:00:00Z')", (late, ann.id))
        other.release_after(0.5)
        store.busy_wait = 10.0
        change = service.merge_codes(store, ["101"], "102", coder="ann")
        assert change.codings_moved == 2 * N // 3 + 1
        assert coded(store, "a") == set()  # nothing left behind on the retired code
        assert len(coded(store, "b")) == N
        service.undo(store, "ann")
        assert coded(store, "a") == before


def test_an_undo_reads_and_checks_its_rows_before_it_takes_the_lock(project: Path) -> None:
    with open_project(project) as store:
        before = coded(store, "a"), coded(store, "b")
        service.merge_codes(store, ["101"], "102", coder="ann")
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        assert service.undo(store, "ann") is not None
        store.conn.set_trace_callback(None)
        begin = len(statements) - 1 - statements[::-1].index("BEGIN IMMEDIATE")
        commit = statements.index("COMMIT", begin)
        planning, locked = statements[:begin], statements[begin:commit]
        assert any("FROM json_each" in s and "codings" in s for s in planning)
        assert [s for s in locked if s.lstrip().upper().startswith("SELECT") and "codings" in s] \
            == []
        assert (coded(store, "a"), coded(store, "b")) == before
        assert service.redo(store, "ann") is not None
        assert coded(store, "a") == set() and len(coded(store, "b")) == N


def test_an_undo_planned_before_a_conflicting_write_is_refused_under_the_lock(
        project: Path, write_lock: LockFactory) -> None:
    with open_project(project) as store:
        service.merge_codes(store, ["101"], "102", coder="ann")
        merged = coded(store, "a"), coded(store, "b")
        first = store.answer_ids("q1")[0]  # coded A, now B: undo would take its B away
        other = write_lock(project)  # a colleague un-codes it meanwhile
        other.write("DELETE FROM codings WHERE answer_id = ? AND code_id = 'b'", (first,))
        other.release_after(0.5)
        store.busy_wait = 10.0
        with pytest.raises(ProjectError, match="changed by a later action"):
            service.undo(store, "ann")
        assert coded(store, "a") == merged[0]  # nothing of the merge was undone
        assert coded(store, "b") == merged[1] - {first}
        assert store.can_undo("ann") is not None and store.can_undo("ann").action \
            == "codeframe.merge"


def test_an_undo_a_later_action_blocks_is_refused_without_waiting_for_the_lock(
        project: Path, write_lock: LockFactory) -> None:
    with open_project(project) as store:
        ann, last = store.coder("ann"), store.answer_ids("q1")[-1]  # coded B
        store.set_codes(last, ann, ["a", "b"])
        service.merge_codes(store, ["101"], "102", coder="lead")  # takes ann's A away again
        other = write_lock(project)  # someone is busy with a long action
        store.busy_wait = 5.0
        started = time.monotonic()
        with pytest.raises(ProjectError, match="changed by a later action"):
            store.undo("ann")
        assert time.monotonic() - started < 2.0
        other.release()
