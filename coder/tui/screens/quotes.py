"""The quotes screen: per code, its answers ranked by how representative they are; star quotes
for the report and preview them anonymised, as the report will print them.

Ranking runs on a worker thread (its own store connection; TF-IDF, or cached embeddings when
every answer has one) so the UI never waits for scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from coder.core.errors import CoderError
from coder.core.types import Event
from coder.store import SQLiteStore

if TYPE_CHECKING:
    from coder.tui.session import Session


@dataclass(frozen=True)
class RankedQuotes:
    """A code's answers, most representative first, and which are starred."""

    code_id: str
    answers: tuple[tuple[int, str], ...]  # (answer id, text)
    starred: frozenset[int]


def rank_answers(store: SQLiteStore, code_id: str, coder_id: int | None,
                 limit: int = 30) -> RankedQuotes:
    """The answers coded with `code_id`, starred first, then by representativeness."""
    import numpy as np

    from coder.core.quotes import select_representative
    from coder.core.report_quotes import tfidf_vectors

    ids = store.answers_with_code(code_id, coder_id)
    answers = [store.answer(a) for a in ids]
    answers = [a for a in answers if a.is_substantive and a.text.strip()]
    starred = frozenset(store.starred_quotes(code_id))
    texts = [a.text for a in answers]
    order: list[int] = []
    if texts:
        vectors = tfidf_vectors(texts)
        if np.any(vectors):
            order = select_representative(vectors, texts, k=min(limit, len(texts)))
    placed = set(order)
    ranked = [answers[i] for i in order + [i for i in range(len(answers)) if i not in placed]]
    ranked.sort(key=lambda a: a.id not in starred)  # stable: starred first, rank kept
    ranked = ranked[:max(limit, len(starred))]
    return RankedQuotes(code_id, tuple((a.id, a.text) for a in ranked), starred)


class QuotePreview(ModalScreen[None]):
    """The code's quotes exactly as the report prints them (redacted)."""

    BINDINGS = [Binding("escape,v,q", "app.pop_screen", "Close", id="quotes.close_preview")]

    def __init__(self, title: str, quotes: list[str]) -> None:
        super().__init__()
        self._title, self._quotes = title, quotes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._title, classes="dialog-title")
            text = Text()
            for quote in self._quotes or ["(no quotes: code some answers first)"]:
                text.append(f"“{quote}”\n\n", style="italic")
            yield Static(text, id="preview-text")
            yield Label("As printed in the report: names, places and contacts redacted.",
                        classes="dialog-help")


class QuotesScreen(Screen[None]):
    """Choose report quotes code by code."""

    BINDINGS = [
        Binding("s", "star", "Star / unstar", id="quotes.star",
                tooltip="Star the highlighted answer as a report quote for this code"),
        Binding("v", "preview", "Preview", id="quotes.preview",
                tooltip="Preview the code's quotes as the report prints them (anonymised)"),
        Binding("tab", "app.focus_next", "Switch panel", show=False, id="quotes.switch"),
    ]

    def __init__(self, session: Session, question_id: str) -> None:
        super().__init__()
        self.session = session
        self.question_id = question_id
        self.ranked: RankedQuotes | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        yield Static("", id="quotes-status")
        with Horizontal(id="quotes-body"):
            yield OptionList(id="quote-codes")
            yield OptionList(id="quote-list")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#topbar", Static).update(
            f"[b]Quotes[/] for {self.question_id}   [reverse] coder: "
            f"{self.session.coder.name} [/]" + ("  [b red]BLIND[/]" if self.session.blind else ""))
        self.reload()
        self.query_one("#quote-codes", OptionList).focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def store_changed(self, event: Event | None) -> None:
        if event is None or any(c["table"] != "starred_quotes" for c in event.changes):
            self.reload()
        else:
            self._rank()

    @property
    def _coder_filter(self) -> int | None:
        return self.session.coder.id if self.session.blind else None

    def reload(self) -> None:
        codes = self.query_one("#quote-codes", OptionList)
        frame = self.session.frame(self.question_id)
        keep = codes.highlighted
        codes.clear_options()
        if frame is None:
            self.query_one("#quotes-status", Static).update("No codeframe yet.")
            return
        counts = self.session.store.coding_counts(frame.id)
        for _depth, code in frame.walk():
            if code.codable and (code.is_active or counts.get(code.id)):
                codes.add_option(Option(f"{code.output_code} {code.label}  "
                                        f"({counts.get(code.id, 0)})", id=code.id))
        self.query_one("#quotes-status", Static).update(
            "Answers ranked most representative first; ★ = starred for the report. "
            "s stars · v previews · tab switches panel")
        if codes.option_count:
            codes.highlighted = min(keep or 0, codes.option_count - 1)
        self._rank()

    @property
    def code_id(self) -> str | None:
        codes = self.query_one("#quote-codes", OptionList)
        if codes.highlighted is None:
            return None
        return codes.get_option_at_index(codes.highlighted).id

    @on(OptionList.OptionHighlighted, "#quote-codes")
    def _code_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._rank()

    def _rank(self) -> None:
        if self.code_id is not None:
            self._rank_worker(self.session.store.path, self.code_id, self._coder_filter)

    @work(thread=True, exclusive=True, group="quotes")
    def _rank_worker(self, path: Path, code_id: str, coder_id: int | None) -> None:
        from coder.store import open_project

        store = open_project(path)  # this thread's own connection
        try:
            ranked = rank_answers(store, code_id, coder_id)
        finally:
            store.close()
        self.app.call_from_thread(self._show, ranked)

    def _show(self, ranked: RankedQuotes) -> None:
        if ranked.code_id != self.code_id:
            return
        self.ranked = ranked
        box = self.query_one("#quote-list", OptionList)
        keep = box.highlighted
        box.clear_options()
        for answer_id, text in ranked.answers:
            mark = "★ " if answer_id in ranked.starred else "  "
            box.add_option(Option(f"{mark}{' '.join(text.split())}", id=str(answer_id)))
        if ranked.answers:
            box.highlighted = min(keep or 0, len(ranked.answers) - 1)

    def action_star(self) -> None:
        box = self.query_one("#quote-list", OptionList)
        if self.ranked is None or box.highlighted is None or self.code_id is None:
            self.notify("highlight an answer in the right-hand list first", severity="warning")
            return
        answer_id = int(box.get_option_at_index(box.highlighted).id or 0)
        store, me = self.session.store, self.session.coder
        try:
            if answer_id in self.ranked.starred:
                store.unstar_quote(self.code_id, answer_id, me)
                self.notify("unstarred")
            else:
                store.star_quote(self.code_id, answer_id, me)
                self.notify("starred for the report")
        except CoderError as exc:  # e.g. the project is busy: nothing was saved
            self.notify(str(exc), severity="error", timeout=6)
            return
        self._rank()

    def action_preview(self) -> None:
        code_id = self.code_id
        frame = self.session.frame(self.question_id)
        if code_id is None or frame is None:
            return
        from coder.core.report_quotes import QuoteCandidate, choose_quotes
        from coder.services.reports import redactor_for

        store = self.session.store
        starred = set(store.starred_quotes(code_id))
        answers = [store.answer(a) for a in store.answers_with_code(code_id, self._coder_filter)]
        candidates = [QuoteCandidate(a.id, a.text, a.id in starred) for a in answers
                      if a.is_substantive]
        candidates.sort(key=lambda c: (not c.starred, c.answer_id))
        quotes = choose_quotes(candidates, 3, redactor=redactor_for(store))
        self.app.push_screen(QuotePreview(f"{frame.code(code_id).label}: report quotes",
                                          [q.text for q in quotes]))
