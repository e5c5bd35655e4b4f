"""The overview: each open question with answers, non-substantive, % coded, themes, agreement.

Figures come from `coder.services.overview` (agreement as `coder agreement` computes it), read on
a worker thread with its own connection; the table fills in when they arrive, so opening a large
project never blocks the UI.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from coder.core.errors import CoderError
from coder.services.live import OthersWrote, colleagues
from coder.services.overview import QuestionRow, question_rows_at

if TYPE_CHECKING:
    from coder.tui.session import Session


#: Seconds between refreshes of the figures while others are writing.
_RELOAD_SECONDS = 3.0

_COLUMNS = ("question", "text", "answers", "non-subst.", "coded (me)", "coded (all)",
            "theme runs", "agreement")


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


#: Columns given up, in this order, when the screen is too narrow for all of them; numbers are
#: never cut, and the question's text is shortened before any column goes.
_DROP_ORDER = ("text", "theme runs", "non-subst.", "coded (all)")
_TEXT_MIN = 12


def fit_columns(columns: list[list[str]], available: int) -> list[list[str]]:
    """The columns (label, then cells) that fit `available` cells: the text shortened first
    (to no less than a few words), then whole columns dropped in `_DROP_ORDER`."""
    kept = list(columns)

    def need(cols: list[list[str]]) -> int:
        return sum(max(cell_len(c) for c in col) + 2 for col in cols)

    for drop in (None, *_DROP_ORDER):
        if drop is not None:
            kept = [c for c in kept if c[0] != drop]
        others = need([c for c in kept if c[0] != "text"])
        room = available - others - 2
        if "text" in [c[0] for c in kept] and room >= _TEXT_MIN:
            return [c if c[0] != "text" else [c[0], *(_shorten(t, room) for t in c[1:])]
                    for c in kept]
        if "text" not in [c[0] for c in kept] and others <= available:
            return kept
    return kept


def _shorten(text: str, width: int) -> str:
    return text if cell_len(text) <= width else text[:width - 1] + "…"


class OverviewScreen(Screen[None]):
    """Pick a question to code; see how far coding has got."""

    BINDINGS = [
        Binding("enter", "open", "Code question", id="overview.open"),
        Binding("q", "app.quit", "Quit", id="overview.quit"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.rows: list[QuestionRow] = []

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        yield Static("Loading...", id="overview-summary")
        yield DataTable(id="questions", cursor_type="row", zebra_stripes=True)
        yield Static("", id="overview-team")
        yield Static("Enter codes the highlighted question.  f3 themes · f4 codeframe · "
                     "f5 quotes · ? all keys · ctrl+p commands", id="overview-help")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        mode = "  [b red]BLIND[/]" if self.session.blind else ""
        self.query_one("#topbar", Static).update(
            f"[b]{self.session.project.path.name}[/]   [reverse] coder: {self.session.coder.name} "
            f"[/]{mode}")
        self._columns([[label] for label in _COLUMNS])
        self._stale = False
        self.set_interval(_RELOAD_SECONDS, self._reload_if_stale, name="overview refresh")
        self.reload()

    def _columns(self, columns: list[list[str]]) -> None:
        """(Re)make the table's columns (label, then its cells), each as wide as its widest cell.

        Widths are set here rather than measured by the table when it is next idle: a table
        filled by a worker just as the screen first draws could otherwise keep the widths of
        the empty table on screen.
        """
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for column in columns:
            table.add_column(column[0], key=column[0], width=max(cell_len(c) for c in column))

    def on_screen_resume(self) -> None:
        if self.rows:
            self.reload()

    def reload(self) -> None:
        self._stale = False
        self._gather(self.session.project.location, self.session.coder.id)
        self.show_team()

    def others_wrote(self, wrote: OthersWrote) -> None:
        """Others saved something: say who is coding what now, and refresh the figures soon."""
        self._stale = True
        if self.is_current:
            self.show_team()

    def _reload_if_stale(self) -> None:
        if self._stale and self.is_current:
            self.reload()

    def show_team(self) -> None:
        """Who else has the project open, on which question, and when they were last seen."""
        if not self.query("#overview-team"):
            return  # not composed yet, or being taken apart: shown when it is reloaded
        try:
            windows = colleagues(self.session.project)
        except CoderError:
            return  # busy for a moment: shown at the next refresh
        me = self.session.coder.name
        shown = [f"[b]{w.coder}[/]{' (your other window)' if w.coder == me else ''}:"
                 f" {w.question_id or 'overview'} (seen {w.seconds_since_seen:.0f} s ago)"
                 for w in windows]
        self.query_one("#overview-team", Static).update(
            "Coding now: " + " · ".join(shown) if shown else "Nobody else has this project open.")

    @work(thread=True, exclusive=True, group="overview")
    def _gather(self, path: str | Path, coder_id: int) -> None:
        rows = question_rows_at(path, coder_id)  # this thread's own connection
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[QuestionRow]) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        keep = table.cursor_row
        lines = [[r.question_id, r.text, str(r.answers), str(r.non_substantive),
                  _pct(r.coded_by_me, r.answers), _pct(r.coded_by_anyone, r.answers),
                  str(r.theme_runs), r.agreement_label] for r in rows]
        columns = fit_columns([list(c) for c in zip(_COLUMNS, *lines, strict=True)],
                              self.app.size.width - 2)
        self._columns(columns)
        lines = [list(line) for line in zip(*(c[1:] for c in columns), strict=True)]
        for r, line in zip(rows, lines, strict=True):
            table.add_row(*line, key=r.question_id)
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        total = sum(r.answers for r in rows)
        self.query_one("#overview-summary", Static).update(
            f"{len(rows)} open questions, {total} answers. "
            f"Coded (me / everyone) counts each answer once per coder.")
        table.focus()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        if not self.rows:
            return
        table = self.query_one(DataTable)
        qid = self.rows[table.cursor_row].question_id
        self.session.question_id = qid
        self.app.call_later(self.app.run_action, "show_coding")
