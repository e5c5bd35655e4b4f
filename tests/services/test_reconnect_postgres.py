"""A PostgreSQL server restarted while a coder's session is open: the next action connects
again (bounded retries) and nothing acknowledged is lost; an action cut short says so and
changes nothing; a server gone for good fails in bounded time."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres_server import PostgresCluster, throwaway_only

from coder.core.errors import ProjectError
from coder.services.coding import apply_codes
from coder.services.db_copy import copy_project
from coder.services.live import LiveWatch
from coder.services.project import Project, open_project, open_workspace
from tests.services.conftest import Q2, code_of


@pytest.fixture
def server(pg_cluster: PostgresCluster) -> PostgresCluster:
    return throwaway_only(pg_cluster, "the server is restarted", bool(os.environ.get("CI")))


@pytest.fixture
def project_url(server: PostgresCluster, services_template: Path) -> str:
    url = server.new_database()
    copy_project(services_template, url)
    return url


@pytest.fixture
def alices(project_url: str) -> Iterator[Project]:
    with open_project(project_url) as project:
        open_workspace(project, "alice")
        yield project


def _stored(url: str) -> set[tuple[str, int, str]]:
    with open_project(url) as fresh:
        names = {c.id: c.name for c in fresh.coders()}
        return {(names[c.coder_id], c.answer_id, c.code_id) for c in fresh.codings(question_id=Q2)}


def test_a_restart_while_coding_loses_nothing_acknowledged(
        server: PostgresCluster, project_url: str, alices: Project) -> None:
    alice = alices.coder("alice")
    code = code_of(alices, 101)
    answers = alices.answer_ids(Q2)[:10]
    watch = LiveWatch(alices)
    acknowledged = set()
    try:
        for answer_id in answers[:5]:
            apply_codes(alices, answer_id, alice, [code])
            acknowledged.add(("alice", answer_id, code))
        server.restart()
        for answer_id in answers[5:]:  # the first one connects again
            apply_codes(alices, answer_id, alice, [code])
            acknowledged.add(("alice", answer_id, code))
        assert _stored(project_url) == acknowledged
        undone = alices.undo("alice")  # the window's own history survived the restart
        assert undone is not None and undone.coder == "alice"
        acknowledged.discard(("alice", answers[-1], code))
        assert _stored(project_url) == acknowledged
        with open_project(project_url) as other:  # the live view listens again
            bob = open_workspace(other, "bob").coder
            apply_codes(other, answers[0], bob, [code])
            other.end_sessions()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            wrote = watch.poll()
            if wrote is not None and answers[0] in wrote.answer_ids:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("bob's coding never reached alice's live view after the restart")
    finally:
        watch.close()


def test_an_action_cut_short_by_a_restart_changes_nothing(
        server: PostgresCluster, project_url: str, alices: Project) -> None:
    before = _stored(project_url)
    answer_id = alices.answer_ids(Q2)[0]
    alice = alices.coder("alice")
    with (pytest.raises(ProjectError, match="nothing was changed"),
          alices.action("coding.set", "alice", "cut short") as act):
        act.insert("settings", {"key": "half", "value": "1"})
        server.restart()
        act.insert("settings", {"key": "other-half", "value": "2"})
    assert alices.setting("half") is None and alices.setting("other-half") is None
    apply_codes(alices, answer_id, alice, [code_of(alices, 102)])  # and on it goes
    assert _stored(project_url) == before | {("alice", answer_id, code_of(alices, 102))}


def test_a_server_that_stays_down_fails_in_bounded_time(
        server: PostgresCluster, project_url: str, alices: Project) -> None:
    alices.conn.reconnect_wait = 1.5  # type: ignore[attr-defined]
    alice = alices.coder("alice")
    answer_id = alices.answer_ids(Q2)[0]
    server.stop_server()
    try:
        started = time.monotonic()
        with pytest.raises(ProjectError, match="cannot be reached"):
            apply_codes(alices, answer_id, alice, [code_of(alices, 101)])
        assert time.monotonic() - started < 10
    finally:
        server.start_server()
    apply_codes(alices, answer_id, alice, [code_of(alices, 101)])
    assert ("alice", answer_id, code_of(alices, 101)) in _stored(project_url)
