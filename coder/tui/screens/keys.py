"""The `?` screen: every key of the current screen and the app, as remapped by the key file."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label


def key_rows(screen: Screen[object]) -> list[tuple[str, str, str]]:
    """(keys, what it does, binding id) for the screen's and the app's bindings."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for _namespace, bindings in screen._binding_chain:  # noqa: SLF001 - includes the keymap
        for key, binding in bindings:
            if not binding.description or binding.action.startswith("code_slot"):
                continue
            name = (binding.id or binding.action, binding.description)
            shown = screen.app.get_key_display(binding)
            if shown not in grouped.setdefault(name, []):
                grouped[name].append(shown if key == binding.key else key)
    return [(", ".join(keys), what, bid) for (bid, what), keys in grouped.items()]


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
        if any(binding_id.startswith("coding.") for _, _, binding_id in rows):
            table.add_row("1-9, 0, A-Z", "coding.code_1 …", "apply / remove the code with that key")
        for keys, what, binding_id in rows:
            table.add_row(keys, binding_id, what)
