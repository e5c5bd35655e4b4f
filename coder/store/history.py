"""Undo, redo and reading the event log: the part of the store that replays user actions.

Part of the store; imports no UI or CLI library. Undo and redo are per session (see
`coder.store.sessions`) and are worked out before the write lock is taken (`coder.store.replay`,
which also reads row images recorded at an older schema); the lock is then held only to write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from coder.core.errors import ProjectError
from coder.core.types import Event
from coder.store import replay, sessions
from coder.store.actions import Action, as_row
from coder.store.base import StoreBase
from coder.store.changes import Batch, Change, Row, batches
from coder.store.event_log import decode_changes, encode_changes, no_cycle_collection
from coder.store.schema import SCHEMA_VERSION, columns_at


class HistoryMixin(StoreBase):
    """Undo and redo of a coder's actions, and the event log read back."""

    def _top(self, coder: str, stack: str) -> int | None:
        mine, params = self._my_history(coder)
        row = self.conn.execute(
            f"SELECT event_id FROM history_stack WHERE coder = ? AND stack = ? AND {mine}"
            " ORDER BY seq DESC LIMIT 1",
            [coder, stack, *params],
        ).fetchone()
        return None if row is None else int(row[0])

    def _refuse_if_elsewhere(self, coder: str, kind: str) -> None:
        """Raise if another open session of `coder` holds history that `kind` would replay."""
        elsewhere = sessions.open_elsewhere(self.conn, coder, self._sessions.get(coder))
        if not elsewhere:
            return
        row = self.conn.execute(
            "SELECT event_id, session_id FROM history_stack WHERE coder = ? AND stack = ?"
            f" AND session_id IN ({', '.join('?' for _ in elsewhere)}) ORDER BY seq DESC LIMIT 1",
            [coder, kind, *elsewhere],
        ).fetchone()
        if row is not None:
            summary = self.event(int(row[0])).summary
            raise ProjectError(
                f"cannot {kind} {summary}: it was done in another window that is still open"
                f" ({elsewhere[int(row[1])].describe()}); {kind} it there"
            )

    def can_undo(self, coder: str) -> Event | None:
        """The action `undo(coder)` would take back now, or None."""
        top = self._top(coder, "undo")
        return None if top is None else self.event(top)

    def can_redo(self, coder: str) -> Event | None:
        """The action `redo(coder)` would bring back now, or None."""
        top = self._top(coder, "redo")
        return None if top is None else self.event(top)

    def undo(self, coder: str) -> Event | None:
        """Undo `coder`'s latest action still in effect; returns it, or None if nothing to undo.

        Only this connection's session's actions and those of `coder`'s closed sessions count.

        Raises:
            ProjectError: If a later action changed the same rows or depends on them, or if the
                only actions left to undo were done in another window that is still open.
        """
        return self._replay(coder, "undo")

    def redo(self, coder: str) -> Event | None:
        """Redo `coder`'s latest undone action; returns it, or None if nothing to redo.

        Raises:
            ProjectError: As for `undo`.
        """
        return self._replay(coder, "redo")

    def _replay(self, coder: str, kind: str) -> Event | None:
        # The event is decoded, its rows read and checked and the rows to write worked out
        # before the write lock is taken; under the lock that plan is used only if no other
        # connection has written since (and the same event is still next), else it is worked
        # out again there. The lock is then held just to write, a batch per statement.
        session = self.start_session(coder)
        planned_at: int | None = self.write_version()
        planned: _Replay | None = None
        try:
            planned = self._plan_replay(coder, kind)
        except ProjectError:
            if self.write_version() == planned_at:
                raise  # the rows were read as they stand: the refusal holds
            planned_at = None  # another connection wrote meanwhile: look again under the lock
        with self.transaction() as conn:
            still_next = self._top(coder, kind) == (None if planned is None else planned.target.id)
            if planned_at is None or self.write_version() != planned_at or not still_next:
                planned = self._plan_replay(coder, kind)
            if planned is None:
                self._refuse_if_elsewhere(coder, kind)
                return None
            target = planned.target
            try:
                Action(conn).write(planned.batches)
            except self.integrity_errors:
                # e.g. undoing "add code" after answers were coded with it; nothing is changed.
                raise ProjectError(
                    f"cannot {kind} {target.summary}: later work depends on it"
                    " (e.g. answers coded with a code it adds)"
                ) from None
            self._log(
                conn,
                kind,
                target.action,
                coder,
                f"{kind}: {target.summary}",
                target.id,
                False,
                planned.changes,
                {},
                session,
                encoded=planned.encoded,
            )
            self._push(conn, target.id, coder, "redo" if kind == "undo" else "undo", session)
        self._last_event = None  # a large event's decoded changes need not stay in memory
        return target

    def _plan_replay(self, coder: str, kind: str) -> _Replay | None:
        """What `kind` ("undo" or "redo") would write now for `coder`, or None (reads only).

        Raises:
            ProjectError: If a later action changed a row the replay would change.
        """
        target_id = self._top(coder, kind)
        if target_id is None:
            return None
        target = self.event(target_id)
        with no_cycle_collection():  # many small objects, none in cycles
            if kind == "undo":
                ordered = [Change.from_json(c).inverse() for c in reversed(target.changes)]
            else:
                ordered = [Change.from_json(c) for c in target.changes]
            if target.schema_version == SCHEMA_VERSION:
                steps = [replay.Step(c) for c in ordered]
            else:  # written before an upgrade: its rows lack the columns added since
                version = target.schema_version
                then = None if version is None else columns_at(version)
                steps = replay.upgrade(ordered, then, columns_at(SCHEMA_VERSION))
            changes = replay.plan(self.conn, self.dialect, steps, f'{kind} "{target.summary}"')
            to_write = batches(changes)
        return _Replay(target, changes, to_write, encode_changes(
            [c.to_json() for c in changes], compress=self.dialect.compress_events
        ))

    # -- the log -------------------------------------------------------------------------------

    def event(self, event_id: int) -> Event:
        # Events never change once committed, so the last one read is kept: undo asks for the
        # event it is about to replay twice (to check it, then inside the write transaction),
        # and a large one takes a while to decode.
        last = self._last_event
        if last is not None and last.id == event_id:
            return last
        cur = self.conn.execute("SELECT * FROM events WHERE id = ?", (event_id,))
        row = cur.fetchone()
        if row is None:
            raise ProjectError(f"no event {event_id}")
        found = _event(as_row(cur, row))
        if not self.conn.in_transaction:  # committed for sure (a rolled-back id is reused)
            self._last_event = found
        return found

    def events(
        self,
        *,
        limit: int | None = None,
        action_prefix: str | None = None,
        with_changes: bool = False,
    ) -> list[Event]:
        """The log, newest first."""
        columns = (
            "*"
            if with_changes
            else (
                "id, at, coder, kind, action, summary, target_event_id, undoable, details,"
                " schema_version, '[]' AS changes"
            )
        )
        sql = f"SELECT {columns} FROM events"
        params: list[Any] = []
        if action_prefix:
            sql += " WHERE action LIKE ?"
            params.append(action_prefix + "%")
        sql += " ORDER BY id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        cur = self.conn.execute(sql, params)
        return [_event(as_row(cur, r)) for r in cur.fetchall()]



@dataclass(frozen=True)
class _Replay:
    """An undo or redo worked out: the event it replays and the row changes to write."""

    target: Event
    changes: list[Change]
    batches: list[Batch]
    encoded: str | bytes


def _event(row: Row) -> Event:
    return Event(
        id=row["id"],
        at=row["at"],
        coder=row["coder"],
        kind=row["kind"],
        action=row["action"],
        summary=row["summary"],
        target_event_id=row["target_event_id"],
        undoable=bool(row["undoable"]),
        changes=tuple(decode_changes(row["changes"])),
        details=json.loads(row["details"]),
        schema_version=row.get("schema_version"),
    )

