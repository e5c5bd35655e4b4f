"""The PostgreSQL test server: a real cluster started for the session, required when CI is set."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
from postgres_server import ExternalPostgres, PostgresCluster, start_postgres, throwaway_only


def test_cluster_serves_new_databases(pg_cluster: PostgresCluster) -> None:
    first, second = pg_cluster.new_database(), pg_cluster.new_database()
    assert first != second
    with psycopg.connect(first, autocommit=True) as conn:
        version = int(conn.execute("SHOW server_version_num").fetchone()[0])
        conn.execute("CREATE TABLE t (id integer PRIMARY KEY, name text)")
        conn.execute("INSERT INTO t VALUES (1, 'a') ON CONFLICT (id) DO NOTHING")
        assert conn.execute("SELECT name FROM t").fetchall() == [("a",)]
    assert version >= 150000
    with psycopg.connect(second, autocommit=True) as conn:  # a database of its own
        assert conn.execute("SELECT to_regclass('t')").fetchone() == (None,)


def test_server_never_runs_as_root(pg_cluster: PostgresCluster) -> None:
    if os.environ.get("CODER_TEST_PG_URL"):
        pytest.skip("an external server runs as whoever started it")
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        data = Path(conn.execute("SHOW data_directory").fetchone()[0])
    assert data.stat().st_uid != 0 or os.geteuid() != 0


def test_missing_server_fails_in_ci_and_skips_elsewhere(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        start_postgres(None, tmp_path / "no-such-bin", ci=True)
    with pytest.raises(pytest.skip.Exception):
        start_postgres(None, tmp_path / "no-such-bin", ci=False)


def test_a_given_server_that_cannot_do_what_a_test_needs_fails_in_ci_and_skips_elsewhere(
) -> None:
    given = ExternalPostgres("postgresql://coder@/postgres?host=/nowhere")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        throwaway_only(given, "the server is restarted", ci=True)
    with pytest.raises(pytest.skip.Exception):
        throwaway_only(given, "the server is restarted", ci=False)
