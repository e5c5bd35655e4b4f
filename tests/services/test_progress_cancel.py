"""Long use cases report through one Progress and stop when it is cancelled, changing nothing
(on a project file and on a project on a PostgreSQL server)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

import psycopg
import pytest

from coder.core.embedding import HashingEmbedder
from coder.core.errors import Cancelled
from coder.core.progress import Progress
from coder.services.importing import import_survey
from coder.services.themes import run_themes
from coder.store import create_project, open_project
from coder.store.copy import table_shapes
from tests.services.conftest import DEMO_CSV, Q2

# The embedding cache is not project content: finished batches are kept on purpose, so a
# cancelled run resumes faster.
_CACHE_TABLES = {"embeddings"}


def _rows(location: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the project (read with the database's own driver)."""
    conn: sqlite3.Connection | psycopg.Connection[tuple[object, ...]] = (
        psycopg.connect(location) if location.startswith("postgresql:")
        else sqlite3.connect(location))
    try:
        return {t.name: sorted(conn.execute(f"SELECT * FROM {t.name}").fetchall(), key=repr)
                for t in table_shapes() if t.name not in _CACHE_TABLES}
    finally:
        conn.close()


def _cancel_after(share: float, seen: list[tuple[int, int]]) -> Progress:
    """A progress that records counts and cancels once `share` of the work is done."""
    stop = threading.Event()

    def on_step(done: int, total: int, _message: str) -> None:
        seen.append((done, total))
        if total and done >= share * total:
            stop.set()

    return Progress(on_step, stop, "test")


def test_theme_run_reports_monotone_counts_to_the_end(project_location: str) -> None:
    seen: list[tuple[int, int]] = []
    with open_project(project_location) as store:
        run_id = run_themes(store, Q2, coder="ann", embedder=HashingEmbedder(),
                            progress=Progress(lambda d, t, _m: seen.append((d, t))))
        assert store.theme_run(run_id).question_id == Q2
    assert seen[-1] == (100, 100)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert {t for _, t in seen} == {100}


@pytest.mark.parametrize("share", [0.3, 0.85])  # while embedding; while clustering
def test_cancelled_theme_run_stops_and_saves_nothing(project_location: str,
                                                     share: float) -> None:
    before = _rows(project_location)
    assert before["answers"]
    seen: list[tuple[int, int]] = []
    with open_project(project_location) as store, pytest.raises(Cancelled):
        run_themes(store, Q2, coder="ann", embedder=HashingEmbedder(),
                   progress=_cancel_after(share, seen))
    assert _rows(project_location) == before
    assert seen and seen[-1][0] < 100  # stopped before the end
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_cancelled_import_stops_midway_and_leaves_the_project_unchanged(
        new_location: Callable[[], str]) -> None:
    path = new_location()
    create_project(path).close()
    before = _rows(path)
    seen: list[tuple[int, int]] = []
    with open_project(path) as store, pytest.raises(Cancelled):
        import_survey(store, DEMO_CSV, wave="2025", coder="ann",
                      progress=_cancel_after(0.1, seen))
    assert _rows(path) == before
    total = seen[-1][1]
    assert 0 < seen[-1][0] < total
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
