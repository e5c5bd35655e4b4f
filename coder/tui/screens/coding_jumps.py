"""What the coding screen does for other screens: show a given answer (the grid opens one) and
say what a key did. A mixin of `CodingScreen`, kept apart to keep that module short."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coder.tui.widgets.edge_note import EdgeNote

if TYPE_CHECKING:
    from coder.core.coding.filters import FilterQuery
    from coder.services.coding import CodingSession
    from coder.tui.widgets.answer_list import AnswerList


class AnswerJumps:
    """Needs the screen's `coding`, `answers`, `_apply_query` and `_move_to`."""

    _wanted: int | None = None  # an answer to show once the list is filled
    _listed = False  # the answer list is filled (on mount)

    if TYPE_CHECKING:
        coding: CodingSession

        @property
        def answers(self) -> AnswerList: ...

        def _apply_query(self, query: FilterQuery) -> bool: ...
        def _move_to(self, index: int | None) -> None: ...

    def say(self, message: str) -> None:
        """Say what a key did, on the code list's bottom edge for a few seconds."""
        screen: Any = self  # a Screen
        EdgeNote.of(screen.query_one("#codes-scroll")).say(message)

    def go_to(self, answer_id: int) -> None:
        """Show this answer (as the grid opens it): the filter is cleared when it hides it."""
        self._wanted = answer_id
        if not self._listed:
            return  # on_mount comes back here once the list is filled
        self._wanted = None
        index = self.answers.index_of(answer_id)
        if index is None and self.coding.query != self.coding.base_query:
            self._apply_query(self.coding.base_query)
            index = self.answers.index_of(answer_id)
        if index is None:
            screen: Any = self  # a Screen
            screen.notify(f"answer {answer_id} is not in this list (blank, or not given to"
                          " you)", severity="warning")
        else:
            self._move_to(index)

