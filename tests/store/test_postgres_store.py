"""The PostgreSQL store on a real server: the same schema as SQLite's, its own opening rules,
the event log append-only, a busy project waited for and refused as on SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
from postgres_server import PostgresCluster

from coder.core.errors import ProjectBusy, ProjectError
from coder.store import create_project
from coder.store.postgres import WRITE_LOCK, PostgresStore
from coder.store.schema import SCHEMA_VERSION


@pytest.fixture
def pg_url(pg_cluster: PostgresCluster) -> str:
    return pg_cluster.new_database()


def _sqlite_schema(path: Path) -> dict[str, list[tuple[str, bool]]]:
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    found = {t: [(r[1], bool(r[5])) for r in conn.execute(f"PRAGMA table_info({t})")]
             for t in tables}
    conn.close()
    return found


def _postgres_schema(url: str) -> dict[str, list[tuple[str, bool]]]:
    with psycopg.connect(url) as conn:
        keys = {(t, c) for t, c in conn.execute(
            "SELECT k.table_name, k.column_name FROM information_schema.table_constraints c"
            " JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name"
            " WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema = current_schema()")}
        found: dict[str, list[tuple[str, bool]]] = {}
        for table, column in conn.execute(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"):
            found.setdefault(table, []).append((column, (table, column) in keys))
    return found


def test_migrations_make_the_same_tables_and_columns(pg_url: str, tmp_path: Path) -> None:
    create_project(tmp_path / "p.coder").close()
    PostgresStore.create(pg_url).close()
    sqlite_tables = _sqlite_schema(tmp_path / "p.coder")
    postgres_tables = _postgres_schema(pg_url)
    assert postgres_tables.pop("coder_schema") == [("version", False)]
    assert postgres_tables == sqlite_tables  # names, order and primary keys of every column
    with psycopg.connect(pg_url) as conn:
        types = dict(conn.execute(
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = current_schema()").fetchall())
    assert types["embeddings.vector"] == "bytea"
    assert types["themes.share"] == "double precision"  # 8 bytes, as SQLite's REAL


def test_opening_rules(pg_url: str, pg_cluster: PostgresCluster) -> None:
    with PostgresStore.create(pg_url) as store:
        assert store.schema_version == SCHEMA_VERSION
        store.coder("ann")
    with pytest.raises(ProjectError, match="not empty"):
        PostgresStore.create(pg_url)
    with PostgresStore.open(pg_url) as store:
        assert [c.name for c in store.coders()] == ["ann"]
    other = pg_cluster.new_database()
    with pytest.raises(ProjectError, match="not a coder project"):
        PostgresStore.open(other)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE coder_schema SET version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(ProjectError, match="newer version"):
        PostgresStore.open(pg_url)


def test_password_is_never_in_messages(pg_cluster: PostgresCluster) -> None:
    url = pg_cluster.url("no_such_database").replace("coder@", "coder:s3cret@")
    with pytest.raises(ProjectError) as refused:
        PostgresStore.open(url)
    assert "s3cret" not in str(refused.value) and "no_such_database" in str(refused.value)


def test_event_log_is_append_only(pg_url: str) -> None:
    with PostgresStore.create(pg_url) as store:
        store.coder("ann")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("UPDATE events SET summary = 'x'")
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("DELETE FROM events")
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 1


def test_busy_project_waits_then_refuses_with_nothing_changed(pg_url: str) -> None:
    with PostgresStore.create(pg_url) as store:
        ann = store.coder("ann")
        events = len(store.events())
        waits: list[float] = []
        store.busy_wait, store.on_busy = 0.8, waits.append
        with psycopg.connect(pg_url) as colleague:  # a long write holds the project's lock
            colleague.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            with pytest.raises(ProjectBusy):
                store.set_setting("k", 1, ann.name)
            colleague.rollback()
        assert waits and max(waits) < 0.8 and len(store.events()) == events
        assert store.setting("k") is None
        store.set_setting("k", 1, ann.name)  # free again
        assert store.setting("k") == 1


def test_large_action_is_stored_as_text_and_undone(pg_url: str) -> None:
    with PostgresStore.create(pg_url) as store:
        store.set_setting("big", ["x" * 40] * 500, "ann")  # well over the compression size
        with psycopg.connect(pg_url) as conn:
            stored = conn.execute(
                "SELECT changes FROM events ORDER BY id DESC LIMIT 1").fetchone()[0]
        assert isinstance(stored, str) and len(stored) > 8192
        assert store.undo("ann") is not None and store.setting("big") is None


def test_no_statement_waits_for_just_in_time_compilation(pg_url: str) -> None:
    """A report's counting statement over a million codings is costed high enough for the
    server to compile it, which takes longer than running it: the store's sessions never do."""
    with PostgresStore.create(pg_url) as store:
        store.conn.execute("SET jit_above_cost = 0")  # the server's rule: compile everything
        plan = store.conn.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM codings").fetchone()[0]
    assert "Plan" in plan[0] and "JIT" not in plan[0]


def test_a_report_sorts_in_memory_whatever_the_servers_small_default(
        pg_url: str, pg_cluster: PostgresCluster) -> None:
    """At least 64 MB per sort or hash (250,000 answers' code combinations sorted on disk at
    the server's default 4 MB were a fifth of a report's time); a larger server setting stays."""
    with PostgresStore.create(pg_url) as store:
        store.conn.execute("CREATE TABLE combos AS SELECT g AS id, md5(g::text) AS codes"
                           " FROM generate_series(1, 250000) g")
        plan = store.conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) SELECT codes, count(*)"
                                  " FROM combos GROUP BY codes ORDER BY codes").fetchone()[0]
    spilled = [node for node in _nodes(plan[0]["Plan"])
               if node.get("Sort Space Type") == "Disk" or node.get("Disk Usage", 0) > 0]
    assert spilled == []
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {psycopg.conninfo.conninfo_to_dict(pg_url)['dbname']}"
                     " SET work_mem = '256MB'")
    with PostgresStore.open(pg_url) as store:
        assert store.conn.execute("SHOW work_mem").fetchone()[0] == "256MB"


def _nodes(node: dict[str, object]) -> list[dict[str, object]]:
    below = node.get("Plans", [])
    assert isinstance(below, list)
    return [node, *(n for child in below for n in _nodes(child))]
