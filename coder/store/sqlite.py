"""The SQLite project store: one file per project, assembled from the per-topic mixins."""

from __future__ import annotations

from pathlib import Path

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
):
    """A coder project in one SQLite file (WAL, foreign keys on, migrated on open)."""


def create_project(path: str | Path) -> SQLiteStore:
    store = SQLiteStore.create(path)
    assert isinstance(store, SQLiteStore)
    return store


def open_project(path: str | Path) -> SQLiteStore:
    store = SQLiteStore.open(path)
    assert isinstance(store, SQLiteStore)
    return store
