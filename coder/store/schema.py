"""The schema's history: numbered migration files, the version they reach, old schemas' columns.

Part of the store; imports no UI or CLI library. Migrations are plain SQL files in
`coder/store/migrations/`, applied in order when a project is opened.
"""

from __future__ import annotations

import functools
import sqlite3
from importlib import resources

from coder.store.changes import TABLE_KEYS


def migrations() -> list[tuple[int, str, str]]:
    """(number, file name, SQL) of every migration, in order; checks they are numbered 1..n."""
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


SCHEMA_VERSION = len(migrations())


@functools.cache
def columns_at(version: int) -> dict[str, tuple[str, ...]]:
    """The columns of each table a user action may change, as schema `version` had them.

    Worked out by applying the first `version` migrations to an empty database in memory, so
    every schema the migrations ever made is known exactly.
    """
    conn = sqlite3.connect(":memory:")
    try:
        for _number, _name, sql in migrations()[:version]:
            for statement in split_sql(sql):
                conn.execute(statement)
        return {
            table: tuple(r[1] for r in conn.execute(f"PRAGMA table_info({table})"))
            for table in TABLE_KEYS
        }
    finally:
        conn.close()


def split_sql(script: str) -> list[str]:
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

