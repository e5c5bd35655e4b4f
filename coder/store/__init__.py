"""The project store: the only layer that speaks SQL. A project is a SQLite file or a PostgreSQL
database; `open_project` and `create_project` take either a path or a URL (`coder.store.url`),
and psycopg is imported only for a URL."""

from coder.store.sqlite import SQLiteStore
from coder.store.url import create_project, is_url, open_project, safe_location

__all__ = ["SQLiteStore", "create_project", "is_url", "open_project", "safe_location"]
