"""The coding screen: answer list, the current answer in full, the codeframe with shortcut keys.

A view over `coder.services.coding.CodingSession`, which holds the answer list, its filter, what
the coder has coded and the suggestion; widgets report intent (cursor moved, text submitted), the
session plans each change and the app saves it. Only what changed is redrawn, so each key costs
O(visible rows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, ProgressBar, Static

from coder.core.codeframe.lookup import SHORTCUT_KEYS
from coder.core.codeframe.model import Code
from coder.core.coding.filters import FilterQuery, parse_filter
from coder.core.coding.text_search import TextIndex
from coder.core.errors import CoderError
from coder.core.types import Event
from coder.services.answer_order import ORDERS
from coder.services.coding import SUGGESTIONS_SHOWN, AnswerRow, Change, CodingSession, text_index_at
from coder.services.live import OthersWrote
from coder.services.respondents import respondent_answers
from coder.tui.screens.coding_jumps import AnswerJumps
from coder.tui.screens.coding_suggestions import SuggestionWorkers
from coder.tui.screens.dialogs import PromptDialog
from coder.tui.widgets.answer_detail import AnswerDetail
from coder.tui.widgets.answer_list import AnswerList
from coder.tui.widgets.code_list import CodeList
from coder.tui.widgets.respondent_view import RespondentView
from coder.tui.writes import Write

if TYPE_CHECKING:
    from coder.tui.app import CoderApp
    from coder.tui.session import Session


def _slot_bindings() -> list[Binding]:
    return [Binding(key, f"code_slot({i})", f"apply code {key}", show=False,
                    id=f"coding.code_{key.lower() if key.isdigit() else 'shift_' + key.lower()}")
            for i, key in enumerate(SHORTCUT_KEYS)]


class CodingScreen(SuggestionWorkers, AnswerJumps, Screen[None]):
    """Code one question's answers."""

    BINDINGS = [
        Binding("down,j", "next", "Next", id="coding.next", tooltip="Next answer"),
        Binding("up,k", "previous", "Prev", show=False, id="coding.previous",
                tooltip="Previous answer"),
        Binding("n", "next_uncoded", "Next uncoded", id="coding.next_uncoded"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="coding.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="coding.page_up"),
        Binding("home", "first", "First answer", show=False, id="coding.first"),
        Binding("end", "last", "Last answer", show=False, id="coding.last"),
        Binding("c", "search_codes", "Find code", id="coding.search_codes",
                tooltip="Search codes by number, label words or initials, then notes;"
                        " Enter applies a clear match"),
        Binding("a", "accept_suggestion", "Accept suggestion", id="coding.accept_suggestion",
                tooltip="Apply the first suggested code (alt+1, alt+2, alt+3: by rank)"),
        # Listed in the key list as one row with `a` (their ids remap them like any key).
        *[Binding(f"alt+{n}", f"accept_suggestion({n - 1})", "", show=False,
                  id=f"coding.accept_suggestion_{n}")
          for n in range(1, SUGGESTIONS_SHOWN + 1)],
        Binding("g", "code_similar", "Code similar alike", show=False, id="coding.code_similar",
                tooltip="Give the answers repeating this one your codes on it (one action)"),
        Binding("minus", "no_code", "No code applies", show=False, id="coding.no_code"),
        Binding("m", "memo", "Memo", id="coding.memo"),
        Binding("f", "flag", "Flag", id="coding.flag", tooltip="Flag the answer for review"),
        Binding("slash", "filter", "Filter", id="coding.filter",
                tooltip="Filter: words, is:uncoded, is:flagged, code:104, theme:3, region=London"),
        Binding("u", "toggle_filter('uncoded')", "Uncoded only", show=False,
                id="coding.filter_uncoded"),
        Binding("r", "toggle_filter('flagged')", "Flagged only", show=False,
                id="coding.filter_flagged"),
        Binding("escape", "clear", "Clear filter", show=False, id="coding.clear"),
        Binding("o", "toggle_order", "Order", show=False, id="coding.order",
                tooltip="Switch the answer order: import order or most useful next (the"
                        " answers the suggestions would learn most from first)"),
        Binding("v", "respondent", "Respondent", show=False, id="coding.respondent",
                tooltip="Show or hide the respondent's answers to the other questions"),
        *_slot_bindings(),
    ]

    def __init__(self, session: Session, question_id: str) -> None:
        super().__init__()
        self.session = session
        self.question_id = question_id
        self.coding = CodingSession(session, question_id)
        self._shown: int | None = None

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        with Horizontal(id="coding-body"):
            with Vertical(id="left-pane"):
                yield Label("", id="filter-bar")
                yield Input(placeholder="filter: words  is:uncoded  is:flagged  code:104"
                            "  theme:3  region=London", id="filter-input", classes="hidden")
                yield AnswerList(self._fetch_rows, id="answers")
                with Horizontal(id="progress-row"):
                    yield ProgressBar(show_eta=False, show_percentage=False, id="coded-progress")
                    yield Label("", id="progress-label")
            with Vertical(id="right-pane"):
                yield AnswerDetail(id="detail")
                with VerticalScroll(id="respondent-scroll", classes="hidden"):
                    yield RespondentView(id="respondent-view")
                yield Input(placeholder="find a code (label, number or definition)",
                            id="code-search", classes="hidden")
                with VerticalScroll(id="codes-scroll"):
                    yield CodeList(id="codes")
        yield Footer(compact=True)

    @property
    def answers(self) -> AnswerList:
        return self.query_one(AnswerList)

    @property
    def query_state(self) -> FilterQuery:
        return self.coding.query

    def on_mount(self) -> None:
        self.session.question_id = self.question_id
        self._update_topbar()
        self.watch(self.app, "busy_note", self._update_topbar, init=False)
        self._apply_query(self.coding.query)
        self._listed = True
        if self._wanted is not None:
            self.go_to(self._wanted)
        self.answers.focus()
        self._build_text_index(self.session.project.location)
        if self.session.config.suggestions:
            self._start_suggestions(self.session.project.location)

    @work(thread=True, exclusive=True, group="text-index", exit_on_error=False)
    def _build_text_index(self, path: Any) -> None:
        index = text_index_at(path, self.question_id)  # this thread's own connection
        self.app.call_from_thread(self._index_built, index)

    def _index_built(self, index: TextIndex) -> None:
        self.coding.text_index = index

    def _update_topbar(self) -> None:
        question = self.session.question(self.question_id)
        mode = "  [b red]BLIND[/]" if self.session.blind else ""
        busy = cast("CoderApp", self.app).busy_note
        busy = f"  [b reverse $warning] {busy} [/]" if busy else ""
        # The coder and the busy state first: a long question text must never push them off.
        self.query_one("#topbar", Static).update(
            f"[reverse] coder: {self.session.coder.name} [/]{mode}{busy}  [b]{question.id}[/]"
            f"  {question.text}")

    # -- data ----------------------------------------------------------------------------------

    def _fetch_rows(self, answer_ids: list[int] | Any) -> dict[int, AnswerRow]:
        return self.coding.rows(answer_ids)

    def _apply_query(self, query: FilterQuery) -> bool:
        self.coding.cursor = self.answers.cursor
        try:
            ids = self.coding.filter(query)
        except CoderError as exc:
            self.notify(str(exc), severity="error")
            return False
        self._show_list(ids)
        return True

    def _show_list(self, ids: list[int]) -> None:
        described = self.coding.query.describe()
        order = ORDERS[self.coding.order]
        self.query_one("#filter-bar", Label).update(
            f"[b]{len(ids)}[/] of {self.coding.total} answers" +
            (f"  filter: [b]{described}[/]  (esc clears)" if described else "") +
            (f"  order: [b]{order}[/] (o)" if self.coding.order != "import" else ""),
            layout=False)  # one line, as wide as the pane: no layout pass for the screen
        self.answers.set_answer_ids(ids, self.coding.cursor)
        self._show_current()
        self._update_progress()

    def _update_progress(self) -> None:
        coded, total = self.coding.coded_count, self.coding.total
        given = self.coding.assigned_progress() if self.session.blind else None
        if given is not None:  # blind with an assignment: progress through it
            coded, total = given
        bar = self.query_one("#coded-progress", ProgressBar)
        bar.update(total=max(total, 1), progress=coded)
        share = 100 * coded / total if total else 0
        text = (f" coded {coded}/{total} of yours" if given is not None
                else f" {coded}/{total} coded ({share:.0f}%)")
        label = self.query_one("#progress-label", Label)
        # A layout pass (the whole screen) only when the label's width changes.
        label.update(text, layout=len(text) != len(str(label.content)))

    # -- showing the current answer -------------------------------------------------------------

    @on(AnswerList.Highlighted)
    def _on_highlighted(self, event: AnswerList.Highlighted) -> None:
        if self.answers.current_id != self._shown:  # e.g. a click; keys already showed it
            self._show_current()

    def _show_current(self) -> None:
        self.coding.cursor = self.answers.cursor  # the list's cursor is the current answer
        view = self.coding.detail()
        self._shown = None if view is None else view.answer_id
        self.query_one(AnswerDetail).show(view)
        self._show_respondent()
        if not self.query_one("#code-search", Input).has_class("hidden"):
            self._show_search_results()
        else:
            self.query_one(CodeList).show(self.coding.frame, self.coding.shortcuts,
                                          view.code_ids if view else ())

    def _show_respondent(self) -> None:
        answer_id = self.coding.current_id
        if self.query_one("#respondent-scroll").has_class("hidden") or answer_id is None:
            return
        self.query_one(RespondentView).show(
            respondent_answers(self.session.project, answer_id, self.session.coder))

    def action_respondent(self) -> None:
        self.query_one("#respondent-scroll").toggle_class("hidden")
        self._show_respondent()

    # -- moving --------------------------------------------------------------------------------

    def _move_to(self, index: int | None) -> None:
        if index is not None:
            self.answers.move_to(index)
        self._show_current()

    def action_next(self) -> None:
        self._move_to(self.answers.cursor + 1)

    def action_previous(self) -> None:
        self._move_to(self.answers.cursor - 1)

    def action_page(self, direction: int) -> None:
        self._move_to(self.answers.cursor + direction * self.answers.page_size)

    def action_first(self) -> None:
        self._move_to(0)

    def action_last(self) -> None:
        self._move_to(len(self.coding.answer_ids) - 1)

    def action_next_uncoded(self) -> None:
        self.coding.cursor = self.answers.cursor
        if self.coding.next_uncoded() is None:
            self.notify("every answer in this list is coded")
            return
        self._move_to(self.coding.cursor)

    # -- coding --------------------------------------------------------------------------------

    def action_code_slot(self, slot: int) -> None:
        code = self.coding.code_for_slot(slot)
        if code is None:
            self.app.bell()
            return
        self.query_one("#code-search", Input).add_class("hidden")  # a choice ends a search
        self.toggle(code)

    def toggle(self, code: Code) -> None:
        self.coding.cursor = self.answers.cursor

        def toggled(applied: bool) -> None:
            self.say(f"{'added' if applied else 'removed'} {code.output_code} {code.label}")

        self._save(self.coding.toggle(code), toggled)

    def action_no_code(self) -> None:
        self.coding.cursor = self.answers.cursor
        self._save(self.coding.no_code())

    def action_accept_suggestion(self, rank: int = 0) -> None:
        if rank >= len(self.coding.suggested):
            self.notify("no suggestion for this answer" if not self.coding.suggested else
                        f"only {len(self.coding.suggested)} suggestions", severity="warning")
            return
        self.toggle(self.coding.suggested[rank])

    def action_code_similar(self) -> None:
        self.coding.cursor = self.answers.cursor
        members = self.coding.similar()
        change = self.coding.code_similar()
        if change is None:
            self.notify("code this answer first" if members else "no similar answers",
                        severity="warning")
            return

        def done(changed: Any) -> None:
            self.say(f"coded {changed} similar answers alike")
            if self.is_mounted:
                self._after_write([change.answer_id, *members])

        cast("CoderApp", self.app).save(Write(change.description, change.apply, done))

    def action_flag(self) -> None:
        self.coding.cursor = self.answers.cursor
        self._save(self.coding.flip_flag())

    def action_memo(self) -> None:
        self.coding.cursor = self.answers.cursor
        answer_id = self.coding.current_id
        if answer_id is None:
            return
        memo = self.coding.memo(answer_id)

        def save(text: str | None) -> None:
            if text is not None and text != memo:
                self._save(self.coding.write_memo(text, answer_id))

        self.app.push_screen(PromptDialog(f"Memo on answer {answer_id}", memo,
                                          "a note for yourself or the team"), save)

    def _save(self, change: Change | None, saved: Any = None) -> None:
        """Save a change to one answer (now, or queued while the project is busy), then redraw
        that answer from the project."""
        if change is None:
            return

        def done(result: Any) -> None:
            if saved is not None:
                saved(result)
            if self.is_mounted:
                self._after_write([change.answer_id])

        cast("CoderApp", self.app).save(Write(change.description, change.apply, done))

    def _after_write(self, answer_ids: list[int]) -> None:
        self.coding.saved(answer_ids)
        self._refit_suggestions()
        self.answers.invalidate(answer_ids)
        self._update_progress()
        self._show_current()

    def store_changed(self, event: Event | None) -> None:
        """Redraw after undo/redo or an edit elsewhere (only the answers the event touched)."""
        self.coding.cursor = self.answers.cursor
        touched = self.coding.changed(event)
        self._refit_suggestions()
        if touched is None:
            self.answers.invalidate()
            self._update_progress()
            self._show_current()
            return
        if self.coding.cursor != self.answers.cursor:
            self.answers.move_to(self.coding.cursor)
        self.answers.invalidate(touched)
        self._update_progress()
        self._show_current()

    def others_wrote(self, wrote: OthersWrote) -> None:
        """Show what another window or coder just saved (the live team view): redraw the
        answers they touched, the counts, and the current answer's codes; the cursor stays."""
        if wrote.reassigned:
            self._reassigned()
        if wrote.everything or not wrote.answer_ids:
            return  # everything was re-read through store_changed(None)
        self.coding.cursor = self.answers.cursor
        touched = sorted(wrote.answer_ids)
        self.coding.saved(touched)  # this coder's own state may have changed in another window
        self.answers.invalidate(touched)
        self._update_progress()
        if self.coding.current_id in wrote.answer_ids:
            self._show_current()

    def _reassigned(self) -> None:
        """The coder's assignments changed: say so, and list them again where the list shows
        them (in blind mode, the unfiltered list is what the coder was given)."""
        was_base = self.coding.query == self.coding.base_query
        before = self.coding.given
        self.coding.reassigned()
        if self.coding.given == before:
            return
        given = self.coding.given.sample | self.coding.given.work
        self.notify(f"your assignments changed: {len(given)} answers of {self.question_id} are"
                    " given to you (filter is:assigned)", timeout=6)
        query = self.coding.query
        if was_base or query.sample or query.assigned:
            wanted = self.coding.base_query if was_base else query
            if not self._apply_query(wanted):  # e.g. is:sample, and the sample was removed
                self._apply_query(self.coding.base_query)
        else:
            self._update_progress()

    # -- filters -------------------------------------------------------------------------------

    def action_toggle_filter(self, what: str) -> None:
        self._apply_query(self.coding.query.toggled(what))

    def action_filter(self) -> None:
        box = self.query_one("#filter-input", Input)
        box.value = self.coding.query.describe()
        box.remove_class("hidden")
        box.focus()

    @on(Input.Submitted, "#filter-input")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        try:
            query = parse_filter(event.value)
        except CoderError as exc:
            self.notify(str(exc), severity="error")
            return
        if self._apply_query(query):
            event.input.add_class("hidden")
            self.answers.focus()

    def action_clear(self) -> None:
        for box_id in ("#filter-input", "#code-search"):
            box = self.query_one(box_id, Input)
            if not box.has_class("hidden"):
                box.add_class("hidden")
                self.answers.focus()
                self._show_current()
                return
        if self.coding.query != self.coding.base_query:  # blind: back to what you were given
            self._apply_query(self.coding.base_query)

    # -- code search ---------------------------------------------------------------------------

    def action_search_codes(self) -> None:
        box = self.query_one("#code-search", Input)
        box.value = ""
        box.remove_class("hidden")
        box.focus()
        self._show_search_results()

    @on(Input.Changed, "#code-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._show_search_results()

    def _show_search_results(self) -> None:
        query = self.query_one("#code-search", Input).value
        self.query_one(CodeList).show(self.coding.frame, self.coding.shortcuts,
                                      self.coding.applied(), self.coding.search_codes(query),
                                      self.coding.clear_match(query))

    @on(Input.Submitted, "#code-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        found = self.coding.search_codes(event.value)
        if not found:
            self.notify(f'no code matches "{event.value}"', severity="warning")
            return
        chosen = self.coding.clear_match(event.value)
        if chosen is None:
            # Several codes match as well as each other: the list stays for the coder to
            # choose from (its keys, or a longer search), rather than guessing.
            shown = ", ".join(str(c.output_code) for c in found[:6])
            self.notify(f'"{event.value}" matches {len(found)} codes ({shown}): press a'
                        " code's key or type more", severity="warning", timeout=4)
            self.answers.focus()
            return
        event.input.add_class("hidden")
        self.answers.focus()
        self.toggle(chosen)
