"""The PostgreSQL project store: one database per project, for a team on a server.

The queries are the per-topic mixins', shared with `SQLiteStore`; what only PostgreSQL does is
here: the connection (psycopg 3, placeholders and errors translated), the schema version in a
table of its own, the migrations translated by `coder.store.dialect`, and the write lock, an
advisory lock taken in slices so a busy project waits and reports as the SQLite store does.
Passwords come from `PGPASSWORD` or `~/.pgpass` as libpq reads them; URLs are never logged with
one. Imports no UI or CLI library.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import psycopg
import psycopg.conninfo
from psycopg import errors as pg_errors
from psycopg.pq import TransactionStatus

from coder.core.errors import ProjectBusy, ProjectError
from coder.store.allocation import AllocationMixin
from coder.store.app_queries import AppQueriesMixin
from coder.store.codeframes import CodeframeMixin
from coder.store.coding import CodingMixin
from coder.store.connection import BUSY_SLICE
from coder.store.dialect import POSTGRESQL, WRITES_CHANNEL, Cursor, Dialect
from coder.store.history import HistoryMixin
from coder.store.qa import QAMixin
from coder.store.report_queries import ORPHAN, ReportQueriesMixin
from coder.store.schema import SCHEMA_VERSION, split_sql
from coder.store.survey import SurveyMixin
from coder.store.themes import ThemesMixin
from coder.store.url import safe_location, scrub

if TYPE_CHECKING:
    from coder.store.protocol import ProjectStore

log = logging.getLogger(__name__)

#: The advisory lock every write transaction of a project holds (one database per project).
WRITE_LOCK = 0x636F646572  # "coder"
#: How long one statement waits for a lock, as SQLite's busy timeout.
_STATEMENT_LOCK_WAIT_MS = 10_000


def _safe(url: str) -> str:
    """The URL without a password, for messages."""
    return safe_location(url)


class PostgresConnection:
    """A psycopg connection the store uses as it uses SQLite's: `?` placeholders, explicit
    BEGIN/COMMIT, a held lock as `ProjectBusy` and other failures as `ProjectError`
    (constraint violations stay as they are, for the store to explain).

    A connection the server dropped (a restart, a network cut) is made again by the next
    statement that starts something new (a transaction, or a read outside one), retrying for up
    to `reconnect_wait` seconds. A transaction cut short is never retried: it failed as a whole
    and its action says so, with nothing changed; only what was committed is acknowledged.
    """

    #: Seconds a statement keeps trying to reconnect before the action fails.
    reconnect_wait = 30.0

    def __init__(self, raw: psycopg.Connection[Any], project: str, url: str = "",
                 setup: tuple[str, ...] = ()) -> None:
        self.raw = raw
        self.project = project
        self._url = url
        self._setup = setup
        self._in_transaction = False

    def execute(self, sql: str, parameters: Any = (), /) -> Cursor:
        starts = sql.lstrip()[:5].upper() == "BEGIN"
        # Several statements without parameters go in one round trip ("NOTIFY ...; COMMIT"):
        # the last one says whether the transaction ends.
        ends = sql.rstrip().rstrip(";").rsplit(";", 1)[-1].lstrip()[:6].upper()
        retry = not self._in_transaction  # a lone statement or a BEGIN: safe to run again
        self._reconnect_if_lost()
        try:
            cur = self._execute(sql, parameters)
        except ProjectError as exc:
            if not (retry and self._lost()):
                self._ended_if_lost()
                if self._lost() and ends == "COMMIT":
                    raise ProjectError(
                        f"{self.project}: the connection to the server was lost while saving;"
                        " the last change may not have been saved: check it"
                    ) from exc
                raise
            log.info("%s: the server closed the connection; connecting again", self.project)
            self._reconnect()
            cur = self._execute(sql, parameters)
        if starts:
            self._in_transaction = True
        elif ends in ("COMMIT", "ROLLBA"):
            self._in_transaction = False
        return cur

    def _execute(self, sql: str, parameters: Any) -> Cursor:
        with self._translated():
            if parameters:
                return self.raw.execute(POSTGRESQL.sql(sql), parameters)
            return self.raw.execute(sql)  # no parameters: taken as written (no placeholders)

    def executemany(self, sql: str, parameters: Any, /) -> Cursor:
        self._reconnect_if_lost()
        cur = self.raw.cursor()
        with self._translated():
            try:
                cur.executemany(POSTGRESQL.sql(sql), list(parameters))
            except psycopg.OperationalError:
                self._ended_if_lost()
                raise
        return cur

    def copy_in(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Insert many rows at once with COPY (inside a transaction; a whole-project copy)."""
        self._reconnect_if_lost()
        with self._translated(), self.raw.cursor() as cur, cur.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def stream(self, sql: str, /) -> Iterator[Any]:
        """The rows of a query without parameters, fetched from the server in batches (a
        server-side cursor; inside a transaction)."""
        with self._translated(), self.raw.cursor(name="coder_stream") as cur:
            cur.itersize = 5000
            cur.execute(sql)
            yield from cur

    @property
    def in_transaction(self) -> bool:
        if self._lost():
            return False  # the server ended it with the connection
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def close(self) -> None:
        self.raw.close()

    # -- a connection the server dropped -------------------------------------------------------

    def _lost(self) -> bool:
        return bool(self.raw.broken or self.raw.closed)

    def _ended_if_lost(self) -> None:
        if self._lost():
            self._in_transaction = False

    def _reconnect_if_lost(self) -> None:
        if self._lost() and not self._in_transaction:
            self._reconnect()

    def _reconnect(self) -> None:
        """Connect again, retrying with growing pauses for up to `reconnect_wait` seconds."""
        if not self._url:
            raise ProjectError(f"{self.project}: the connection to the server was lost")
        started, pause = time.monotonic(), 0.1
        while True:
            try:
                raw = psycopg.connect(self._url, autocommit=True, connect_timeout=5)
                for statement in self._setup:
                    raw.execute(statement)
                break
            except psycopg.Error as exc:
                if time.monotonic() - started + pause > self.reconnect_wait:
                    raise ProjectError(
                        f"{self.project}: the server cannot be reached ({scrub(str(exc))});"
                        " nothing was changed"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 2.0)
        with contextlib.suppress(psycopg.Error):
            self.raw.close()
        self.raw, self._in_transaction = raw, False
        log.info("%s: connected again", self.project)

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except pg_errors.LockNotAvailable as exc:
            raise ProjectBusy(self.project) from exc
        except psycopg.OperationalError as exc:
            lost = " (the connection to the server was lost)" if self._lost() else ""
            raise ProjectError(
                f"{self.project}: the project database could not be used{lost}"
                f" ({scrub(str(exc)).strip()}); nothing was changed"
            ) from exc


