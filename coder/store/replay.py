"""Undo and redo: an event's row changes checked and planned before the write lock is taken.

Part of the store (the only layer that speaks SQL); imports no UI or CLI library. Planning
reads, in a few statements, every row an event's changes touch, checks that each is as the
change expects (else a later action changed it, and the replay is refused) and works out the
rows to write, which are also what the replay's own event records. `StoreBase._replay` then
holds the write lock only to write them in batches (see `coder.store.changes`).

Row images are whole rows of the schema the event was written at. Replaying an event of an
older schema upgrades its images first: a column added since is missing from them, so it is
left out when rows are compared, an update leaves its value as it is and an insert gives it the
column's default; a column dropped since is dropped from them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from coder.core.errors import ProjectError
from coder.store.changes import TABLE_KEYS, Change, Row
from coder.store.dialect import Connection, Dialect

#: Keys looked up per statement when reading the rows a replay touches.
_KEYS_PER_READ = 1000

Columns = Mapping[str, Sequence[str]]  # table -> its columns, in order
_Where = tuple[str, tuple[Any, ...]]  # (table, primary key values)


@dataclass(frozen=True)
class Step:
    """One change to replay, its row images in the current schema.

    Attributes:
        change: The change (images without the columns dropped since it was recorded).
        unknown: Columns of the table the images lack because they were added since.
    """

    change: Change
    unknown: frozenset[str] = frozenset()


def upgrade(changes: Sequence[Change], then: Columns | None, now: Columns) -> list[Step]:
    """The changes as steps of the current schema.

    Args:
        changes: Changes recorded by an event, in the order to replay them.
        then: The tables' columns at the schema the event was written at; None when it is not
            known (events written before it was recorded): each image's own columns are taken.
        now: The tables' columns now.
    """
    steps = []
    for change in changes:
        table = change.table
        if table not in TABLE_KEYS:
            raise ValueError(f"table {table!r} cannot be changed by a user action")
        current = now.get(table, ())
        image = change.after if change.before is None else change.before
        had = then.get(table, ()) if then is not None else tuple(image or current)
        if not had or list(had) == list(current):  # as recorded (or nothing to go on)
            steps.append(Step(change))
            continue
        kept = set(current)
        added = frozenset(c for c in current if c not in set(had))

        def fit(row: Row | None, kept: set[str] = kept) -> Row | None:
            return None if row is None else {k: v for k, v in row.items() if k in kept}

        upgraded = Change(table, change.op, dict(change.key), fit(change.before), fit(change.after))
        steps.append(Step(upgraded, added))
    return steps


def plan(conn: Connection, dialect: Dialect, steps: Sequence[Step], label: str) -> list[Change]:
    """The row changes that replay `steps` on the project as it is now (reads only).

    Each step's expected row ("before") must be the row as it stands, or as the steps before
    it leave it.

    Args:
        conn: The project.
        dialect: Its database's SQL differences.
        steps: The changes, in order.
        label: What is replayed, for the refusal, e.g. 'undo "coded answer 7"'.

    Returns:
        The changes to write, in order, with whole rows before and after: what the replay's
        event records. An update that would change nothing is left out.

    Raises:
        ProjectError: If a row is no longer as a step expects: a later action changed it.
    """
    wheres = [(s.change.table, _key(s.change.table, s.change.key)) for s in steps]
    current = _read_rows(conn, dialect, wheres)
    defaults: dict[str, Row] = {}
    state: dict[_Where, Row | None] = {}
    planned: list[Change] = []
    for step, where in zip(steps, wheres, strict=True):
        change = step.change
        row = state[where] if where in state else current.get(where)
        if not _as_expected(row, change.before, step.unknown):
            raise ProjectError(
                f"cannot {label}: {change.table} {change.key} was changed by a later action"
            )
        new: Row | None
        if change.op == "insert":
            assert change.after is not None
            new = change.after
            if step.unknown:
                if change.table not in defaults:
                    defaults[change.table] = dialect.column_defaults(conn, change.table)
                new = {k: new.get(k, v) for k, v in defaults[change.table].items()}
            planned.append(Change(change.table, "insert", dict(change.key), None, new))
        elif change.op == "delete":
            assert row is not None
            new = None
            planned.append(Change(change.table, "delete", dict(change.key), row, None))
        else:
            assert row is not None and change.after is not None
            if all(row.get(k) == v for k, v in change.after.items()):
                continue  # nothing to change: nothing recorded, as for any action
            new = {**row, **change.after}
            planned.append(Change(change.table, "update", dict(change.key), row, new))
        state[where] = new
    return planned


def _as_expected(row: Row | None, expected: Row | None, unknown: frozenset[str]) -> bool:
    if row is None or expected is None:
        return row is None and expected is None
    if unknown:
        row = {k: v for k, v in row.items() if k not in unknown}
    return row == expected


def _key(table: str, key: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(key[k] for k in TABLE_KEYS[table])


def _read_rows(conn: Connection, dialect: Dialect, wheres: Sequence[_Where]) -> dict[_Where, Row]:
    """The rows at these (table, key) places as they stand; absent rows are left out."""
    wanted: dict[str, dict[tuple[Any, ...], None]] = {}
    for table, key in wheres:
        wanted.setdefault(table, {})[key] = None
    found: dict[_Where, Row] = {}
    for table, keys in wanted.items():
        columns = TABLE_KEYS[table]
        # One statement per many keys: the keys go in as one JSON array, joined on the primary
        # key, and each row comes back with the position of the key that found it.
        sql = dialect.rows_by_key(table, columns)
        listed = list(keys)
        for start in range(0, len(listed), _KEYS_PER_READ):
            chunk = listed[start:start + _KEYS_PER_READ]
            cur = conn.execute(sql, (dialect.keys_param(columns, chunk),))
            names = [d[0] for d in cur.description][1:]
            for position, *values in cur.fetchall():
                found[(table, chunk[int(position)])] = dict(zip(names, values, strict=True))
    return found

