"""Fixtures for the service tests: the demo project (survey + q2 codeframe), a workspace on it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from project_copies import FreshCopies

from coder.core.codeframe.files import load_codeframe
from coder.services.importing import import_survey
from coder.services.project import Project, Workspace, open_project, open_workspace
from coder.store import create_project

REPO = Path(__file__).resolve().parents[2]
DEMO_CSV = REPO / "data" / "demo_survey.csv"
Q2_FRAME = REPO / "codeframes" / "q2_barriers.yaml"
Q2 = "q2_barriers"


@pytest.fixture(scope="session")
def services_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One imported demo project per test session; tests copy it."""
    if not DEMO_CSV.exists():
        pytest.fail(f"{DEMO_CSV} is missing: run python data/generate_demo.py")
    path = tmp_path_factory.mktemp("services") / "template.coder"
    with create_project(path) as store:
        import_survey(store, DEMO_CSV, wave="2025", coder="setup")
        store.add_codeframe(load_codeframe(Q2_FRAME), "setup", questions=[Q2])
    return path


@pytest.fixture
def project_path(services_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "demo.coder"
    shutil.copyfile(services_template, target)
    return target


@pytest.fixture(params=["sqlite", "postgresql"])
def project(request: pytest.FixtureRequest, project_path: Path) -> Iterator[Project]:
    """The demo project, open: a copy of the SQLite file, or the same survey and codeframe in a
    new PostgreSQL database (on the test server)."""
    if request.param == "sqlite":
        with open_project(project_path) as opened:
            yield opened
        return
    from coder.store.postgres import PostgresStore

    cluster = request.getfixturevalue("pg_cluster")
    with PostgresStore.create(cluster.new_database()) as store:
        import_survey(store, DEMO_CSV, wave="2025", coder="setup")
        store.add_codeframe(load_codeframe(Q2_FRAME), "setup", questions=[Q2])
    with PostgresStore.open(store.url) as opened:
        yield opened


@pytest.fixture
def workspace(project: Project) -> Iterator[Workspace]:
    """alice working in the demo project (her own window session)."""
    yield open_workspace(project, "alice")
    project.end_sessions()


def code_of(project: Project, output_code: int) -> str:
    """The id of the q2 code with this output code."""
    frame = project.codeframe_for(Q2)
    assert frame is not None
    code = frame.by_output_code(output_code)
    assert code is not None, f"no code {output_code}"
    return code.id


@pytest.fixture(params=["sqlite", "postgresql"])
def project_location(request: pytest.FixtureRequest, services_template: Path,
                     tmp_path: Path) -> str:
    """Where the demo project is, for tests that open it more than once (several windows or
    processes): a copy of the file, or a new database on the test server (`coder db copy`)."""
    if request.param == "sqlite":
        target = tmp_path / "demo.coder"
        shutil.copyfile(services_template, target)
        return str(target)
    from coder.services.db_copy import copy_project

    url = str(request.getfixturevalue("pg_cluster").new_database())
    copy_project(services_template, url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_copies(request: pytest.FixtureRequest, tmp_path: Path) -> FreshCopies:
    """`fresh_copies(template)` gives the location of a new copy of the project file
    `template`, cheap enough for every example of a property test: a file, or one database on
    the test server per test, refilled with the template's rows at each call (`project_copies`)."""
    server = request.getfixturevalue("pg_cluster") if request.param == "postgresql" else None
    return FreshCopies(str(request.param), tmp_path, server)
