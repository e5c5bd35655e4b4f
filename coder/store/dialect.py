"""The few places where SQLite and PostgreSQL need different SQL, in one small object each.

The store writes every query once, in SQL both databases take: `?` placeholders,
`INSERT ... ON CONFLICT DO NOTHING / DO UPDATE`, `RETURNING`, `CASE` rather than summed
booleans. What cannot be written once is here: placeholders as the driver wants them, reading a
key of a JSON object, joining strings, finding a substring, reading many rows by their keys in
one statement, and how a connection is set up and a write transaction begun. Part of the store;
imports no UI or CLI library.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["POSTGRESQL", "SQLITE", "Connection", "Cursor", "Dialect"]

#: The separator `string_agg` puts between values (the ASCII unit separator).
SEPARATOR = "\x1f"


class Cursor(Protocol):
    """What the store reads from a cursor, whatever the driver."""

    @property
    def description(self) -> Any: ...
    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """What the store does with a connection, whatever the driver (placeholders are `?`)."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...
    def executemany(self, sql: str, parameters: Any, /) -> Cursor: ...
    @property
    def in_transaction(self) -> bool: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Dialect:
    """SQL that differs between the databases; everything else is written once.

    Attributes:
        name: "sqlite" or "postgresql".
        begin_write: The statement that starts a write transaction (SQLite takes the write lock
            at once, so a busy project is found before any work is done).
        setup: Statements run on every new connection.
        compress_events: Large event changes are compressed in the row (SQLite), rather than
            left to the server (PostgreSQL compresses large values itself, and its text
            columns hold no bytes).
        begin_snapshot: Starts a read-only transaction whose reads all see one state of the
            project (a whole-project copy reads every table in it).
        announce: Tells every listening connection that this one wrote (PostgreSQL's NOTIFY,
            delivered at commit); None where others find out by polling (SQLite).
        after_bulk_load: Statements run (outside any transaction) after many rows were
            written at once, e.g. a whole-project copy: PostgreSQL's planner statistics and
            visibility map, without which a report's first plans guess a handful of rows
            where there are a million (SQLite's planner is left to its own rules).
    """

    @property
    def commit(self) -> str:
        """Ends a write transaction, with the announcement if any (one round trip: the
        statements take no parameters)."""
        return "COMMIT" if self.announce is None else f"{self.announce}; COMMIT"

    name: str
    begin_write: str
    setup: tuple[str, ...] = ()
    compress_events: bool = True
    begin_snapshot: str = "BEGIN"
    announce: str | None = None
    after_bulk_load: tuple[str, ...] = ()

    def sql(self, text: str) -> str:
        """A statement written with `?` placeholders, as the driver takes it."""
        if self.name == "postgresql":
            return text.replace("%", "%%").replace("?", "%s")
        return text

    def json_text(self, column: str) -> str:
        """SQL for the text under the key given by the next parameter of a JSON object column."""
        if self.name == "postgresql":
            return f"(({column})::jsonb ->> ?)"
        return f"json_extract({column}, '$.' || json_quote(?))"

    def json_each(self, column: str) -> str:
        """A table function giving each (key, value) of a JSON object column, as `j.key`."""
        if self.name == "postgresql":
            return f"jsonb_each(({column})::jsonb)"
        return f"json_each({column})"

    def string_agg(self, expression: str) -> str:
        """SQL joining `expression` over a group with `SEPARATOR` (NULL for no rows)."""
        if self.name == "postgresql":
            return f"string_agg({expression}, chr(31))"
        return f"group_concat({expression}, char(31))"

    def lower_contains(self, text: str) -> str:
        """SQL true when the next parameter occurs in `text` with ASCII letters in lower case
        (what case folding does to an ASCII text; the locale never changes it)."""
        if self.name == "postgresql":
            return f'strpos(lower({text} COLLATE "C"), ?) > 0'
        return f"instr(lower({text}), ?) > 0"

    def not_ascii(self, text: str) -> str:
        """SQL true when `text` has a character beyond ASCII."""
        if self.name == "postgresql":
            return f"octet_length({text}) != char_length({text})"
        return f"length(CAST({text} AS BLOB)) != length({text})"

    def rows_by_key(self, table: str, columns: Sequence[str]) -> str:
        """A statement reading the rows of `table` whose keys are listed in its one parameter.

        Each row comes back as (position of its key in the list, then the row's columns); the
        parameter is `keys_param(columns, keys)`. One statement for many keys, using the key's
        index.
        """
        if self.name == "postgresql":
            match = " AND ".join(f"t.{c} = j.{c}" for c in columns)
            return (
                f"SELECT j.ordinality - 1, t.* FROM jsonb_populate_recordset(NULL::{table},"
                f" ?::jsonb) WITH ORDINALITY AS j JOIN {table} t ON {match}"
            )
        match = " AND ".join(
            f"t.{c} = json_extract(j.value, '$[{i}]')" for i, c in enumerate(columns)
        )
        return f"SELECT j.key, t.* FROM json_each(?) j CROSS JOIN {table} t ON {match}"

    def column_defaults(self, conn: Connection, table: str) -> dict[str, Any]:
        """Each column of `table` with the value an insert that leaves it out gives it."""
        if self.name == "postgresql":
            found = conn.execute(
                "SELECT column_name, column_default FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = ?"
                " ORDER BY ordinal_position",
                (table,),
            ).fetchall()
        else:
            found = [(r[1], r[4]) for r in conn.execute(f"PRAGMA table_info({table})")]
        return {
            name: None if default is None else conn.execute(f"SELECT {default}").fetchone()[0]
            for name, default in found
        }

    def ddl(self, statement: str) -> list[str]:
        """A statement of a migration file (written for SQLite) as this database takes it.

        For PostgreSQL: generated keys become identity columns, BLOB is BYTEA, REAL (8 bytes in
        SQLite) is DOUBLE PRECISION, WITHOUT ROWID goes, printf's zero padding is lpad, and a
        trigger that refuses a change
        becomes a PL/pgSQL function and its trigger.
        """
        if self.name != "postgresql":
            return [statement]
        refuse = _REFUSING_TRIGGER.match(statement.strip())
        if refuse:
            name, event, table, message = refuse.groups()
            return [
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql"
                f" AS $$ BEGIN RAISE EXCEPTION '{message}'; END $$",
                f"CREATE TRIGGER {name} BEFORE {event} ON {table}"
                f" FOR EACH ROW EXECUTE FUNCTION {name}()",
            ]
        statement = statement.replace(
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        )
        statement = re.sub(r"\)\s*WITHOUT ROWID", ")", statement)
        statement = re.sub(r"\bBLOB\b", "BYTEA", statement)
        # SQLite's printf('%012d...') for a sortable path: lpad on PostgreSQL.
        statement = re.sub(r"printf\('%012d\.%012d/', ([^,]+), ([^)]+)\)",
                           r"(lpad((\1)::text, 12, '0') || '.'"
                           r" || lpad((\2)::text, 12, '0') || '/')",
                           statement)
        return [re.sub(r"\bREAL\b", "DOUBLE PRECISION", statement)]

    def reset_keys(self, conn: Connection, table: str) -> None:
        """After rows were inserted with their keys given, make generated keys continue above
        them (SQLite's AUTOINCREMENT does so by itself; a PostgreSQL identity does not)."""
        if self.name != "postgresql":
            return
        for (column,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema ="
                " current_schema() AND table_name = ? AND is_identity = 'YES'", (table,)
        ).fetchall():
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                f" coalesce(max({column}), 0) + 1, false) FROM {table}")

    def keys_param(self, columns: Sequence[str], keys: Sequence[tuple[Any, ...]]) -> str:
        """The parameter of `rows_by_key`: the keys as one JSON array."""
        if self.name == "postgresql":
            return json.dumps([dict(zip(columns, key, strict=True)) for key in keys])
        return json.dumps([list(key) for key in keys])


