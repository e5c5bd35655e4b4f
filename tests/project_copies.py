"""Fresh copies of a project file for every example of a property test, on either backend.

A property test needs the same starting project for each of its (many) examples. On SQLite a
copy is a file copy. On PostgreSQL a new database per example costs a few hundred milliseconds
(CREATE DATABASE, then the copy), so the project is copied (`coder db copy`) into one database
once, its rows saved beside it in a schema of their own; each later copy empties every table
and fills it again from the saved rows, in one transaction and one round trip — about 15 ms
for a small project, against some 200 ms for TRUNCATE and far more for a new database.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

#: The schema holding the saved rows: not the project's (the store reads `current_schema()`).
SAVED = "saved_rows"


class RefilledDatabase:
    """One database on the test server put back, at each `refill`, to a project file's rows."""

    def __init__(self, url: str, template: Path) -> None:
        import psycopg

        from coder.services.db_copy import copy_project
        from coder.store.copy import table_shapes

        copy_project(template, url)
        self.url = url
        self.tables = [shape.name for shape in table_shapes()]  # referenced tables first
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {SAVED}")
            for table in self.tables:
                conn.execute(f"CREATE TABLE {SAVED}.{table} AS SELECT * FROM {table}")
            # The generated keys continue where the project's did (ids as in the file's copy).
            self.sequences: list[tuple[str, int, bool]] = [
                (str(seq), *conn.execute(f"SELECT last_value, is_called FROM {seq}").fetchone())
                for (seq,) in conn.execute(
                    "SELECT pg_get_serial_sequence(table_name, column_name)"
                    " FROM information_schema.columns WHERE table_schema = current_schema()"
                    " AND is_identity = 'YES'").fetchall()]
            self.superuser = bool(conn.execute(
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0])

    def refill(self) -> str:
        """Empty the project and fill it again with the saved rows; returns its URL.

        Every connection to the project must be closed (the emptying waits for them).
        """
        import psycopg

        refill = [f"INSERT INTO {t} SELECT * FROM {SAVED}.{t}" for t in self.tables]
        refill += [f"SELECT setval('{seq}', {value}, {str(called).lower()})"
                   for seq, value, called in self.sequences]
        if self.superuser:
            # Row triggers off (the event log refuses deletes; the foreign keys are known to
            # hold): deleting a few rows is far quicker than TRUNCATE's new files.
            empty = ["SET LOCAL session_replication_role = replica",
                     *(f"DELETE FROM {t}" for t in reversed(self.tables))]
        else:
            empty = [f"TRUNCATE {', '.join(self.tables)}"]
        with psycopg.connect(self.url) as conn:  # one transaction, one round trip
            conn.execute("; ".join(empty + refill))
        return self.url


class FreshCopies:
    """`copies(template)`: the location of a project holding exactly the rows of the project
    file `template`, new at every call (a file, or a database on the test server refilled).

    `slot` tells apart copies an example holds at once (one file or database per template and
    slot: the copy a slot gave before is gone, so it must be closed by then).
    """

    def __init__(self, backend: str, folder: Path, cluster: Any = None) -> None:
        self.backend = backend
        self.folder = folder
        self._cluster = cluster  # the test server (PostgreSQL only)
        self._databases: dict[tuple[Path, int], RefilledDatabase] = {}
        self._templates: dict[Path, int] = {}

    def __call__(self, template: Path, slot: int = 0) -> str:
        if self.backend == "sqlite":
            number = self._templates.setdefault(template, len(self._templates))
            target = self.folder / f"fresh{number}-{slot}.coder"
            for old in self.folder.glob(f"{target.name}*"):  # with its -wal, -shm, backups
                old.unlink()
            shutil.copyfile(template, target)
            return str(target)
        database = self._databases.get((template, slot))
        if database is None:  # the first copy is fresh already
            database = RefilledDatabase(self._cluster.new_database(), template)
            self._databases[(template, slot)] = database
            return database.url
        return database.refill()
