"""The quotes screen: per code, its answers ranked by how representative they are; star quotes
for the report and preview them anonymised, exactly as the report prints them.

A view over `coder.services.quotes`; ranking runs on a worker thread (its own connection) so the
UI never waits for scikit-learn.
"""

from __future__ import annotations

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
from coder.services.codeframes import frame_counts
from coder.services.quotes import RankedQuotes, preview_quotes, rank_quotes_at, toggle_star

if TYPE_CHECKING:
    from coder.tui.session import Session


class QuotePreview(ModalScreen[None]):
    """The code's quotes exactly as the report prints them (redacted)."""

    BINDINGS = [Binding("escape,v,q", "app.pop_screen", "Close", id="quotes.close_preview")]

    def __init__(self, title: str, quotes: list[str], note: str) -> None:
        super().__init__()
        self._title, self._note = title, note
        self.quotes = quotes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._title, classes="dialog-title")
            text = Text()
            for quote in self.quotes or ["(no quotes: code some answers first)"]:
                text.append(f"“{quote}”\n\n", style="italic")
            yield Static(text, id="preview-text")
            yield Label(self._note, classes="dialog-help")


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
        yield Footer(compact=True)

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
        counts = frame_counts(self.session.project, frame)
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
            self._rank_worker(self.session.project.location, self.code_id, self._coder_filter)

    @work(thread=True, exclusive=True, group="quotes")
    def _rank_worker(self, path: str | Path, code_id: str, coder_id: int | None) -> None:
        ranked = rank_quotes_at(path, code_id, coder_id)  # this thread's own connection
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
        frame = self.session.frame(self.question_id)
        if self.ranked is None or box.highlighted is None or self.code_id is None \
                or frame is None:
            self.notify("highlight an answer in the right-hand list first", severity="warning")
            return
        answer_id = int(box.get_option_at_index(box.highlighted).id or 0)
        try:
            starred = toggle_star(self.session.project, frame.code(self.code_id), answer_id,
                                  self.session.coder)
        except CoderError as exc:  # e.g. the project is busy: nothing was saved
            self.notify(str(exc), severity="error", timeout=6)
            return
        self.notify("starred for the report" if starred else "unstarred")
        self._rank()

    def action_preview(self) -> None:
        code_id = self.code_id
        frame = self.session.frame(self.question_id)
        if code_id is None or frame is None:
            return
        only = self.session.coder.name if self.session.blind else None
        try:
            quotes = preview_quotes(self.session.project, self.question_id, code_id,
                                    only_coder=only)
        except CoderError as exc:
            self.notify(str(exc), severity="error", timeout=6)
            return
        note = ("As printed in the report: names, places and contacts redacted." if only is None
                else f"As printed in a report of {only}'s codes (blind mode): names, places and"
                     " contacts redacted.")
        self.app.push_screen(QuotePreview(f"{frame.code(code_id).label}: report quotes",
                                          [q.text for q in quotes], note))
