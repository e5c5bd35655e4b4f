"""The live team view on PostgreSQL: another connection's coding reaches a session's watch by
LISTEN/NOTIFY (no polling query), on SQLite by data_version polling."""

from __future__ import annotations

import time

import psycopg
import pytest

from coder.services.coding import apply_codes
from coder.services.live import LiveWatch, OthersWrote
from coder.services.project import Project, open_project, open_workspace
from coder.store.postgres import NotifyWatch
from coder.store.sqlite import DataVersionWatch
from tests.services.conftest import Q2, code_of


def _wait_for(watch: LiveWatch, seconds: float = 5.0) -> OthersWrote:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        wrote = watch.poll()
        if wrote is not None and wrote.events:
            return wrote
        time.sleep(0.02)
    raise AssertionError("the other connection's coding never reached the live view")


def test_a_coding_by_another_connection_reaches_the_live_view(project: Project) -> None:
    watch = LiveWatch(project)
    try:
        expected = NotifyWatch if project.dialect.name == "postgresql" else DataVersionWatch
        assert isinstance(watch._watch, expected)
        assert watch.poll() is None  # nobody wrote
        answer_id = project.answer_ids(Q2)[3]
        with open_project(project.location) as other:  # bob, on a second connection
            bob = open_workspace(other, "bob").coder
            apply_codes(other, answer_id, bob, [code_of(other, 101)])
            other.end_sessions()
        wrote = _wait_for(watch)
        assert answer_id in wrote.answer_ids and not wrote.everything
        assert [e.action for e in wrote.events or ()][-1] == "coding.set"
    finally:
        watch.close()


@pytest.mark.parametrize("project", ["postgresql"], indirect=True)
def test_on_postgresql_looking_sends_no_query(project: Project,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    watch = LiveWatch(project)
    sent: list[str] = []
    listener = watch._watch._conn  # type: ignore[attr-defined]
    assert isinstance(listener, psycopg.Connection)
    for conn in (project.conn, listener):
        real = conn.execute
        monkeypatch.setattr(conn, "execute",
                            lambda sql, *a, _real=real, **k: sent.append(sql) or _real(sql, *a, **k))
    try:
        for _ in range(50):
            assert watch.poll() is None
        assert sent == []  # looking reads what arrived on the socket; it asks the server nothing
        with open_project(project.location) as other:
            other.set_setting("k", 1, "bob")
        assert _wait_for(watch).events
    finally:
        watch.close()
    assert listener.closed
