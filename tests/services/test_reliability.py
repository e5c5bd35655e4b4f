"""Reliability on both backends (a project file and a PostgreSQL database): a coding process
killed (SIGKILL) at random moments loses no acknowledged coding and leaves no half action; five
processes making 500 coding actions each at once give exactly the expected final state."""

from __future__ import annotations

import csv
import os
import random
import select
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from coder.core.codeframe.model import Code, Codeframe
from coder.services.coding import apply_codes, remove_codes
from coder.services.db_copy import copy_project
from coder.services.importing import import_survey
from coder.services.project import Project, open_project
from coder.store import create_project
from tests.services.test_team_concurrency import _run

#: The generated question: enough answers for 500 distinct coding actions per process.
QUESTION = "reasons"
ANSWERS = 500
KILLS = 50
PROCESSES = 5
ACTIONS = 500  # per process
FRAME = Codeframe("reasons", "Reasons", tuple(
    Code(id=f"r{i}", codeframe_id="reasons", label=f"Reason {i}", output_code=100 + i)
    for i in range(1, 9)))


@pytest.fixture(scope="session")
def reliability_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project file whose question `reasons` has 500 answers and an 8-code frame."""
    folder = tmp_path_factory.mktemp("reliability")
    survey = folder / "survey.csv"
    with survey.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "region", QUESTION])
        for i in range(ANSWERS):
            writer.writerow([f"R{i:04d}", f"region {i % 4}",
                             f"answer {i}: the fees and the distance, reason {i % 37}"])
    path = folder / "template.coder"
    with create_project(path) as store:
        import_survey(store, survey, wave="2025", coder="setup")
        store.add_codeframe(FRAME, "setup", questions=[QUESTION])
        assert len(store.answer_ids(QUESTION)) == ANSWERS
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, reliability_template: Path,
             tmp_path: Path) -> str:
    """A copy of the template: a file, or a new database on the test server."""
    if request.param == "sqlite":
        target = str(tmp_path / "project.coder")
    else:
        target = request.getfixturevalue("pg_cluster").new_database()
    copy_project(reliability_template, target)
    return target


def _codes(project: Project) -> list[str]:
    frame = project.codeframe_for(QUESTION)
    assert frame is not None
    return [c.id for c in frame.codable_codes() if not frame.is_net(c.id)]


def _integrity(project: Project) -> None:
    """The database's own checks (SQLite) and the store's: every coding of an existing answer,
    code and coder."""
    if project.dialect.name == "sqlite":
        assert project.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert project.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    orphans = project.conn.execute(
        "SELECT count(*) FROM codings c LEFT JOIN answers a ON a.id = c.answer_id"
        " LEFT JOIN codes k ON k.id = c.code_id LEFT JOIN coders p ON p.id = c.coder_id"
        " WHERE a.id IS NULL OR k.id IS NULL OR p.id IS NULL").fetchone()[0]
    assert orphans == 0


# -- killed at random moments --------------------------------------------------------------------


def _code_until_killed(location: str, coder_name: str, out: int, seed: int) -> None:
    """The child: code every answer, one action each, writing a line once each is committed."""
    with open_project(location) as store:
        coder = store.coder(coder_name)
        codes = _codes(store)
        rng = random.Random(seed)
        for answer_id in store.answer_ids(QUESTION):
            code = rng.choice(codes)
            store.set_codes(answer_id, coder, [code])
            os.write(out, f"{answer_id} {code}\n".encode())  # acknowledged: it is committed


def _run_and_kill(location: str, coder_name: str, rng: random.Random) -> list[tuple[int, str]]:
    """Fork a coding process (a copy of this one: no start-up cost), SIGKILL it at a random
    moment; what it acknowledged.

    The moment is a random time after the start, or a random moment (0-3 ms) after a random
    number of acknowledged codings if that comes first, so that a fast machine, which codes
    the 500 answers in well under a second, is killed mid-work too."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        try:
            _code_until_killed(location, coder_name, write, rng.randrange(1 << 30))
        finally:
            os._exit(0)
    os.close(write)
    kill_at = time.monotonic() + rng.uniform(0.02, 0.6)
    after_acks, then = rng.randrange(ANSWERS - 20), rng.uniform(0.0, 0.003)
    buffer = b""
    while time.monotonic() < kill_at:
        ready, _, _ = select.select([read], [], [], max(0.0, kill_at - time.monotonic()))
        if ready:
            chunk = os.read(read, 65536)
            if not chunk:
                break
            buffer += chunk
            if buffer.count(b"\n") >= after_acks:
                time.sleep(then)
                break
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    while chunk := os.read(read, 65536):  # lines written before the kill
        buffer += chunk
    os.close(read)
    lines = buffer.decode().splitlines()
    complete = lines if buffer.endswith(b"\n") else lines[:-1]
    return [(int(a), c) for a, c in (line.split() for line in complete)]


