"""The codeframe beside the answer: shortcut key, tick for applied codes, tree indentation."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from rich.text import Text

from coder.core.codeframe.model import Code, Codeframe
from coder.tui.widgets.in_place import InPlaceStatic


class CodeList(InPlaceStatic):
    """Shows the codes a coder can apply; redrawn only when the codes or the answer change."""

    def show(self, frame: Codeframe | None, shortcuts: Mapping[str, Code],
             applied: Collection[str], matches: Sequence[Code] | None = None,
             winner: Code | None = None) -> None:
        """Draw the frame (or, while searching, only `matches`, best first; `winner` is the
        one Enter applies, if the search clearly names one)."""
        self.update(render_codes(frame, shortcuts, applied, matches, winner))


def render_codes(frame: Codeframe | None, shortcuts: Mapping[str, Code],
                 applied: Collection[str], matches: Sequence[Code] | None = None,
                 winner: Code | None = None) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    if frame is None:
        text.append("No codeframe for this question yet.\n", style="italic")
        text.append("Add codes on the codeframe screen (f4) or promote themes (f3).", style="dim")
        return text
    key_of = {code.id: key for key, code in shortcuts.items()}
    if matches is not None:
        if not matches:
            text.append("no code matches", style="italic")
        elif winner is None and len(matches) > 1:
            text.append("several codes match: press a key, or type more", style="dim italic")
        for code in matches:
            _line(text, code, key_of.get(code.id), code.id in applied, 0,
                  first=winner is not None and code.id == winner.id,
                  label=frame.path_label(code.id))
        return text
    for depth, code in frame.walk():
        if not code.is_active:
            continue
        _line(text, code, key_of.get(code.id), code.id in applied, depth)
    return text


def _line(text: Text, code: Code, key: str | None, applied: bool, depth: int, *,
          first: bool = False, label: str | None = None) -> None:
    if text:
        text.append("\n")
    if not code.codable:
        text.append("    " + "  " * depth + (label or code.label), style="bold")
        return
    text.append(f" {key or ' '} ", style="reverse" if key else "")
    text.append(" ✓ " if applied else "   ", style="bold green" if applied else "")
    text.append("  " * depth)
    text.append(f"{code.output_code} ", style="dim")
    text.append(label or code.label, style="bold" if applied or first else "")
    if first:
        text.append("  ⏎ applies", style="dim italic")
