"""Reliability on PostgreSQL: a coding process killed (SIGKILL) at random moments loses no
acknowledged coding and leaves no half action; five processes coding at once give exactly the
expected final state."""

from __future__ import annotations

import os
import random
import select
import signal
import time
from pathlib import Path

import pytest
from postgres_server import PostgresCluster

from coder.services.db_copy import copy_project
from coder.services.project import open_project
from tests.services.conftest import Q2
from tests.services.test_team_concurrency import ACTIONS, _hammer, _run

KILLS = 30


@pytest.fixture
def project_url(pg_cluster: PostgresCluster, services_template: Path) -> str:
    url = pg_cluster.new_database()
    copy_project(services_template, url)
    return url


def _code_until_killed(url: str, coder_name: str, out: int, seed: int) -> None:
    """The child: code every answer, one action each, writing a line once each is committed."""
    with open_project(url) as store:
        coder = store.coder(coder_name)
        frame = store.codeframe_for(Q2)
        assert frame is not None
        codes = [c.id for c in frame.codable_codes() if not frame.is_net(c.id)]
        rng = random.Random(seed)
        for answer_id in store.answer_ids(Q2):
            code = rng.choice(codes)
            store.set_codes(answer_id, coder, [code])
            os.write(out, f"{answer_id} {code}\n".encode())  # acknowledged: it is committed


def _run_and_kill(url: str, coder_name: str, rng: random.Random) -> list[tuple[int, str]]:
    """Fork a coding process, SIGKILL it at a random moment; what it acknowledged."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        try:
            _code_until_killed(url, coder_name, write, rng.randrange(1 << 30))
        finally:
            os._exit(0)
    os.close(write)
    kill_at = time.monotonic() + rng.uniform(0.02, 0.8)
    buffer = b""
    while time.monotonic() < kill_at:
        ready, _, _ = select.select([read], [], [], max(0.0, kill_at - time.monotonic()))
        if ready:
            chunk = os.read(read, 65536)
            if not chunk:
                break
            buffer += chunk
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    while chunk := os.read(read, 65536):  # lines written before the kill
        buffer += chunk
    os.close(read)
    lines = buffer.decode().splitlines()
    complete = lines if buffer.endswith(b"\n") else lines[:-1]
    return [(int(a), c) for a, c in (line.split() for line in complete)]


def test_sigkill_at_random_moments_loses_no_acknowledged_coding(project_url: str) -> None:
    rng = random.Random(14)
    acknowledged: dict[str, list[tuple[int, str]]] = {}
    started = time.monotonic()
    for run in range(KILLS):
        acknowledged[f"killed{run}"] = _run_and_kill(project_url, f"killed{run}", rng)
    assert time.monotonic() - started < 120
    killed_mid_work = sum(1 for acks in acknowledged.values() if 0 < len(acks) < 152)
    assert killed_mid_work >= KILLS // 3  # most kills hit the coding, not start-up
    with open_project(project_url) as after:
        names = {c.id: c.name for c in after.coders()}
        stored: dict[str, dict[int, str]] = {}
        for c in after.codings(question_id=Q2):
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
        after.set_setting("after", 1, "lead")  # no lock left behind by the killed processes


def test_five_processes_coding_at_once_give_the_exact_final_state(project_url: str) -> None:
    with open_project(project_url) as project:
        frame = project.codeframe_for(Q2)
        assert frame is not None
        codes = [c.id for c in frame.codes if c.codable and c.status == "active"][:5]
        answers = project.answer_ids(Q2)[:ACTIONS]
    results = _run(project_url, _hammer, 5, codes, answers)  # type: ignore[arg-type]

    expected: set[tuple[str, int, str]] = set()
    for _worker, done in results:
        for op, coder, answer_id, code in done:
            if op == "add":
                expected.add((coder, answer_id, code))
    for _worker, done in results:
        for op, coder, answer_id, code in done:
            if op == "remove":
                expected.discard((coder, answer_id, code))
    acknowledged = sum(len(done) for _w, done in results)
    assert acknowledged == 5 * (2 * ACTIONS + ACTIONS // 3)
    with open_project(project_url) as after:
        names = {c.id: c.name for c in after.coders()}
        stored = {(names[c.coder_id], c.answer_id, c.code_id)
                  for c in after.codings(question_id=Q2)}
        assert stored == expected
        logged = after.conn.execute(
            "SELECT count(*) FROM events WHERE action = 'coding.set'").fetchone()[0]
        assert logged == acknowledged
