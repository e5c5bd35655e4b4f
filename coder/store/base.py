"""Project store: connection, migrations, one-transaction user actions and the event log.

The only layer that speaks SQL. Every change a user makes goes through `action()`, which records
row images (before/after) in an append-only event, so undo, redo and the audit trail come from
one mechanism. A PostgreSQL backend implements the same methods over the same tables.
"""

from __future__ import annotations

import json
import logging
import shutil
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

log = logging.getLogger(__name__)

# Primary key columns of every table a user action may change (and undo may restore).
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "settings": ("key",),
    "codeframes": ("id",),
    "questions": ("id",),
    "codes": ("id",),
    "codings": ("answer_id", "code_id", "coder_id"),
    "answer_status": ("answer_id", "coder_id"),
    "starred_quotes": ("code_id", "answer_id"),
    "themes": ("run_id", "theme_id"),
    "theme_assignments": ("run_id", "answer_id"),
    "qa_samples": ("id",),
    "qa_assignments": ("sample_id", "answer_id", "coder_id"),
    "adjudications": ("answer_id",),
}

Row = dict[str, Any]

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


@dataclass
class Change:
    """One row-level change inside an action: enough to undo or redo it."""

    table: str
    op: str  # "insert" | "update" | "delete"
    key: Row
    before: Row | None
    after: Row | None

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "op": self.op,
            "key": self.key,
            "before": self.before,
            "after": self.after,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        return cls(data["table"], data["op"], dict(data["key"]), data["before"], data["after"])

    def inverse(self) -> Change:
        op = {"insert": "delete", "delete": "insert", "update": "update"}[self.op]
        return Change(self.table, op, self.key, self.after, self.before)


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
        row = dict(row)
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cur = self.conn.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values())
        )
        key = {k: row[k] for k in TABLE_KEYS[table] if k in row}
        if len(key) < len(TABLE_KEYS[table]):  # an autoincrement key
            key = {TABLE_KEYS[table][0]: cur.lastrowid}
        after = self.get(table, key)
        assert after is not None
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

    def apply(self, change: Change, *, label: str) -> None:
        """Apply a recorded change, refusing if the row is no longer as the change expects."""
        current = self.get(change.table, change.key)
        expected = change.before
        if _comparable(current) != _comparable(expected):
            raise ProjectError(
                f"cannot {label}: {change.table} {change.key} was changed by a later action"
            )
        if change.op == "insert":
            assert change.after is not None
            self.insert(change.table, change.after)
        elif change.op == "delete":
            self.delete(change.table, change.key)
        else:
            assert change.after is not None
            self.update(change.table, change.key, change.after)


def _comparable(row: Row | None) -> Row | None:
    return None if row is None else dict(row)


def _where(table: str, key: Mapping[str, Any]) -> tuple[str, list[Any]]:
    if table not in TABLE_KEYS:
        raise ValueError(f"table {table!r} cannot be changed by a user action")
    return " AND ".join(f"{k} = ?" for k in key), list(key.values())


