"""A real PostgreSQL server for the tests: a throwaway cluster, or the one CODER_TEST_PG_URL names."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _server_bin() -> Path:
    """Where the server binaries are: $CODER_TEST_PG_BIN, else Debian's newest postgresql (the
    package `.ci/run` installs when missing), else beside `initdb` on the PATH."""
    if os.environ.get("CODER_TEST_PG_BIN"):
        return Path(os.environ["CODER_TEST_PG_BIN"])
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                    key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if debian:
        return debian[-1].parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _server_bin()


class PostgresCluster:
    """A throwaway PostgreSQL cluster: initdb + pg_ctl in a temporary folder, a unix socket only.

    When the tests run as root the server runs as the `postgres` user (PostgreSQL refuses root),
    its folder handed to that user.
    """

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="coder-pg-"))
        self.data = self.folder / "data"
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self._names = itertools.count(1)

    def _run(self, *args: str | Path) -> None:
        done = subprocess.run([*self._as, *map(str, args)], capture_output=True, text=True,
                              timeout=120, check=False)
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}{tail}")

    def start(self) -> None:
        if self._as:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(self.bin_dir / "initdb", "-D", self.data, "-U", "coder", "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        self._start_server()

    def _start_server(self) -> None:
        options = (f"-k {self.folder} -c listen_addresses='' -c fsync=off"
                   " -c synchronous_commit=off -c full_page_writes=off")
        self._run(self.bin_dir / "pg_ctl", "-D", self.data, "-o", options,
                  "-l", self.folder / "server.log", "-w", "-t", "60", "start")

    def stop(self) -> None:
        try:
            self._run(self.bin_dir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """A libpq connection string for `database` on this cluster."""
        return f"postgresql://coder@/{database}?host={self.folder}"


    def password_role(self, user: str, password: str) -> None:
        """A role that must give `password` to connect (the cluster trusts everyone else)."""
        import psycopg
        from psycopg import sql

        hba = self.data / "pg_hba.conf"
        rule = f"local all {user} scram-sha-256\n"
        text = hba.read_text()
        if rule not in text:
            hba.write_text(rule + text)  # first match wins: this role only
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute("SET password_encryption = 'scram-sha-256'")
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(sql.SQL(verb + " ROLE {} LOGIN CREATEDB PASSWORD {}").format(
                sql.Identifier(user), sql.Literal(password)))
            conn.execute("SELECT pg_reload_conf()")

    def restart(self) -> None:
        """Restart the server as its administrator would (`pg_ctl restart -m fast`): every
        connection is cut, committed work is kept."""
        self.stop_server()
        self._start_server()

    def stop_server(self) -> None:
        """Stop the server (fast: connections cut, committed work kept); `start_server` again."""
        self._run(self.bin_dir / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def start_server(self) -> None:
        self._start_server()

    def new_database(self, owner: str | None = None) -> str:
        """Create an empty database (owned by `owner`, default the superuser); returns its URL."""
        import psycopg

        name = f"coder_test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            suffix = f' OWNER "{owner}"' if owner else ""
            conn.execute(f'CREATE DATABASE "{name}"{suffix}')
        return self.url(name)


    def copy_database(self, url: str) -> str:
        """A new database holding a copy of the one at `url` (closed by everyone), made by the
        server from it as a template: a file copy, quicker than filling a new one again."""
        import psycopg
        import psycopg.conninfo
        from psycopg import sql

        source = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
        name = f"coder_test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(str(source))))
        return self.url(name)


class ExternalPostgres(PostgresCluster):
    """A server given by CODER_TEST_PG_URL: each test gets a new database on it."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._names = itertools.count(1)

    def url(self, database: str = "postgres") -> str:
        import psycopg.conninfo

        return psycopg.conninfo.make_conninfo(self._url, dbname=database)


def throwaway_only(cluster: PostgresCluster, what: str, ci: bool) -> PostgresCluster:
    """`cluster`, when the tests started it; a server given by CODER_TEST_PG_URL cannot be
    restarted or reconfigured by them, so a test that must do `what` skips there, but fails
    when `ci` is true: in CI the PostgreSQL runs are required."""
    if isinstance(cluster, ExternalPostgres):
        message = f"{what} on the throwaway cluster only (CODER_TEST_PG_URL is set)"
        if ci:
            pytest.fail(message + "; CI is set, so this is a failure: unset CODER_TEST_PG_URL")
        pytest.skip(message)
    return cluster


def start_postgres(url: str | None, bin_dir: Path, ci: bool) -> PostgresCluster:
    """The server the PostgreSQL tests use: `url` if given, else a new cluster from `bin_dir`.

    Skips when the binaries are absent, but fails instead when `ci` is true: in CI the
    PostgreSQL runs are required.
    """
    if url:
        return ExternalPostgres(url)
    if not (bin_dir / "initdb").exists():
        message = f"PostgreSQL server binaries not found in {bin_dir} (apt-get install postgresql)"
        if ci:
            pytest.fail(message + "; CI is set, so this is a failure")
        pytest.skip(message)
    cluster = PostgresCluster(bin_dir)
    try:
        cluster.start()
    except BaseException:
        shutil.rmtree(cluster.folder, ignore_errors=True)
        raise
    return cluster




@contextmanager
def benchmark_server(url: str | None) -> Iterator[PostgresCluster]:
    """The server a benchmark measures on: the one `url` names (the benchmark makes its
    databases there), else a throwaway cluster from `PG_BIN`, stopped at the end."""
    cluster = ExternalPostgres(url) if url else PostgresCluster(PG_BIN)
    if url:
        yield cluster
        return
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
