"""Project store: opening and migrating a project, sessions, transactions and user actions.

The only layer that speaks SQL. Every change a user makes goes through `action()`, which records
row images (before/after) in an append-only event, so undo, redo and the audit trail come from
one mechanism (`coder.store.history` replays them; `coder.store.actions` records them). How row
images are stored is `coder.store.event_log`'s business, how the file is recognised, created and
backed up `coder.store.project_file`'s, and the connection's set-up `coder.store.connection`'s.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from coder.core.errors import ProjectBusy, ProjectError
from coder.core.types import Event
from coder.store import schema, sessions
from coder.store.actions import Action, now
from coder.store.changes import Change
from coder.store.connection import BUSY_SLICE, DEFAULT_BUSY_WAIT, connect, project_error
from coder.store.dialect import SQLITE, Dialect
from coder.store.event_log import encode_changes
from coder.store.project_file import Upgrade, create_private, keep_backup, project_schema
from coder.store.schema import SCHEMA_VERSION, split_sql

log = logging.getLogger(__name__)


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
    #: What the driver raises when a write breaks a constraint (e.g. a foreign key).
    integrity_errors: tuple[type[Exception], ...] = (sqlite3.IntegrityError,)

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
        return store

    def _migrate(self, version: int) -> None:
        """Apply the pending migrations as one transaction, keeping a copy of an older project."""
        pending = [m for m in schema.migrations() if m[0] > version]
        if not pending:
            return
        backup = keep_backup(self.conn, self.path, version) if version > 0 else None
        self.conn.execute(self.dialect.begin_write)
        try:
            for number, _name, sql in pending:
                for statement in split_sql(sql):
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
