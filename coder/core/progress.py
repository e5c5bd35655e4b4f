"""Progress reports and cancellation for long work; depends on nothing but `coder.core.errors`.

Long functions (import, embedding, clustering, agreement bootstrap, exports) take one
``progress: Progress`` argument. They call ``progress.step(done, total)`` as they go and
``progress.check()`` where stopping is safe; both raise :class:`Cancelled` once the front end
has set the cancel event. A front end builds the object: the CLI with a progress bar (Ctrl+C
cancels), the app with a worker's ``cancelled_event`` and a callback that posts a message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from coder.core.errors import Cancelled

#: What a front end is told: ``(done, total, message)``; ``message`` may be empty.
OnStep = Callable[[int, int, str], None]


class Progress:
    """Where long work reports how far it got, and how it learns it should stop.

    Counts reported to ``on_step`` never go backwards for the same total, so a bar never
    jumps back when parts of the work report on their own scale.

    Args:
        on_step: called with ``(done, total, message)``; ``None`` reports nothing.
        cancel: once set, the next ``step`` or ``check`` raises :class:`Cancelled`.
        what: names the work in the :class:`Cancelled` message ("theme discovery").
    """

    def __init__(
        self,
        on_step: OnStep | None = None,
        cancel: threading.Event | None = None,
        what: str = "work",
    ) -> None:
        self.on_step = on_step
        self.cancel = cancel
        self.what = what
        self._last: tuple[int, int] = (0, -1)

    @property
    def cancelled(self) -> bool:
        """Whether the front end asked the work to stop."""
        return self.cancel is not None and self.cancel.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if the work should stop.

        Raises:
            Cancelled: once the cancel event is set.
        """
        check_cancelled(self.cancel, self.what)

    def step(self, done: int, total: int, message: str = "") -> None:
        """Report ``done`` of ``total`` (after checking for cancellation).

        Raises:
            Cancelled: once the cancel event is set.
        """
        self.check()
        if self.on_step is None:
            return
        last_done, last_total = self._last
        if total == last_total and done < last_done:
            done = last_done
        self._last = (done, total)
        self.on_step(done, total, message)

    def part(self, start: int, end: int, of: int) -> Progress:
        """A progress for one part of the work, shown as ``start``..``end`` out of ``of``.

        The part shares this object's cancel event; its own ``(done, total)`` are scaled into
        the range, e.g. embedding as the first 80 of 100 steps of theme discovery.
        """

        def on_step(done: int, total: int, message: str) -> None:
            share = done / total if total > 0 else 1.0
            self.step(start + int((end - start) * min(share, 1.0)), of, message)

        return Progress(on_step, self.cancel, self.what)


def check_cancelled(cancel: threading.Event | None, what: str = "work") -> None:
    """Raise :class:`Cancelled` if ``cancel`` is set: for inner steps handed only the event.

    Raises:
        Cancelled: once ``cancel`` is set.
    """
    if cancel is not None and cancel.is_set():
        raise Cancelled(f"{what} cancelled")


#: Reports nothing and is never cancelled: the default for callers that need neither.
NO_PROGRESS = Progress()
