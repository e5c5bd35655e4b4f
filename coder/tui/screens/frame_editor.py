"""The codeframe editor: the tree; add, rename, define, move, merge, split, retire.

Every edit is made by the function of `coder.services.codeframes` that the CLI's `coder codeframe`
command calls (one undoable action each); edits that move codings are first planned on the frame
shown (`coder.core.codeframe.ops` checks them) and confirmed with how many codings move.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, Tree
from textual.widgets.tree import TreeNode

from coder.core.codeframe.model import Code, Codeframe
from coder.core.codeframe.ops import FramePlan, plan_edit, plan_merge, plan_retire, plan_split
from coder.core.errors import CoderError, EditConflict
from coder.core.types import Event
from coder.services.codeframes import (
    FrameChange,
    add_code,
    edit_code,
    frame_counts,
    merge_codes,
    move_code,
    rename_code,
    retire_code,
    split_code,
)
from coder.tui.screens.dialogs import ChooseDialog, ConfirmDialog, PromptDialog

if TYPE_CHECKING:
    from coder.tui.session import Session

_TOP = "__top__"


def codings_moving(counts: dict[str, int], plan: FramePlan) -> int:
    """How many codings a plan moves: those of every merge source, or of a split code."""
    sources = {s for s, _ in plan.recode} | set(plan.review_code_ids)
    return sum(counts.get(code_id, 0) for code_id in sources)


class CodeframeScreen(Screen[None]):
    """Edit the active codeframe of one question."""

    BINDINGS = [
        Binding("a", "add(False)", "Add", id="codeframe.add", tooltip="Add a code beside this one"),
        Binding("i", "add(True)", "Add under", show=False, id="codeframe.add_child",
                tooltip="Add a code under this one"),
        Binding("r", "rename", "Rename", id="codeframe.rename"),
        Binding("e", "define", "Definition", show=False, id="codeframe.define",
                tooltip="Edit the definition"),
        Binding("m", "move", "Move", show=False, id="codeframe.move"),
        Binding("g", "merge", "Merge into", id="codeframe.merge",
                tooltip="Merge this code into another"),
        Binding("s", "split", "Split", id="codeframe.split"),
        Binding("x", "retire", "Retire", id="codeframe.retire"),
        Binding("k", "key", "Key", show=False, id="codeframe.key",
                tooltip="Change the code's shortcut key on the coding screen (empty frees it)"),
    ]

    def __init__(self, session: Session, question_id: str) -> None:
        super().__init__()
        self.session = session
        self.question_id = question_id

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        with Horizontal(id="frame-body"):
            yield Tree("codeframe", id="frame-tree")
            with VerticalScroll(id="frame-detail"):
                yield Static(id="frame-code")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#topbar", Static).update(
            f"[b]Codeframe[/] for {self.question_id}   [reverse] coder: "
            f"{self.session.coder.name} [/]")
        self.reload()
        self.query_one(Tree).focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def store_changed(self, event: Event | None) -> None:
        self.reload()

    # -- drawing -------------------------------------------------------------------------------

    @property
    def frame(self) -> Codeframe | None:
        return self.session.frame(self.question_id)

    def reload(self) -> None:
        tree: Tree[str] = self.query_one(Tree)
        keep = self.selected.id if self.selected else None
        tree.clear()
        frame = self.frame
        if frame is None:
            tree.root.label = "no codeframe yet: press a to add the first code"
            self._show_code()
            return
        counts = frame_counts(self.session.project, frame)
        tree.root.label = f"{frame.name}  ({sum(counts.values())} codings)"
        tree.root.expand()
        nodes: dict[str | None, TreeNode[str]] = {None: tree.root}
        for _depth, code in frame.walk():
            parent = nodes.get(code.parent_id, tree.root)
            label = Text()
            label.append(f"{code.shortcut or ' '} ", style="bold reverse" if code.shortcut
                         and code.is_active else "dim")
            label.append(f"{code.output_code} ", style="dim")
            # The count before the label: a long label is cut at the edge, a number never.
            label.append(f"({counts.get(code.id, 0)}) ", style="cyan")
            label.append(code.label, style="strike dim" if not code.is_active else
                         ("bold" if not code.codable else ""))
            if not code.is_active:
                label.append("  retired", style="italic dim")
            node = parent.add(label, data=code.id, expand=True,
                              allow_expand=frame.is_net(code.id))
            nodes[code.id] = node
        first = list(nodes.values())[min(1, len(nodes) - 1)]
        target = nodes[keep] if keep and keep in nodes else first
        # the tree lays out its lines on the next refresh; the cursor can only move after it
        self.call_after_refresh(self._move_to, target)

    def _move_to(self, node: TreeNode[str]) -> None:
        self.query_one(Tree).move_cursor(node)
        self._show_code()

    @property
    def selected(self) -> Code | None:
        tree: Tree[str] = self.query_one(Tree)
        node = tree.cursor_node
        frame = self.frame
        if node is None or node.data is None or frame is None:
            return None
        return frame.get(node.data)

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[Any]) -> None:
        self._show_code()

    def _show_code(self) -> None:
        code, frame = self.selected, self.frame
        detail = self.query_one("#frame-code", Static)
        if code is None or frame is None:
            detail.update("Select a code. a add · i add under · r rename · e definition · "
                          "m move · g merge · s split · x retire · k key · ctrl+z undo")
            return
        counts = frame_counts(self.session.project, frame)
        text = Text()
        text.append(frame.path_label(code.id) + "\n", style="bold")
        key = f"key {code.shortcut}" if code.shortcut else "no key"
        text.append(f"output code {code.output_code} · {key} · {code.status}"
                    f"{' · net (not codable)' if not code.codable else ''}"
                    f" · {counts.get(code.id, 0)} codings\n\n", style="dim")
        text.append("Definition: ", style="bold")
        text.append((code.definition or "(none)") + "\n")
        if code.include_note:
            text.append(f"Include: {code.include_note}\n")
        if code.exclude_note:
            text.append(f"Exclude: {code.exclude_note}\n")
        for example in code.examples[:5]:
            text.append(f"  “{example}”\n", style="italic")
        if code.merged_into:
            text.append(f"\nmerged into {frame.path_label(code.merged_into)}", style="dim")
        detail.update(text)

    # -- applying edits -------------------------------------------------------------------------

    def _run(self, edit: Callable[[str, Codeframe], FrameChange],
             preview: Callable[[Codeframe], FramePlan] | None = None,
             confirm: Callable[[FramePlan], str] | None = None) -> None:
        """Make an edit through the codeframe services (as the CLI's commands do), as `coder`.

        With `preview`, the edit is first planned on the frame as shown: a plan the core
        refuses is reported at once, and `confirm` says what the edit will do before it is made.
        """
        frame = self.frame
        plan = None
        if preview is not None and frame is not None:
            try:
                plan = preview(frame)
            except CoderError as exc:
                self.notify(str(exc), severity="error", timeout=6)
                return

        def go(ok: bool | None) -> None:
            if not ok:
                return
            try:
                target = self.frame or self.session.ensure_frame(self.question_id)
                change = edit(self.session.coder.name, target)
            except CoderError as exc:
                self.notify(str(exc), severity="error", timeout=10)
                if isinstance(exc, EditConflict):  # show the frame as it is now
                    self.app.store_changed(None)  # type: ignore[attr-defined]
                return
            moved = change.codings_moved
            self.notify(f"{change.summary}" + (f": {moved} codings moved" if moved else ""))
            self.app.store_changed(None)  # type: ignore[attr-defined]

        if plan is None or confirm is None:
            go(True)
        else:
            self.app.push_screen(ConfirmDialog(plan.summary, confirm(plan)), go)

    def _ask(self, title: str, value: str, then: Callable[[str], None],
             help_text: str = "") -> None:
        def got(text: str | None) -> None:
            if text is not None and text.strip():
                then(text.strip())

        self.app.push_screen(PromptDialog(title, value, help_text=help_text), got)

    # -- actions -------------------------------------------------------------------------------

    def action_add(self, under: bool) -> None:
        code, frame = self.selected, self.frame
        parent = None
        if code is not None:
            parent = code if under else (frame.get(code.parent_id)
                                         if frame is not None and code.parent_id else None)

        def add(label: str) -> None:
            self._run(lambda who, frame: add_code(
                self.session.project, label, coder=who, frame=frame,
                parent=parent.output_code if parent else None))

        where = f' under "{code.label}"' if under and code else ""
        self._ask(f"New code{where}", "", add)

    def action_rename(self) -> None:
        code = self.selected
        if code is None:
            return
        loaded = self.frame  # the version check compares with the frame the coder saw
        self._ask(f'Rename "{code.label}"', code.label, lambda label: self._run(
            lambda who, frame: rename_code(self.session.project, code.output_code, label,
                                           coder=who, frame=loaded or frame),
            lambda frame: plan_edit(frame, code.id, label=label)))

    def action_define(self) -> None:
        code = self.selected
        if code is None:
            return
        loaded = self.frame
        self._ask(f'Definition of "{code.label}"', code.definition, lambda text: self._run(
            lambda who, frame: edit_code(self.session.project, code.output_code, coder=who,
                                         frame=loaded or frame, definition=text)))

    def action_key(self) -> None:
        code = self.selected
        if code is None:
            return

        def got(text: str | None) -> None:
            if text is not None:
                self._run(lambda who, frame: edit_code(
                    self.session.project, code.output_code, coder=who, frame=frame,
                    shortcut=text.strip()))

        self.app.push_screen(PromptDialog(
            f'Key for {code.output_code} "{code.label}"', code.shortcut or "", "1-9, 0 or A-Z",
            "The key applies the code on the coding screen and stays with it. Empty frees the"
            " key (a retired code keeps its key until freed)."), got)

    def _choose(self, title: str, options: list[tuple[str, str]],
                then: Callable[[str], None]) -> None:
        def chosen(option_id: str | None) -> None:
            if option_id is not None:
                then(option_id)

        self.app.push_screen(ChooseDialog(title, options), chosen)

    def action_move(self) -> None:
        code, frame = self.selected, self.frame
        if code is None or frame is None:
            return
        below = {d.id for d in frame.descendants(code.id)} | {code.id}
        options = [(_TOP, "(top level)")] + [
            (str(c.output_code), f"{c.output_code} {frame.path_label(c.id)}")
            for _, c in frame.walk() if c.is_active and c.id not in below]
        self._choose(f'Move "{code.label}" under…', options, lambda target: self._run(
            lambda who, frame: move_code(self.session.project, code.output_code,
                                         None if target == _TOP else int(target), coder=who,
                                         frame=frame)))

    def action_merge(self) -> None:
        code, frame = self.selected, self.frame
        if code is None or frame is None:
            return
        counts = frame_counts(self.session.project, frame)
        options = [(c.id, f"{c.output_code} {frame.path_label(c.id)}") for _, c in frame.walk()
                   if c.is_active and c.id != code.id]

        def merge(target_id: str) -> None:
            target = frame.code(target_id)
            self._run(
                lambda who, now: merge_codes(self.session.project, [code.output_code],
                                             target.output_code, coder=who, frame=now),
                lambda now: plan_merge(now, [code.id], target_id),
                lambda plan: f"{codings_moving(counts, plan)} codings move to "
                             f'"{target.label}"; "{code.label}" is retired.')

        self._choose(f'Merge "{code.label}" into…', options, merge)

    def action_split(self) -> None:
        code, frame = self.selected, self.frame
        if code is None or frame is None:
            return
        counts = frame_counts(self.session.project, frame)

        def split(text: str) -> None:
            labels = [part.strip() for part in text.split(",") if part.strip()]
            self._run(
                lambda who, now: split_code(self.session.project, code.output_code, labels,
                                            coder=who, frame=now),
                lambda now: plan_split(now, code.id, labels),
                lambda plan: f"{codings_moving(counts, plan)} codings of "
                             f'"{code.label}" are marked for recoding into the new codes.')

        self._ask(f'Split "{code.label}" into (comma-separated labels)', "", split,
                  "The code becomes a net over the new codes; its answers can then be recoded.")

    def action_retire(self) -> None:
        code, frame = self.selected, self.frame
        if code is None or frame is None:
            return
        counts = frame_counts(self.session.project, frame)
        kept = sum(counts.get(c.id, 0) for c in (code, *frame.descendants(code.id)))
        self._run(
            lambda who, now: retire_code(self.session.project, code.output_code, coder=who,
                                         frame=now),
            lambda now: plan_retire(now, code.id),
            lambda plan: f"0 codings move; {kept} codings keep the retired code "
                         "(hidden from coding, kept in exports).")