_REFUSING_TRIGGER = re.compile(
    r"CREATE TRIGGER (\w+) BEFORE (UPDATE|DELETE) ON (\w+)\s+"
    r"BEGIN SELECT RAISE\(ABORT, '([^']*)'\); END;?$",
    re.DOTALL,
)

SQLITE = Dialect(
    "sqlite",
    begin_write="BEGIN IMMEDIATE",
    setup=(
        "PRAGMA foreign_keys = ON",
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA busy_timeout = 10000",
    ),
)
POSTGRESQL = Dialect(
    "postgresql", begin_write="BEGIN",
    # No JIT compilation: a report's counting statement over a million codings is costed high
    # enough to be compiled, and compiling takes longer (1.7 s) than running it (0.7 s). Sorts
    # and hashes of a report's 250,000 answers in memory rather than on disk: at least 64 MB
    # for each (the server's default is 4 MB; a larger setting of the server's is kept).
    setup=("SET TIME ZONE 'UTC'", "SET jit = off",
           "SELECT set_config('work_mem', '64MB', false) WHERE"
           " pg_size_bytes(current_setting('work_mem')) < pg_size_bytes('64MB')"),
    compress_events=False,
    begin_snapshot="BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    announce="NOTIFY coder_writes",
    after_bulk_load=("VACUUM (ANALYZE)",),
)

#: The channel PostgreSQL's `announce` notifies (channels are per database: one project).
WRITES_CHANNEL = "coder_writes"
