"""A short note on a widget's bottom border for a few seconds: what a key just did.

A toast would cover the answers and cost a layout pass of the whole screen (twice: shown, then
removed) on a key that must answer at once; a border title only repaints. A note longer than
the border is shortened in its words, never in its numbers ("undone: added 101 High… on answer
33" on a small screen).
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.timer import Timer
from textual.widget import Widget

#: Seconds a note stays.
NOTE_SECONDS = 3.0

#: Cells of the border a note never uses (each side: the corner, a line and a space).
_BORDER_CELLS = 6

#: Small words that tie a number to its meaning ("on answer 33"): kept like the numbers.
_KEPT_WORDS = frozenset({"on", "answer", "answers", "to", "into", "->", "of", "in", "from"})


def fit_note(message: str, width: int) -> str:
    """`message` in at most `width` cells, shortening text first and never a number.

    The first word (what happened), words with a digit and the small words tying a number to
    its meaning stay whole; the longest run of other words is shortened first (whole words
    dropped from its end, marked "…"), down to "…", which goes before the next is cut. When
    even that is too long the message is returned with its numbers whole (the border cuts it).
    """
    if cell_len(message) <= width:
        return message
    words = message.split(" ")
    kept = [i == 0 or any(ch.isdigit() for ch in w) or w in _KEPT_WORDS
            for i, w in enumerate(words)]
    runs: list[list[str]] = []  # each run of words that may be shortened
    parts: list[str | list[str]] = []  # the message: kept words and runs, in order
    for word, keep in zip(words, kept, strict=True):
        if keep:
            parts.append(word)
        elif parts and isinstance(parts[-1], list):
            parts[-1].append(word)
        else:
            runs.append([word])
            parts.append(runs[-1])

    def joined() -> str:
        return " ".join(p if isinstance(p, str) else " ".join(p) for p in parts if p)

    while cell_len(text := joined()) > width:
        spent = next((r for r in runs if r == ["…"]), None)
        if spent is not None:  # a run already down to "…" goes before another is cut
            spent.clear()
            continue
        longest = max((r for r in runs if r), key=lambda r: cell_len(" ".join(r)), default=None)
        if longest is None:
            return text
        _shorten(longest, cell_len(text) - width)
    return text


def _shorten(run: list[str], excess: int) -> None:
    """Make the run `excess` cells shorter if it can: drop whole words from its end (the last
    kept word marked "…"), else cut the first word's letters (down to "…")."""
    current = cell_len(" ".join(run))
    target = max(1, current - excess)
    for keep in range(len(run) - 1, 0, -1):
        shorter = " ".join(run[:keep]).rstrip(",.;:") + "…"
        if cell_len(shorter) <= target:
            run[:] = shorter.split(" ")
            return
    first = run[0].rstrip("…")
    room = max(0, target - 1)
    run[:] = [first[:room].rstrip(",.;:") + "…" if room and first[:room] else "…"]
    if cell_len(" ".join(run)) >= current:  # could not shorten: give the run up
        run.clear()


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
        width = self.widget.outer_size.width - _BORDER_CELLS
        self.widget.border_subtitle = fit_note(message, width) if width > 0 else message
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.widget.set_timer(self.seconds, self._clear, name="clear the note")

    def _clear(self) -> None:
        self.widget.border_subtitle = None
