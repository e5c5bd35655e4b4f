"""The coding app: wires screens, app-wide keys (undo, redo, screens, help) and the palette.

Holds no coding logic: screens act through `coder.services`, as the CLI does; `build_app` is the
one factory used by the CLI, the tests and the benchmark.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import var
from textual.screen import Screen

from coder.core.errors import CoderError
from coder.core.types import Event
from coder.services import codeframes as codeframe_service
from coder.services import live
from coder.services.project import (
    HEARTBEAT_SECONDS,
    Project,
    begin_window,
    check_question,
    end_window,
    heartbeat,
    open_project,
)
from coder.tui.config import AppConfig
from coder.tui.screens.dialogs import PromptDialog
from coder.tui.session import Session
from coder.tui.writes import SaveQueue, Write

_SCREENS = ("overview", "coding", "themes", "codeframe", "quotes", "qa", "grid")
#: Screens that show the whole project rather than the chosen question.
_PROJECT_SCREENS = ("overview", "grid")


class CoderApp(App[None]):
    """Code survey answers: overview, coding, themes, codeframe editor and quotes."""

    CSS_PATH = "coder.tcss"
    TITLE = "coder"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+z", "undo", "Undo", id="app.undo", tooltip="Undo your last action"),
        Binding("ctrl+y", "redo", "Redo", id="app.redo", tooltip="Redo what you undid"),
        Binding("question_mark", "keys", "Keys", id="app.keys", tooltip="Show every key"),
        Binding("q", "quit", "Quit", show=False, id="app.quit",
                tooltip="Quit (asks first while changes wait for a busy project)"),
        Binding("f1", "show_overview", "Overview", show=False, id="app.overview"),
        Binding("f2", "show_coding", "Coding", show=False, id="app.coding"),
        Binding("f3", "show_themes", "Themes", show=False, id="app.themes"),
        Binding("f4", "show_codeframe", "Codeframe", show=False, id="app.codeframe"),
        Binding("f5", "show_quotes", "Quotes", show=False, id="app.quotes"),
        Binding("f6", "show_qa", "QA", show=False, id="app.qa",
                tooltip="Agreement per code and adjudication of disagreements"),
        Binding("f7", "show_grid", "Grid", show=False, id="app.grid",
                tooltip="Respondents x questions: every answer of a wave and its codes"),
    ]

    #: What the top bar says while changes wait for a busy project ("" when none wait).
    busy_note: var[str] = var("")

    def __init__(self, store: Project, coder_name: str | None, *, blind: bool = False,
                 config: AppConfig | None = None, question_id: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.config = config or AppConfig()
        # Writes on the UI thread wait briefly for another writer; longer waits happen in
        # the save queue's worker, so the screen stays responsive.
        store.busy_wait = self.config.busy_wait
        self.saves = SaveQueue(self, store, save_wait=self.config.save_wait)
        self._quit_asked = False
        self._coder_name = coder_name
        self._blind = blind
        self._start_question = question_id
        self.session: Session | None = None
        self._screens: dict[tuple[str, str | None], Screen[Any]] = {}
        self.key_timings: list[tuple[str, float]] = []
        self._key_event: events.Key | None = None
        self._key_started: float | None = None
        if self.config.keymap:
            self.set_keymap(self.config.keymap)

    # -- start ---------------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.store.upgrade is not None:
            self.notify(str(self.store.upgrade), title="project upgraded", timeout=15)
        if self._coder_name:
            self._start(self._coder_name)
        else:
            self.push_screen(PromptDialog("Who is coding?", "", "your name",
                                          "Every coding is recorded with this name."),
                             self._named)

    def _named(self, name: str | None) -> None:
        if name and name.strip():
            self._start(name)
        else:
            self.exit(message="no coder name given")

    def _start(self, name: str) -> None:
        try:
            coder = begin_window(self.store, name)  # this window's own undo history
        except CoderError as exc:
            self.exit(return_code=exc.exit_code, message=f"error: {exc}")
            return
        self.set_interval(HEARTBEAT_SECONDS, partial(heartbeat, self.store),
                          name="session heartbeat")
        self.live = live.LiveWatch(self.store)
        self.set_interval(self.config.live_poll, self._poll_others, name="others' writes")
        self.session = Session(self.store, coder, blind=self._blind,
                               question_id=self._start_question, config=self.config)
        self.sub_title = f"coder: {coder.name}" + (" (blind)" if self._blind else "")
        self.open_screen("coding" if self._start_question else "overview")

    def on_unmount(self) -> None:
        watch = getattr(self, "live", None)  # none when the app stopped before a coder began
        if watch is not None:
            watch.close()
        end_window(self.store)  # this window's undo history passes to the coder's next one

    # -- screens -------------------------------------------------------------------------------

    def open_screen(self, name: str) -> None:
        """Show a screen; question screens need a question (chosen on the overview)."""
        session = self.session
        if session is None:
            return
        qid = None if name in _PROJECT_SCREENS else session.question_id
        if name not in _PROJECT_SCREENS and qid is None:
            self.notify("choose a question on the overview first (Enter)", severity="warning")
            return
        key = (name, qid)
        installed = f"{name}:{qid or ''}"
        screen = self._screens.get(key)
        if screen is None:
            screen = self._make_screen(name, session, qid)
            self._screens[key] = screen
            self.install_screen(screen, name=installed)
        if screen is self.screen:
            return
        left = self._screens_of_other_questions(qid)
        if left:  # closed first: another question's screens would be in the way
            self.call_next(self._close_then_show, left, installed, qid)
            return
        self._show(installed, qid)

    def _show(self, installed: str, question_id: str | None) -> None:
        if len(self.screen_stack) <= 1:
            self.push_screen(installed)
        else:
            self.switch_screen(installed)
        self._working_on(question_id)

    def _screens_of_other_questions(self, question_id: str | None) -> list[Screen[Any]]:
        """The screens of questions other than `question_id` (none for a project screen)
        that are not showing: the app keeps one question's screens, so that a large
        question's suggestion process, text index and answers go when another is worked on."""
        if question_id is None:
            return []
        return [s for (_, qid), s in self._screens.items()
                if qid is not None and qid != question_id and s not in self.screen_stack]

    async def _close_then_show(self, screens: list[Screen[Any]], installed: str,
                               question_id: str | None) -> None:
        for key in [k for k, s in self._screens.items() if s in screens]:
            del self._screens[key]
        for screen in screens:
            self.uninstall_screen(screen)
            if screen.is_attached:
                await screen.remove()  # unmounted: a coding screen ends its child process
        self._show(installed, question_id)

    def _working_on(self, question_id: str | None) -> None:
        with contextlib.suppress(CoderError):  # busy: colleagues see it at the next switch
            live.working_on(self.store, question_id)  # shown on colleagues' overviews

    def _poll_others(self) -> None:
        """Refresh what other windows and coders changed (the live team view)."""
        if not self.is_running or self.session is None or self.saves.pending:
            return  # not while the app shuts down: its screens are being taken apart
        try:
            wrote = self.live.poll()
        except CoderError:
            return  # e.g. busy for a moment: the next poll sees the same change
        if wrote is None:
            return
        if wrote.everything:
            self.store_changed(None)
        for screen in self._screens.values():
            handler = getattr(screen, "others_wrote", None)
            if handler is not None and screen.is_mounted and screen.is_running:
                handler(wrote)

    def _make_screen(self, name: str, session: Session, qid: str | None) -> Screen[Any]:
        from coder.tui.screens.coding import CodingScreen
        from coder.tui.screens.frame_editor import CodeframeScreen
        from coder.tui.screens.grid import GridScreen
        from coder.tui.screens.overview import OverviewScreen
        from coder.tui.screens.qa import QAScreen
        from coder.tui.screens.quotes import QuotesScreen
        from coder.tui.screens.themes import ThemesScreen

        assert qid is not None or name in _PROJECT_SCREENS
        factories: dict[str, Callable[[], Screen[Any]]] = {
            "overview": lambda: OverviewScreen(session),
            "coding": lambda: CodingScreen(session, str(qid)),
            "themes": lambda: ThemesScreen(session, str(qid)),
            "codeframe": lambda: CodeframeScreen(session, str(qid)),
            "quotes": lambda: QuotesScreen(session, str(qid)),
            "qa": lambda: QAScreen(session, str(qid)),
            "grid": lambda: GridScreen(session),
        }
        screen = factories[name]()
        screen.id = name
        return screen

    def action_show_overview(self) -> None:
        self.open_screen("overview")

    def action_show_coding(self) -> None:
        self.open_screen("coding")

    def action_show_themes(self) -> None:
        self.open_screen("themes")

    def action_show_codeframe(self) -> None:
        self.open_screen("codeframe")

    def action_show_quotes(self) -> None:
        self.open_screen("quotes")

    def action_show_qa(self) -> None:
        self.open_screen("qa")

    def action_show_grid(self) -> None:
        self.open_screen("grid")

    def open_answer(self, question_id: str, answer_id: int) -> None:
        """Show one answer on its question's coding screen (as the grid opens a cell)."""
        from coder.tui.screens.coding import CodingScreen

        if self.session is None:
            return
        self.session.question_id = question_id
        self.open_screen("coding")
        screen = self._screens.get(("coding", question_id))
        if isinstance(screen, CodingScreen):
            screen.go_to(answer_id)

    def action_keys(self) -> None:
        from coder.tui.screens.keys import KeysScreen

        if not isinstance(self.screen, KeysScreen):
            self.push_screen(KeysScreen(self.screen, _screen_classes()))

    # -- undo / redo ---------------------------------------------------------------------------

    def action_undo(self) -> None:
        self._replay(undo=True)

    def action_redo(self) -> None:
        self._replay(undo=False)

    def _replay(self, *, undo: bool) -> None:
        if self.session is None:
            return
        if self.saves.pending:
            self.notify(f"{len(self.saves.pending)} change(s) still wait to be saved (project"
                        f" busy); {'undo' if undo else 'redo'} once they are", severity="warning")
            return
        name = self.session.coder.name
        try:
            event = (codeframe_service.undo if undo else codeframe_service.redo)(self.store, name)
        except CoderError as exc:
            self.notify(str(exc), severity="error", timeout=6)
            return
        if event is None:
            self.notify(f"nothing to {'undo' if undo else 'redo'}", timeout=2)
            return
        said = f"{'undone' if undo else 'redone'}: {event.summary}"
        say = getattr(self.screen, "say", None)
        if say is not None:
            say(said)  # on the screen, without a toast's layout passes
        else:
            self.notify(said, timeout=2)
        self.live.mine(event)
        self.store_changed(event)

    def store_changed(self, event: Event | None) -> None:
        """Tell every open screen that the project changed (None: reload everything)."""
        if self.session is not None:
            self.session.changed(event)
        for screen in self._screens.values():
            handler = getattr(screen, "store_changed", None)
            if handler is not None and screen.is_mounted:
                handler(event)

    # -- saving while the project is busy ------------------------------------------------------

    def save(self, write: Write) -> None:
        """Save a change now, or queue it while another user or window is writing."""
        try:
            if not self.saves.save(write):
                self.notify(f"project busy: {write.description} will be saved when it is free"
                            " (see the top bar)", severity="warning", timeout=4)
        except CoderError as exc:
            self.notify(str(exc), severity="error", timeout=6)

    def on_save_queue_waiting(self, message: SaveQueue.Waiting) -> None:
        pending = len(self.saves.pending)
        if pending:
            self.busy_note = (f"project busy — waiting {message.waited:.0f} s…  {pending}"
                              f" change{'s' if pending > 1 else ''} not saved yet")
        elif self.busy_note:
            self.busy_note = ""
            self.notify("project free again: your changes are saved", timeout=3)

    def on_save_queue_saved(self, message: SaveQueue.Saved) -> None:
        if message.write.saved is not None:
            message.write.saved(message.result)

    def on_save_queue_not_saved(self, message: SaveQueue.NotSaved) -> None:
        if not self.saves.pending:
            self.busy_note = ""  # given up: no longer waiting (and not "free again")
        if not message.writes:
            return
        shown = "; ".join(w.description for w in message.writes[:3])
        more = f" and {len(message.writes) - 3} more" if len(message.writes) > 3 else ""
        self.notify(f"NOT saved ({message.reason}): {shown}{more}. Nothing of it was changed;"
                    " press the keys again when the project is free", title="not saved",
                    severity="error", timeout=20)

    async def action_quit(self) -> None:
        pending = len(self.saves.pending)
        if pending and not self._quit_asked:
            self._quit_asked = True
            self.notify(f"{pending} change(s) still wait for the busy project: quit again to"
                        " leave without them", severity="warning", timeout=8)
            return
        await super().action_quit()

    def _fatal_error(self) -> None:
        """Exit after an unhandled error, printing its traceback without local variables.

        Textual's own report shows each frame's locals, and here those hold answer texts and
        codeframe definitions: survey data that must not end up on screen or in a log.
        """
        from rich.traceback import Traceback

        self.bell()
        self.panic(Traceback(show_locals=False, width=None))

    # -- command palette -----------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        yield from self._screen_commands(screen, seen)
        yield from self._other_screens_commands(screen, seen)

    def _other_screens_commands(self, current: Screen[Any],
                                seen: set[str]) -> Iterable[SystemCommand]:
        """Every other screen's commands: choosing one opens that screen and runs it there.

        Question screens' commands are left out until a question is chosen (they cannot run).
        """
        session = self.session
        if session is None:
            return
        for name, screen_class in _screen_classes().items():
            if name == current.id or (name not in _PROJECT_SCREENS
                                      and session.question_id is None):
                continue
            for binding in screen_class.BINDINGS:
                if not isinstance(binding, Binding) or not binding.description \
                        or binding.action.startswith("code_slot"):
                    continue
                title = _command_title(binding)
                if title in seen:
                    continue
                seen.add(title)
                yield SystemCommand(title, binding.tooltip or binding.description,
                                    partial(self.call_later, self._run_on_screen, name,
                                            binding.action))

    def _run_on_screen(self, name: str, action: str) -> None:
        self.open_screen(name)
        session = self.session
        qid = None if name in _PROJECT_SCREENS or session is None else session.question_id
        screen = self._screens.get((name, qid))
        if screen is not None:
            self.call_after_refresh(self.run_action, action, screen)

    def _screen_commands(self, screen: Screen[Any], seen: set[str]) -> Iterable[SystemCommand]:
        for namespace, bindings in screen._binding_chain:  # noqa: SLF001
            for _key, binding in bindings:
                if not binding.description or binding.action.startswith("code_slot"):
                    continue
                title = _command_title(binding)
                if title in seen:
                    continue
                seen.add(title)
                yield SystemCommand(title, binding.tooltip or binding.description,
                                    partial(self.call_later, self.run_action, binding.action,
                                            namespace))

    # -- timing (benchmark) --------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if self.config.record_key_timings and isinstance(event, events.Key) \
                and event is not self._key_event:
            self._key_event = event
            self._key_started = time.perf_counter()
        await super().on_event(event)

    async def run_action(self, action: Any, default_namespace: Any = None,
                         *args: Any, **kwargs: Any) -> bool:
        started, self._key_started = self._key_started, None
        result = await super().run_action(action, default_namespace, *args, **kwargs)
        if started is not None:
            self.call_after_refresh(self._record, str(action), started)
        return result

    def _record(self, action: str, started: float) -> None:
        self.key_timings.append((action, (time.perf_counter() - started) * 1000))


