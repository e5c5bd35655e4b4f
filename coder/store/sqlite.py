"""The SQLite project store: one file per project, assembled from the per-topic mixins."""

from __future__ import annotations

from pathlib import Path

from coder.store.allocation import AllocationMixin
from coder.store.app_queries import AppQueriesMixin
from coder.store.codeframes import CodeframeMixin
from coder.store.coding import CodingMixin
from coder.store.qa import QAMixin
from coder.store.report_queries import ReportQueriesMixin
from coder.store.survey import SurveyMixin
from coder.store.themes import ThemesMixin


class SQLiteStore(
    SurveyMixin,
    CodingMixin,
    CodeframeMixin,
    ThemesMixin,
    AppQueriesMixin,
    ReportQueriesMixin,
    QAMixin,
    AllocationMixin,
):
    """A coder project in one SQLite file (WAL, foreign keys on, migrated on open)."""


def create_project(path: str | Path) -> SQLiteStore:
    """A new project file, readable by its owner only; refuses a name already taken."""
    store = SQLiteStore.create(path)
    assert isinstance(store, SQLiteStore)
    return store


def open_project(path: str | Path, *, upgrade: bool = True) -> SQLiteStore:
    """An existing project; see `StoreBase.open` (files that are not projects stay untouched).

    A project from an older version of coder is upgraded, keeping a copy, and `store.upgrade`
    says so; every front end tells the user (the CLI on stderr, the app in a notice). With
    `upgrade=False` such a project is refused unchanged instead.
    """
    store = SQLiteStore.open(path, upgrade=upgrade)
    assert isinstance(store, SQLiteStore)
    return store
