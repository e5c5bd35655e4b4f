"""The SQLite connection of a project: its set-up, and its failures as errors a user can read.

Part of the store; imports no UI or CLI library. A held write lock becomes `ProjectBusy`, any
other SQLite failure a `ProjectError`; constraint violations stay as they are, for the store to
explain.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from coder.core.errors import ProjectBusy, ProjectError
from coder.store.dialect import SQLITE

#: Seconds a write waits for another connection's write to finish before `ProjectBusy`.
DEFAULT_BUSY_WAIT = 30.0
# SQLite's own busy handler waits at most this long per attempt, so `on_busy` is called (and
# may cancel) a few times a second while a write waits.
BUSY_SLICE = 0.25


def is_busy(exc: sqlite3.OperationalError) -> bool:
    """True when SQLite gave up waiting for a lock another connection holds."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    message = str(exc).lower()
    return "locked" in message or "busy" in message


def project_error(project: str, exc: sqlite3.OperationalError) -> ProjectError:
    """The error a user sees for an SQLite failure: ProjectBusy for a held lock."""
    if is_busy(exc):
        return ProjectBusy(project)
    return ProjectError(
        f"{project}: the project file could not be used ({exc}); nothing was changed"
    )


class ProjectConnection(sqlite3.Connection):
    """A connection whose SQLite failures reach users as `ProjectError`, never a traceback.

    A held lock becomes `ProjectBusy`; constraint violations (`IntegrityError`) stay as they
    are, for the store to explain.
    """

    def __init__(self, database: str | Path, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self.project = str(database)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.OperationalError as exc:
            raise project_error(self.project, exc) from exc

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.OperationalError as exc:
            raise project_error(self.project, exc) from exc

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        try:
            return super().executescript(sql_script)
        except sqlite3.OperationalError as exc:
            raise project_error(self.project, exc) from exc


def connect(path: Path) -> ProjectConnection:
    """A connection to the project file at `path`, set up (WAL, foreign keys, busy timeout).

    Raises:
        sqlite3.DatabaseError: If the file is not an SQLite database.
    """
    conn = sqlite3.connect(path, isolation_level=None, timeout=10.0, factory=ProjectConnection)
    try:
        for statement in SQLITE.setup:
            conn.execute(statement)
    except BaseException:
        conn.close()
        raise
    return conn
