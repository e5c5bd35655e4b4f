"""The respondent x question grid: respondents as rows, the open questions as columns, each cell
the coder's codes on that answer and its first words; Enter opens the cell on the coding screen.

A view over `coder.services.grid.RespondentGrid`, which reads one page of respondents at a time
(two queries), so moving around costs the same on any survey size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from coder.core.types import Event
from coder.services.grid import GridCell, GridPage, RespondentGrid
from coder.services.live import OthersWrote

if TYPE_CHECKING:
    from coder.tui.app import CoderApp
    from coder.tui.session import Session

#: Narrowest question column (codes are never cut: the text after them is).
_MIN_COLUMN = 9


class GridScreen(Screen[None]):
    """Every respondent's answers in one wave, question by question, and their coded status."""

    BINDINGS = [
        Binding("enter", "open_cell", "Code answer", id="grid.open",
                tooltip="Code the highlighted answer on the coding screen (f7 comes back)"),
        Binding("n", "next_uncoded", "Next uncoded", id="grid.next_uncoded",
                tooltip="The next answer you have not coded, across pages"),
        Binding("right_square_bracket", "page(1)", "Next page", id="grid.next_page",
                tooltip="The next page of respondents"),
        Binding("left_square_bracket", "page(-1)", "Prev page", show=False,
                id="grid.previous_page", tooltip="The previous page of respondents"),
        Binding("w", "next_wave", "Wave", id="grid.next_wave", tooltip="Show the next wave"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.grid: RespondentGrid | None = None
        self.page: GridPage | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        yield Static("", id="grid-summary")
        yield DataTable(id="grid-table", cursor_type="cell", zebra_stripes=True)
        yield Static("", id="grid-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        try:
            self.grid = RespondentGrid(self.session.project, self.session.coder)
        except ValueError as exc:
            self.query_one("#grid-summary", Static).update(str(exc))
            return
        self.show_page(0)
        self.query_one(DataTable).focus()

    # -- drawing -------------------------------------------------------------------------------

    def show_page(self, start: int, *, row: int = 0, column: int = 1) -> None:
        """Read and draw the page holding respondent `start`, the cursor at (row, column)."""
        if self.grid is None:
            return
        self.page = page = self.grid.page(start)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        ids = [r.external_id for r in page.rows] or [""]
        first = max(cell_len("respondent"), *(cell_len(i) for i in ids))
        table.add_column("respondent", key="respondent", width=first)
        width = self._column_width(page, first)
        for question in page.questions:
            table.add_column(_header(question.id, width), key=question.id, width=width)
        for r in page.rows:
            cells = [_cell_text(r.cells.get(q.id), width) for q in page.questions]
            table.add_row(r.external_id, *cells, key=str(r.respondent_id))
        if page.rows:
            table.move_cursor(row=min(row, len(page.rows) - 1),
                              column=max(1, min(column, len(page.questions))), animate=False)
        self._show_summary()
        self._show_detail()

    def _column_width(self, page: GridPage, first: int) -> int:
        """Question columns share the width left by the respondent column (each at least
        wide enough for its longest codes)."""
        available = self.app.size.width - 2 - (first + 2)
        codes = [cell_len(c.mark) for r in page.rows for c in r.cells.values()] or [1]
        share = available // max(1, len(page.questions)) - 2
        return max(_MIN_COLUMN, max(codes), share)

    def _show_summary(self) -> None:
        page = self.page
        if page is None:
            return
        coded, codable = page.coded_cells
        last = page.start + len(page.rows)
        self.query_one("#grid-summary", Static).update(
            f"wave [b]{page.wave.name}[/] · respondents [b]{page.start + 1 if page.rows else 0}"
            f"-{last}[/] of {page.total} · coded [b]{coded}/{codable}[/]"
            "  (· uncoded, - no code)")
        self.query_one("#topbar", Static).update(
            f"[b]{self.session.project.path.name}[/]   [reverse] coder: "
            f"{self.session.coder.name} [/]   respondents x questions")

    def current_cell(self) -> GridCell | None:
        """The answer under the cursor (None on the respondent column or an empty cell)."""
        page = self.page
        if page is None or not page.rows:
            return None
        at = self.query_one(DataTable).cursor_coordinate
        if at.column < 1 or at.row >= len(page.rows):
            return None
        question = page.questions[at.column - 1]
        return page.rows[at.row].cells.get(question.id)

    def _show_detail(self) -> None:
        cell = self.current_cell()
        detail = self.query_one("#grid-detail", Static)
        page = self.page
        if cell is None or page is None:
            detail.update("no answer here" if page and page.rows else "")
            return
        at = self.query_one(DataTable).cursor_coordinate
        who = page.rows[at.row].external_id
        question = page.questions[at.column - 1]
        text = Text()
        # The column's question whole (its header may be cut to the column's width), then the
        # codes, then the answer: on a small screen the codes stay in view above a long answer.
        text.append(f"{who} · {question.id}", style="bold")
        if question.text and question.text != question.id:
            text.append(f" {question.text}", style="dim")
        text.append("  ")
        if not cell.codable:
            text.append(f"{cell.non_substantive}: nothing to code", style="dim italic")
        elif cell.labels:
            text.append("codes: " + ", ".join(cell.labels), style="green")
        else:
            text.append("codes: no code applies" if cell.coded
                        else "not coded yet (Enter codes it)", style="dim italic")
        text.append("\n")
        text.append(cell.text or "(blank)")
        detail.update(text)

    @on(DataTable.CellHighlighted)
    def _highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._show_detail()

    @on(DataTable.CellSelected)
    def _selected(self, event: DataTable.CellSelected) -> None:
        self.action_open_cell()

    # -- keys ----------------------------------------------------------------------------------

    def action_open_cell(self) -> None:
        cell = self.current_cell()
        if cell is None:
            self.notify("no answer in this cell", severity="warning")
            return
        if not cell.codable:
            self.notify(f"this answer is {cell.non_substantive}: nothing to code",
                        severity="warning")
            return
        cast("CoderApp", self.app).open_answer(cell.question_id, cell.answer_id)

    def action_page(self, direction: int) -> None:
        if self.grid is None or self.page is None:
            return
        start = self.page.start + direction * self.grid.page_size
        if start < 0 or start >= self.grid.total:
            self.app.bell()
            return
        at = self.query_one(DataTable).cursor_coordinate
        self.show_page(start, column=at.column)

    def action_next_wave(self) -> None:
        if self.grid is None:
            return
        if len(self.grid.waves) < 2:
            self.notify("this project has one wave", timeout=2)
            return
        self.grid = self.grid.next_wave()
        self.show_page(0)

    def action_next_uncoded(self) -> None:
        """Move to the next codable answer not coded yet: on this page, then on the next."""
        if self.grid is None or self.page is None:
            return
        at = self.query_one(DataTable).cursor_coordinate
        page, after = self.page, (at.row, at.column)
        while True:
            found = _first_uncoded(page, after)
            if found is not None:
                if page is not self.page:
                    self.show_page(page.start)
                self.query_one(DataTable).cursor_coordinate = Coordinate(*found)
                return
            start = page.start + self.grid.page_size
            if start >= self.grid.total:
                self.notify("every answer from here on is coded")
                return
            page, after = self.grid.page(start), (0, 0)

    # -- changes elsewhere ---------------------------------------------------------------------

    def _redraw(self) -> None:
        if self.page is None:
            return
        at = self.query_one(DataTable).cursor_coordinate
        self.show_page(self.page.start, row=at.row, column=at.column)

    def on_screen_resume(self) -> None:
        self._redraw()  # codes given on the coding screen show when coming back

    def store_changed(self, event: Event | None) -> None:
        if event is None and self.grid is not None:
            self.grid.forget_frames()
        if self.is_current:
            self._redraw()

    def others_wrote(self, wrote: OthersWrote) -> None:
        if self.is_current and self.page is not None:
            shown = {c.answer_id for r in self.page.rows for c in r.cells.values()}
            if wrote.everything or shown & set(wrote.answer_ids):
                self._redraw()


def _header(question_id: str, width: int) -> str:
    """The question id as a column header: cut to the column with "…" (the detail below the
    grid names the highlighted column's question whole)."""
    if cell_len(question_id) <= width:
        return question_id
    return question_id[:max(1, width - 1)] + "…"


def _cell_text(cell: GridCell | None, width: int) -> Text:
    """Codes first (never cut), then as much of the answer as fits."""
    if cell is None:
        return Text("")
    mark = cell.mark
    style = "green" if cell.codes else ("dim" if not cell.codable or cell.coded else "")
    text = Text(mark, style=style)
    room = width - cell_len(mark) - 1
    if cell.codable and room > 2:
        words = cell.text if cell_len(cell.text) <= room else cell.text[:room - 1] + "…"
        text.append(" " + words, style="dim" if cell.coded else "")
    return text


def _first_uncoded(page: GridPage, after: tuple[int, int]) -> tuple[int, int] | None:
    """(row, column) of the first uncoded codable cell after `after`, reading row by row."""
    for r, row in enumerate(page.rows):
        for c, question in enumerate(page.questions, start=1):
            if (r, c) <= after:
                continue
            cell = row.cells.get(question.id)
            if cell is not None and cell.codable and not cell.coded:
                return r, c
    return None
