"""The themes screen: run discovery in a worker (progress bar, Esc cancels), browse themes,
rename and merge them, and promote selected themes to codes (drafted as `coder codeframe
from-themes` drafts them).

A view over `coder.services.themes` and `coder.services.theme_edits`. The worker opens its own
connection and only posts progress back; the UI thread owns every widget and the app's one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker

from coder.core.errors import Cancelled, CoderError
from coder.core.progress import Progress
from coder.core.types import Event
from coder.services.project import open_project
from coder.services.theme_edits import (
    StoredTheme,
    latest_themes,
    merge_themes,
    promote_themes,
    rename_theme,
    theme_quotes,
)
from coder.tui.screens.dialogs import PromptDialog

if TYPE_CHECKING:
    from coder.tui.session import Session


class ThemesScreen(Screen[None]):
    """Themes of the question's latest discovery run."""

    BINDINGS = [
        Binding("d", "discover", "Discover", id="themes.discover",
                tooltip="Run theme discovery (embeddings + clustering) in the background"),
        Binding("escape", "cancel", "Cancel", id="themes.cancel",
                tooltip="Cancel the theme discovery that is running"),
        Binding("space", "mark", "Select", id="themes.mark", tooltip="Select / unselect theme"),
        Binding("r", "rename", "Rename", id="themes.rename"),
        Binding("g", "merge", "Merge", id="themes.merge",
                tooltip="Merge the selected themes into the highlighted one"),
        Binding("p", "promote", "To codes", id="themes.promote",
                tooltip="Add the selected (or highlighted) themes as codes"),
    ]

    def __init__(self, session: Session, question_id: str) -> None:
        super().__init__()
        self.session = session
        self.question_id = question_id
        self.themes: list[StoredTheme] = []
        self.marked: set[int] = set()
        self._worker: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        with Horizontal(id="themes-progress-row", classes="hidden"):
            yield ProgressBar(id="themes-progress")
            yield Label(" Esc cancels", id="themes-progress-label")
        yield Static("", id="themes-status")
        with Horizontal(id="themes-body"):
            yield DataTable(id="themes-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="theme-detail"):
                yield Static(id="theme-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#topbar", Static).update(
            f"[b]Themes[/] for {self.question_id}   [reverse] coder: "
            f"{self.session.coder.name} [/]")
        table = self.query_one(DataTable)
        for label in ("", "theme", "label", "size", "share", "keywords"):
            table.add_column(label, key=label or "mark")
        self.reload()
        table.focus()

    def store_changed(self, event: Event | None) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        running = self._worker is not None and self._worker.state in (
            WorkerState.PENDING, WorkerState.RUNNING)
        if action == "cancel":
            return True if running else None
        if action in ("rename", "merge", "promote", "mark"):
            return None if running or not self.themes else True
        if action == "discover":
            return None if running else True
        return True

    # -- data ----------------------------------------------------------------------------------

    def reload(self) -> None:
        found = latest_themes(self.session.project, self.question_id)
        run = found.run
        status = self.query_one("#themes-status", Static)
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        if run is None:
            self.themes = []
            status.update("No theme run yet for this question: press d to discover themes.")
            self._show_theme()
            return
        self.themes = list(found.themes)
        self.marked &= {t.theme_id for t in self.themes}
        status.update(f"Run {run.id} by {run.coder or '?'}: "
                      f"{len(self.themes)} themes over {run.n_answers} answers, "
                      f"{run.n_other} in no theme.  space selects · g merges · p promotes")
        for t in self.themes:
            table.add_row("●" if t.theme_id in self.marked else " ", str(t.theme_id), t.label,
                          str(t.size), f"{100 * t.share:.0f}%", ", ".join(t.keywords[:5]),
                          key=str(t.theme_id))
        if self.themes:
            table.move_cursor(row=min(keep, len(self.themes) - 1))
        self._show_theme()

    @property
    def current(self) -> StoredTheme | None:
        if not self.themes:
            return None
        row = self.query_one(DataTable).cursor_row
        return self.themes[row] if 0 <= row < len(self.themes) else None

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_theme()

    def _show_theme(self) -> None:
        theme = self.current
        box = self.query_one("#theme-text", Static)
        if theme is None:
            box.update("")
            return
        text = Text()
        text.append(f"{theme.label}\n", style="bold")
        if theme.description:
            text.append(f"{theme.description}\n", style="italic")
        text.append(f"{theme.size} answers ({100 * theme.share:.0f}%)\n", style="dim")
        text.append("Keywords: ", style="bold")
        text.append(", ".join(theme.keywords) + "\n\n")
        for quote in theme_quotes(self.session.project, theme):
            text.append(f"“{quote}”\n\n", style="italic")
        box.update(text)

    # -- discovery (worker) --------------------------------------------------------------------

    def action_discover(self) -> None:
        try:
            from coder.services.themes import run_themes  # noqa: F401
        except ImportError:
            self.notify("theme discovery is not available in this build (coder.services.themes"
                        " is missing)", severity="error", timeout=6)
            return
        self.query_one("#themes-progress-row").remove_class("hidden")
        self.query_one("#themes-progress", ProgressBar).update(total=None, progress=0)
        self._worker = self._discover(self.session.project.location)
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="themes", exit_on_error=False)
    def _discover(self, path: Any) -> None:
        from coder.services.themes import run_themes

        worker = get_current_worker()

        def on_step(done: int, total: int, message: str) -> None:
            self.app.call_from_thread(self._progress, done, total)

        progress = Progress(on_step, worker.cancelled_event, "theme discovery")
        store = open_project(path)  # this thread's own connection
        store.on_busy = lambda waited: progress.check()  # Esc while the project is busy
        try:
            run_themes(store, self.question_id, coder=self.session.coder.name,
                       embedder=self.session.config.make_embedder(), progress=progress)
        finally:
            store.close()

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#themes-progress", ProgressBar).update(total=total or None,
                                                               progress=done)

    def action_cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.notify("cancelling theme discovery…")

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker or event.state in (WorkerState.PENDING,
                                                               WorkerState.RUNNING):
            return
        self.query_one("#themes-progress-row").add_class("hidden")
        error = event.worker.error
        if event.state == WorkerState.CANCELLED or isinstance(error, Cancelled):
            self.notify("theme discovery cancelled; nothing was saved")
        elif error is not None:
            self.notify(f"theme discovery failed: {error}", severity="error", timeout=8)
        else:
            self.notify("themes ready")
            self.app.store_changed(None)  # type: ignore[attr-defined]
        self._worker = None
        self.refresh_bindings()
        self.reload()

    # -- editing -------------------------------------------------------------------------------

    def action_mark(self) -> None:
        theme = self.current
        if theme is None:
            return
        self.marked ^= {theme.theme_id}
        table = self.query_one(DataTable)
        table.update_cell(str(theme.theme_id), "mark",
                          "●" if theme.theme_id in self.marked else " ")
        table.move_cursor(row=table.cursor_row + 1)

    def action_rename(self) -> None:
        theme = self.current
        if theme is None:
            return

        def rename(label: str | None) -> None:
            if label and label.strip() and label.strip() != theme.label:
                try:
                    rename_theme(self.session.project, theme, label, self.session.coder.name)
                except CoderError as exc:  # e.g. the project is busy: nothing was saved
                    self.notify(str(exc), severity="error", timeout=6)
                    return
                self.reload()

        self.app.push_screen(PromptDialog(f"Rename theme {theme.theme_id}", theme.label), rename)

    def action_merge(self) -> None:
        target = self.current
        sources = sorted(self.marked - {target.theme_id}) if target else []
        if target is None or not sources:
            self.notify("select themes with space, then highlight the one to merge into",
                        severity="warning")
            return
        try:
            merge_themes(self.session.project, target, sources, self.session.coder.name)
        except CoderError as exc:
            self.notify(str(exc), severity="error")
            return
        self.marked.clear()
        self.notify(f"merged {len(sources)} themes into “{target.label}”")
        self.app.store_changed(None)  # type: ignore[attr-defined]

    def action_promote(self) -> None:
        chosen = [t for t in self.themes if t.theme_id in self.marked] or \
            ([self.current] if self.current else [])
        if not chosen:
            return
        try:
            frame = self.session.ensure_frame(self.question_id)
            promote_themes(self.session.project, self.question_id, chosen,
                           self.session.coder.name, frame)
        except CoderError as exc:
            self.notify(str(exc), severity="error", timeout=6)
            return
        self.marked.clear()
        self.notify(f"{len(chosen)} themes added as codes (see the codeframe, f4)")
        self.app.store_changed(None)  # type: ignore[attr-defined]
