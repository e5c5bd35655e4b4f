"""The respondent view of the coding app: one respondent's answers to every question, with the
coder's codes, so an answer is read beside the others that explain it. Must not depend on click,
textual or SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from coder.core.types import Coder
from coder.services.project import Project

__all__ = ["RespondentAnswer", "respondent_answers"]


@dataclass(frozen=True)
class RespondentAnswer:
    """One answer of the respondent, as the respondent view lists it."""

    answer_id: int
    question_id: str
    question_text: str
    wave: str
    same_wave: bool  # the wave of the answer being coded
    current: bool  # the answer being coded
    text: str
    non_substantive: str | None
    codes: tuple[str, ...]  # the coder's codes, as "101 High school fees"
    coded: bool


def respondent_answers(project: Project, answer_id: int, coder: Coder) -> list[RespondentAnswer]:
    """The respondent's answers to every question: this wave first (in question order), then
    other waves; blank answers left out."""
    answer = project.answer(answer_id)
    waves = {w.id: w.name for w in project.waves()}
    questions = {q.id: q for q in project.questions()}
    frames: dict[str, dict[str, str]] = {}
    out = []
    for other in project.respondent_answers(answer.respondent_id):
        if other.is_blank:
            continue
        if other.question_id not in frames:
            frame = project.codeframe_for(other.question_id)
            frames[other.question_id] = {} if frame is None else {
                c.id: f"{c.output_code} {c.label}" for c in frame.codes}
        labels = frames[other.question_id]
        mine = project.codes_of(other.id, coder.id)
        coded = project.status(other.id, coder.id)["coded_at"] is not None
        question = questions.get(other.question_id)
        out.append(RespondentAnswer(
            other.id, other.question_id, question.text if question else other.question_id,
            waves.get(other.wave_id, str(other.wave_id)), other.wave_id == answer.wave_id,
            other.id == answer_id, other.text, other.non_substantive,
            tuple(labels.get(c, c) for c in mine), coded))
    out.sort(key=lambda a: not a.same_wave)  # stable: question order kept within each group
    return out
