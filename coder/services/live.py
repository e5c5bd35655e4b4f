"""The live team view: notice what other windows and coders wrote to the project, so a front
end can refresh the answers, counts and codes it shows, and list who is coding what.

The store's `watch_writes()` says when another connection wrote: on SQLite by polling `PRAGMA
data_version` (one tiny query, so the app looks about once a second); on PostgreSQL by LISTEN/
NOTIFY (every commit notifies; a look reads what arrived, with no query to the server).
Must not depend on click, textual or SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from coder.core.types import Event
from coder.services.allocation import OpenWindow
from coder.services.project import Project
from coder.store.protocol import WriteWatch

__all__ = ["LiveWatch", "OthersWrote", "colleagues", "working_on"]

#: Above this many new events the front end re-reads everything rather than event by event.
MAX_EVENTS = 200

#: Tables whose rows say how an answer is coded (by whom, memo, flag).
_CODING_TABLES = frozenset({"codings", "answer_status", "adjudications", "starred_quotes"})
#: Tables of what each coder is given to code.
_ASSIGNMENT_TABLES = frozenset({"work_assignments", "work_assigned_answers", "qa_samples",
                                "qa_assignments"})
#: Tables whose change means the codeframe or themes changed (a full refresh).
_FRAME_TABLES = frozenset({"codes", "codeframes", "questions", "themes", "theme_assignments"})


@dataclass(frozen=True)
class OthersWrote:
    """What other connections wrote since the last poll.

    Attributes:
        events: The actions they logged, oldest first (empty when only heartbeats or the like
            changed); None when there were too many to go through one by one.
        answer_ids: Answers whose codings, memo or flag changed.
        frames: The codeframe or themes changed (screens re-read them).
        reassigned: Work assignments or double-coding samples changed.
    """

    events: Sequence[Event] | None
    answer_ids: frozenset[int] = frozenset()
    frames: bool = False
    reassigned: bool = False

    @property
    def everything(self) -> bool:
        """True when a screen should re-read everything it shows."""
        return self.events is None or self.frames


@dataclass
class LiveWatch:
    """Watches one open project for writes made by other connections (call `poll` on a timer,
    `close` when done)."""

    project: Project
    _watch: WriteWatch = field(init=False)
    _last_event: int = field(init=False)

    def __post_init__(self) -> None:
        self._watch = self.project.watch_writes()
        self._last_event = self.project.last_event_id()

    def poll(self) -> OthersWrote | None:
        """What others wrote since the last call; None when nobody else wrote."""
        if not self._watch.changed():
            return None
        ids = self.project.event_ids_after(self._last_event)
        if not ids:
            return OthersWrote(events=())
        self._last_event = ids[-1]
        if len(ids) > MAX_EVENTS:
            return OthersWrote(events=None)
        events = [self.project.event(i) for i in ids]
        touched: set[int] = set()
        tables: set[str] = set()
        for event in events:
            for change in event.changes:
                tables.add(change["table"])
                answer_id = change["key"].get("answer_id")
                if answer_id is not None and change["table"] in _CODING_TABLES:
                    touched.add(int(answer_id))
        return OthersWrote(events=events, answer_ids=frozenset(touched),
                           frames=bool(tables & _FRAME_TABLES),
                           reassigned=bool(tables & _ASSIGNMENT_TABLES))

    def close(self) -> None:
        """Stop watching (PostgreSQL: closes the listening connection)."""
        self._watch.close()

    def mine(self, event: Event | None) -> None:
        """Note an action of this window, so the next poll does not report it as another's."""
        if event is not None:
            self._last_event = max(self._last_event, event.id)


def working_on(project: Project, question_id: str | None) -> None:
    """Tell colleagues which question this window is coding (None: none, e.g. the overview)."""
    project.set_working_on(question_id)


def colleagues(project: Project) -> list[OpenWindow]:
    """Other open app windows (colleagues', or this coder's other windows), newest first."""
    return [w for w in project.open_windows() if w.label == "app" and not w.mine]
