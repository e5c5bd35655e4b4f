"""Fixtures shared by the whole suite: the demo survey, ../shared, a held write lock, a real
PostgreSQL server."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from postgres_server import PG_BIN, ExternalPostgres, PostgresCluster, start_postgres

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEMO = REPO / "data"


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        if os.environ.get("CI"):  # in CI the shared data must be there: a skip would hide it
            pytest.fail(f"{SHARED} is missing (CI is set)")
        pytest.skip(f"{SHARED} is not present (the shared evaluation data sit beside the repo)")
    return SHARED


@pytest.fixture(scope="session")
def demo_csv() -> Path:
    path = DEMO / "demo_survey.csv"
    if not path.exists():
        pytest.fail(f"{path} is missing: run python data/generate_demo.py")
    return path


class WriteLock:
    """Another connection holding a project's write lock, as a colleague's long merge would."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN IMMEDIATE")
        self._guard = threading.Lock()
        self._timer: threading.Timer | None = None

    def write(self, sql: str, params: tuple[object, ...] = ()) -> None:
        """Change something while holding the lock (committed on release)."""
        with self._guard:
            self.conn.execute(sql, params)

    def release(self) -> None:
        with self._guard:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    def release_after(self, seconds: float) -> None:
        self._timer = threading.Timer(seconds, self.release)
        self._timer.start()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self.release()
        self.conn.close()


@pytest.fixture
def write_lock() -> Iterator[Callable[[Path], WriteLock]]:
    """`write_lock(path)` holds the project's write lock until released (or the test ends)."""
    held: list[WriteLock] = []

    def hold(path: Path) -> WriteLock:
        lock = WriteLock(path)
        held.append(lock)
        return lock

    yield hold
    for lock in held:
        lock.close()



@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """A real PostgreSQL server for the session: CODER_TEST_PG_URL, else a throwaway cluster."""
    cluster = start_postgres(os.environ.get("CODER_TEST_PG_URL"), PG_BIN, bool(os.environ.get("CI")))
    yield cluster
    if not isinstance(cluster, ExternalPostgres):
        cluster.stop()
