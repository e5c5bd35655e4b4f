"""The answer list: a Line-API view over answer ids that fetches only the visible rows' text.

Knows nothing of the store: rows come from a `fetch` callback (ids -> AnswerRow), cached by id,
so moving, coding or filtering costs O(visible rows) whatever the number of answers.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from coder.services.coding import AnswerRow

Fetch = Callable[[Sequence[int]], dict[int, AnswerRow]]

_CACHE_LIMIT = 4000


class AnswerList(ScrollView, can_focus=True, inherit_bindings=False):
    """One line per answer: status mark, answer number, text; the cursor is the current answer.

    Keys are the screen's (remappable there), so the list itself binds none.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "answer-list--cursor", "answer-list--coded", "answer-list--flagged",
        "answer-list--number", "answer-list--muted",
    }

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    class Highlighted(Message):
        """The cursor moved to another answer (or the list changed)."""

        def __init__(self, answer_list: AnswerList, index: int, answer_id: int | None) -> None:
            super().__init__()
            self.answer_list = answer_list
            self.index = index
            self.answer_id = answer_id

    def __init__(self, fetch: Fetch, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._fetch = fetch
        self._ids: list[int] = []
        self._rows: dict[int, AnswerRow] = {}

    # -- data ----------------------------------------------------------------------------------

    @property
    def answer_ids(self) -> list[int]:
        return self._ids

    @property
    def current_id(self) -> int | None:
        return self._ids[self.cursor] if 0 <= self.cursor < len(self._ids) else None

    def index_of(self, answer_id: int) -> int | None:
        """Where the answer is in the list (ids ascend), or None when it is not listed."""
        index = bisect.bisect_left(self._ids, answer_id)
        return index if index < len(self._ids) and self._ids[index] == answer_id else None

    def set_answer_ids(self, answer_ids: list[int], index: int = 0) -> None:
        """Show these answers (ascending ids) with the cursor on the one at `index`."""
        self._ids = answer_ids
        size = Size(0, len(answer_ids))
        if size != self.virtual_size:
            # The list keeps its region whatever it holds (its scrollbar is always shown): only
            # the scroll range changes, so no layout pass for the screen (setting `virtual_size`
            # would ask for one, and the whole screen would be drawn again).
            self.set_reactive(AnswerList.virtual_size, size)
            self._scroll_update(size)
        self.refresh()
        self.move_to(index, force=True)

    @property
    def page_size(self) -> int:
        """Rows a page up or down moves."""
        return max(1, self.scrollable_content_region.height - 1)

    def invalidate(self, answer_ids: Iterable[int] | None = None) -> None:
        """Forget cached rows (all when None) so they are fetched again when drawn; only the
        lines of those shown are drawn again."""
        if answer_ids is None:
            self._rows.clear()
            self.refresh()
            return
        for aid in answer_ids:
            self._rows.pop(aid, None)
            index = self.index_of(aid)
            if index is not None:
                self._refresh_row(index)

    def _refresh_row(self, index: int) -> None:
        """Draw the line of the answer at `index` again, if it is on screen."""
        y = index - int(self.scroll_offset.y)
        if 0 <= y < self.scrollable_content_region.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def row(self, answer_id: int) -> AnswerRow | None:
        if answer_id not in self._rows:
            self._load([answer_id])
        return self._rows.get(answer_id)

    def _load(self, answer_ids: Sequence[int]) -> None:
        missing = [a for a in answer_ids if a not in self._rows]
        if not missing:
            return
        if len(self._rows) > _CACHE_LIMIT:
            self._rows.clear()
        self._rows.update(self._fetch(missing))

    # -- cursor --------------------------------------------------------------------------------

    def move_to(self, index: int, *, force: bool = False) -> None:
        if not self._ids:
            self.cursor = 0
            self.post_message(self.Highlighted(self, 0, None))
            return
        index = max(0, min(index, len(self._ids) - 1))
        if index == self.cursor and not force:
            return
        before, top = self.cursor, int(self.scroll_offset.y)
        self.cursor = index
        self.scroll_to_region(Region(0, index, 1, 1), animate=False, immediate=True)
        if force or int(self.scroll_offset.y) != top:
            self.refresh()
        else:  # the same rows on screen: only the two cursor lines change
            self._refresh_row(before)
            self._refresh_row(index)
        self.post_message(self.Highlighted(self, index, self._ids[index]))

    def on_resize(self) -> None:
        self.virtual_size = Size(0, len(self._ids))

    def on_click(self, event: object) -> None:
        offset = getattr(event, "y", None)
        if offset is not None:
            self.move_to(int(self.scroll_offset.y) + int(offset))

    # -- drawing -------------------------------------------------------------------------------

    _line_style: Style | None = None  # the widget's style, looked up once per repaint

    def render_lines(self, crop: Region) -> list[Strip]:
        self._line_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._line_style = None

    def render_line(self, y: int) -> Strip:
        top = int(self.scroll_offset.y)
        width = self.scrollable_content_region.width
        index = top + y
        base = self._line_style or self.rich_style
        if index >= len(self._ids):
            return Strip.blank(width, base)
        height = self.scrollable_content_region.height
        if self._ids[index] not in self._rows:
            self._load(self._ids[top:top + height + 1])
        row = self._rows.get(self._ids[index])
        style = base + self.get_component_rich_style("answer-list--cursor") \
            if index == self.cursor else base
        return Strip(self._segments(row, self._ids[index], style, width),
                     None).adjust_cell_length(width, style)

    def _segments(self, row: AnswerRow | None, answer_id: int, style: Style,
                  width: int = 400) -> list[Segment]:
        if row is None:
            return [Segment(f" {answer_id:>6} (missing)", style)]
        if row.flagged:
            mark, mark_style = "!", self.get_component_rich_style("answer-list--flagged")
        elif row.coded:
            mark, mark_style = "✓", self.get_component_rich_style("answer-list--coded")
        else:
            mark, mark_style = "·", self.get_component_rich_style("answer-list--muted")
        number = self.get_component_rich_style("answer-list--number")
        codes = f"{len(row.code_ids)}c " if row.code_ids else "   "
        text = " ".join(row.text.split()) or f"({row.non_substantive or 'blank'})"
        text_style = style + self.get_component_rich_style("answer-list--muted") \
            if row.non_substantive else style
        return [
            Segment(f" {mark} ", style + mark_style),
            Segment(f"{answer_id:>6} ", style + number),
            Segment(codes, style + number),
            Segment(text[:max(1, width)], text_style),  # no longer than the line can show
        ]
