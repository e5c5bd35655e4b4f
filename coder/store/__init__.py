"""The project store: the only layer that speaks SQL (SQLite; PostgreSQL in `coder.store.postgres`,
imported only where used so that psycopg is not loaded for a project file)."""

from coder.store.sqlite import SQLiteStore, create_project, open_project

__all__ = ["SQLiteStore", "create_project", "open_project"]