class PostgresStore(
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
    """A coder project in a PostgreSQL database (created empty, migrated on open)."""

    dialect: Dialect = POSTGRESQL
    integrity_errors = (pg_errors.IntegrityError,)
    driver_errors = (psycopg.Error,)
    conn: PostgresConnection

    def __init__(self, url: str, conn: PostgresConnection) -> None:
        params = psycopg.conninfo.conninfo_to_dict(url)
        super().__init__(Path(str(params.get("dbname") or "coder")), conn)
        self.url = url
        self.location = url

    @property
    def project_files(self) -> tuple[Path, ...]:
        """None: the project is on the server (`path` is only its database's name, which may
        well be the name of a file someone writes)."""
        return ()

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def _raw(cls, url: str) -> PostgresConnection:
        try:
            raw = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise ProjectError(f"{_safe(url)}: cannot connect ({scrub(str(exc))})") from None
        conn = PostgresConnection(raw, _safe(url), url, cls.dialect.setup)
        for statement in cls.dialect.setup:
            conn.execute(statement)
        return conn

    @classmethod
    def is_empty(cls, url: str) -> bool:
        """True when the database at `url` holds no tables at all."""
        conn = cls._raw(url)
        try:
            return not conn.execute(
                "SELECT count(*) FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            ).fetchone()[0]
        finally:
            conn.close()

    @classmethod
    def create(cls, url: str) -> Self:
        """A new project in the empty database `url`.

        Raises:
            ProjectError: If the database cannot be reached or already holds tables.
        """
        conn = cls._raw(url)
        try:
            tables = conn.execute(
                "SELECT count(*) FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            ).fetchone()[0]
            if tables:
                raise ProjectError(f"{_safe(url)}: the database is not empty; use a new one")
            conn.execute("CREATE TABLE coder_schema (version INTEGER NOT NULL)")
            conn.execute("INSERT INTO coder_schema (version) VALUES (0)")
            store = cls(url, conn)
            store._migrate(0)
        except BaseException:
            conn.close()
            raise
        return store

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Self:
        """The project in the database `url`, upgraded when from an older coder.

        Raises:
            ProjectError: If it cannot be reached, is not a coder project, is from a newer
                coder, or is older and `upgrade` is false.
        """
        conn = cls._raw(url)
        try:
            if conn.execute("SELECT to_regclass('coder_schema')").fetchone()[0] is None:
                raise ProjectError(f"{_safe(url)}: not a coder project")
            store = cls(url, conn)
            version = store.schema_version
            if version > SCHEMA_VERSION:
                raise ProjectError(
                    f"{_safe(url)}: made by a newer version of coder (schema {version}; this one"
                    f" knows {SCHEMA_VERSION}); upgrade coder to open it"
                )
            if version < SCHEMA_VERSION and not upgrade:
                raise ProjectError(
                    f"{_safe(url)}: made by an older version of coder (schema {version}; this"
                    f" one needs {SCHEMA_VERSION}); open it once to upgrade it"
                )
            store._migrate(version)
        except BaseException:
            conn.close()
            raise
        return store

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("SELECT version FROM coder_schema").fetchone()[0])

    def _set_schema_version(self, version: int) -> None:
        self.conn.execute("UPDATE coder_schema SET version = ?", (version,))

    def _keep_backup(self, version: int) -> Path | None:
        return None  # the server's backups are its administrator's (pg_dump before upgrading)

    def _migration_statements(self, sql: str) -> list[str]:
        return [out for statement in split_sql(sql) for out in self.dialect.ddl(statement)]

    def reopen(self) -> Self:
        """A second connection to the same project, for use on another thread."""
        other = type(self).open(self.url)
        other._sessions = dict(self._sessions)
        return other

    # -- reports -------------------------------------------------------------------------------

    def _joined_codes(self, models: Sequence[int], question_id: str,
                      wave_id: int) -> tuple[str, list[Any], str, list[Any]]:
        """`ReportQueriesMixin._joined_codes` as PostgreSQL runs it quickest: the codings of the
        wave's answers (read over the range of their ids, which one import makes contiguous)
        grouped per answer in one pass and joined in, rather than a subquery run 250,000 times
        (a fifth less of the server's time for a million codings). ORPHAN stands for the whole
        answer when a coding is by anyone but `s`'s coder (or nobody marked it coded)."""
        not_model = f" AND k.coder_id NOT IN ({', '.join('?' for _ in models)})" if models else ""
        ids = "(SELECT {} (id) FROM answers WHERE question_id = ? AND wave_id = ?)"
        return (f"CASE WHEN j.answer_id IS NULL THEN NULL WHEN j.lo = j.hi AND j.lo = s.coder_id"
                f" THEN j.joined ELSE '{ORPHAN}' END", [],
                " LEFT JOIN (SELECT k.answer_id, min(k.coder_id) AS lo, max(k.coder_id) AS hi,"
                f" {self.dialect.string_agg('k.code_id')} AS joined FROM codings k"
                f" WHERE k.answer_id BETWEEN {ids.format('min')} AND {ids.format('max')}"
                f"{not_model} GROUP BY k.answer_id) j ON j.answer_id = a.id",
                [question_id, wave_id, question_id, wave_id, *models])

    # -- the write lock ------------------------------------------------------------------------

    def write_version(self) -> int:
        """Changes whenever any transaction (this connection's too) has written since."""
        return int(
            self.conn.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text").fetchone()[0]
        )

    def watch_writes(self) -> NotifyWatch:
        """Others' writes as the server announces them (LISTEN/NOTIFY), on a connection of
        the watch's own: a look reads what has arrived, without a query."""
        return NotifyWatch(self.url)

    def _begin_write(self, wait: float) -> None:
        started = time.monotonic()
        while True:
            remaining = wait - (time.monotonic() - started)
            slice_ms = max(1, int(min(BUSY_SLICE, max(remaining, 0.0)) * 1000))
            try:
                # One round trip (no parameters: one simple query), as the lock is taken often.
                self.conn.execute(
                    f"BEGIN; SET LOCAL lock_timeout = {slice_ms};"
                    f" SELECT pg_advisory_xact_lock({int(WRITE_LOCK)});"
                    f" SET LOCAL lock_timeout = {_STATEMENT_LOCK_WAIT_MS}")
                return
            except ProjectBusy:
                self.conn.execute("ROLLBACK")
                waited = time.monotonic() - started
                if waited >= wait:
                    raise ProjectBusy(str(self.path), waited) from None
                if self.on_busy is not None:
                    self.on_busy(waited)
            except BaseException:
                self._rollback()
                raise

    @contextmanager
    def _briefly(self, seconds: float) -> Iterator[None]:
        self.conn.execute(f"SET lock_timeout = {max(1, int(seconds * 1000))}")
        try:
            yield
        finally:
            self.conn.execute(f"SET lock_timeout = {_STATEMENT_LOCK_WAIT_MS}")


class NotifyWatch:
    """Listens for the project's write notices (`NOTIFY coder_writes`, sent at every commit).

    A connection lost (a server restart) is made again at the next look, which then reports a
    change: notices sent meanwhile are gone, so the front end re-reads.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: psycopg.Connection[Any] | None = self._listen()

    def _listen(self) -> psycopg.Connection[Any]:
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
            conn.execute(f"LISTEN {WRITES_CHANNEL}")
        except psycopg.Error as exc:
            raise ProjectError(f"{_safe(self.url)}: cannot connect ({scrub(str(exc))})"
                               ) from None
        return conn

    def changed(self) -> bool:
        if self._conn is None or self._conn.closed:
            try:
                self._conn = self._listen()
            except ProjectError:
                self._conn = None
                return False  # still unreachable: look again later
            return True
        try:
            return bool(list(self._conn.notifies(timeout=0)))
        except psycopg.OperationalError:
            log.info("%s: lost the connection that listens for colleagues' writes",
                     _safe(self.url))
            self._conn.close()
            self._conn = None
            return False

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


if TYPE_CHECKING:

    def _conforms(url: str) -> None:
        """Never called: the type checker proves here that PostgresStore is a ProjectStore."""
        _: ProjectStore = PostgresStore.create(url)
