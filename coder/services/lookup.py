"""Finding what a user names, for the CLI and the app: a respondent's answer to a question (by
the respondent's ID in the survey file) and codes of the question's codeframe (by number, label
or path, through the core's one resolver). Must not depend on click, textual or SQL.
"""

from __future__ import annotations

from collections.abc import Sequence

from coder.core.codeframe.lookup import CodeRef, find_codable_codes
from coder.core.codeframe.model import Code, Codeframe, CodeframeError
from coder.core.errors import NotInProject, ProjectError, Remedy
from coder.core.types import Answer
from coder.services.project import Project


def find_answer(project: Project, question_id: str, respondent: str,
                wave: str | None = None) -> Answer:
    """The answer respondent `respondent` (their ID in the survey file) gave to the question.

    Raises:
        NotInProject: Unknown respondent, no answer to the question (in the wave), or answers
            in several waves and no `wave` given.
        ProjectError: Unknown question or wave, or the answer is blank (nothing to code).
    """
    project.question(question_id)
    wave_id = project.wave_id(wave) if wave else None
    wanted = respondent.strip()
    ids = [r.id for r in project.respondents() if r.external_id == wanted]
    if not ids:
        raise NotInProject(f'no respondent "{wanted}" in this project')
    found = [a for a in project.answers(question_id, wave_id=wave_id) if a.respondent_id in ids]
    where = f" in wave {wave}" if wave else ""
    if not found:
        raise NotInProject(f'respondent "{wanted}" has no answer to {question_id}{where}')
    if len(found) > 1:
        names = {w.id: w.name for w in project.waves()}
        listed = ", ".join(names.get(a.wave_id, str(a.wave_id)) for a in found)
        raise NotInProject(f'respondent "{wanted}" answered {question_id} in waves {listed}:'
                           " choose the wave", remedy=Remedy(option="wave"))
    answer = found[0]
    if answer.is_blank:
        raise ProjectError(f'respondent "{wanted}" left {question_id} blank{where}:'
                           " nothing to code")
    return answer


def question_codes(project: Project, question_id: str, refs: Sequence[CodeRef], *,
                   in_use: bool = True) -> list[Code]:
    """The codes `refs` name (number, label, "Net > Label" or id) in the question's codeframe.

    Args:
        project: The project.
        question_id: The question.
        refs: What the user typed.
        in_use: Refuse retired codes (to apply them); False to name them (to remove them).

    Raises:
        NotInProject: A reference matching no code, several, or a net.
        ProjectError: The question has no codeframe, or a code is retired.
    """
    frame = project.codeframe_for(question_id)
    if frame is None:
        raise ProjectError(f'question "{question_id}" has no codeframe yet')
    try:
        codes = find_codable_codes(frame, refs)
    except CodeframeError as exc:
        raise NotInProject(str(exc)) from None
    retired = [c for c in codes if not c.is_active]
    if in_use and retired:
        code = retired[0]
        raise ProjectError(f'code {code.output_code} "{code.label}" is {code.status}: it can no'
                           " longer be applied")
    return codes


def question_frame(project: Project, question_id: str) -> Codeframe | None:
    """The question's active codeframe (None: it has none yet).

    Raises:
        NotInProject: Unknown question.
    """
    project.question(question_id)
    return project.codeframe_for(question_id)


def answer_frame(project: Project, answer_id: int) -> Codeframe | None:
    """The active codeframe of the question the answer answers (None: it has none yet).

    Raises:
        NotInProject: Unknown answer.
    """
    return project.codeframe_for(project.answer(answer_id).question_id)


def answer_texts(project: Project, answer_ids: Sequence[int]) -> dict[int, str]:
    """Each answer's text (normalised), by answer id.

    Raises:
        NotInProject: An unknown answer.
    """
    return {answer_id: project.answer(answer_id).text for answer_id in answer_ids}
