"""Static text that repaints without a layout pass when its height stays the same.

Textual lays out the whole screen after a widget's content changes; on the coding screen that
pass costs more than everything else a key does at 100,000 answers. Content of the same height
at the same width can only repaint, so it skips the pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.visual import VisualType, visualize
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.css.styles import RulesMap


class InPlaceStatic(Static):
    """A `Static` whose `update` lays the screen out again only when its height changes."""

    _fitted: tuple[int, int] | None = None  # (width, height) of the content last shown

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        width = self.content_region.width
        if not layout or not width or not self.is_mounted:
            self._fitted = None
            super().update(content, layout=layout)
            return
        visual = visualize(self, content, markup=self._render_markup)
        height = visual.get_height(cast("RulesMap", self.styles), width)  # as Textual measures
        same = self._fitted == (width, height)
        self._fitted = (width, height)
        super().update(content, layout=not same)
