"""The project file itself: recognised without being touched, created private, backed up safely.

A project is someone's work and often holds personal data. Nothing here may change a file that is
not a coder project, and every file written (the project, its backups) is readable by its owner
only. Used by `coder.store.sqlite`; knows nothing of the tables beyond what marks a project.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
from collections import Counter
from pathlib import Path

from coder.core.errors import ProjectError, Remedy

SQLITE_HEADER = b"SQLite format 3\x00"
_WAL_FORMAT = 2  # header bytes 18 and 19 of a database in WAL mode

#: A table every coder project has had since its first schema.
PROJECT_MARKER_TABLE = "events"


#: (device, inode) of the project files this process has open through SQLite, and how often.
_OPEN_HERE: Counter[tuple[int, int]] = Counter()
_OPEN_LOCK = threading.Lock()


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


def opened_here(path: Path) -> None:
    """Note that this process opened a connection to the project at `path`."""
    key = _file_id(path)
    if key is not None:
        with _OPEN_LOCK:
            _OPEN_HERE[key] += 1


def closed_here(path: Path) -> None:
    """Note that a connection `opened_here` was closed."""
    key = _file_id(path)
    with _OPEN_LOCK:
        if key is not None and _OPEN_HERE[key] > 0:
            _OPEN_HERE[key] -= 1
            if not _OPEN_HERE[key]:
                del _OPEN_HERE[key]


def _open_here(path: Path) -> bool:
    key = _file_id(path)
    with _OPEN_LOCK:
        return key is not None and _OPEN_HERE[key] > 0


def create_private(path: Path) -> None:
    """Create `path` as an empty file only its owner may read or write.

    SQLite gives the -wal and -shm files the permissions of the database file, so they are
    private too.

    Raises:
        ProjectError: If a file of that name already exists.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise ProjectError(f"{path}: a file of that name already exists") from None
    os.close(fd)


def project_schema(path: Path, known: int) -> int:
    """The schema version of the coder project at `path`, read without changing the file.

    The file is checked in this order, each step read-only: it exists and is a file; it is not
    empty; it starts with the SQLite header; opened read-only it has a schema no newer than
    `known` and the tables of a coder project. Nothing is written, not even a -wal or -shm file,
    so a file that turns out not to be a project is left exactly as it was.

    Raises:
        ProjectError: If the file is missing, empty, not SQLite, not a coder project, or made by
            a newer version of coder.
    """
    if not path.exists():
        raise ProjectError(f"{path}: no such project; create it first",
                           remedy=Remedy(action="init", path=str(path)))
    if not path.is_file():
        raise ProjectError(f"{path}: not a file, so not a coder project")
    if _open_here(path):
        # A project this process has open already (its version is checked again on connect).
        # Reading it beside SQLite would end this process's locks on it: closing any of a
        # process's descriptors of a file drops all its POSIX locks on that file, and another
        # process closing its connection would then take itself for the last and delete the
        # -wal file under this one's.
        return known
    with path.open("rb") as handle:
        header = handle.read(100)
    if not header:
        raise ProjectError(
            f"{path}: an empty file, not a coder project (start a project in a new file)",
            remedy=Remedy(action="init"),
        )
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        raise ProjectError(f"{path}: not a coder project (not an SQLite database)")
    try:
        conn = sqlite3.connect(_read_only_uri(path, header), uri=True)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{path}: not a coder project ({exc})") from None
    if version > known:
        raise ProjectError(
            f"{path}: made by a newer version of coder (schema {version}; this one knows"
            f" {known}); upgrade coder to open it"
        )
    if version == 0 or PROJECT_MARKER_TABLE not in tables:
        raise ProjectError(f"{path}: an SQLite file, but not a coder project")
    return version


def _read_only_uri(path: Path, header: bytes) -> str:
    """A URI that opens the database without writing anything beside it.

    A read-only connection to a WAL database creates -wal and -shm files unless the database is
    declared immutable; that is safe exactly when there is no -wal file, i.e. the main file holds
    every committed change.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    if header[18] == _WAL_FORMAT and not wal.exists():
        uri += "&immutable=1"
    return uri


def keep_backup(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy the open database to a new backup file beside it; returns the backup's path.

    The copy is a consistent snapshot (SQLite's backup API), written to a private temporary file,
    flushed to disk and only then given its name, so a backup is never half-written. An existing
    backup is never replaced: the name is `NAME.vN.bak`, else `NAME.vN.1.bak`, `NAME.vN.2.bak`...
    """
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)  # mkstemp makes the file readable by its owner only
    tmp = Path(temporary)
    try:
        copy = sqlite3.connect(tmp)
        try:
            conn.backup(copy)
        finally:
            copy.close()
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        return _name_without_replacing(tmp, path, version)
    finally:
        tmp.unlink(missing_ok=True)


def _name_without_replacing(tmp: Path, path: Path, version: int) -> Path:
    n = 0
    while True:
        suffix = f".v{version}.bak" if n == 0 else f".v{version}.{n}.bak"
        target = path.with_name(path.name + suffix)
        n += 1
        try:
            os.link(tmp, target)  # fails, rather than replaces, when the name is taken
            return target
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links
            if target.exists():
                continue
            os.replace(tmp, target)
            return target
