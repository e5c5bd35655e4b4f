"""Write output files so that no command can destroy a project or its own input.

Every file a command writes (exports, reports, quote banks, codeframe files, theme tables) goes
through `atomic_output`: the target is checked first (never a project, an SQLite database or its
journal, the command's own input, a symbolic link or a non-regular file), then written to a
temporary file in the same folder that only its owner can read (mode 0600: these files hold
personal data) and renamed over the target only when complete. A failed or cancelled write
leaves any old file whole and no temporary file behind.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from coder.core.errors import InputError

FILE_MODE = 0o600
SQLITE_MAGIC = b"SQLite format 3\x00"
# The first four bytes of an SQLite write-ahead log (big- or little-endian checksums).
_WAL_MAGICS = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")
_SIDE_FILES = ("-wal", "-shm", "-journal")


class UnsafeOutput(InputError):
    """An output path that would overwrite a project, an input or something not a plain file."""


def _head(path: Path, size: int = 16) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


def is_database_file(path: str | Path) -> bool:
    """True when `path` is an SQLite database or one of its journal files (-wal, -shm)."""
    p = Path(path)
    if not p.is_file():
        return False
    head = _head(p)
    if head.startswith(SQLITE_MAGIC) or head[:4] in _WAL_MAGICS:
        return True
    for side in _SIDE_FILES:
        if p.name.endswith(side):
            main = p.with_name(p.name[: -len(side)])
            if main.is_file() and _head(main).startswith(SQLITE_MAGIC):
                return True
    return False


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def check_output(path: str | Path, *, protected: Iterable[str | Path] = ()) -> Path:
    """Refuse an output path that would destroy something; returns it as a Path.

    Args:
        path: Where a command is about to write.
        protected: Files the command must not write over (its project, its input files);
            their SQLite journal files are protected with them.

    Raises:
        UnsafeOutput: If `path` is a symbolic link, a folder or other non-regular file, an
            SQLite database (a coder project) or journal, or one of `protected`.
    """
    p = Path(path)
    if p.is_symlink():
        raise UnsafeOutput(
            "is a symbolic link; coder does not write through links (give the real path)",
            path=str(p),
        )
    if p.exists():
        mode = p.stat().st_mode
        if stat.S_ISDIR(mode):
            raise UnsafeOutput("is a folder; give a file name to write", path=str(p))
        if not stat.S_ISREG(mode):
            raise UnsafeOutput("is not a regular file; coder will not write to it", path=str(p))
    for other in protected:
        q = Path(other)
        guarded = [q, *(q.with_name(q.name + side) for side in _SIDE_FILES)]
        if any(_same(p, g) for g in guarded):
            raise UnsafeOutput(
                f"is this command's own project or input ({q}); coder never writes over it:"
                " choose another output file",
                path=str(p),
            )
    if is_database_file(p):
        raise UnsafeOutput(
            "is an SQLite database (a coder project?); coder never writes over a project:"
            " choose another output file",
            path=str(p),
        )
    return p


@contextmanager
def atomic_output(path: str | Path, *, protected: Iterable[str | Path] = ()) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path` in one rename.

    The temporary file is in the target's folder (so the rename is atomic), keeps the target's
    suffix (so writers that choose a format by suffix still work) and has mode 0600. On any
    error, or cancellation, it is removed and `path` is left as it was.

    Raises:
        UnsafeOutput: As `check_output`, before anything is written.
    """
    protected = tuple(protected)
    target = check_output(path, protected=protected)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}",
                                dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, FILE_MODE)
        yield tmp
        os.chmod(tmp, FILE_MODE)  # some writers recreate the file
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        check_output(target, protected=protected)  # nothing changed under us meanwhile
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str, *, encoding: str = "utf-8",
                      protected: Iterable[str | Path] = ()) -> Path:
    """Write `text` to `path` atomically with mode 0600; returns the path."""
    target = Path(path)
    with atomic_output(target, protected=protected) as tmp:
        tmp.write_text(text, encoding=encoding)
    return target


def write_bytes_atomic(path: str | Path, data: bytes, *,
                       protected: Iterable[str | Path] = ()) -> Path:
    """Write `data` to `path` atomically with mode 0600; returns the path."""
    target = Path(path)
    with atomic_output(target, protected=protected) as tmp:
        tmp.write_bytes(data)
    return target
