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
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from coder.core.errors import ProjectError
from coder.core.types import Event, Upgrade
from coder.store import schema, sessions
from coder.store.actions import Action, now
from coder.store.changes import Change
from coder.store.connection import DEFAULT_BUSY_WAIT
from coder.store.dialect import SQLITE, Connection, Dialect
from coder.store.event_log import encode_changes
from coder.store.schema import SCHEMA_VERSION, split_sql

if TYPE_CHECKING:
    from coder.store.protocol import WriteWatch

log = logging.getLogger(__name__)

#: Seconds between an active session's "still here" records made by its actions.
TOUCH_EVERY = 10.0


class StoreBase:
    """Sessions, transactions, migrations and user actions of a project, whatever its database.

    A backend (`SQLiteStore`, `PostgresStore`) opens the connection and supplies the few
    methods below that only it can: how to start a write, whether another connection wrote,
    where the schema version is kept and what to keep before an upgrade.

    Attributes:
        busy_wait: Seconds a write waits for another user's or window's write to finish before
            it gives up with `ProjectBusy` (nothing changed).
        on_busy: Called with the seconds waited so far, a few times a second, while a write
            waits; a front end shows that the project is busy (and may raise to stop waiting).
    """

    #: The SQL that differs between databases (`coder.store.dialect`).
    dialect: Dialect = SQLITE
    #: What the driver raises when a write breaks a constraint (e.g. a foreign key).
    integrity_errors: tuple[type[Exception], ...] = ()
    #: What the driver raises for any failure (bookkeeping writes that may fail log these).
    driver_errors: tuple[type[Exception], ...] = ()

    def __init__(self, path: Path, conn: Connection) -> None:
        self.path = path
        #: What names the project to `coder.store.open_project`: its path, or its URL.
        self.location = str(path)
        self.conn = conn
        #: Set when opening upgraded the project: front ends must tell the user.
        self.upgrade: Upgrade | None = None
        self._sessions: dict[str, int] = {}  # coder -> this connection's session
        self._own_sessions: set[int] = set()  # the sessions this connection started
        self._last_event: Event | None = None
        self.busy_wait = DEFAULT_BUSY_WAIT
        self.on_busy: Callable[[float], None] | None = None
        self._touched: dict[int, float] = {}  # session -> when an action last recorded it alive

    @property
    def project_files(self) -> tuple[Path, ...]:
        """The files that hold the project, which no output file may be written over: the
        project file (its -wal/-shm are guarded with it); none for a project on a server."""
        return (self.path,)

    # -- what each backend supplies ----------------------------------------------------------

    @property
    def schema_version(self) -> int:
        """The schema the project is at."""
        raise NotImplementedError

    def reopen(self) -> Self:
        """A second connection to the same project, for use on another thread.

        It acts in this connection's sessions (the same window), but does not close them.
        """
        raise NotImplementedError

    def write_version(self) -> int:
        """A number that changes whenever another connection commits a write.

        Read it before working out a change from reads made outside the write lock; if it is
        the same once the lock is held, those reads are still true (a backend may also change
        it for this connection's own writes: that only means working the change out again).
        """
        raise NotImplementedError

    def watch_writes(self) -> WriteWatch:
        """A watch that says when another connection has written to the project."""
        raise NotImplementedError

    def _begin_write(self, wait: float) -> None:
        """Start a write transaction holding the project's write lock, waiting up to `wait`
        seconds for another connection's write (calling `on_busy`), else `ProjectBusy`."""
        raise NotImplementedError

    @contextmanager
    def _briefly(self, seconds: float) -> Iterator[None]:
        """Statements inside wait at most `seconds` for a lock (bookkeeping that may be skipped)."""
        raise NotImplementedError
        yield

    def _set_schema_version(self, version: int) -> None:
        """Record the schema version, inside the migration's transaction."""
        raise NotImplementedError

    def _keep_backup(self, version: int) -> Path | None:
        """Keep a copy of the project before upgrading it from `version`; returns where."""
        raise NotImplementedError

    def _migration_statements(self, sql: str) -> list[str]:
        """One migration file's statements, as this database takes them."""
        return split_sql(sql)

    def _driver_error(self, exc: BaseException) -> ProjectError | None:
        """The error a user sees for a driver failure not already translated, or None."""
        return None

    def _any_error(self) -> tuple[type[Exception], ...]:
        return (*self.driver_errors, ProjectError)

    # -- opening -------------------------------------------------------------------------------

    def _migrate(self, version: int) -> None:
        """Apply the pending migrations as one transaction, keeping a copy of an older project."""
        pending = [m for m in schema.migrations() if m[0] > version]
        if not pending:
            return
        backup = self._keep_backup(version) if version > 0 else None
        self.conn.execute(self.dialect.begin_write)
        try:
            for number, name, sql in pending:
                for statement in self._migration_statements(sql):
                    self.conn.execute(statement)
                schema.after_migration(name, self.conn)
                self._set_schema_version(number)
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
        try:
            with self._briefly(0.2):  # never hold up the app for long
                sessions.touch(self.conn, self._own_sessions)
                self._announce()
        except self._any_error():
            log.info("heartbeat skipped: %s is busy", self.path)

    def end_sessions(self) -> None:
        """Close this connection's sessions; the next action starts a new one."""
        own, self._own_sessions, self._sessions = self._own_sessions, set(), {}
        if not own:
            return
        try:
            with self._briefly(1.0):  # never hold up closing for long
                sessions.close(self.conn, own)
                self._announce()
        except self._any_error():
            # Not fatal: an unclosed session counts as closed once its heartbeat is stale or
            # its process has ended.
            log.warning("could not mark sessions %s of %s closed", sorted(own), self.path)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions --------------------------------------------------------------------------

    @contextmanager
    def transaction(self, *, wait: float | None = None) -> Iterator[Connection]:
        """A plain write transaction (all or nothing) for work that is not undoable row by row.

        Takes the project's write lock first, waiting up to `wait` seconds (default
        `busy_wait`) while another connection holds it and calling `on_busy` meanwhile.

        Raises:
            ProjectBusy: If the lock stayed taken for the whole wait, or the database reported a
                held lock inside the transaction (e.g. at COMMIT); nothing was changed.
            ProjectError: For any other database failure; the transaction is rolled back.
        """
        self._begin_write(self.busy_wait if wait is None else wait)
        locked_at = time.perf_counter()
        try:
            yield self.conn
            # The announcement goes with the COMMIT (one round trip where there is one).
            self.conn.execute(self.dialect.commit)
        except BaseException as exc:
            self._rollback()
            translated = self._driver_error(exc)
            if translated is not None:
                raise translated from exc
            raise
        finally:
            log.debug("write lock held %.3f s", time.perf_counter() - locked_at)

    def _announce(self) -> None:
        """Tell the project's other connections that this one wrote (at commit; PostgreSQL)."""
        if self.dialect.announce is not None:
            self.conn.execute(self.dialect.announce)

    def _rollback(self) -> None:
        """Undo the open transaction, if the database has not already (some errors do)."""
        if not self.conn.in_transaction:
            return
        try:
            self.conn.execute("ROLLBACK")
        except self._any_error() as exc:  # keep the error that got us here
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
                    self._forget_redo(conn, coder)
                    self._push(conn, event_id, coder, "undo", session, new_event=True)
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
        conn: Connection,
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
                (
                    encode_changes(
                        [c.to_json() for c in changes], compress=self.dialect.compress_events
                    )
                    if encoded is None
                    else encoded
                ),
                json.dumps(dict(details)),
                session,
                SCHEMA_VERSION,
            ),
        )
        event_id = int(cur.fetchall()[0][0])
        if session is not None:
            self._touch_session(conn, session)
        return event_id

    def _touch_session(self, conn: Connection, session: int) -> None:
        """Acting proves the session is alive: record it, at most every `TOUCH_EVERY` seconds
        (a session counts as gone only after minutes of silence, so a statement per action
        would buy nothing)."""
        moment = time.monotonic()
        if moment - self._touched.get(session, -TOUCH_EVERY) >= TOUCH_EVERY:
            sessions.touch(conn, [session])
            self._touched[session] = moment

    def _forget_redo(self, conn: Connection, coder: str) -> None:
        """A new action of `coder` empties the redo stack this connection could replay."""
        redo = conn.execute(
            "SELECT 1 FROM history_stack WHERE coder = ? AND stack = 'redo' LIMIT 1", (coder,)
        ).fetchone()
        if redo is None:  # the usual case: nothing was undone, nothing to forget
            return
        mine, params = self._my_history(coder)
        conn.execute(
            f"DELETE FROM history_stack WHERE coder = ? AND stack = 'redo' AND {mine}",
            [coder, *params],
        )

    def _push(
        self, conn: Connection, event_id: int, coder: str, stack: str, session: int | None,
        *, new_event: bool = False,
    ) -> None:
        """Put the event on top of `coder`'s `stack` ("undo" or "redo"), off any other; a
        `new_event` is on none yet."""
        if not new_event:
            conn.execute("DELETE FROM history_stack WHERE event_id = ?", (event_id,))
        conn.execute(
            "INSERT INTO history_stack (event_id, coder, stack, seq, session_id)"
            " SELECT ?, ?, ?, coalesce(max(seq), 0) + 1, ? FROM history_stack",
            (event_id, coder, stack, session),
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
