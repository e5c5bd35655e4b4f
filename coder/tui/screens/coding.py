"""The coding screen: answer list, the current answer in full, the codeframe with shortcut keys.

Widgets report intent (cursor moved, text submitted); this screen writes to the store through
its methods and redraws only what changed, so each key costs O(visible rows).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, ProgressBar, Static

from coder.core.codeframe import Code
from coder.core.errors import CoderError
from coder.core.text_search import TextIndex
from coder.core.types import Event
from coder.store.app_queries import AnswerRow
from coder.store.coding import AnswerFilter
from coder.tui.filters import FilterQuery, parse_filter
from coder.tui.screens.dialogs import PromptDialog
from coder.tui.shortcuts import SHORTCUT_KEYS, code_shortcuts, search_codes
from coder.tui.widgets.answer_detail import AnswerDetail, AnswerView
from coder.tui.widgets.answer_list import AnswerList
from coder.tui.widgets.code_list import CodeList
from coder.tui.writes import Write

if TYPE_CHECKING:
    from coder.store import SQLiteStore
    from coder.tui.app import CoderApp
    from coder.tui.session import Session

_SUGGESTION_REFRESH = 25  # codings between refreshes of the per-theme code counts


def _slot_bindings() -> list[Binding]:
    return [Binding(key, f"code_slot({i})", f"apply code {key}", show=False,
                    id=f"coding.code_{key.lower() if key.isdigit() else 'shift_' + key.lower()}")
            for i, key in enumerate(SHORTCUT_KEYS)]


class CodingScreen(Screen[None]):
    """Code one question's answers."""

    BINDINGS = [
        Binding("down,j", "next", "Next", id="coding.next", tooltip="Next answer"),
        Binding("up,k", "previous", "Prev", id="coding.previous", tooltip="Previous answer"),
        Binding("n", "next_uncoded", "Next uncoded", id="coding.next_uncoded"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="coding.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="coding.page_up"),
        Binding("home", "first", "First answer", show=False, id="coding.first"),
        Binding("end", "last", "Last answer", show=False, id="coding.last"),
        Binding("c", "search_codes", "Find code", id="coding.search_codes",
                tooltip="Fuzzy search the codeframe; Enter applies the top match"),
        Binding("a", "accept_suggestion", "Accept suggestion", id="coding.accept_suggestion"),
        Binding("minus", "no_code", "No code applies", show=False, id="coding.no_code"),
        Binding("m", "memo", "Memo", id="coding.memo"),
        Binding("f", "flag", "Flag", id="coding.flag", tooltip="Flag the answer for review"),
        Binding("slash", "filter", "Filter", id="coding.filter",
                tooltip="Filter: words, is:uncoded, is:flagged, code:104, theme:3, region=London"),
        Binding("u", "toggle_filter('uncoded')", "Uncoded only", id="coding.filter_uncoded"),
        Binding("r", "toggle_filter('flagged')", "Flagged only", show=False,
                id="coding.filter_flagged"),
        Binding("escape", "clear", "Clear filter", show=False, id="coding.clear"),
        *_slot_bindings(),
    ]

    def __init__(self, session: Session, question_id: str) -> None:
        super().__init__()
        self.session = session
        self.question_id = question_id
        self.query_state = FilterQuery()
        self._coded: set[int] = set()
        self._uncoded: list[int] | None = None  # _all_ids minus _coded, kept up to date
        self._flagged: set[int] = set()
        self._all_ids: list[int] = []
        self._text_index: TextIndex | None = None  # built off the UI thread after mount
        self._shown: int | None = None
        self._theme_codes: dict[tuple[int, int], list[tuple[str, int]]] = {}
        self._actions_since_suggestions = 0
        self._suggested: list[Code] = []

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
                with VerticalScroll(id="detail-scroll"):
                    yield AnswerDetail(id="detail")
                yield Input(placeholder="find a code (label, number or definition)",
                            id="code-search", classes="hidden")
                with VerticalScroll(id="codes-scroll"):
                    yield CodeList(id="codes")
        yield Footer()

    @property
    def answers(self) -> AnswerList:
        return self.query_one(AnswerList)

    def on_mount(self) -> None:
        store, me = self.session.store, self.session.coder
        self.session.question_id = self.question_id
        self._coded = store.coded_answer_ids(self.question_id, me.id)
        self._flagged = store.flagged_answer_ids(self.question_id, me.id)
        self._all_ids = store.answer_ids(self.question_id, me.id)
        self._uncoded = None
        self._update_topbar()
        self.watch(self.app, "busy_note", self._update_topbar, init=False)
        self._apply_query(self.query_state)
        self.answers.focus()
        self._build_text_index(store.path)

    @work(thread=True, exclusive=True, group="text-index", exit_on_error=False)
    def _build_text_index(self, path: Any) -> None:
        from coder.store import open_project

        store = open_project(path)  # this thread's own connection
        try:
            index = TextIndex(store.answer_texts(self.question_id))
        finally:
            store.close()
        self.app.call_from_thread(setattr, self, "_text_index", index)

    @property
    def _total(self) -> int:
        return len(self._all_ids)

    def _update_topbar(self) -> None:
        question = self.session.store.question(self.question_id)
        mode = "  [b red]BLIND[/]" if self.session.blind else ""
        busy = cast("CoderApp", self.app).busy_note
        busy = f"  [b reverse $warning] {busy} [/]" if busy else ""
        # The coder and the busy state first: a long question text must never push them off.
        self.query_one("#topbar", Static).update(
            f"[reverse] coder: {self.session.coder.name} [/]{mode}{busy}  [b]{question.id}[/]"
            f"  {question.text}")

    # -- data ----------------------------------------------------------------------------------

    def _fetch_rows(self, answer_ids: list[int] | Any) -> dict[int, AnswerRow]:
        return self.session.store.answer_rows(answer_ids, self.session.coder.id)

    @property
    def shortcuts(self) -> dict[str, Code]:
        return code_shortcuts(self.session.frame(self.question_id))

    def _apply_query(self, query: FilterQuery) -> bool:
        try:
            answer_filter = query.to_answer_filter(self.session.frame(self.question_id),
                                                   self.session.theme_run_id(self.question_id))
        except CoderError as exc:
            self.notify(str(exc), severity="error")
            return False
        self.query_state = query
        ids = self._matching(query, answer_filter)
        described = query.describe()
        self.query_one("#filter-bar", Label).update(
            f"[b]{len(ids)}[/] of {self._total} answers" +
            (f"  filter: [b]{described}[/]  (esc clears)" if described else ""))
        self.answers.set_answer_ids(ids, keep=self.answers.current_id)
        self._show_current()
        self._update_progress()
        return True

    def _matching(self, query: FilterQuery, answer_filter: AnswerFilter) -> list[int]:
        """Answer ids passing the filter.

        Status and text filters use the sets and the text index kept in memory (the index once
        it is built); code, theme and attribute filters ask the store.
        """
        in_memory = FilterQuery(uncoded=query.uncoded, flagged=query.flagged)
        if query.text and self._text_index is not None:
            in_memory = replace(in_memory, text=query.text)
        if query != in_memory:
            return self.session.store.answer_ids(self.question_id, self.session.coder.id,
                                                 answer_filter)
        ids = self._all_ids
        if query.uncoded:
            if self._uncoded is None:
                self._uncoded = [a for a in ids if a not in self._coded]
            ids = list(self._uncoded)  # a copy: the cache changes as answers are coded
        if query.flagged:
            ids = [a for a in ids if a in self._flagged]
        if query.text and self._text_index is not None:
            ids = self._text_index.matching(query.text, ids)
        return ids

    def _update_progress(self) -> None:
        bar = self.query_one("#coded-progress", ProgressBar)
        bar.update(total=max(self._total, 1), progress=len(self._coded))
        share = 100 * len(self._coded) / self._total if self._total else 0
        self.query_one("#progress-label", Label).update(
            f" coded {len(self._coded)}/{self._total} ({share:.0f}%)")

    # -- showing the current answer -------------------------------------------------------------

    @on(AnswerList.Highlighted)
    def _on_highlighted(self, event: AnswerList.Highlighted) -> None:
        if event.answer_id != self._shown:  # e.g. a click; keys already showed it
            self._show_current()

    def _show_current(self) -> None:
        answer_id = self.answers.current_id
        self._shown = answer_id
        detail = self.query_one(AnswerDetail)
        frame = self.session.frame(self.question_id)
        if answer_id is None:
            detail.show(None)
            self.query_one(CodeList).show(frame, self.shortcuts, ())
            return
        view, applied = self._gather(answer_id)
        detail.show(view)
        if not self.query_one("#code-search", Input).has_class("hidden"):
            self._show_search_results()
        else:
            self.query_one(CodeList).show(frame, self.shortcuts, applied)

    def _gather(self, answer_id: int) -> tuple[AnswerView, set[str]]:
        store, me = self.session.store, self.session.coder
        frame = self.session.frame(self.question_id)
        answer = store.answer(answer_id)
        respondent = store.respondent(answer.respondent_id, answer.wave_id)
        status = store.status(answer_id, me.id)
        mine = store.codes_of(answer_id, me.id)

        def label(code_id: str) -> str:
            code = frame.get(code_id) if frame else None
            return f"{code.output_code} {code.label}" if code else code_id

        others: dict[str, list[str]] = {}
        if not self.session.blind:
            names = self.session.coder_names()
            for coding in store.codings_of_answer(answer_id):
                if coding.coder_id != me.id:
                    others.setdefault(names.get(coding.coder_id, "?"), []).append(
                        label(coding.code_id))
        theme_label, suggestions = self._suggestions(answer_id, set(mine))
        index = self.answers.cursor
        view = AnswerView(
            answer_id=answer_id, position=f"{index + 1} of {len(self.answers.answer_ids)}",
            text=answer.text, non_substantive=answer.non_substantive,
            respondent=respondent.external_id, attributes=respondent.attributes,
            my_codes=[label(c) for c in mine], other_codes=others, blind=self.session.blind,
            suggestions=[f"{c.output_code} {c.label}" for c in suggestions], theme=theme_label,
            memo=status["memo"], flagged=status["flagged"])
        return view, set(mine)

    def _suggestions(self, answer_id: int, applied: set[str]) -> tuple[str | None, list[Code]]:
        """The answer's theme and the codes most applied to other answers in that theme."""
        self._suggested = []
        frame = self.session.frame(self.question_id)
        run_id = self.session.theme_run_id(self.question_id)
        if run_id is None:
            return None, []
        theme_id = self.session.store.answer_theme(answer_id, run_id)
        if theme_id is None:
            return None, []
        if theme_id < 0:
            return "other (no theme)", []
        key = (run_id, theme_id)
        if key not in self._theme_codes or self._actions_since_suggestions >= _SUGGESTION_REFRESH:
            if self._actions_since_suggestions >= _SUGGESTION_REFRESH:
                self._theme_codes.clear()
                self._actions_since_suggestions = 0
            blind_me = self.session.coder.id if self.session.blind else None
            self._theme_codes[key] = self.session.store.codes_in_theme(run_id, theme_id, blind_me)
        themes = {t.theme_id: t for t in self.session.store.themes(run_id)}
        theme = themes.get(theme_id)
        name = theme.label if theme else f"theme {theme_id}"
        if frame is not None:
            for code_id, _count in self._theme_codes[key]:
                code = frame.get(code_id)
                if code is not None and code.is_active and code.codable and code_id not in applied:
                    self._suggested.append(code)
                if len(self._suggested) == 3:
                    break
            if not self._suggested:
                self._suggested = [c for c in frame.by_label(name)
                                   if c.codable and c.is_active and c.id not in applied]
        return name, self._suggested

    # -- moving --------------------------------------------------------------------------------

    def action_next(self) -> None:
        self.answers.move_by(1)
        self._show_current()

    def action_previous(self) -> None:
        self.answers.move_by(-1)
        self._show_current()

    def action_page(self, direction: int) -> None:
        self.answers.page(direction)
        self._show_current()

    def action_first(self) -> None:
        self.answers.move_to(0)
        self._show_current()

    def action_last(self) -> None:
        self.answers.move_to(len(self.answers.answer_ids) - 1)
        self._show_current()

    def action_next_uncoded(self) -> None:
        ids = self.answers.answer_ids
        start = self.answers.cursor
        for offset in range(1, len(ids) + 1):
            index = (start + offset) % len(ids)
            if ids[index] not in self._coded:
                self.answers.move_to(index)
                self._show_current()
                return
        self.notify("every answer in this list is coded")

    # -- coding --------------------------------------------------------------------------------

    def action_code_slot(self, slot: int) -> None:
        code = self.shortcuts.get(SHORTCUT_KEYS[slot])
        if code is None:
            self.app.bell()
            return
        self.toggle(code)

    def toggle(self, code: Code) -> None:
        answer_id = self.answers.current_id
        if answer_id is None:
            return
        me = self.session.coder

        def toggled(applied: bool) -> None:
            self.notify(f"{'added' if applied else 'removed'} {code.output_code} {code.label}",
                        timeout=1.5)

        self._save(f"toggle {code.output_code} {code.label} on answer {answer_id}", answer_id,
                   lambda store: store.toggle_code(answer_id, me, code.id), toggled)

    def action_no_code(self) -> None:
        answer_id = self.answers.current_id
        if answer_id is not None:
            me = self.session.coder
            self._save(f"no code applies to answer {answer_id}", answer_id,
                       lambda store: store.set_codes(
                           answer_id, me, [], summary=f"no code applies to answer {answer_id}"))

    def action_accept_suggestion(self) -> None:
        if not self._suggested:
            self.notify("no suggestion for this answer", severity="warning")
            return
        self.toggle(self._suggested[0])

    def action_flag(self) -> None:
        answer_id = self.answers.current_id
        if answer_id is None:
            return
        me = self.session.coder

        def flip(store: SQLiteStore) -> None:
            store.set_flag(answer_id, me, not store.status(answer_id, me.id)["flagged"])

        self._save(f"flag or unflag answer {answer_id}", answer_id, flip)

    def action_memo(self) -> None:
        answer_id = self.answers.current_id
        if answer_id is None:
            return
        me = self.session.coder
        memo = self.session.store.status(answer_id, me.id)["memo"]

        def save(text: str | None) -> None:
            if text is not None and text != memo:
                self._save(f"memo on answer {answer_id}", answer_id,
                           lambda store: store.set_memo(answer_id, me, text.strip()))

        self.app.push_screen(PromptDialog(f"Memo on answer {answer_id}", memo,
                                          "a note for yourself or the team"), save)

    def _save(self, description: str, answer_id: int, apply: Callable[[SQLiteStore], Any],
              saved: Callable[[Any], None] | None = None) -> None:
        """Save a change to one answer (now, or queued while the project is busy), then redraw
        that answer from the store."""

        def done(result: Any) -> None:
            if saved is not None:
                saved(result)
            if self.is_mounted:
                self._after_write([answer_id])

        cast("CoderApp", self.app).save(Write(description, apply, done))

    def _after_write(self, answer_ids: Iterable[int]) -> None:
        changed = list(answer_ids)
        store, me = self.session.store, self.session.coder
        for answer_id in changed:
            status = store.status(answer_id, me.id)
            coded = status["coded_at"] is not None
            if self._uncoded is not None and coded != (answer_id in self._coded):
                self._keep_uncoded(answer_id, coded)
            for kept, present in ((self._coded, coded), (self._flagged, status["flagged"])):
                if present:
                    kept.add(answer_id)
                else:
                    kept.discard(answer_id)
        self._actions_since_suggestions += 1
        self.answers.invalidate(changed)
        self._update_progress()
        self._show_current()

    def _keep_uncoded(self, answer_id: int, coded: bool) -> None:
        """Update the uncoded list for one answer whose coded state flipped; O(log n) search."""
        assert self._uncoded is not None
        index = bisect.bisect_left(self._uncoded, answer_id)
        present = index < len(self._uncoded) and self._uncoded[index] == answer_id
        if coded and present:
            del self._uncoded[index]
        elif not coded and not present and self._is_listed(answer_id):
            self._uncoded.insert(index, answer_id)

    def _is_listed(self, answer_id: int) -> bool:
        """True when the answer is one of this screen's answers (`_all_ids` is sorted)."""
        index = bisect.bisect_left(self._all_ids, answer_id)
        return index < len(self._all_ids) and self._all_ids[index] == answer_id

    def store_changed(self, event: Event | None) -> None:
        """Redraw after undo/redo or an edit elsewhere (only the answers the event touched)."""
        touched: set[int] = set()
        tables: set[str] = set()
        for change in (event.changes if event else ()):
            tables.add(change["table"])
            answer_id = change["key"].get("answer_id")
            if answer_id is not None:
                touched.add(int(answer_id))
        if event is None or tables & {"codes", "codeframes", "questions", "theme_assignments",
                                      "themes"}:
            self.session.forget_frames()
            self._theme_codes.clear()
            store, me = self.session.store, self.session.coder
            self._coded = store.coded_answer_ids(self.question_id, me.id)
            self._flagged = store.flagged_answer_ids(self.question_id, me.id)
            self._uncoded = None
            self.answers.invalidate()
            self._update_progress()
            self._show_current()
            return
        mine = self.answers.index_of(next(iter(touched))) if len(touched) == 1 else None
        if mine is not None:
            self.answers.move_to(mine)
        self._after_write(touched)

    # -- filters -------------------------------------------------------------------------------

    def action_toggle_filter(self, what: str) -> None:
        self._apply_query(self.query_state.toggled(what))

    def action_filter(self) -> None:
        box = self.query_one("#filter-input", Input)
        box.value = self.query_state.describe()
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
        if not self.query_state.is_empty:
            self._apply_query(FilterQuery())

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
        frame = self.session.frame(self.question_id)
        query = self.query_one("#code-search", Input).value
        answer_id = self.answers.current_id
        applied = set(self.session.store.codes_of(answer_id, self.session.coder.id)) \
            if answer_id is not None else set()
        self.query_one(CodeList).show(frame, self.shortcuts, applied,
                                      search_codes(frame, query))

    @on(Input.Submitted, "#code-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        found = search_codes(self.session.frame(self.question_id), event.value)
        event.input.add_class("hidden")
        self.answers.focus()
        if found:
            self.toggle(found[0])
        else:
            self.notify(f'no code matches "{event.value}"', severity="warning")
            self._show_current()
