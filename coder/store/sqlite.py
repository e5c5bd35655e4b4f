"""The SQLite project store: one file per project, assembled from the per-topic mixins.

What only SQLite does is here: the file (checked read-only, created private, copied before an
upgrade), `BEGIN IMMEDIATE` retried in slices for a busy project, `PRAGMA data_version` and
`user_version`. The queries are the mixins', shared with the PostgreSQL store.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Self

from coder.core.errors import ProjectBusy, ProjectError
from coder.store.allocation import AllocationMixin
from coder.store.app_queries import AppQueriesMixin
from coder.store.codeframes import CodeframeMixin
from coder.store.coding import CodingMixin
from coder.store.connection import BUSY_SLICE, connect, project_error
from coder.store.history import HistoryMixin
from coder.store.project_file import (
    closed_here,
    create_private,
    keep_backup,
    opened_here,
    project_schema,
)
from coder.store.qa import QAMixin
from coder.store.report_queries import ReportQueriesMixin
from coder.store.schema import SCHEMA_VERSION
from coder.store.survey import SurveyMixin
from coder.store.themes import ThemesMixin

if TYPE_CHECKING:
    from coder.store.protocol import ProjectStore


class SQLiteStore(
    SurveyMixin,
    CodingMixin,
    CodeframeMixin,
    ThemesMixin,
    AppQueriesMixin,
    ReportQueriesMixin,
    QAMixin,
    HistoryMixin,
    AllocationMixin,
):
    """A coder project in one SQLite file (WAL, foreign keys on, migrated on open)."""

    integrity_errors = (sqlite3.IntegrityError,)
    driver_errors = (sqlite3.Error,)
    conn: sqlite3.Connection

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        super().__init__(path, conn)
        self._read_busy_ms = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])

    @classmethod
    def create(cls, path: str | Path) -> Self:
        """A new, empty project at `path`, readable by its owner only.

        Raises:
            ProjectError: If a file of that name already exists (it is left as it is).
        """
        p = Path(path)
        create_private(p)
        try:
            return cls._connect(p)
        except BaseException:
            for leftover in (p, *(p.with_name(p.name + s) for s in ("-wal", "-shm", "-journal"))):
                leftover.unlink(missing_ok=True)
            raise

    @classmethod
    def open(cls, path: str | Path, *, upgrade: bool = True) -> Self:
        """The existing project at `path`.

        The file is checked read-only first: a file that is not a coder project (an empty file,
        another program's SQLite database, a CSV file...) is refused without being changed. A
        project from an older version of coder is upgraded in place when `upgrade` is true, after
        a copy of it is kept beside it (never replacing an earlier copy); the store's `upgrade`
        attribute then says so, and front ends must tell the user. With `upgrade` false an older
        project is refused instead, unchanged.

        Raises:
            ProjectError: If the file is missing, not a coder project, made by a newer version,
                or older and `upgrade` is false.
        """
        p = Path(path)
        version = project_schema(p, SCHEMA_VERSION)
        if version < SCHEMA_VERSION and not upgrade:
            raise ProjectError(
                f"{p}: made by an older version of coder (schema {version}; this one needs"
                f" {SCHEMA_VERSION}); open it once to upgrade it"
            )
        return cls._connect(p)

    @classmethod
    def _connect(cls, p: Path) -> Self:
        try:
            conn = connect(p)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{p}: not a coder project ({exc})") from None
        if version > SCHEMA_VERSION:  # upgraded by a newer coder since it was checked
            conn.close()
            raise ProjectError(
                f"{p}: made by a newer version of coder (schema {version}; this one knows"
                f" {SCHEMA_VERSION}); upgrade coder to open it"
            )
        store = cls(p, conn)
        try:
            store._migrate(version)
        except BaseException:
            conn.close()
            raise
        opened_here(p)
        store._noted_open = True
        return store

    _noted_open = False  # counted in `opened_here` until closed

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._noted_open:
                self._noted_open = False
                closed_here(self.path)

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _set_schema_version(self, version: int) -> None:
        self.conn.execute(f"PRAGMA user_version = {int(version)}")

    def _keep_backup(self, version: int) -> Path | None:
        return keep_backup(self.conn, self.path, version)

    def reopen(self) -> Self:
        """A second connection to the same file, for use on another thread.

        It acts in this connection's sessions (the same window), but does not close them.
        """
        other = type(self)._connect(self.path)
        other._sessions = dict(self._sessions)
        return other

    # -- the write lock ------------------------------------------------------------------------

    def write_version(self) -> int:
        """A number that changes whenever another connection commits a write.

        Read it before working out a change from reads made outside the write lock; if it is
        the same once the lock is held, those reads are still true (SQLite's data_version).
        """
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def watch_writes(self) -> DataVersionWatch:
        """Others' writes found by polling `PRAGMA data_version` (one tiny query a look)."""
        return DataVersionWatch(self)

    def _begin_write(self, wait: float) -> None:
        """BEGIN IMMEDIATE, retried in slices until `wait` seconds have passed."""
        started = time.monotonic()
        try:
            while True:
                remaining = wait - (time.monotonic() - started)
                self._busy_timeout(min(BUSY_SLICE, max(remaining, 0.0)))
                try:
                    self.conn.execute(self.dialect.begin_write)
                    return
                except ProjectBusy:
                    waited = time.monotonic() - started
                    if waited >= wait:
                        raise ProjectBusy(str(self.path), waited) from None
                    if self.on_busy is not None:
                        self.on_busy(waited)
        finally:
            self._busy_timeout(self._read_busy_ms / 1000)

    def _busy_timeout(self, seconds: float) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    @contextmanager
    def _briefly(self, seconds: float) -> Iterator[None]:
        waited = self.conn.execute("PRAGMA busy_timeout").fetchone()[0]
        try:
            self._busy_timeout(seconds)
            yield
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(waited)}")

    def _driver_error(self, exc: BaseException) -> ProjectError | None:
        if isinstance(exc, sqlite3.OperationalError):
            return project_error(str(self.path), exc)
        return None


class DataVersionWatch:
    """Another connection wrote when `data_version` moved since the last look."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self._version = store.write_version()

    def changed(self) -> bool:
        version = self.store.write_version()
        if version == self._version:
            return False
        self._version = version
        return True

    def close(self) -> None:
        """Nothing to close: the watch reads through the store's own connection."""


def create_project(path: str | Path) -> SQLiteStore:
    """A new project file, readable by its owner only; refuses a name already taken."""
    return SQLiteStore.create(path)


def open_project(path: str | Path, *, upgrade: bool = True) -> SQLiteStore:
    """An existing project; see `SQLiteStore.open` (files that are not projects stay untouched).

    A project from an older version of coder is upgraded, keeping a copy, and `store.upgrade`
    says so; every front end tells the user (the CLI on stderr, the app in a notice). With
    `upgrade=False` such a project is refused unchanged instead.
    """
    return SQLiteStore.open(path, upgrade=upgrade)


if TYPE_CHECKING:

    def _conforms(path: Path) -> None:
        """Never called: the type checker proves here that SQLiteStore is a ProjectStore."""
        _: ProjectStore = SQLiteStore.create(path)
