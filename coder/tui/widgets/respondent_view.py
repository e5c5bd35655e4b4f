"""The respondent view: the same respondent's other answers beside the one being coded."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from coder.services.respondents import RespondentAnswer


class RespondentView(Static):
    """Lists a respondent's answers (this wave first; other waves marked)."""

    plain = ""  # what it shows, as plain text (all of it, also the part scrolled out of view)

    def show(self, answers: Sequence[RespondentAnswer]) -> None:
        text = render_respondent(answers)
        self.plain = text.plain
        self.update(text)


def render_respondent(answers: Sequence[RespondentAnswer]) -> Text:
    text = Text()
    text.append("This respondent's other answers", style="bold")
    text.append("  (v hides)\n", style="dim")
    others = [a for a in answers if not a.current]
    if not others:
        text.append("no other answers", style="italic dim")
    for answer in others:
        text.append("\n")
        text.append(answer.question_id, style="bold")
        if not answer.same_wave:
            text.append(f"  [wave {answer.wave}]", style="bold yellow")
        text.append(f"  {answer.question_text}\n", style="dim")
        text.append(f"  {answer.text or '(blank)'}\n")
        if answer.codes:
            text.append(f"  codes: {', '.join(answer.codes)}\n", style="green")
        elif answer.coded:
            text.append("  codes: no code applies\n", style="dim italic")
    return text