def test_sigkill_at_random_moments_loses_no_acknowledged_coding(location: str) -> None:
    rng = random.Random(14)
    acknowledged: dict[str, list[tuple[int, str]]] = {}
    started = time.monotonic()
    for run in range(KILLS):
        acknowledged[f"killed{run}"] = _run_and_kill(location, f"killed{run}", rng)
    assert time.monotonic() - started < 80
    killed_mid_work = sum(1 for acks in acknowledged.values() if 0 < len(acks) < ANSWERS)
    assert killed_mid_work >= KILLS * 3 // 4  # most kills hit the coding, not start-up or the end
    with open_project(location) as after:
        _integrity(after)
        names = {c.id: c.name for c in after.coders()}
        stored: dict[str, dict[int, str]] = {}
        for c in after.codings(question_id=QUESTION):
            stored.setdefault(names[c.coder_id], {})[c.answer_id] = c.code_id
        events = dict(after.conn.execute(
            "SELECT coder, count(*) FROM events WHERE action = 'coding.set' GROUP BY coder"
        ).fetchall())
        for name, acks in acknowledged.items():
            mine = stored.get(name, {})
            assert dict(acks).items() <= mine.items(), f"{name} lost an acknowledged coding"
            assert len(mine) - len(acks) in (0, 1)  # at most the action in flight committed
            assert events.get(name, 0) == len(mine)  # every coding with its event, no half
        statuses = after.conn.execute(
            "SELECT count(*) FROM answer_status s JOIN coders c ON c.id = s.coder_id"
            " WHERE c.name LIKE 'killed%' AND s.coded_at IS NOT NULL").fetchone()[0]
        assert statuses == sum(len(v) for k, v in stored.items() if k.startswith("killed"))
        after.busy_wait = 5
        after.set_setting("after", 1, "lead")  # no lock left behind by the killed processes


# -- five processes at once ----------------------------------------------------------------------


def _plan(worker: int, codes: list[str], answers: list[int]) -> list[tuple[str, str, int, str]]:
    """Worker `worker`'s 500 actions: on each answer in turn, add its code as `alice` (whom every
    worker codes as, like one person in several windows), add a code as itself, and on every
    third answer take alice's code back off."""
    own = f"worker{worker}"
    planned: list[tuple[str, str, int, str]] = []
    for i, answer_id in enumerate(answers):
        planned.append(("add", "alice", answer_id, codes[worker]))
        planned.append(("add", own, answer_id, codes[(worker + i) % len(codes)]))
        if i % 3 == 0:
            planned.append(("remove", "alice", answer_id, codes[worker]))
        if len(planned) >= ACTIONS:
            break
    return planned[:ACTIONS]


def _code_at_once(location: str, worker: int, codes: list[str], answers: list[int], start: Any,
                  acked: Any) -> None:
    """One coder window: its planned actions through the app's code keys' service functions,
    reporting each acknowledged one."""
    project = open_project(location)
    project.busy_wait = 60
    coders = {name: project.coder(name) for name in ("alice", f"worker{worker}")}
    start.wait()
    done = []
    for op, name, answer_id, code in _plan(worker, codes, answers):
        (apply_codes if op == "add" else remove_codes)(project, answer_id, coders[name], [code])
        done.append((op, name, answer_id, code))
    project.close()
    acked.put((worker, done))


def _run_at_once(location: str, codes: list[str], answers: list[int]) -> list[Any]:
    return _run(location, _code_at_once, PROCESSES, codes, answers)


def test_five_processes_coding_at_once_give_the_exact_final_state(location: str) -> None:
    with open_project(location) as project:
        codes = _codes(project)[:PROCESSES]
        answers = project.answer_ids(QUESTION)
    results = _run_at_once(location, codes, answers)

    # The expected state follows from the plans alone: each worker's own coder is its own, and
    # alice's codes differ by worker, so no two workers' actions touch the same coding.
    expected: set[tuple[str, int, str]] = set()
    for worker in range(PROCESSES):
        for op, name, answer_id, code in _plan(worker, codes, answers):
            (expected.add if op == "add" else expected.discard)((name, answer_id, code))
    assert sorted(results) == [(w, _plan(w, codes, answers)) for w in range(PROCESSES)]
    assert sum(len(done) for _w, done in results) == PROCESSES * ACTIONS
    with open_project(location) as after:
        _integrity(after)
        names = {c.id: c.name for c in after.coders()}
        stored = {(names[c.coder_id], c.answer_id, c.code_id)
                  for c in after.codings(question_id=QUESTION)}
        assert stored == expected  # every acknowledged coding, nothing else
        # alice's windows added different codes to the same answers: all kept
        assert {code for name, _a, code in stored if name == "alice"} == set(codes)
        logged = after.conn.execute(
            "SELECT count(*) FROM events WHERE action = 'coding.set'").fetchone()[0]
        assert logged == PROCESSES * ACTIONS  # one event per acknowledged action
        coded = after.conn.execute(
            "SELECT count(*) FROM answer_status WHERE coded_at IS NOT NULL").fetchone()[0]
        assert coded == len({(name, a) for _op, name, a, _c in
                             (x for w in range(PROCESSES) for x in _plan(w, codes, answers))})
