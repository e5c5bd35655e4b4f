"""A short note on a widget's bottom border for a few seconds: what a key just did.

A toast would cover the answers and cost a layout pass of the whole screen (twice: shown, then
removed) on a key that must answer at once; a border title only repaints.
"""

from __future__ import annotations

from textual.timer import Timer
from textual.widget import Widget

#: Seconds a note stays.
NOTE_SECONDS = 3.0


class EdgeNote:
    """Writes notes on `widget`'s bottom border; each replaces the last and fades after a while."""

    def __init__(self, widget: Widget, seconds: float = NOTE_SECONDS) -> None:
        self.widget = widget
        self.seconds = seconds
        self._timer: Timer | None = None

    @classmethod
    def of(cls, widget: Widget) -> EdgeNote:
        """The widget's notes (made on first use)."""
        note = getattr(widget, "_edge_note", None)
        if note is None:
            note = cls(widget)
            widget._edge_note = note  # type: ignore[attr-defined]
        return note

    def say(self, message: str) -> None:
        self.widget.border_subtitle = message
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.widget.set_timer(self.seconds, self._clear, name="clear the note")

    def _clear(self) -> None:
        self.widget.border_subtitle = None
