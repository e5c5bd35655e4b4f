"""The live team view in the app on a PostgreSQL project: a colleague's coding, made on another
connection, appears in the open app (LISTEN/NOTIFY)."""

from __future__ import annotations

from pathlib import Path

import pytest
from postgres_server import PostgresCluster

from coder.services.coding import apply_codes
from coder.services.db_copy import copy_project
from coder.services.project import open_project, open_workspace
from coder.tui.app import build_app
from tests.tui.conftest import code_id, screen_text
from tests.tui.test_team_live import FAST, Q2, SIZE, wait_for

pytestmark = pytest.mark.asyncio


@pytest.fixture
def demo_url(demo_template: Path, pg_cluster: PostgresCluster) -> str:
    url = pg_cluster.new_database()
    copy_project(demo_template, url)
    return url


async def test_a_colleagues_coding_on_the_server_appears_in_the_app(demo_url: str) -> None:
    app = build_app(demo_url, "alice", question_id=Q2, config=FAST)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        current = app.screen.coding.current_id  # type: ignore[attr-defined]
        with open_project(demo_url) as other:  # bob, on his own connection
            bob = open_workspace(other, "bob").coder
            fees = other.codeframe_for(Q2).by_output_code(102)
            apply_codes(other, current, bob, [code_id(other, Q2, 102)])
            other.end_sessions()
        await wait_for(pilot, lambda: f"bob: 102 {fees.label}" in screen_text(app))
        listener = app.live._watch._conn  # type: ignore[union-attr]
    assert listener is None or listener.closed  # the app closed its listening connection
