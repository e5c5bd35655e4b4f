"""Project store: connection, migrations, one-transaction user actions and the event log.

The only layer that speaks SQL. Every change a user makes goes through `action()`, which records
row images (before/after) in an append-only event, so undo, redo and the audit trail come from
one mechanism. Undo and redo are per session (one coder in one window or command; see
`coder.store.sessions`) and are worked out before the write lock is taken (`coder.store.replay`,
which also reads row images recorded at an older schema); how row images are stored is
`coder.store.event_log`'s business and how the file is recognised, created and backed up
`coder.store.project_file`'s. A PostgreSQL
backend implements the same methods over the same tables.
"""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Self

from coder.core.errors import ProjectBusy, ProjectError
from coder.core.types import Event
from coder.store import replay, sessions
from coder.store.changes import TABLE_KEYS, Batch, Change, Row, batches
from coder.store.dialect import SQLITE, Cursor, Dialect
from coder.store.event_log import decode_changes, encode_changes, no_cycle_collection
from coder.store.project_file import Upgrade, create_private, keep_backup, project_schema

log = logging.getLogger(__name__)


#: Seconds a write waits for another connection's write to finish before `ProjectBusy`.
DEFAULT_BUSY_WAIT = 30.0
# SQLite's own busy handler waits at most this long per attempt, so `on_busy` is called (and
# may cancel) a few times a second while a write waits.
_BUSY_SLICE = 0.25


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("coder.store") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number = int(entry.name.split("_", 1)[0])
            found.append((number, entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..n: {numbers}")
    return found


SCHEMA_VERSION = len(_migrations())


@functools.cache
def columns_at(version: int) -> dict[str, tuple[str, ...]]:
    """The columns of each table a user action may change, as schema `version` had them.

    Worked out by applying the first `version` migrations to an empty database in memory, so
    every schema the migrations ever made is known exactly.
    """
    conn = sqlite3.connect(":memory:")
    try:
        for _number, _name, sql in _migrations()[:version]:
            for statement in _split_sql(sql):
                conn.execute(statement)
        return {
            table: tuple(r[1] for r in conn.execute(f"PRAGMA table_info({table})"))
            for table in TABLE_KEYS
        }
    finally:
        conn.close()


@dataclass
class Action:
    """The open transaction of one user action; its writes are recorded for undo."""

    conn: sqlite3.Connection
    changes: list[Change] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    summary: str | None = None

    def get(self, table: str, key: Mapping[str, Any]) -> Row | None:
        where, params = _where(table, key)
        cur = self.conn.execute(f"SELECT * FROM {table} WHERE {where}", params)
        row = cur.fetchone()
        return _row(cur, row) if row is not None else None

    def insert(self, table: str, row: Mapping[str, Any]) -> Row:
        """Insert the row; returns it whole, as stored (defaults and a generated key filled in)."""
        if table not in TABLE_KEYS:
            raise ValueError(f"table {table!r} cannot be changed by a user action")
        row = dict(row)
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cur = self.conn.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING *", list(row.values())
        )
        after = _row(cur, cur.fetchall()[0])
        key = {k: after[k] for k in TABLE_KEYS[table]}
        self.changes.append(Change(table, "insert", key, None, after))
        return after

    def update(self, table: str, key: Mapping[str, Any], values: Mapping[str, Any]) -> Row | None:
        """Set `values` on the row; returns the new row, or None when nothing changed."""
        before = self.get(table, key)
        if before is None:
            raise ProjectError(f"{table} row {dict(key)} does not exist")
        if all(before.get(k) == v for k, v in values.items()):
            return None
        sets = ", ".join(f"{k} = ?" for k in values)
        where, params = _where(table, key)
        self.conn.execute(f"UPDATE {table} SET {sets} WHERE {where}", [*values.values(), *params])
        after = self.get(table, key)
        self.changes.append(Change(table, "update", dict(key), before, after))
        return after

    def delete(self, table: str, key: Mapping[str, Any]) -> Row | None:
        before = self.get(table, key)
        if before is None:
            return None
        where, params = _where(table, key)
        self.conn.execute(f"DELETE FROM {table} WHERE {where}", params)
        self.changes.append(Change(table, "delete", dict(key), before, None))
        return before

    def write(self, batches: Sequence[Batch]) -> None:
        """Write planned row changes, many rows per statement, recording each for undo."""
        for batch in batches:
            self.conn.executemany(batch.sql, batch.params)
            self.changes.extend(batch.changes)


def _where(table: str, key: Mapping[str, Any]) -> tuple[str, list[Any]]:
    if table not in TABLE_KEYS:
        raise ValueError(f"table {table!r} cannot be changed by a user action")
    return " AND ".join(f"{k} = ?" for k in key), list(key.values())


def _row(cur: Cursor, row: Sequence[Any]) -> Row:
    return {d[0]: v for d, v in zip(cur.description, row, strict=True)}


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


class StoreBase:
    """Connection handling, migrations, actions and the event log of one SQLite project file.

    Attributes:
        busy_wait: Seconds a write waits for another user's or window's write to finish before
            it gives up with `ProjectBusy` (nothing changed).
        on_busy: Called with the seconds waited so far, a few times a second, while a write
            waits; a front end shows that the project is busy (and may raise to stop waiting).
    """

    #: The SQL that differs between databases (`coder.store.dialect`).
    dialect: Dialect = SQLITE

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        #: Set when opening upgraded the project: front ends must tell the user.
        self.upgrade: Upgrade | None = None
        self._sessions: dict[str, int] = {}  # coder -> this connection's session
        self._own_sessions: set[int] = set()  # the sessions this connection started
        self._last_event: Event | None = None
        self.busy_wait = DEFAULT_BUSY_WAIT
        self.on_busy: Callable[[float], None] | None = None
        self._read_busy_ms = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])

    # -- opening -------------------------------------------------------------------------------

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
            conn = sqlite3.connect(
                p, isolation_level=None, timeout=10.0, factory=ProjectConnection
            )
            for statement in cls.dialect.setup:
                conn.execute(statement)
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
        return store

    def _migrate(self, version: int) -> None:
        """Apply the pending migrations as one transaction, keeping a copy of an older project."""
        pending = [m for m in _migrations() if m[0] > version]
        if not pending:
            return
        backup = keep_backup(self.conn, self.path, version) if version > 0 else None
        self.conn.execute(self.dialect.begin_write)
        try:
            for number, _name, sql in pending:
                for statement in _split_sql(sql):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number}")
            self.conn.execute("COMMIT")
        except Exception as exc:
            self.conn.execute("ROLLBACK")
            raise ProjectError(
                f"{self.path}: upgrade to schema {pending[-1][0]} failed ({exc});"
                " the project is unchanged"
            ) from None
        if backup is not None:
            self.upgrade = Upgrade(self.path, version, pending[-1][0], backup)
            log.info("%s", self.upgrade)

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def reopen(self) -> Self:
        """A second connection to the same file, for use on another thread.

        It acts in this connection's sessions (the same window), but does not close them.
        """
        other = type(self)._connect(self.path)
        other._sessions = dict(self._sessions)
        return other

    def close(self) -> None:
        """End this connection's sessions (their history passes to the coder's next session)."""
        self.end_sessions()
        self.conn.close()

    # -- sessions ------------------------------------------------------------------------------

    def start_session(self, coder: str, label: str = "") -> int:
        """This connection's session for `coder`, started on first use; returns its id.

        Actions, undo and redo start one as needed, so a command is one short session ended by
        `close()`. The app starts its own (label "app") and calls `heartbeat()` every
        `sessions.HEARTBEAT_SECONDS` while it runs, so other windows know it is still open.
        """
        existing = self._sessions.get(coder)
        if existing is not None:
            return existing
        with self.transaction() as conn:
            session_id = sessions.start(conn, coder, label)
        self._sessions[coder] = session_id
        self._own_sessions.add(session_id)
        return session_id

    def heartbeat(self) -> None:
        """Record that this connection's sessions are still open (skipped if the file is busy)."""
        if not self._own_sessions:
            return
        waited = self.conn.execute("PRAGMA busy_timeout").fetchone()[0]
        try:
            self.conn.execute("PRAGMA busy_timeout = 200")  # never hold up the app for long
            sessions.touch(self.conn, self._own_sessions)
        except (sqlite3.OperationalError, ProjectError):
            log.info("heartbeat skipped: %s is busy", self.path)
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(waited)}")

    def end_sessions(self) -> None:
        """Close this connection's sessions; the next action starts a new one."""
        own, self._own_sessions, self._sessions = self._own_sessions, set(), {}
        if not own:
            return
        waited = self.conn.execute("PRAGMA busy_timeout").fetchone()[0]
        try:
            self.conn.execute("PRAGMA busy_timeout = 1000")  # never hold up closing for long
            sessions.close(self.conn, own)
        except (sqlite3.Error, ProjectError):
            # Not fatal: an unclosed session counts as closed once its heartbeat is stale or
            # its process has ended.
            log.warning("could not mark sessions %s of %s closed", sorted(own), self.path)
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(waited)}")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions --------------------------------------------------------------------------

    @contextmanager
    def transaction(self, *, wait: float | None = None) -> Iterator[sqlite3.Connection]:
        """A plain write transaction (all or nothing) for work that is not undoable row by row.

        Takes the project's write lock first, waiting up to `wait` seconds (default
        `busy_wait`) while another connection holds it and calling `on_busy` meanwhile.

        Raises:
            ProjectBusy: If the lock stayed taken for the whole wait, or SQLite reported a held
                lock inside the transaction (e.g. at COMMIT); nothing was changed.
            ProjectError: For any other SQLite failure; the transaction is rolled back.
        """
        self._begin_write(self.busy_wait if wait is None else wait)
        locked_at = time.perf_counter()
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.OperationalError):
                raise project_error(str(self.path), exc) from exc
            raise
        finally:
            log.debug("write lock held %.3f s", time.perf_counter() - locked_at)

    def write_version(self) -> int:
        """A number that changes whenever another connection commits a write.

        Read it before working out a change from reads made outside the write lock; if it is
        the same once the lock is held, those reads are still true.
        """
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def _begin_write(self, wait: float) -> None:
        """BEGIN IMMEDIATE, retried in slices until `wait` seconds have passed."""
        started = time.monotonic()
        try:
            while True:
                remaining = wait - (time.monotonic() - started)
                self._busy_timeout(min(_BUSY_SLICE, max(remaining, 0.0)))
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

    def _rollback(self) -> None:
        """Undo the open transaction, if SQLite has not already (it may after some errors)."""
        if not self.conn.in_transaction:
            return
        try:
            self.conn.execute("ROLLBACK")
        except (sqlite3.Error, ProjectError) as exc:  # keep the error that got us here
            log.warning("%s: rollback failed: %s", self.path, exc)

    @contextmanager
    def action(
        self, action: str, coder: str | None, summary: str, *, undoable: bool = True
    ) -> Iterator[Action]:
        """One user action: one transaction and one event; undone and redone as a unit.

        The event belongs to this connection's session of `coder`, and so does its place on the
        undo stack; a new action empties the redo stack the session could replay.
        """
        session = None if coder is None else self._sessions.get(coder)
        started = False
        with self.transaction() as conn:
            if coder is not None and session is None:
                # Started in the action's own transaction: an action that fails leaves no trace.
                session, started = sessions.start(conn, coder, ""), True
            act = Action(conn)
            yield act
            if act.changes or not undoable:  # else nothing changed: no event, nothing to undo
                event_id = self._log(
                    conn,
                    "do",
                    action,
                    coder,
                    act.summary or summary,
                    None,
                    undoable,
                    act.changes,
                    act.details,
                    session,
                )
                if undoable and coder is not None:
                    mine, params = self._my_history(coder)
                    conn.execute(
                        f"DELETE FROM history_stack WHERE coder = ? AND stack = 'redo' AND {mine}",
                        [coder, *params],
                    )
                    self._push(conn, event_id, coder, "undo", session)
        if started and coder is not None and session is not None:
            self._sessions[coder] = session
            self._own_sessions.add(session)

    def log_event(
        self, action: str, coder: str | None, summary: str, details: Mapping[str, Any] | None = None
    ) -> int:
        """Record a non-undoable event inside the caller's open transaction."""
        session = None if coder is None else self._sessions.get(coder)
        return self._log(
            self.conn, "do", action, coder, summary, None, False, [], details or {}, session
        )

    def _log(
        self,
        conn: sqlite3.Connection,
        kind: str,
        action: str,
        coder: str | None,
        summary: str,
        target: int | None,
        undoable: bool,
        changes: Sequence[Change],
        details: Mapping[str, Any],
        session: int | None = None,
        encoded: str | bytes | None = None,
    ) -> int:
        """Append an event; `encoded` is `changes` already encoded (work done before the lock)."""
        cur = conn.execute(
            "INSERT INTO events (at, coder, kind, action, summary, target_event_id, undoable,"
            " changes, details, session_id, schema_version)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                now(),
                coder,
                kind,
                action,
                summary,
                target,
                int(undoable),
                encode_changes([c.to_json() for c in changes]) if encoded is None else encoded,
                json.dumps(dict(details)),
                session,
                SCHEMA_VERSION,
            ),
        )
        event_id = int(cur.fetchall()[0][0])
        if session is not None:
            sessions.touch(conn, [session])  # acting proves the session is alive
        return event_id

    def _push(
        self, conn: sqlite3.Connection, event_id: int, coder: str, stack: str, session: int | None
    ) -> None:
        conn.execute("DELETE FROM history_stack WHERE event_id = ?", (event_id,))
        seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM history_stack").fetchone()[0]
        conn.execute(
            "INSERT INTO history_stack (event_id, coder, stack, seq, session_id)"
            " VALUES (?, ?, ?, ?, ?)",
            (event_id, coder, stack, seq, session),
        )

    # Undo and redo are per session. A session replays its own history and that of the same
    # coder's closed (or stale) sessions, e.g. the app run before a restart or a finished
    # command; never the history of another session still open, e.g. the same person's
    # second window. When only such history is left, undo refuses and names it.

    def _my_history(self, coder: str) -> tuple[str, list[Any]]:
        """A WHERE clause for the history_stack entries this connection may replay."""
        elsewhere = sessions.open_elsewhere(self.conn, coder, self._sessions.get(coder))
        if not elsewhere:
            return "1 = 1", []
        marks = ", ".join("?" for _ in elsewhere)
        return f"(session_id IS NULL OR session_id NOT IN ({marks}))", list(elsewhere)

    def _top(self, coder: str, stack: str) -> int | None:
        mine, params = self._my_history(coder)
        row = self.conn.execute(
            f"SELECT event_id FROM history_stack WHERE coder = ? AND stack = ? AND {mine}"
            " ORDER BY seq DESC LIMIT 1",
            [coder, stack, *params],
        ).fetchone()
        return None if row is None else int(row[0])

    def _refuse_if_elsewhere(self, coder: str, kind: str) -> None:
        """Raise if another open session of `coder` holds history that `kind` would replay."""
        elsewhere = sessions.open_elsewhere(self.conn, coder, self._sessions.get(coder))
        if not elsewhere:
            return
        row = self.conn.execute(
            "SELECT event_id, session_id FROM history_stack WHERE coder = ? AND stack = ?"
            f" AND session_id IN ({', '.join('?' for _ in elsewhere)}) ORDER BY seq DESC LIMIT 1",
            [coder, kind, *elsewhere],
        ).fetchone()
        if row is not None:
            summary = self.event(int(row[0])).summary
            raise ProjectError(
                f"cannot {kind} {summary}: it was done in another window that is still open"
                f" ({elsewhere[int(row[1])].describe()}); {kind} it there"
            )

    def can_undo(self, coder: str) -> Event | None:
        """The action `undo(coder)` would take back now, or None."""
        top = self._top(coder, "undo")
        return None if top is None else self.event(top)

    def can_redo(self, coder: str) -> Event | None:
        """The action `redo(coder)` would bring back now, or None."""
        top = self._top(coder, "redo")
        return None if top is None else self.event(top)

    def undo(self, coder: str) -> Event | None:
        """Undo `coder`'s latest action still in effect; returns it, or None if nothing to undo.

        Only this connection's session's actions and those of `coder`'s closed sessions count.

        Raises:
            ProjectError: If a later action changed the same rows or depends on them, or if the
                only actions left to undo were done in another window that is still open.
        """
        return self._replay(coder, "undo")

    def redo(self, coder: str) -> Event | None:
        """Redo `coder`'s latest undone action; returns it, or None if nothing to redo.

        Raises:
            ProjectError: As for `undo`.
        """
        return self._replay(coder, "redo")

    def _replay(self, coder: str, kind: str) -> Event | None:
        # The event is decoded, its rows read and checked and the rows to write worked out
        # before the write lock is taken; under the lock that plan is used only if no other
        # connection has written since (and the same event is still next), else it is worked
        # out again there. The lock is then held just to write, a batch per statement.
        session = self.start_session(coder)
        planned_at: int | None = self.write_version()
        planned: _Replay | None = None
        try:
            planned = self._plan_replay(coder, kind)
        except ProjectError:
            if self.write_version() == planned_at:
                raise  # the rows were read as they stand: the refusal holds
            planned_at = None  # another connection wrote meanwhile: look again under the lock
        with self.transaction() as conn:
            still_next = self._top(coder, kind) == (None if planned is None else planned.target.id)
            if planned_at is None or self.write_version() != planned_at or not still_next:
                planned = self._plan_replay(coder, kind)
            if planned is None:
                self._refuse_if_elsewhere(coder, kind)
                return None
            target = planned.target
            try:
                Action(conn).write(planned.batches)
            except sqlite3.IntegrityError:
                # e.g. undoing "add code" after answers were coded with it; nothing is changed.
                raise ProjectError(
                    f"cannot {kind} {target.summary}: later work depends on it"
                    " (e.g. answers coded with a code it adds)"
                ) from None
            self._log(
                conn,
                kind,
                target.action,
                coder,
                f"{kind}: {target.summary}",
                target.id,
                False,
                planned.changes,
                {},
                session,
                encoded=planned.encoded,
            )
            self._push(conn, target.id, coder, "redo" if kind == "undo" else "undo", session)
        self._last_event = None  # a large event's decoded changes need not stay in memory
        return target

    def _plan_replay(self, coder: str, kind: str) -> _Replay | None:
        """What `kind` ("undo" or "redo") would write now for `coder`, or None (reads only).

        Raises:
            ProjectError: If a later action changed a row the replay would change.
        """
        target_id = self._top(coder, kind)
        if target_id is None:
            return None
        target = self.event(target_id)
        with no_cycle_collection():  # many small objects, none in cycles
            if kind == "undo":
                ordered = [Change.from_json(c).inverse() for c in reversed(target.changes)]
            else:
                ordered = [Change.from_json(c) for c in target.changes]
            if target.schema_version == SCHEMA_VERSION:
                steps = [replay.Step(c) for c in ordered]
            else:  # written before an upgrade: its rows lack the columns added since
                version = target.schema_version
                then = None if version is None else columns_at(version)
                steps = replay.upgrade(ordered, then, columns_at(SCHEMA_VERSION))
            changes = replay.plan(self.conn, self.dialect, steps, f'{kind} "{target.summary}"')
            to_write = batches(changes)
        return _Replay(target, changes, to_write, encode_changes([c.to_json() for c in changes]))

    # -- the log -------------------------------------------------------------------------------

    def event(self, event_id: int) -> Event:
        # Events never change once committed, so the last one read is kept: undo asks for the
        # event it is about to replay twice (to check it, then inside the write transaction),
        # and a large one takes a while to decode.
        last = self._last_event
        if last is not None and last.id == event_id:
            return last
        cur = self.conn.execute("SELECT * FROM events WHERE id = ?", (event_id,))
        row = cur.fetchone()
        if row is None:
            raise ProjectError(f"no event {event_id}")
        found = _event(_row(cur, row))
        if not self.conn.in_transaction:  # committed for sure (a rolled-back id is reused)
            self._last_event = found
        return found

    def events(
        self,
        *,
        limit: int | None = None,
        action_prefix: str | None = None,
        with_changes: bool = False,
    ) -> list[Event]:
        """The log, newest first."""
        columns = (
            "*"
            if with_changes
            else (
                "id, at, coder, kind, action, summary, target_event_id, undoable, details,"
                " schema_version, '[]' AS changes"
            )
        )
        sql = f"SELECT {columns} FROM events"
        params: list[Any] = []
        if action_prefix:
            sql += " WHERE action LIKE ?"
            params.append(action_prefix + "%")
        sql += " ORDER BY id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        cur = self.conn.execute(sql, params)
        return [_event(_row(cur, r)) for r in cur.fetchall()]

    # -- settings ------------------------------------------------------------------------------

    def setting(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any, coder: str | None) -> None:
        with self.action("settings.set", coder, f"set {key}") as act:
            encoded = json.dumps(value)
            if act.get("settings", {"key": key}) is None:
                act.insert("settings", {"key": key, "value": encoded})
            else:
                act.update("settings", {"key": key}, {"value": encoded})


@dataclass(frozen=True)
class _Replay:
    """An undo or redo worked out: the event it replays and the row changes to write."""

    target: Event
    changes: list[Change]
    batches: list[Batch]
    encoded: str | bytes


def _event(row: Row) -> Event:
    return Event(
        id=row["id"],
        at=row["at"],
        coder=row["coder"],
        kind=row["kind"],
        action=row["action"],
        summary=row["summary"],
        target_event_id=row["target_event_id"],
        undoable=bool(row["undoable"]),
        changes=tuple(decode_changes(row["changes"])),
        details=json.loads(row["details"]),
        schema_version=row.get("schema_version"),
    )


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (triggers keep their inner semicolons)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
