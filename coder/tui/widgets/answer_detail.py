"""The current answer in full: text, respondent attributes, codes, suggestions, memo, flag."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from coder.services.coding import AnswerView
from coder.tui.widgets.in_place import InPlaceStatic


class AnswerDetail(InPlaceStatic):
    """Renders an AnswerView."""

    def show(self, view: AnswerView | None) -> None:
        self.update(render_answer(view))


def render_answer(view: AnswerView | None) -> Group | Text:
    if view is None:
        return Text("No answer matches the filter.", style="italic")
    head = Text()
    head.append(f"Answer {view.answer_id}", style="bold")
    head.append(f"  ({view.position})  respondent {view.respondent}  wave {view.wave}",
                style="dim")
    if view.flagged:
        head.append("  ! flagged for review", style="bold red")
    if view.needs_recoding:
        head.append("  ~ needs recoding: text changed since coded", style="bold yellow")
    body = Text(view.text or "(blank)")
    if view.non_substantive:
        body.append(f"\nnon-substantive: {view.non_substantive}", style="italic dim")
    attrs = Table.grid(padding=(0, 1))
    attrs.add_column(style="dim", no_wrap=True)
    attrs.add_column(overflow="ellipsis", no_wrap=True)
    for key, value in list(view.attributes.items())[:6]:
        attrs.add_row(str(key), str(value))
    codes = Text()
    codes.append("Codes: ", style="bold")
    if view.my_codes:
        codes.append(", ".join(view.my_codes))
    elif view.coded:
        codes.append("no code applies", style="italic")
    else:
        codes.append("none yet")
    if view.blind:
        codes.append("\nblind mode: other coders' codes hidden", style="dim italic")
    for who, labels in view.other_codes.items():
        codes.append(f"\n{who}: ", style="dim")
        codes.append(", ".join(labels) or "no code", style="dim")
    extra = Text()
    if view.theme:
        extra.append("Theme: ", style="bold")
        extra.append(view.theme)
    if view.similar:
        extra.append("\n" if extra else "")
        extra.append(f"+{view.similar} similar", style="bold")
        extra.append(" (g gives them your codes on this answer)", style="dim")
    if view.suggestions:
        extra.append("\n" if extra else "")
        extra.append("Suggested: ", style="bold")
        for rank, suggestion in enumerate(view.suggestions, start=1):
            keys = "a/alt+1" if rank == 1 else f"alt+{rank}"
            extra.append(f"{'  ' if rank > 1 else ''}[{keys}] ", style="dim")
            extra.append(suggestion)
    if view.memo:
        extra.append("\n" if extra else "")
        extra.append("Memo: ", style="bold")
        extra.append(view.memo, style="italic")
    # The codes come first: on a small screen they stay in view, above a long answer.
    parts: list[Text | Table] = [head, codes, body, Text(""), attrs]
    if extra:
        parts.append(extra)
    return Group(*parts)
