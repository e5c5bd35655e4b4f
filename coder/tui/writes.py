"""Saving the app's changes while another user or window holds the project's write lock.

A change is tried at once with the app connection's short busy wait, so a key never freezes the
screen for long. When the project stays busy, the change is queued (shown as pending) and a
thread worker saves the queue in order on its own connection once the lock frees, waiting at
most `save_wait` seconds per change; if the project is still busy by then, every queued change
is dropped and the user is told it was not saved. The worker only posts messages; the app's
handlers, on the UI thread, tell the screens. Changes are plain functions of a project that
call the services (e.g. a `coder.services.coding.Change`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.worker import get_current_worker

from coder.core.errors import Cancelled, CoderError, ProjectBusy

if TYPE_CHECKING:
    from textual.app import App

    from coder.services.project import Project

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Write:
    """One change to save.

    Attributes:
        description: What it does, for messages ("toggle 101 High school fees on answer 17").
        apply: Makes the change through the services, on whichever connection saves it;
            it reads what it depends on itself, since the project may change while it waits.
        saved: Called on the UI thread with `apply`'s result once the change is saved.
    """

    description: str
    apply: Callable[[Project], Any]
    saved: Callable[[Any], None] | None = None


class SaveQueue:
    """Saves the app's changes in order, waiting out a busy project off the UI thread."""

    class Waiting(Message):
        """Changes are queued while the project is busy (`pending` 0: all saved or dropped)."""

        def __init__(self, pending: int, waited: float) -> None:
            super().__init__()
            self.pending = pending
            self.waited = waited

    class Saved(Message):
        """A queued change was saved; the app calls its `saved` callback."""

        def __init__(self, write: Write, result: Any) -> None:
            super().__init__()
            self.write = write
            self.result = result

    class NotSaved(Message):
        """Queued changes were dropped, nothing of them saved; `reason` says why."""

        def __init__(self, writes: tuple[Write, ...], reason: str) -> None:
            super().__init__()
            self.writes = writes
            self.reason = reason

    def __init__(self, app: App[Any], store: Project, *, save_wait: float) -> None:
        self._app = app
        self._store = store
        self.save_wait = save_wait
        self._queue: deque[Write] = deque()
        self._saving = False  # a worker owns the queue; new changes join it
        self._guard = threading.Lock()
        self._busy_since = 0.0

    @property
    def pending(self) -> tuple[Write, ...]:
        """Changes queued and not yet saved, oldest first."""
        with self._guard:
            return tuple(self._queue)

    def save(self, write: Write) -> bool:
        """Save `write` now, or queue it when the project is busy; True when saved now.

        Changes queued earlier are saved first, so a new change joins the queue behind them.

        Raises:
            CoderError: If the change is refused (a rule, not a busy project); nothing saved.
        """
        with self._guard:
            queued = self._saving
            if queued:
                self._queue.append(write)
        if queued:
            self._post(self.Waiting(len(self.pending), time.monotonic() - self._busy_since))
            return False
        try:
            result = write.apply(self._store)
        except ProjectBusy:
            with self._guard:
                self._queue.append(write)
                self._saving = True
            self._busy_since = time.monotonic()
            self._post(self.Waiting(1, 0.0))
            self._app.run_worker(self._save_queued, name="saving changes", group="saves",
                                 thread=True, exit_on_error=False)
            return False
        if write.saved is not None:
            write.saved(result)
        return True

    # -- the worker (its own thread and connection; posts messages only) ----------------------

    def _save_queued(self) -> None:
        worker = get_current_worker()

        def on_busy(waited: float) -> None:
            if worker.is_cancelled:
                raise Cancelled("the app closed before the project was free")
            self._post(self.Waiting(len(self.pending), time.monotonic() - self._busy_since))

        try:
            store = self._store.reopen()
        except CoderError as exc:
            self._drop_all(str(exc))
            return
        store.busy_wait, store.on_busy = self.save_wait, on_busy
        try:
            while (write := self._first()) is not None:
                try:
                    result = write.apply(store)
                except ProjectBusy:
                    self._drop_all(f"the project was still busy after {self.save_wait:.0f} s")
                    return
                except Cancelled as exc:
                    self._drop_all(str(exc))
                    return
                except Exception as exc:  # refused, or a fault: the queue must not stall
                    if not isinstance(exc, CoderError):
                        log.exception("saving %s failed", write.description)
                    self._done()
                    self._post(self.NotSaved((write,), str(exc)))
                    continue
                self._done()
                self._post(self.Saved(write, result))
        finally:
            store.close()
            self._post(self.Waiting(len(self.pending), time.monotonic() - self._busy_since))

    def _first(self) -> Write | None:
        with self._guard:
            if not self._queue:
                self._saving = False
                return None
            return self._queue[0]

    def _done(self) -> None:
        with self._guard:
            self._queue.popleft()

    def _drop_all(self, reason: str) -> None:
        with self._guard:
            dropped = tuple(self._queue)
            self._queue.clear()
            self._saving = False
        self._post(self.NotSaved(dropped, reason))

    def _post(self, message: Message) -> None:
        self._app.post_message(message)
