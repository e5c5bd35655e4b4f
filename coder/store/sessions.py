"""Sessions: who is working in which window, so undo never reaches into another open window.

A session is one coder in one app window or one command, from its start until it is closed (the
app on exit, a command when it ends). An app session proves it is still open with a heartbeat;
one whose heartbeat stopped (a crash, a killed terminal) or whose process is gone counts as
closed. Undo and redo act on the history of the asking session and of the same coder's closed
sessions, never on that of another open one. SQL over the `sessions` table only; the undo rules
that use it live in `coder.store.history`.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from coder.store.dialect import Connection

#: A session not heard from for this long is taken to be gone (its history is adopted).
STALE_AFTER = timedelta(minutes=2)

_HOST = socket.gethostname()


@dataclass(frozen=True)
class SessionInfo:
    """An open session as another window sees it."""

    id: int
    coder: str
    label: str
    host: str
    started_at: str

    def describe(self) -> str:
        what = "the coder app" if self.label == "app" else (self.label or "a command")
        started = self.started_at.replace("T", " ")[:16]
        return f"{what}, started {started} UTC on {self.host or 'an unknown computer'}"


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def start(conn: Connection, coder: str, label: str) -> int:
    """Record a new open session of `coder`; returns its id."""
    stamp = _stamp(datetime.now(UTC))
    cur = conn.execute(
        "INSERT INTO sessions (coder, label, host, pid, started_at, last_seen)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (coder, label, _HOST, os.getpid(), stamp, stamp),
    )
    return int(cur.fetchall()[0][0])


def touch(conn: Connection, ids: Collection[int]) -> None:
    """Record that the sessions are alive now."""
    if ids:
        conn.execute(
            f"UPDATE sessions SET last_seen = ? WHERE id IN ({_marks(ids)})",
            [_stamp(datetime.now(UTC)), *ids],
        )


def close(conn: Connection, ids: Collection[int]) -> None:
    """Mark the sessions closed: their history is free for the coder's next session."""
    if ids:
        conn.execute(
            f"UPDATE sessions SET closed_at = ? WHERE closed_at IS NULL AND id IN ({_marks(ids)})",
            [_stamp(datetime.now(UTC)), *ids],
        )


def open_elsewhere(
    conn: Connection, coder: str, mine: int | None
) -> dict[int, SessionInfo]:
    """The sessions of `coder` other than `mine` that are still open, by id.

    Open means not closed, heard from within `STALE_AFTER`, and, when it ran on this computer,
    its process still running (so a crashed window frees its history at once).
    """
    cutoff = _stamp(datetime.now(UTC) - STALE_AFTER)
    found = {}
    sql = (
        "SELECT id, label, host, pid, started_at FROM sessions WHERE coder = ?"
        " AND closed_at IS NULL AND last_seen >= ?"
    )
    params: list[object] = [coder, cutoff]
    if mine is not None:
        sql += " AND id != ?"
        params.append(mine)
    for sid, label, host, pid, started in conn.execute(sql, params):
        if not _process_gone(host, pid):
            found[int(sid)] = SessionInfo(int(sid), coder, label, host, started)
    return found


def _process_gone(host: str, pid: int | None) -> bool:
    """True only when the session ran here and its process has certainly ended."""
    if host != _HOST or pid is None or pid == os.getpid() or os.name != "posix":
        return False
    try:
        os.kill(pid, 0)  # signal 0: asks whether the process exists, sends nothing
    except ProcessLookupError:
        return True
    except OSError:  # e.g. it exists but belongs to someone else
        return False
    return False


def _marks(values: Collection[object]) -> str:
    return ", ".join("?" for _ in values)
