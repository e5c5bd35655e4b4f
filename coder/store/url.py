"""Where a project is: a SQLite file's path or a PostgreSQL URL, and the one place that opens
either.

`postgresql://user@host/db` (or `postgres://`, with `?host=/socket/dir` for a unix socket) names
a project on a server; anything else is a file path. The password never travels in the URL: libpq
reads it from `PGPASSWORD` or `~/.pgpass`, so it is never on a command line, in a message or in
a log. Part of the store; imports no UI or CLI library, and psycopg only for a URL.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from coder.core.errors import ProjectError

if TYPE_CHECKING:
    from typing import TypeAlias

    from coder.store.postgres import PostgresStore
    from coder.store.sqlite import SQLiteStore

    #: A project opened by `open_project`: either backend (both are a `ProjectStore`).
    AnyStore: TypeAlias = SQLiteStore | PostgresStore

__all__ = ["create_project", "is_url", "open_project", "safe_location", "scrub"]

_SCHEMES = ("postgresql://", "postgres://")
#: `user:password@` in a URL, and `password=...` in its query or in a conninfo string.
_PASSWORD_IN_URL = re.compile(r"(://[^/@:?#]*):([^@/?#]*)@")
_PASSWORD_PARAM = re.compile(r"(?i)(\bpassword\s*=\s*)('[^']*'|[^&\s]*)")


def is_url(location: str | Path) -> bool:
    """True when `location` names a project on a PostgreSQL server rather than a file."""
    return isinstance(location, str) and location.lower().startswith(_SCHEMES)


def scrub(text: str) -> str:
    """`text` with any password of a URL or conninfo in it replaced by `***`."""
    return _PASSWORD_PARAM.sub(r"\1***", _PASSWORD_IN_URL.sub(r"\1:***@", text))


def safe_location(location: str | Path) -> str:
    """How to name the project in messages and logs: its path, or its URL without a password."""
    return scrub(str(location))


def _checked_url(url: str) -> str:
    """The URL, refused when it carries a password or cannot be read."""
    if _PASSWORD_IN_URL.search(url) or _PASSWORD_PARAM.search(url):
        raise ProjectError(
            f"{safe_location(url)}: a password in a project URL is not accepted (it would show in"
            " the process list and the shell's history); set PGPASSWORD or put it in ~/.pgpass"
        )
    import psycopg
    import psycopg.conninfo

    try:
        params = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise ProjectError(f"{safe_location(url)}: not a PostgreSQL URL ({scrub(str(exc))})"
                           ) from None
    if not params.get("dbname"):
        raise ProjectError(f"{safe_location(url)}: the URL names no database"
                           " (postgresql://user@host/DATABASE)")
    return url


def open_project(location: str | Path, *, upgrade: bool = True) -> AnyStore:
    """The existing project at `location` (a file path or a PostgreSQL URL), upgraded when it
    is from an older version of coder (`store.upgrade` says so; front ends tell the user).

    Raises:
        ProjectError: Missing, unreachable, not a project, from a newer version, a URL with a
            password in it, or older and `upgrade` is false.
    """
    if is_url(location):
        from coder.store.postgres import PostgresStore

        return PostgresStore.open(_checked_url(str(location)), upgrade=upgrade)
    from coder.store.sqlite import SQLiteStore

    return SQLiteStore.open(location, upgrade=upgrade)


def create_project(location: str | Path) -> AnyStore:
    """A new project: a private file at a path not yet taken, or an empty PostgreSQL database.

    Raises:
        ProjectError: The file exists, the database holds tables or cannot be reached, or the
            URL carries a password.
    """
    if is_url(location):
        from coder.store.postgres import PostgresStore

        return PostgresStore.create(_checked_url(str(location)))
    from coder.store.sqlite import SQLiteStore

    return SQLiteStore.create(location)
