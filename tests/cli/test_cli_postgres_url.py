"""A project on a PostgreSQL server named by its URL wherever a project goes (`coder init URL`,
`-p URL` on every command, `coder open URL`), with the password only from PGPASSWORD or
~/.pgpass and never in a message or a log line."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from postgres_server import PostgresCluster, throwaway_only

from coder.cli import cli
from coder.core.errors import ProjectError
from coder.store import create_project, is_url, open_project, safe_location
from coder.store.postgres import PostgresStore
from coder.store.sqlite import SQLiteStore

REPO = Path(__file__).resolve().parents[2]
DEMO_CSV = REPO / "data" / "demo_survey.csv"
Q2_FRAME = REPO / "codeframes" / "q2_barriers.yaml"
PASSWORD = "Tr0ub4dor-s3cret"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CODER_NAME", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture
def password_url(pg_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch,
                 tmp_path: Path) -> str:
    """An empty database owned by a role that must give PASSWORD (no password in the URL)."""
    throwaway_only(pg_cluster, "password rules are set", bool(os.environ.get("CI")))
    pg_cluster.password_role("keeper", PASSWORD)
    url = pg_cluster.new_database(owner="keeper").replace("coder@", "keeper@")
    for name in ("PGPASSWORD", "PGPASSFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no ~/.pgpass of the real user
    return url


def test_paths_and_urls_are_told_apart_and_passwords_scrubbed() -> None:
    assert is_url("postgresql://ann@db.example/survey")
    assert is_url("postgres://ann@/survey?host=/run/postgresql")
    assert not is_url("survey.coder") and not is_url(Path("postgresql:/x"))
    assert safe_location("postgresql://ann:pw1@db/survey") == "postgresql://ann:***@db/survey"
    assert safe_location("postgres://ann@db/s?password=pw1&sslmode=require") == (
        "postgres://ann@db/s?password=***&sslmode=require")


def test_a_password_in_the_url_is_refused_without_showing_it(
        pg_cluster: PostgresCluster, cli_env: None) -> None:
    url = pg_cluster.new_database().replace("coder@", f"coder:{PASSWORD}@")
    for opener in (open_project, create_project):
        with pytest.raises(ProjectError, match="PGPASSWORD") as refused:
            opener(url)
        assert PASSWORD not in str(refused.value)
    result = run("init", url)
    assert result.exit_code == 3 and "~/.pgpass" in result.output
    assert PASSWORD not in result.output
    result = run("info", "-p", f"postgresql://coder@/db?password={PASSWORD}")
    assert result.exit_code == 3 and PASSWORD not in result.output


def test_init_import_code_and_export_by_url(pg_cluster: PostgresCluster, cli_env: None,
                                            tmp_path: Path) -> None:
    url = pg_cluster.new_database()
    result = run("init", url)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"created {url} (schema ")
    assert run("init", url).exit_code == 3  # never written over
    assert run("import", str(DEMO_CSV), "-p", url, "--wave", "2025").exit_code == 0
    result = run("codeframe", "import", str(Q2_FRAME), "--project", url, "--coder", "setup")
    assert result.exit_code == 0, result.output
    result = run("code", "-p", url, "-q", "q2_barriers", "LA017", "201", "--coder", "ann")
    assert result.exit_code == 0, result.output
    out = tmp_path / "codings.csv"
    result = run("codings", "export", "-p", url, "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "LA017,q2_barriers,201" in out.read_text().replace('"', "")
    with open_project(url) as store:  # the one opener, by URL
        assert isinstance(store, PostgresStore) and store.location == url
        assert [c.name for c in store.coders() if c.name == "ann"] == ["ann"]
    create_project(tmp_path / "p.coder").close()
    with open_project(str(tmp_path / "p.coder")) as store:  # and by path
        assert isinstance(store, SQLiteStore)


def test_coder_open_takes_a_url(pg_cluster: PostgresCluster) -> None:
    from coder.tui.app import build_app

    url = pg_cluster.new_database()
    PostgresStore.create(url).close()
    app = build_app(url, "ann")
    try:
        assert isinstance(app.store, PostgresStore) and app.store.location == url
    finally:
        app.store.close()


def test_password_from_pgpassword(password_url: str, cli_env: None,
                                  monkeypatch: pytest.MonkeyPatch,
                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    result = run("-v", "init", password_url)  # no password anywhere: refused by the server
    assert result.exit_code == 3 and "password" in result.output
    monkeypatch.setenv("PGPASSWORD", "wrong-" + PASSWORD)
    result = run("-v", "info", "-p", password_url)
    assert result.exit_code == 3 and "authentication failed" in result.output
    assert PASSWORD not in result.output
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    result = run("-v", "init", password_url)
    assert result.exit_code == 0, result.output
    result = run("-v", "import", str(DEMO_CSV), "-p", password_url)
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged and PASSWORD not in logged


def test_password_from_pgpass_file(password_url: str, cli_env: None) -> None:
    home = Path(os.environ["HOME"])
    home.mkdir(parents=True, exist_ok=True)
    pgpass = home / ".pgpass"
    pgpass.write_text(f"*:*:*:keeper:{PASSWORD}\n")
    pgpass.chmod(0o600)
    result = run("init", password_url)
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    result = run("info", "-p", password_url)
    assert result.exit_code == 0, result.output


def test_a_coder_with_the_leads_rights_codes_in_the_leads_project(
        pg_cluster: PostgresCluster, cli_env: None) -> None:
    """As the README sets a server up: the lead owns the database, a coder's login is granted
    the lead's role."""
    import psycopg

    throwaway_only(pg_cluster, "roles are made", bool(os.environ.get("CI")))
    with psycopg.connect(pg_cluster.url(), autocommit=True) as admin:
        for role in ("team_lead", "team_coder"):
            if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                admin.execute(f"CREATE ROLE {role} LOGIN")
        admin.execute("GRANT team_lead TO team_coder")
    url = pg_cluster.new_database(owner="team_lead")
    lead, coder = (url.replace("coder@", f"{who}@") for who in ("team_lead", "team_coder"))
    assert run("init", lead).exit_code == 0
    assert run("import", str(DEMO_CSV), "-p", lead).exit_code == 0
    assert run("codeframe", "import", str(Q2_FRAME), "-p", lead, "--coder", "lead").exit_code == 0
    result = run("code", "-p", coder, "-q", "q2_barriers", "LA017", "201", "--coder", "ann")
    assert result.exit_code == 0, result.output
    with open_project(lead) as store:
        assert "ann" in [c.name for c in store.coders()]
