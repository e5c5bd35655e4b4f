"""The QA screen: per-code agreement graded by Krippendorff's guideline, the disagreeing answers
behind each code, and adjudication of an answer's final codes.

A view over `coder.services.qa`: agreement as `coder agreement` computes it (on a worker thread
with its own connection), the queue as `coder qa queue` lists it; adjudications are saved on the
UI thread as `coder qa adjudicate` saves them (one undoable action each, by the reviewer).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from coder.core.codeframe.model import Codeframe
from coder.core.errors import CoderError
from coder.core.types import Event
from coder.services.qa import (
    Disagreement,
    QAFigures,
    adjudicate_answer,
    code_key,
    qa_figures_at,
    single_code_coefficients,
)

if TYPE_CHECKING:
    from coder.tui.session import Session

_GRADE_STYLE = {"good": "green", "tentative": "yellow", "poor": "bold red", "undefined": "dim"}
#: How the single-code coefficients (named as in `coder agreement`'s JSON) are labelled here.
_SINGLE_LABELS = {"alpha_nominal": "alpha (nominal)", "ac1": "AC1", "kappa_fleiss": "Fleiss' kappa",
                  "kappa_conger": "Conger's kappa", "kappa_cohen": "Cohen's kappa"}


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _codes_text(frame: Codeframe | None, code_ids: tuple[str, ...] | list[str]) -> str:
    if not code_ids:
        return "(no code)"
    if frame is None:
        return ", ".join(code_ids)
    return ", ".join(f"{frame.code(c).output_code} {frame.code(c).label}" if c in frame else c
                     for c in code_ids)


class AdjudicateDialog(ModalScreen[list[str] | None]):
    """Choose an answer's final codes; ctrl+s saves, Escape cancels (None)."""

    CSS_PATH = "../qa.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save final codes", id="qa.save"),
        Binding("escape", "cancel", "Cancel", id="qa.cancel"),
    ]

    def __init__(self, frame: Codeframe, item: Disagreement) -> None:
        super().__init__()
        self._frame = frame
        self._item = item

    def _preselected(self) -> set[str]:
        if self._item.adjudicated is not None:
            return set(self._item.adjudicated)
        sets = [set(c) for c in self._item.codes_by_coder.values()]
        return set.intersection(*sets) if sets else set()

    def compose(self) -> ComposeResult:
        chosen = self._preselected()
        with Vertical(classes="dialog qa-dialog"):
            yield Label(f"Adjudicate answer {self._item.answer_id}", classes="dialog-title")
            yield Static(" ".join(self._item.text.split()), id="qa-answer-text")
            for name, codes in self._item.codes_by_coder.items():
                yield Label(f"{name}: {_codes_text(self._frame, codes)}", classes="dialog-help")
            yield SelectionList[str](
                *[(code_key(c.output_code, c.label), c.id, c.id in chosen)
                  for c in self._frame.codable_codes()], id="qa-final-codes")
            yield Label("space ticks a code · ctrl+s saves · Esc cancels", classes="dialog-help")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="qa-save")
                yield Button("Cancel (Esc)", id="qa-cancel")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "qa-save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        selected = set(self.query_one(SelectionList).selected)
        self.dismiss([c.id for c in self._frame.codable_codes() if c.id in selected])

    def action_cancel(self) -> None:
        self.dismiss(None)


