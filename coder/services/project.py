"""Opening a project for a front end, and the workspace every screen of the app shares: the
project, who is working, blind mode, the question, the codeframes (cached).

Front ends hold a `Project` and pass it to service functions; they use the handle itself only
to open, reopen and close it (and its busy-wait settings). Must not depend on click or textual.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from coder.core.codeframe.model import Codeframe
from coder.core.errors import ProjectError, Remedy
from coder.core.types import ADJUDICATED_CODER, HEARTBEAT_SECONDS, Coder, Event, Question
from coder.services.theme_edits import ensure_frame
from coder.store import create_project as _create_project
from coder.store import is_url, safe_location
from coder.store import open_project as _open_project
from coder.store.protocol import ProjectStore

#: An open project: what front ends hold and hand to the services.
Project = ProjectStore

__all__ = ["HEARTBEAT_SECONDS", "Project", "Workspace", "acting_coder", "begin_window",
           "check_question", "create_project", "end_window", "heartbeat", "history",
           "is_url", "open_project", "safe_location", "open_workspace", "schema_version"]


def open_project(path: str | Path) -> Project:
    """An existing project, upgraded when it is from an older version (`project.upgrade` says).

    Raises:
        ProjectError: Missing, from a newer version, or not a project.
    """
    return _open_project(path)


def create_project(path: str | Path) -> Project:
    """A new, empty project at `path` (a private file).

    Raises:
        ProjectError: A file of that name already exists.
    """
    return _create_project(path)


def schema_version(project: Project) -> int:
    """The schema the project is at."""
    return project.schema_version


def history(project: Project, *, limit: int | None = None,
            action_prefix: str | None = None) -> list[Event]:
    """The project's event log, newest first (only the actions whose name starts with
    `action_prefix`, e.g. "codeframe.", when given)."""
    return project.events(limit=limit, action_prefix=action_prefix)


@dataclass
class Workspace:
    """The open project and the person working in it, shared by every screen of the app.

    Attributes:
        project: The open project (this window's connection).
        coder: Who is working; every change is recorded with this name.
        blind: Other coders' codes stay hidden (independent double-coding).
        question_id: The question chosen on the overview, if any.
    """

    project: Project
    coder: Coder
    blind: bool = False
    question_id: str | None = None
    _frames: dict[str, Codeframe | None] = field(default_factory=dict)

    def question(self, question_id: str | None = None) -> Question:
        """The question (default the chosen one)."""
        qid = question_id or self.question_id
        if qid is None:
            raise ValueError("no question chosen")
        return self.project.question(qid)

    def frame(self, question_id: str | None = None) -> Codeframe | None:
        """The question's codeframe (cached until `forget_frames`)."""
        qid = question_id or self.question_id
        if qid is None:
            return None
        if qid not in self._frames:
            self._frames[qid] = self.project.codeframe_for(qid)
        return self._frames[qid]

    def ensure_frame(self, question_id: str | None = None) -> Codeframe:
        """The question's codeframe, creating an empty one (undoable) if it has none."""
        qid = question_id or self.question_id
        assert qid is not None
        frame = self.frame(qid)
        if frame is None:
            ensure_frame(self.project, qid, self.coder.name)
            self.forget_frames()
            frame = self.frame(qid)
            assert frame is not None
        return frame

    def forget_frames(self) -> None:
        self._frames.clear()

    def changed(self, event: Event | None) -> None:
        """Note a change to the project (None: anything may have changed)."""
        if event is None or any(c["table"] in ("codes", "codeframes", "questions")
                                for c in event.changes):
            self.forget_frames()

    def theme_run_id(self, question_id: str | None = None) -> int | None:
        """The id of the question's latest theme run, or None."""
        qid = question_id or self.question_id
        run = self.project.latest_theme_run(qid) if qid else None
        return None if run is None else run.id

    def coder_names(self) -> dict[int, str]:
        return {c.id: c.name for c in self.project.coders()}

    def last_event(self) -> Event:
        """The project's latest logged action, with the rows it changed."""
        return self.project.events(limit=1, with_changes=True)[0]


def acting_coder(project: Project, name: str) -> Coder:
    """The coder called `name`, written to the project on first use.

    Raises:
        ProjectError: No name, or the name of the adjudicated layer (only QA review writes it).
    """
    if name.strip() == ADJUDICATED_CODER:
        raise ProjectError(f'"{ADJUDICATED_CODER}" is the adjudicated layer, not a coder:'
                           " adjudicate in QA review instead", remedy=Remedy(action="adjudicate"))
    return project.coder(name)


def begin_window(project: Project, coder_name: str, label: str = "app") -> Coder:
    """Start working in `project` as `coder_name` (a new coder is written to the project).

    Starts this window's own undo history: another window of the same coder has its own.

    Raises:
        ProjectError: No name, the adjudicated layer's name, or the project is busy.
    """
    coder = acting_coder(project, coder_name)
    project.start_session(coder.name, label=label)
    return coder


def end_window(project: Project) -> None:
    """End this window's session: its undo history passes to the coder's next one."""
    project.end_sessions()


def heartbeat(project: Project) -> None:
    """Tell other windows this one is still open."""
    project.heartbeat()


def open_workspace(project: Project, coder_name: str, *, blind: bool = False,
                   question_id: str | None = None, label: str = "app") -> Workspace:
    """A workspace for `coder_name` in `project`, with its own undo history (`begin_window`)."""
    coder = begin_window(project, coder_name, label)
    return Workspace(project, coder, blind=blind, question_id=question_id)


def check_question(project: Project, question_id: str) -> Question:
    """The question, or ProjectError naming the open questions."""
    return project.question(question_id)
