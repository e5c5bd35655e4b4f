"""Fixtures for the service tests: the demo project (survey + q2 codeframe), a workspace on it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
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


@pytest.fixture(params=["sqlite", "postgresql"])
def services_backend(request: pytest.FixtureRequest) -> str:
    """The backend a parametrised service test runs on."""
    return str(request.param)


@pytest.fixture
def new_location(services_backend: str, request: pytest.FixtureRequest,
                 tmp_path: Path) -> Callable[[], str]:
    """`new_location()` is where a new project can be made, as a team would make it: a file
    path not yet taken beside the test, or a new, empty database on the test server."""
    count = 0

    def make() -> str:
        nonlocal count
        count += 1
        if services_backend == "sqlite":
            return str(tmp_path / f"project{count}.coder")
        return str(request.getfixturevalue("pg_cluster").new_database())

    return make


@pytest.fixture(scope="session")
def waves_templates() -> dict[tuple[str, bool], str]:
    """The two-wave projects built so far this session, by (backend, wave 2026 coded)."""
    return {}


@pytest.fixture
def waves_project(services_backend: str, waves_templates: dict[tuple[str, bool], str],
                  request: pytest.FixtureRequest, tmp_path: Path,
                  tmp_path_factory: pytest.TempPathFactory) -> Callable[..., str]:
    """`waves_project(code_2026=True)` is a new copy of the two-wave project of
    tests/services/waves_fixture.py on the backend: built once per session on that backend (the
    waves imported and coded there), then copied for each test (the file, or the database by the
    server)."""
    from tests.services.waves_fixture import build_two_waves

    count = 0

    def make(*, code_2026: bool = True) -> str:
        nonlocal count
        count += 1
        key = (services_backend, code_2026)
        cluster = (request.getfixturevalue("pg_cluster") if services_backend == "postgresql"
                   else None)
        if key not in waves_templates:
            folder = tmp_path_factory.mktemp("waves")
            waves_templates[key] = build_two_waves(
                folder, None if cluster is None else cluster.new_database(),
                code_2026=code_2026)
        if cluster is not None:
            return str(cluster.copy_database(waves_templates[key]))
        target = tmp_path / f"waves{count}.coder"
        shutil.copyfile(waves_templates[key], target)
        return str(target)

    return make
