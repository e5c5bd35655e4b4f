"""The project store: the only layer that speaks SQL (SQLite now, PostgreSQL later)."""

from coder.store.sqlite import SQLiteStore, create_project, open_project

__all__ = ["SQLiteStore", "create_project", "open_project"]
