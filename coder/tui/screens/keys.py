"""The `?` screen: every key of the current screen and the app, as remapped by the key file."""

from __future__ import annotations

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


class KeysScreen(ModalScreen[None]):
    """Lists the keys; Escape or ? closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "app.pop_screen", "Close", id="keys.close")]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self._under = under

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
