"""Several processes coding one project at once: every acknowledged coding is there, the counts
are exact, and a coder first seen by two processes at the same moment is one coder (on a file
and on a server)."""

from __future__ import annotations

import multiprocessing as mp
import queue
import time
from pathlib import Path
from typing import Any

from coder.services.coding import apply_codes, remove_codes
from coder.services.project import open_project
from tests.services.conftest import Q2

ACTIONS = 120


def _hammer(path: str, worker: int, codes: list[str], answers: list[int], start: Any,
            acked: Any) -> None:
    """One coder window: add this worker's code to every answer as `alice` (whom every worker
    codes as, like one person in several windows) and as its own coder, then take back every
    third; report each acknowledged action."""
    project = open_project(path)
    project.busy_wait = 60
    alice = project.coder("alice")
    own = project.coder(f"worker{worker}")
    start.wait()
    done = []
    for i, answer_id in enumerate(answers[:ACTIONS]):
        code = codes[worker]
        apply_codes(project, answer_id, alice, [code])
        done.append(("add", "alice", answer_id, code))
        apply_codes(project, answer_id, own, [codes[(worker + i) % len(codes)]])
        done.append(("add", own.name, answer_id, codes[(worker + i) % len(codes)]))
        if i % 3 == 0:
            remove_codes(project, answer_id, alice, [code])
            done.append(("remove", "alice", answer_id, code))
    project.close()
    acked.put((worker, done))


def _run(path: str | Path, target: Any, n: int, *args: Any) -> list[Any]:
    ctx = mp.get_context("spawn")  # fresh interpreters: separate connections, as separate apps
    start = ctx.Barrier(n)
    acked = ctx.Queue()
    procs = [ctx.Process(target=target, args=(str(path), k, *args, start, acked))
             for k in range(n)]
    for proc in procs:
        proc.start()
    results: list[Any] = []
    deadline = time.monotonic() + 240
    while len(results) < n:
        try:
            results.append(acked.get(timeout=1))
        except queue.Empty:
            failed = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
            assert not failed, f"a coding process failed (exit codes {failed})"
            assert time.monotonic() < deadline, "the coding processes took too long"
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    return results


def test_two_processes_coding_the_same_answers_lose_nothing(project_path: Path) -> None:
    # On both backends with more processes and actions: tests/services/test_reliability.py.
    with open_project(project_path) as project:
        frame = project.codeframe_for(Q2)
        assert frame is not None
        codes = [c.id for c in frame.codes if c.codable and c.status == "active"][:2]
        answers = project.answer_ids(Q2)[:ACTIONS]
    results = _run(project_path, _hammer, 2, codes, answers)

    expected: set[tuple[str, int, str]] = set()
    acknowledged = 0
    for _worker, done in sorted(results):
        for op, coder, answer_id, code in done:
            acknowledged += 1
            if op == "add":
                expected.add((coder, answer_id, code))
    for _worker, done in results:
        for op, coder, answer_id, code in done:
            if op == "remove":
                expected.discard((coder, answer_id, code))
    assert acknowledged == 2 * (2 * ACTIONS + ACTIONS // 3)
    with open_project(project_path) as after:
        names = {c.id: c.name for c in after.coders()}
        stored = {(names[c.coder_id], c.answer_id, c.code_id)
                  for c in after.codings(question_id=Q2)}
        assert stored == expected  # every acknowledged coding, nothing else
        # alice's two windows added different codes to the same answers: both kept
        both = [a for a in answers[1:] if a % 3 and
                {(("alice", a, codes[0])), ("alice", a, codes[1])} <= stored]
        assert both
        logged = after.conn.execute(
            "SELECT count(*) FROM events WHERE action = 'coding.set'").fetchone()[0]
        assert logged == acknowledged  # one event per acknowledged action
        assert after.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _join(path: str, worker: int, start: Any, acked: Any) -> None:
    project = open_project(path)
    project.busy_wait = 60
    start.wait()
    ids = [project.coder(f"newcomer{i}").id for i in range(15)]
    project.close()
    acked.put((worker, ids))


def test_a_new_coder_seen_by_several_processes_at_once_is_one_coder(
        project_location: str) -> None:
    results = _run(project_location, _join, 4)
    assert len({tuple(ids) for _worker, ids in results}) == 1  # all agree on each id
    with open_project(project_location) as after:
        names = [c.name for c in after.coders() if c.name.startswith("newcomer")]
        assert sorted(names) == sorted(f"newcomer{i}" for i in range(15))
