"""The current answer in full: text, respondent attributes, codes, suggestions, memo, flag.

Drawn in a region of fixed size that scrolls its own lines (the Line API): moving to an answer
of another height only repaints the region, where a widget sized to its content would have the
whole screen laid out again on most moves (see `in_place`). Its vertical scrollbar is always
shown, so an answer that overflows the region never changes the region's layout either.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual, visualize

from coder.services.coding import AnswerView


class AnswerDetail(ScrollView):
    """Renders an AnswerView; scrolls (mouse wheel, or keys once focused) when it is long."""

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._content: Group | Text = Text("")
        self._lines: list[Strip] = []

    def show(self, view: AnswerView | None) -> None:
        """Show this answer from its first line."""
        self._content = render_answer(view)
        self._draw()
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    @property
    def text(self) -> str:
        """What the region holds, as plain text (every line, also those scrolled away)."""
        return "\n".join(strip.text.rstrip() for strip in self._lines)

    def _draw(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or not self.is_mounted:
            self._lines = []
            return
        visual = visualize(self, self._content)
        # One cell short of the scrollbar: the region's right padding (Textual puts the
        # scrollbar of a line-drawn widget inside its padding).
        self._lines = Visual.to_strips(self, visual, max(1, width - 1), None, self.visual_style)
        size = Size(width, len(self._lines))
        if size != self.virtual_size:
            # The region keeps its size whatever the content's: only the scroll range changes,
            # so no layout pass (setting `virtual_size` would ask for one).
            self.set_reactive(AnswerDetail.virtual_size, size)
            self._scroll_update(size)

    def on_resize(self) -> None:
        self._draw()  # the new width wraps the text again
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        style = self.visual_style.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, style)
        return self._lines[index].adjust_cell_length(width, style)


def render_answer(view: AnswerView | None) -> Group | Text:
    if view is None:
        return Text("No answer matches the filter.", style="italic")
    head = Text()
    head.append(f"Answer {view.answer_id}", style="bold")
    head.append(f"  ({view.position})  respondent {view.respondent}  wave {view.wave}",
                style="dim")
    if view.flagged:
        head.append("  ! flagged for review", style="bold red")
    if view.needs_recoding:
        head.append("  ~ needs recoding: text changed since coded", style="bold yellow")
    body = Text(view.text or "(blank)")
    if view.non_substantive:
        body.append(f"\nnon-substantive: {view.non_substantive}", style="italic dim")
    attrs = Table.grid(padding=(0, 1))
    attrs.add_column(style="dim", no_wrap=True)
    attrs.add_column(overflow="ellipsis", no_wrap=True)
    for key, value in list(view.attributes.items())[:6]:
        attrs.add_row(str(key), str(value))
    codes = Text()
    codes.append("Codes: ", style="bold")
    if view.my_codes:
        codes.append(", ".join(view.my_codes))
    elif view.coded:
        codes.append("no code applies", style="italic")
    else:
        codes.append("none yet")
    if view.blind:
        codes.append("\nblind mode: other coders' codes hidden", style="dim italic")
    for who, labels in view.other_codes.items():
        codes.append(f"\n{who}: ", style="dim")
        codes.append(", ".join(labels) or "no code", style="dim")
    extra = Text()
    if view.theme:
        extra.append("Theme: ", style="bold")
        extra.append(view.theme)
    if view.similar:
        extra.append("\n" if extra else "")
        extra.append(f"+{view.similar} similar", style="bold")
        extra.append(" (g gives them your codes on this answer)", style="dim")
    if view.suggestions:
        extra.append("\n" if extra else "")
        extra.append(f"{view.suggestions_heading}: ", style="bold")
        for rank, suggestion in enumerate(view.suggestions, start=1):
            keys = "a/alt+1" if rank == 1 else f"alt+{rank}"
            extra.append(f"{'  ' if rank > 1 else ''}[{keys}] ", style="dim")
            extra.append(suggestion)
    if view.memo:
        extra.append("\n" if extra else "")
        extra.append("Memo: ", style="bold")
        extra.append(view.memo, style="italic")
    # The codes come first: on a small screen they stay in view, above a long answer.
    parts: list[Text | Table] = [head, codes, body, Text(""), attrs]
    if extra:
        parts.append(extra)
    return Group(*parts)
