"""Copying a whole project from one database to another (SQLite and PostgreSQL, either way).

Every table is copied row for row, keys included, in an order that satisfies the foreign keys
(a table's references to its own rows are filled in after its rows are in), from one snapshot
of the source, in one transaction on the target: the copy is all or nothing. The target must be
new or an empty project; nothing is ever written over a project that holds anything. Part of the
store; imports no UI or CLI library.
"""

from __future__ import annotations

import functools
import itertools
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coder.core.errors import ProjectError
from coder.core.progress import Progress
from coder.store.event_log import stored_for
from coder.store.schema import SCHEMA_VERSION, migrations, split_sql
from coder.store.survey import storable_raw_text
from coder.store.url import create_project, is_url, open_project, safe_location

if TYPE_CHECKING:
    from coder.store.url import AnyStore

#: Rows read and written per batch (keeps memory flat for a million codings).
BATCH = 5000


@dataclass(frozen=True)
class TableShape:
    """A table as the copy sees it.

    Attributes:
        name: The table.
        columns: Its columns, in order.
        key: Its primary key columns.
        own_refs: Columns referring to rows of the same table, set after every row is in
            (empty for `events`, whose rows only ever name earlier events and may not be
            updated).
    """

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    own_refs: tuple[str, ...]


@dataclass(frozen=True)
class CopyReport:
    """What a copy did: the rows of each table in the source and in the target afterwards."""

    source: str
    target: str
    rows: tuple[tuple[str, int, int], ...]  # (table, source rows, target rows)

    @property
    def verified(self) -> bool:
        return all(src == dst for _t, src, dst in self.rows)

    @property
    def total(self) -> int:
        return sum(src for _t, src, _d in self.rows)


@functools.cache
def table_shapes() -> tuple[TableShape, ...]:
    """Every table of the current schema, each after the tables its foreign keys name."""
    conn = sqlite3.connect(":memory:")
    try:
        for _number, _name, sql in migrations():
            for statement in split_sql(sql):
                conn.execute(statement)
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name")]
        shapes: dict[str, TableShape] = {}
        needs: dict[str, set[str]] = {}
        for name in names:
            info = list(conn.execute(f"PRAGMA table_info({name})"))
            refs = list(conn.execute(f"PRAGMA foreign_key_list({name})"))
            own = tuple(r[3] for r in refs if r[2] == name and name != "events")
            key = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
            shapes[name] = TableShape(name, tuple(r[1] for r in info), key, own)
            needs[name] = {r[2] for r in refs if r[2] != name}
    finally:
        conn.close()
    ordered: list[TableShape] = []
    done: set[str] = set()
    while len(ordered) < len(shapes):
        ready = [n for n in names if n not in done and needs[n] <= done]
        if not ready:  # pragma: no cover - a cycle between tables would need deferred keys
            raise RuntimeError(f"foreign keys form a cycle among {sorted(set(names) - done)}")
        for name in ready:
            ordered.append(shapes[name])
            done.add(name)
    return tuple(ordered)


def row_counts(store: AnyStore) -> dict[str, int]:
    """How many rows each table of the project holds."""
    return {t.name: int(store.conn.execute(f"SELECT count(*) FROM {t.name}").fetchone()[0])
            for t in table_shapes()}


def open_target(location: str | Path) -> AnyStore:
    """The project to copy into: created when new (a file not yet there, a database with no
    tables), else an existing project that holds nothing at all.

    Raises:
        ProjectError: If the target holds anything (it is never written over), or cannot be
            made or reached.
    """
    new = (not Path(location).exists()) if not is_url(location) else _empty_database(location)
    store = create_project(location) if new else open_project(location)
    held = {name: n for name, n in row_counts(store).items() if n}
    if held:
        store.close()
        first = ", ".join(f"{n} in {name}" for name, n in sorted(held.items())[:3])
        raise ProjectError(
            f"{safe_location(location)}: the target already holds a project ({first});"
            " a copy never writes over a project: give a new file or an empty database")
    return store


def _empty_database(url: str | Path) -> bool:
    """True when the database at `url` has no tables (not even a coder project's)."""
    from coder.store.postgres import PostgresStore

    return PostgresStore.is_empty(str(url))


@contextmanager
def _snapshot(store: AnyStore) -> Iterator[None]:
    """Reads inside see one consistent state of the project, whoever writes meanwhile."""
    store.conn.execute(store.dialect.begin_snapshot)
    try:
        yield
    finally:
        store.conn.execute("ROLLBACK")


def copy_rows(source: AnyStore, target: AnyStore, progress: Progress) -> CopyReport:
    """Copy every row of `source` into the empty project `target`, then count both.

    Raises:
        ProjectError: If the projects are at different schemas, or a write fails (the target
            is then left as empty as it was).
        Cancelled: If `progress` is cancelled (nothing is written).
    """
    if source.schema_version != target.schema_version:  # pragma: no cover - both just opened
        raise ProjectError("the two projects are at different schema versions")
    compress = target.dialect.compress_events
    with _snapshot(source):
        counts = row_counts(source)
        total, done = sum(counts.values()), 0
        progress.step(0, total)
        with target.transaction() as conn:
            for shape in table_shapes():
                columns = ", ".join(shape.columns)
                marks = ", ".join("?" for _ in shape.columns)
                insert = f"INSERT INTO {shape.name} ({columns}) VALUES ({marks})"
                nulled = [shape.columns.index(c) for c in shape.own_refs]
                changes = shape.columns.index("changes") if shape.name == "events" else -1
                # A project imported before NULs were dropped from raw texts may hold some.
                raw = shape.columns.index("raw_text") if shape.name == "answers" else -1
                later: list[tuple[Any, ...]] = []
                order = ", ".join(shape.key)
                read = getattr(source.conn, "stream", source.conn.execute)
                bulk = getattr(conn, "copy_in", None)  # PostgreSQL's COPY, else executemany
                for batch in _batches(read(f"SELECT {columns} FROM {shape.name} ORDER BY {order}")):
                    progress.check()
                    out = []
                    for row in batch:
                        values = list(row)
                        if changes >= 0:
                            values[changes] = stored_for(values[changes], compress=compress)
                        if raw >= 0:
                            values[raw] = storable_raw_text(values[raw])
                        if nulled and any(values[i] is not None for i in nulled):
                            later.append((*(values[i] for i in nulled),
                                          *(values[shape.columns.index(k)] for k in shape.key)))
                            for i in nulled:
                                values[i] = None
                        out.append(values)
                    if bulk is not None:
                        bulk(shape.name, shape.columns, out)
                    else:
                        conn.executemany(insert, out)
                    done += len(out)
                    progress.step(done, total, shape.name)
                if later:
                    sets = ", ".join(f"{c} = ?" for c in shape.own_refs)
                    where = " AND ".join(f"{k} = ?" for k in shape.key)
                    for batch in _batches(later):
                        conn.executemany(f"UPDATE {shape.name} SET {sets} WHERE {where}", batch)
                target.dialect.reset_keys(conn, shape.name)
            progress.check()  # the last moment to stop: nothing written yet
    for statement in target.dialect.after_bulk_load:  # the target's planner learns its rows
        target.conn.execute(statement)
    copied = row_counts(target)
    return CopyReport(safe_location(source.location), safe_location(target.location),
                      tuple((t.name, counts[t.name], copied[t.name]) for t in table_shapes()))


def _batches(rows: Any) -> Iterator[Sequence[Any]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, BATCH)):
        yield batch


__all__ = ["CopyReport", "SCHEMA_VERSION", "TableShape", "copy_rows", "open_target",
           "row_counts", "table_shapes"]
