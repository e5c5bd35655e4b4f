"""One user action's open transaction: its row writes, recorded as changes for undo and redo.

Part of the store; imports no UI or CLI library. `StoreBase.action()` opens an `Action`; the
changes it records become the action's event (see `coder.store.event_log`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from coder.core.errors import ProjectError
from coder.store.changes import TABLE_KEYS, Batch, Change, Row
from coder.store.dialect import Connection, Cursor


def now() -> str:
    """The time now, UTC, as the store records it ("2025-03-01T12:00:00.000Z")."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Action:
    """The open transaction of one user action; its writes are recorded for undo."""

    conn: Connection
    changes: list[Change] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    summary: str | None = None

    def get(self, table: str, key: Mapping[str, Any]) -> Row | None:
        where, params = where_key(table, key)
        cur = self.conn.execute(f"SELECT * FROM {table} WHERE {where}", params)
        row = cur.fetchone()
        return as_row(cur, row) if row is not None else None

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
        after = as_row(cur, cur.fetchall()[0])
        key = {k: after[k] for k in TABLE_KEYS[table]}
        self.changes.append(Change(table, "insert", key, None, after))
        return after

    def update(self, table: str, key: Mapping[str, Any], values: Mapping[str, Any], *,
               before: Row | None = None) -> Row | None:
        """Set `values` on the row; returns the new row, or None when nothing changed.

        `before` is the row as the caller just read it in this transaction (saves reading it
        again); the new row comes back from the update itself.
        """
        if before is None:
            before = self.get(table, key)
        if before is None:
            raise ProjectError(f"{table} row {dict(key)} does not exist")
        if all(before.get(k) == v for k, v in values.items()):
            return None
        sets = ", ".join(f"{k} = ?" for k in values)
        where, params = where_key(table, key)
        cur = self.conn.execute(f"UPDATE {table} SET {sets} WHERE {where} RETURNING *",
                                [*values.values(), *params])
        after = as_row(cur, cur.fetchall()[0])
        self.changes.append(Change(table, "update", dict(key), before, after))
        return after

    def delete(self, table: str, key: Mapping[str, Any]) -> Row | None:
        """Delete the row; returns it as it was, or None when there was none."""
        where, params = where_key(table, key)
        cur = self.conn.execute(f"DELETE FROM {table} WHERE {where} RETURNING *", params)
        found = cur.fetchall()
        if not found:
            return None
        before = as_row(cur, found[0])
        self.changes.append(Change(table, "delete", dict(key), before, None))
        return before

    def write(self, batches: Sequence[Batch]) -> None:
        """Write planned row changes, many rows per statement, recording each for undo."""
        for batch in batches:
            self.conn.executemany(batch.sql, batch.params)
            self.changes.extend(batch.changes)


def where_key(table: str, key: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """A WHERE clause (and its parameters) finding one row of a table actions may change."""
    if table not in TABLE_KEYS:
        raise ValueError(f"table {table!r} cannot be changed by a user action")
    return " AND ".join(f"{k} = ?" for k in key), list(key.values())


def as_row(cur: Cursor, row: Sequence[Any]) -> Row:
    """A fetched row as a dict of column -> value."""
    return {d[0]: v for d, v in zip(cur.description, row, strict=True)}