def _screen_classes() -> dict[str, type[Screen[Any]]]:
    from coder.tui.screens.coding import CodingScreen
    from coder.tui.screens.frame_editor import CodeframeScreen
    from coder.tui.screens.grid import GridScreen
    from coder.tui.screens.overview import OverviewScreen
    from coder.tui.screens.qa import QAScreen
    from coder.tui.screens.quotes import QuotesScreen
    from coder.tui.screens.themes import ThemesScreen

    return {"overview": OverviewScreen, "coding": CodingScreen, "themes": ThemesScreen,
            "codeframe": CodeframeScreen, "quotes": QuotesScreen, "qa": QAScreen,
            "grid": GridScreen}


def _command_title(binding: Binding) -> str:
    prefix = (binding.id or "app.").split(".", 1)[0]
    return f"{prefix}: {binding.description.lower()}"


def build_app(project_path: str | Path, coder_name: str | None, *, blind: bool = False,
              config: AppConfig | None = None, question_id: str | None = None) -> CoderApp:
    """The app over the project file; `coder_name` None asks at start.

    Raises:
        ProjectError: If the project cannot be opened (missing, newer schema, not a project).
    """
    store = open_project(project_path)
    if question_id is not None:
        check_question(store, question_id)  # fail before the UI starts when it is unknown
    return CoderApp(store, coder_name, blind=blind, config=config, question_id=question_id)
