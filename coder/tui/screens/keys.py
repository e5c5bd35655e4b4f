"""The `?` screen: every key of every screen, grouped by screen (this screen's first, then the
app's, then the other screens'), as remapped by the key file."""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label


def key_rows(screen: Screen[object]) -> list[tuple[str, str, str, bool]]:
    """(keys, what it does, binding id, global?): the screen's own keys first, then the app's.

    Keys of the focused widget (a table's cursor keys and the like) are left out: they are the
    same in every table and would bury the keys that matter.
    """
    grouped: dict[tuple[str, str, bool], list[str]] = {}
    owners = [screen, screen.app]
    chain = [pair for pair in screen._binding_chain if pair[0] in owners]  # noqa: SLF001
    chain.sort(key=lambda pair: owners.index(pair[0]))  # the chain includes the keymap
    for namespace, bindings in chain:
        for key, binding in bindings:
            if not binding.description or binding.action.startswith("code_slot"):
                continue
            name = (binding.id or binding.action, binding.description, namespace is screen.app)
            shown = screen.app.get_key_display(binding)
            if shown not in grouped.setdefault(name, []):
                grouped[name].append(shown if key == binding.key else key)
    return [(", ".join(keys), what, bid, app_wide)
            for (bid, what, app_wide), keys in grouped.items()]


def class_key_rows(screen_class: type[Screen[object]], keymap: dict[str, str],
                   display: object) -> list[tuple[str, str, str]]:
    """(keys, what it does, binding id) of a screen not open now, as the key file maps them."""
    rows: list[tuple[str, str, str]] = []
    for binding in screen_class.BINDINGS:
        if not isinstance(binding, Binding) or not binding.description \
                or binding.action.startswith("code_slot"):
            continue
        keys = keymap.get(binding.id or "", binding.key)
        shown = ", ".join(display(replace(binding, key=k.strip()))  # type: ignore[operator]
                          for k in keys.split(","))
        rows.append((shown, binding.description, binding.id or binding.action))
    return rows


class KeysScreen(ModalScreen[None]):
    """Lists the keys; Escape or ? closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "app.pop_screen", "Close", id="keys.close")]

    def __init__(self, under: Screen[object],
                 others: dict[str, type[Screen[object]]] | None = None) -> None:
        super().__init__()
        self._under = under
        self._others = others or {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog keys-dialog"):
            yield Label("Keys (remap them in ~/.config/coder/keys.toml by binding id)",
                        classes="dialog-title")
            yield DataTable(id="keys-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("keys", "binding id", "action")
        rows = key_rows(self._under)
        screen_name = (self._under.id or "this screen").replace("-", " ")
        table.add_row("", "", f"[b]{screen_name}[/]")
        if any(binding_id.startswith("coding.") for _, _, binding_id, _ in rows):
            table.add_row("1-9, 0, A-Z", "coding.code_1 …", "apply / remove the code with that key")
        heading_done = False
        for keys, what, binding_id, app_wide in rows:
            if app_wide and not heading_done:
                table.add_row("", "", "[b]everywhere[/]")
                heading_done = True
            table.add_row(keys, binding_id, what)
        keymap = getattr(self.app, "_keymap", {})
        for name, screen_class in self._others.items():
            if name == self._under.id or isinstance(self._under, screen_class):
                continue
            rows_of = class_key_rows(screen_class, keymap, self.app.get_key_display)
            if not rows_of:
                continue
            table.add_row("", "", f"[b]{name}[/] (another screen)")
            if name == "coding":
                table.add_row("1-9, 0, A-Z", "coding.code_1 …",
                              "apply / remove the code with that key")
            for keys, what, binding_id in rows_of:
                table.add_row(keys, binding_id, what)