class DisagreementsScreen(Screen[None]):
    """The answers coders disagree on (for one code, or all); Enter adjudicates one."""

    CSS_PATH = "../qa.tcss"
    BINDINGS = [
        Binding("enter", "adjudicate", "Adjudicate", id="qa.adjudicate",
                tooltip="Choose the highlighted answer's final codes"),
        Binding("escape", "back", "Back", id="qa.back", tooltip="Back to the agreement table"),
    ]

    def __init__(self, session: Session, question_id: str, code_id: str | None,
                 items: tuple[Disagreement, ...]) -> None:
        super().__init__()
        self.session = session
        self.question_id = question_id
        self.code_id = code_id
        self.items = [d for d in items if code_id is None or d.differs_on(code_id)]

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        yield Static("", id="qa-drill-status")
        yield OptionList(id="qa-disagreements")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        frame = self.session.frame(self.question_id)
        what = "all codes"
        if self.code_id is not None and frame is not None and self.code_id in frame:
            code = frame.code(self.code_id)
            what = code_key(code.output_code, code.label)
        self.query_one("#topbar", Static).update(
            f"[b]Disagreements[/] on {what} in {self.question_id}   [reverse] reviewer: "
            f"{self.session.coder.name} [/]")
        self._fill()
        self.query_one(OptionList).focus()

    def _fill(self) -> None:
        frame = self.session.frame(self.question_id)
        box = self.query_one(OptionList)
        box.clear_options()
        for d in self.items:
            mark = "[b yellow]re-coded since adjudication[/] " if d.stale else ""
            coders = "  ".join(f"{n}: {_codes_text(frame, c)}" for n, c in d.codes_by_coder.items())
            box.add_option(Option(f"{mark}{' '.join(d.text.split())}\n  [dim]{coders}[/]",
                                  id=str(d.answer_id)))
        if self.items:
            box.highlighted = 0
        self.query_one("#qa-drill-status", Static).update(
            f"{len(self.items)} answers to adjudicate. Enter chooses the final codes;"
            " they form the adjudicated layer reports use.")

    @on(OptionList.OptionSelected, "#qa-disagreements")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_adjudicate()

    def action_adjudicate(self) -> None:
        box = self.query_one(OptionList)
        frame = self.session.frame(self.question_id)
        if box.highlighted is None or not self.items or frame is None:
            return
        item = self.items[box.highlighted]
        self.app.push_screen(AdjudicateDialog(frame, item),
                             lambda codes: self._decided(item, codes))

    def _decided(self, item: Disagreement, codes: list[str] | None) -> None:
        if codes is None:
            return
        from coder.tui.screens.dialogs import ConfirmDialog

        frame = self.session.frame(self.question_id)
        shown = _codes_text(frame, codes)
        self.app.push_screen(
            ConfirmDialog(f"Adjudicate answer {item.answer_id}", f"Final codes: {shown}",
                          "Save"),
            lambda ok: self._save(item, codes) if ok else None)

    def _save(self, item: Disagreement, codes: list[str]) -> None:
        frame = self.session.frame(self.question_id)
        numbers = [str(frame.code(c).output_code) for c in codes] if frame else codes
        try:
            adjudicate_answer(self.session.project, item.answer_id, numbers,
                              self.session.coder.name)
        except CoderError as exc:  # e.g. the project is busy: nothing was saved
            self.notify(str(exc), severity="error", timeout=6)
            return
        self.items = [d for d in self.items if d.answer_id != item.answer_id]
        self._fill()
        self.notify(f"answer {item.answer_id} adjudicated")
        changed = getattr(self.app, "store_changed", None)
        if changed is not None:
            changed(self.session.last_event())

    def action_back(self) -> None:
        self.app.pop_screen()


_QA_COLUMNS = ("code", "n", "alpha", "grade", "AC1", "% agree", "disagree")

