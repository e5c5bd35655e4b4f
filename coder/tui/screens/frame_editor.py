"""The codeframe editor: the tree; add, rename, define, move, merge, split, retire.

Every edit is planned by `coder.core.codeframe_ops` (which checks it) and applied through
`coder.services.codeframes` as one undoable action; edits that move codings are confirmed with
how many codings move.
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

from coder.core.codeframe import Code, Codeframe
from coder.core.codeframe_ops import (
    FramePlan,
    plan_add,
    plan_edit,
    plan_merge,
    plan_move,
    plan_retire,
    plan_split,
)
from coder.core.errors import CoderError
from coder.core.types import Event
from coder.services.codeframes import apply_plan, frame_counts
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
        Binding("i", "add(True)", "Add under", id="codeframe.add_child",
                tooltip="Add a code under this one"),
        Binding("r", "rename", "Rename", id="codeframe.rename"),
        Binding("e", "define", "Definition", id="codeframe.define",
                tooltip="Edit the definition"),
        Binding("m", "move", "Move", id="codeframe.move"),
        Binding("g", "merge", "Merge into", id="codeframe.merge",
                tooltip="Merge this code into another"),
        Binding("s", "split", "Split", id="codeframe.split"),
        Binding("x", "retire", "Retire", id="codeframe.retire"),
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
        yield Footer()

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
            label.append(f"{code.output_code} ", style="dim")
            label.append(code.label, style="strike dim" if not code.is_active else
                         ("bold" if not code.codable else ""))
            label.append(f"  {counts.get(code.id, 0)}", style="cyan")
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
                          "m move · g merge · s split · x retire · ctrl+z undo")
            return
        counts = frame_counts(self.session.project, frame)
        text = Text()
        text.append(frame.path_label(code.id) + "\n", style="bold")
        text.append(f"output code {code.output_code} · {code.status}"
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

    # -- applying plans ------------------------------------------------------------------------

    def _run(self, make: Callable[[], FramePlan], confirm: Callable[[FramePlan], str] | None
             = None, split_rule: dict[str, str] | None = None) -> None:
        try:
            plan = make()
        except CoderError as exc:
            self.notify(str(exc), severity="error", timeout=6)
            return

        def go(ok: bool | None) -> None:
            if not ok:
                return
            try:
                moved = apply_plan(self.session.project, plan, self.session.coder.name,
                                   split_rule=split_rule)
            except CoderError as exc:
                self.notify(str(exc), severity="error", timeout=6)
                return
            self.notify(f"{plan.summary}" + (f": {moved} codings moved" if moved else ""))
            self.app.store_changed(None)  # type: ignore[attr-defined]

        if confirm is None:
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
        code = self.selected
        parent = (code.id if under else code.parent_id) if code else None

        def add(label: str) -> None:
            self._run(lambda: plan_add(self.session.ensure_frame(self.question_id), label,
                                       parent_id=parent))

        where = f' under "{code.label}"' if under and code else ""
        self._ask(f"New code{where}", "", add)

    def action_rename(self) -> None:
        code, frame = self.selected, self.frame
        if code is None or frame is None:
            return
        self._ask(f'Rename "{code.label}"', code.label,
                  lambda label: self._run(lambda: plan_edit(frame, code.id, label=label)))

    def action_define(self) -> None:
        code, frame = self.selected, self.frame
        if code is None or frame is None:
            return
        self._ask(f'Definition of "{code.label}"', code.definition,
                  lambda text: self._run(lambda: plan_edit(frame, code.id, definition=text)))

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
            (c.id, f"{c.output_code} {frame.path_label(c.id)}") for _, c in frame.walk()
            if c.is_active and c.id not in below]
        self._choose(f'Move "{code.label}" under…', options, lambda target: self._run(
            lambda: plan_move(frame, code.id, None if target == _TOP else target)))

    def action_merge(self) -> None:
        code, frame = self.selected, self.frame
        if code is None or frame is None:
            return
        counts = frame_counts(self.session.project, frame)
        options = [(c.id, f"{c.output_code} {frame.path_label(c.id)}") for _, c in frame.walk()
                   if c.is_active and c.id != code.id]
        self._choose(f'Merge "{code.label}" into…', options, lambda target: self._run(
            lambda: plan_merge(frame, [code.id], target),
            lambda plan: f"{codings_moving(counts, plan)} codings move to "
                         f'"{frame.code(target).label}"; "{code.label}" is retired.'))

    def action_split(self) -> None:
        code, frame = self.selected, self.frame
        if code is None or frame is None:
            return
        counts = frame_counts(self.session.project, frame)

        def split(text: str) -> None:
            labels = [part.strip() for part in text.split(",") if part.strip()]
            self._run(lambda: plan_split(frame, code.id, labels),
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
        self._run(lambda: plan_retire(frame, code.id),
                  lambda plan: f"0 codings move; {kept} codings keep the retired code "
                               "(hidden from coding, kept in exports).")