def _row(cur: sqlite3.Cursor, row: Sequence[Any]) -> Row:
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

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self.busy_wait = DEFAULT_BUSY_WAIT
        self.on_busy: Callable[[float], None] | None = None
        self._read_busy_ms = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path) -> Self:
        p = Path(path)
        if p.exists():
            raise ProjectError(f"{p}: a file of that name already exists")
        p.parent.mkdir(parents=True, exist_ok=True)
        return cls._connect(p)

    @classmethod
    def open(cls, path: str | Path) -> Self:
        p = Path(path)
        if not p.exists():
            raise ProjectError(f"{p}: no such project (create one with: coder init {p})")
        return cls._connect(p)

    @classmethod
    def _connect(cls, p: Path) -> Self:
        try:
            conn = sqlite3.connect(
                p, isolation_level=None, timeout=10.0, factory=ProjectConnection
            )
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA busy_timeout = 10000")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{p}: not a coder project ({exc})") from None
        if version > SCHEMA_VERSION:
            raise ProjectError(
                f"{p}: made by a newer version of coder (schema {version}; this one knows"
                f" {SCHEMA_VERSION}); upgrade coder to open it"
            )
        if (
            version
            and not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchone()
        ):
            raise ProjectError(f"{p}: an SQLite file, but not a coder project")
        if version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise ProjectError(f"{p}: an SQLite file, but not a coder project")
        store = cls(p, conn)
        store._migrate(version)
        return store

    def _migrate(self, version: int) -> None:
        pending = [m for m in _migrations() if m[0] > version]
        if not pending:
            return
        if version > 0:  # keep the user's file as it was before any upgrade
            backup = self.path.with_name(f"{self.path.name}.v{version}.bak")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copyfile(self.path, backup)
            log.info("upgrading %s from schema %d; copy kept at %s", self.path, version, backup)
        for number, name, sql in pending:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _split_sql(sql):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number}")
                self.conn.execute("COMMIT")
            except Exception:
                self.conn.execute("ROLLBACK")
                raise ProjectError(
                    f"{self.path}: upgrade {name} failed; the project is unchanged"
                ) from None

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def reopen(self) -> Self:
        """A second connection to the same file, for use on another thread."""
        return type(self)._connect(self.path)

    def close(self) -> None:
        self.conn.close()

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
                    self.conn.execute("BEGIN IMMEDIATE")
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
        """One user action: one transaction and one event; undone and redone as a unit."""
        with self.transaction() as conn:
            act = Action(conn)
            yield act
            if not act.changes and undoable:
                return  # nothing changed: no event, nothing to undo
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
            )
            if undoable and coder is not None:
                conn.execute(
                    "DELETE FROM history_stack WHERE coder = ? AND stack = 'redo'", (coder,)
                )
                self._push(conn, event_id, coder, "undo")

    def log_event(
        self, action: str, coder: str | None, summary: str, details: Mapping[str, Any] | None = None
    ) -> int:
        """Record a non-undoable event inside the caller's open transaction."""
        return self._log(self.conn, "do", action, coder, summary, None, False, [], details or {})

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
    ) -> int:
        cur = conn.execute(
            "INSERT INTO events (at, coder, kind, action, summary, target_event_id, undoable,"
            " changes, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                now(),
                coder,
                kind,
                action,
                summary,
                target,
                int(undoable),
                json.dumps([c.to_json() for c in changes]),
                json.dumps(dict(details)),
            ),
        )
        return int(cur.lastrowid or 0)

    def _push(self, conn: sqlite3.Connection, event_id: int, coder: str, stack: str) -> None:
        conn.execute("DELETE FROM history_stack WHERE event_id = ?", (event_id,))
        seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM history_stack").fetchone()[0]
        conn.execute(
            "INSERT INTO history_stack (event_id, coder, stack, seq) VALUES (?, ?, ?, ?)",
            (event_id, coder, stack, seq),
        )

    def _top(self, coder: str, stack: str) -> int | None:
        row = self.conn.execute(
            "SELECT event_id FROM history_stack WHERE coder = ? AND stack = ? ORDER BY seq DESC"
            " LIMIT 1",
            (coder, stack),
        ).fetchone()
        return None if row is None else int(row[0])

    def can_undo(self, coder: str) -> Event | None:
        top = self._top(coder, "undo")
        return None if top is None else self.event(top)

    def can_redo(self, coder: str) -> Event | None:
        top = self._top(coder, "redo")
        return None if top is None else self.event(top)

    def undo(self, coder: str) -> Event | None:
        """Undo `coder`'s latest action still in effect; returns it, or None if nothing to undo."""
        return self._replay(coder, "undo")

    def redo(self, coder: str) -> Event | None:
        """Redo `coder`'s latest undone action; returns it, or None if nothing to redo."""
        return self._replay(coder, "redo")

    def _replay(self, coder: str, kind: str) -> Event | None:
        with self.transaction() as conn:
            target_id = self._top(coder, kind)
            if target_id is None:
                return None
            target = self.event(target_id)
            recorded = [Change.from_json(c) for c in target.changes]
            steps = [c.inverse() for c in reversed(recorded)] if kind == "undo" else recorded
            act = Action(conn)
            try:
                for change in steps:
                    act.apply(change, label=f'{kind} "{target.summary}"')
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
                target_id,
                False,
                act.changes,
                {},
            )
            self._push(conn, target_id, coder, "redo" if kind == "undo" else "undo")
            return target

    # -- the log -------------------------------------------------------------------------------

    def event(self, event_id: int) -> Event:
        cur = self.conn.execute("SELECT * FROM events WHERE id = ?", (event_id,))
        row = cur.fetchone()
        if row is None:
            raise ProjectError(f"no event {event_id}")
        return _event(_row(cur, row))

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
                " '[]' AS changes"
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
        changes=tuple(json.loads(row["changes"])),
        details=json.loads(row["details"]),
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