class QAScreen(Screen[None]):
    """Agreement per code for the question; Enter drills into the answers coders disagree on."""

    CSS_PATH = "../qa.tcss"
    BINDINGS = [
        Binding("enter", "drill", "Disagreements", id="qa.drill",
                tooltip="List the answers coders disagree on for the highlighted code"),
        Binding("a", "all", "All disagreements", id="qa.all",
                tooltip="List every answer waiting for adjudication"),
        Binding("r", "refresh", "Refresh", id="qa.refresh", tooltip="Recompute agreement"),
    ]

    def __init__(self, session: Session, question_id: str) -> None:
        super().__init__()
        self.session = session
        self.question_id = question_id
        self.figures: QAFigures | None = None
        self._code_ids: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        yield Static("Computing agreement...", id="qa-summary")
        single = Static("", id="qa-single")  # shown for single-code questions only
        single.display = False
        yield single
        yield DataTable(id="qa-codes", cursor_type="row", zebra_stripes=True)
        yield Static("Krippendorff's guideline: alpha >= .800 good; .667-.800 tentative;"
                     " < .667 poor.  Enter: disagreeing answers · a: all · r: refresh",
                     id="qa-help")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#topbar", Static).update(
            f"[b]QA[/] for {self.question_id}   [reverse] reviewer: {self.session.coder.name} [/]")
        table = self.query_one(DataTable)
        for label in _QA_COLUMNS:
            table.add_column(label, key=label)
        if self.session.blind:
            self.query_one("#qa-summary", Static).update(
                "QA shows every coder's codes: not available in blind mode.")
            return
        self.reload()

    def on_screen_resume(self) -> None:
        if self.figures is not None:
            self.reload()

    def store_changed(self, event: Event | None) -> None:
        if self.is_current:
            self.reload()

    def reload(self) -> None:
        if not self.session.blind:
            self._gather(self.session.project.location, self.question_id)

    @work(thread=True, exclusive=True, group="qa")
    def _gather(self, path: str | Path, question_id: str) -> None:
        figures = qa_figures_at(path, question_id)
        self.app.call_from_thread(self._show, figures)

    def _show(self, figures: QAFigures) -> None:
        self.figures = figures
        report = figures.report
        frame = self.session.frame(self.question_id)
        keys = ({code_key(c.output_code, c.label): c.id for c in frame.codes}
                if frame is not None else {})
        self._code_ids = keys
        table = self.query_one(DataTable)
        keep = table.cursor_row
        # The label gives way so that every figure stays whole on a narrow screen; the code's
        # number comes first, so it is never cut.
        room = max(12, self.app.size.width - 53)
        rows = []
        for name, ca in report.codes.items():
            code_id = keys.get(name)
            shown = name if len(name) <= room else name[:room - 1] + "…"
            n_disagree = sum(d.differs_on(code_id) for d in figures.disagreements) \
                if code_id else 0
            rows.append((name, [shown, str(ca.n_units), _fmt(ca.alpha.value), ca.grade,
                                _fmt(ca.ac1.value), _fmt(ca.percent_agreement.value),
                                str(n_disagree)]))
        # Widths set here, not measured by the table when next idle: a table filled by a
        # worker just as the screen first draws could keep the empty table's widths.
        table.clear(columns=True)
        for i, label in enumerate(_QA_COLUMNS):
            table.add_column(label, key=label,
                             width=max([len(label)] + [len(cells[i]) for _, cells in rows]))
        for name, cells in rows:
            style = _GRADE_STYLE[report.codes[name].grade]
            cells[3] = f"[{style}]{cells[3]}[/]"
            table.add_row(*cells, key=name)
        if report.codes:
            table.move_cursor(row=min(keep, len(report.codes) - 1))
        stale = f"; {len(figures.stale)} adjudications re-coded since" if figures.stale else ""
        self.query_one("#qa-summary", Static).update(
            f"{report.n_units} answers coded by 2+ of {', '.join(report.coders) or 'nobody'}."
            f"  Overall alpha (MASI) {_fmt(report.alpha_masi.value)},"
            f" pooled {_fmt(report.alpha_pooled.value)}."
            f"  {len(figures.disagreements)} waiting for adjudication{stale}.")
        single = single_code_coefficients(report)
        line = self.query_one("#qa-single", Static)
        line.display = single is not None
        if single is not None:
            shown = "   ".join(f"{_SINGLE_LABELS.get(name, name)} {_fmt(value)}"
                                 for name, value in single.items())
            line.update(f"One code per answer; across categories: {shown}")
        table.focus()

    @on(DataTable.RowSelected, "#qa-codes")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_drill()

    def action_drill(self) -> None:
        table = self.query_one(DataTable)
        if self.figures is None or not table.row_count:
            return
        name = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        self._open(self._code_ids.get(name))

    def action_all(self) -> None:
        if self.figures is not None:
            self._open(None)

    def action_refresh(self) -> None:
        self.reload()

    def _open(self, code_id: str | None) -> None:
        assert self.figures is not None
        self.app.push_screen(DisagreementsScreen(self.session, self.question_id, code_id,
                                                 self.figures.disagreements))
