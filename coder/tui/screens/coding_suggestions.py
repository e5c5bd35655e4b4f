"""The coding screen's learned suggestions and answer order: built once and refitted after
every coding on workers, the "most useful next" ranking scored there too; the UI thread only
swaps the fitted model in and redraws.

Part of `CodingScreen` (a mixin: it uses the screen's session, list and detail).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.worker import get_current_worker

from coder.core.errors import CoderError
from coder.services.answer_order import ORDERS
from coder.services.suggestions import QuestionSuggestions, suggestions_at

if TYPE_CHECKING:
    from textual.app import App

    from coder.services.coding import CodingSession
    from coder.tui.session import Session
    from coder.tui.widgets.answer_list import AnswerList


class SuggestionWorkers:
    """Suggestions built once, refitted after every coding, off the UI thread; the order."""

    if TYPE_CHECKING:
        session: Session
        question_id: str
        coding: CodingSession
        app: App[Any]
        is_mounted: bool

        @property
        def answers(self) -> AnswerList: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...
        def _show_current(self) -> None: ...
        def _show_list(self, ids: list[int]) -> None: ...

    @work(thread=True, exclusive=True, group="suggestions", exit_on_error=False)
    def _build_suggestions(self, path: Any) -> None:
        only = self.session.coder.id if self.session.blind else None
        try:
            built = suggestions_at(path, self.question_id, self.coding.frame, only_coder=only,
                                   embedder=self.session.config.make_embedder(),
                                   cancel=get_current_worker().cancelled_event)
        except CoderError as exc:  # cancelled, or no model: code on without suggestions
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self.notify, f"no suggestions: {exc}",
                                          severity="warning")
            return
        if self.coding.order == "useful":
            built.prepare_order()
        self.app.call_from_thread(self._suggestions_ready, built)

    def _refit_suggestions(self) -> None:
        current = self.coding.suggestions
        if current is not None:
            self._refit(current, self.coding.training_codings())

    @work(thread=True, exclusive=True, group="suggestions-refit", exit_on_error=False)
    def _refit(self, current: QuestionSuggestions, codings: dict[int, frozenset[str]]) -> None:
        refitted = current.refitted(codings)
        if self.coding.order == "useful":
            refitted.prepare_order()  # here, not on the UI thread when the list is ranked
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._suggestions_ready, refitted)

    def _suggestions_ready(self, suggestions: QuestionSuggestions) -> None:
        if self.coding.order == "useful" and not suggestions.order_ready:
            self._order_then_use(suggestions)  # fitted before the order was switched on
            return
        self.coding.cursor = self.answers.cursor
        self.coding.use_suggestions(suggestions)
        if not self.is_mounted:
            return
        if self.coding.order != "import":  # what follows the current answer was ranked again
            self.answers.set_answer_ids(self.coding.answer_ids, self.coding.cursor)
        self._show_current()

    def action_toggle_order(self) -> None:
        """Import order <-> most useful next."""
        names = list(ORDERS)
        wanted = names[(names.index(self.coding.order) + 1) % len(names)]
        suggestions = self.coding.suggestions
        if wanted == "useful" and suggestions is not None and not suggestions.order_ready:
            self._prepare_order(suggestions)  # scored on a worker, then listed
            return
        self._switch_order(wanted)

    @work(thread=True, exclusive=True, group="suggestions-refit", exit_on_error=False)
    def _order_then_use(self, suggestions: QuestionSuggestions) -> None:
        suggestions.prepare_order()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._suggestions_ready, suggestions)

    @work(thread=True, exclusive=True, group="answer-order", exit_on_error=False)
    def _prepare_order(self, suggestions: QuestionSuggestions) -> None:
        suggestions.prepare_order()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._switch_order, "useful")

    def _switch_order(self, order: str) -> None:
        self.coding.cursor = self.answers.cursor
        ids = self.coding.set_order(order)
        self._show_list(ids)
        self.notify(f"answers in {ORDERS[self.coding.order]}"
                    + ("" if self.coding.suggestions is not None or self.coding.order == "import"
                       else " (uncoded first until the suggestions are ready)"), timeout=2)
