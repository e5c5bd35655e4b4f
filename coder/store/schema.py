"""The schema's history: numbered migration files, the version they reach, old schemas' columns.

Part of the store; imports no UI or CLI library. Migrations are plain SQL files in
`coder/store/migrations/`, applied in order when a project is opened.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from importlib import resources
from typing import Any

from coder.core.embedding import cache_key
from coder.store.changes import TABLE_KEYS

#: Rows read and written at a time by a migration's Python step.
_FILL_CHUNK = 5000


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


def fill_embedding_keys(conn: Any) -> None:
    """Store each answer's embedding cache key where it is not known (NULL) yet.

    The Python step of migration `*_answer_embedding_keys` (SQL has no NFKC normalisation);
    the connection is either backend's, inside the migration's transaction.
    """
    rows = conn.execute("SELECT id, text FROM answers WHERE embedding_key IS NULL").fetchall()
    for start in range(0, len(rows), _FILL_CHUNK):
        conn.executemany("UPDATE answers SET embedding_key = ? WHERE id = ?",
                         [(cache_key(text), answer_id)
                          for answer_id, text in rows[start:start + _FILL_CHUNK]])


#: Python steps run right after a migration's SQL, by the migration's topic (its file name
#: without the number, which may change when branches are merged).
_AFTER: dict[str, Callable[[Any], None]] = {
    "answer_embedding_keys": fill_embedding_keys,
}


def after_migration(file_name: str, conn: Any) -> None:
    """Run the Python step of migration `file_name` ("0011_topic.sql"), if it has one."""
    step = _AFTER.get(file_name.removesuffix(".sql").split("_", 1)[1])
    if step is not None:
        step(conn)
