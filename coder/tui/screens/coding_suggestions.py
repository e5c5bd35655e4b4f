"""The coding screen's learned suggestions and answer order: built once and refitted after
every coding on workers, the "most useful next" ranking scored there too; the UI thread only
swaps the fitted model in and redraws.

On a large question the building and refitting run in a child process of lower priority
(`SuggestionProcess`): in a thread they would hold the interpreter, and the cores, that the
coder's keys need. The workers here only wait for it.

Part of `CodingScreen` (a mixin: it uses the screen's session, list and detail).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.worker import get_current_worker

from coder.core.errors import CoderError
from coder.services.answer_order import ORDERS
from coder.services.suggestion_process import SuggestionProcess
from coder.services.suggestions import QuestionSuggestions, suggestions_at

if TYPE_CHECKING:
    from textual.app import App

    from coder.services.coding import CodingSession
    from coder.tui.session import Session
    from coder.tui.widgets.answer_list import AnswerList


class SuggestionWorkers:
    """Suggestions built once, refitted after every coding, off the UI thread; the order."""

    _fitter: SuggestionProcess | None = None  # the child process, on a large question

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

    def _start_suggestions(self, path: Any) -> None:
        """Build the suggestions: in a child process on a large question, else a thread."""
        config = self.session.config
        embedder = config.make_embedder()
        if self.coding.total >= config.suggestion_process_from \
                and SuggestionProcess.can_send(embedder):
            only = self.session.coder.id if self.session.blind else None
            self._fitter = SuggestionProcess(path, self.question_id, self.coding.frame, only,
                                             embedder)
        self._build_suggestions(path, embedder)

    def on_unmount(self) -> None:
        if self._fitter is not None:
            self._fitter.close()  # a build or refit in progress is abandoned with the screen

    @work(thread=True, exclusive=True, group="suggestions", exit_on_error=False)
    def _build_suggestions(self, path: Any, embedder: Any) -> None:
        only = self.session.coder.id if self.session.blind else None
        worker = get_current_worker()
        try:
            if self._fitter is not None:
                built = self._fitter.build()
            else:
                built = suggestions_at(path, self.question_id, self.coding.frame,
                                       only_coder=only, embedder=embedder,
                                       cancel=worker.cancelled_event)
            if self.coding.order == "useful":
                self._prepare(built)
        except CoderError as exc:  # cancelled, or no model: code on without suggestions
            if not worker.is_cancelled and self.is_mounted:
                self.app.call_from_thread(self.notify, f"no suggestions: {exc}",
                                          severity="warning")
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._suggestions_ready, built)

    def _prepare(self, suggestions: QuestionSuggestions) -> None:
        """Score the answers for the useful order (on a worker; in the child if there is one)."""
        if self._fitter is not None:
            self._fitter.prepare_order(suggestions)
        else:
            suggestions.prepare_order()

    def _refit_suggestions(self) -> None:
        """Refit after a coding: one refit at a time, the next on everything coded meanwhile
        (codings made while one runs are never a queue of refits)."""
        if self.coding.suggestions is None:
            return
        self._refit_wanted = True
        if not self._refitting:
            self._refitting = True
            self._refit_loop()

    _refit_wanted = False  # a coding since the last refit began
    _refitting = False  # the refit loop runs

    def _next_refit(self) -> tuple[QuestionSuggestions, dict[int, frozenset[str]], bool] | None:
        """On the UI thread: the model and codings the next refit starts from (None: none
        wanted, and the loop ends)."""
        current = self.coding.suggestions
        if not self._refit_wanted or current is None or not self.is_mounted:
            self._refitting = False
            return None
        self._refit_wanted = False
        return current, self.coding.training_codings(), self.coding.order == "useful"

    @work(thread=True, group="suggestions-refit", exit_on_error=False)
    def _refit_loop(self) -> None:
        worker = get_current_worker()
        try:
            while not worker.is_cancelled:
                wanted = self.app.call_from_thread(self._next_refit)
                if wanted is None:
                    return
                current, codings, useful = wanted
                if self._fitter is not None:
                    refitted = self._fitter.refitted(current, codings, order=useful)
                else:
                    refitted = current.refitted(codings)
                    if useful:
                        refitted.prepare_order()  # here, not on the UI thread when ranked
                if not worker.is_cancelled:
                    self.app.call_from_thread(self._suggestions_ready, refitted)
        except CoderError:
            self._refitting = False  # closed with the screen, or the child stopped

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

    @work(thread=True, exclusive=True, group="suggestions-order", exit_on_error=False)
    def _order_then_use(self, suggestions: QuestionSuggestions) -> None:
        try:
            self._prepare(suggestions)
        except CoderError:
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._suggestions_ready, suggestions)

    @work(thread=True, exclusive=True, group="answer-order", exit_on_error=False)
    def _prepare_order(self, suggestions: QuestionSuggestions) -> None:
        try:
            self._prepare(suggestions)
        except CoderError:
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._switch_order, "useful")

    def _switch_order(self, order: str) -> None:
        self.coding.cursor = self.answers.cursor
        ids = self.coding.set_order(order)
        self._show_list(ids)
        self.notify(f"answers in {ORDERS[self.coding.order]}"
                    + ("" if self.coding.suggestions is not None or self.coding.order == "import"
                       else " (uncoded first until the suggestions are ready)"), timeout=2)
