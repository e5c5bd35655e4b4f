"""Store backends for the suites that run on every backend (`store_backend`, `new_store`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from project_copies import FreshCopies

from coder.store import create_project
from coder.store.postgres import PostgresStore
from coder.store.protocol import ProjectStore

#: The backends the conformance suite runs on.
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def store_backend(request: pytest.FixtureRequest) -> str:
    """The name of the backend a parametrised test runs on."""
    return str(request.param)


@pytest.fixture
def new_store(
    store_backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[], ProjectStore]]:
    """`new_store()` makes a new, empty project on the backend (closed when the test ends)."""
    opened: list[ProjectStore] = []
    count = 0

    def make() -> ProjectStore:
        nonlocal count
        count += 1
        if store_backend == "sqlite":
            store: ProjectStore = create_project(tmp_path / f"project{count}.coder")
        elif store_backend == "postgresql":
            cluster = request.getfixturevalue("pg_cluster")
            store = PostgresStore.create(cluster.new_database())
        else:  # pragma: no cover - a backend listed without a maker
            raise AssertionError(f"no maker for backend {store_backend}")
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def copy_of(
    store_backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[Path], ProjectStore]]:
    """`copy_of(template)` opens a copy of the project file `template` on the backend: a file
    beside the test, or a new database on the test server (`coder db copy`); closed at the end."""
    from coder.services.db_copy import copy_project
    from coder.store import open_project

    opened: list[ProjectStore] = []

    def make(template: Path) -> ProjectStore:
        if store_backend == "sqlite":
            target: str = str(tmp_path / f"copy{len(opened)}.coder")
        else:
            target = request.getfixturevalue("pg_cluster").new_database()
        copy_project(template, target)
        store: ProjectStore = open_project(target)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def fresh_copies(store_backend: str, tmp_path: Path,
                 request: pytest.FixtureRequest) -> FreshCopies:
    """`fresh_copies(template)` gives the location of a new copy of the project file
    `template` on the backend, cheap enough for every example of a property test: a file, or on
    PostgreSQL one database per test refilled with the template's rows (`project_copies`)."""
    server = request.getfixturevalue("pg_cluster") if store_backend == "postgresql" else None
    return FreshCopies(store_backend, tmp_path, server)


@pytest.fixture
def location_of(store_backend: str,
                request: pytest.FixtureRequest) -> Callable[[Path], str]:
    """`location_of(file)` is where the project file `file` is on the backend: the file itself
    (opened in place, so an older project is upgraded when opened), or a new database on the
    test server it was copied to with `coder db copy` (how a project made before the server
    backend, or kept in a file, reaches the server)."""
    from coder.services.db_copy import copy_project

    def locate(file: Path) -> str:
        if store_backend == "sqlite":
            return str(file)
        url = str(request.getfixturevalue("pg_cluster").new_database())
        copy_project(file, url)
        return url

    return locate
