"""Question wording and routing for reports, given by the user where the data file has none.

A CSV export names its columns only ("Q_barriers"); reports need the question as respondents
saw it and who was asked. What the user gives is kept in one project setting and overrides the
data file's; each change is one undoable action.
"""

from __future__ import annotations

from collections.abc import Mapping

from coder.core.errors import NotInProject
from coder.core.survey.question_sheet import QuestionWording
from coder.store.protocol import ProjectStore

#: Project setting: question id -> {"text": ..., "routing": ...}.
WORDING_KEY = "question_wording"


def question_wording(store: ProjectStore) -> dict[str, QuestionWording]:
    """Question id -> the wording and routing the user gave (see `set_question_wording`)."""
    stored = store.setting(WORDING_KEY) or {}
    return {qid: QuestionWording.from_json(v) for qid, v in stored.items()}


def set_question_wording(store: ProjectStore, wording: Mapping[str, QuestionWording], *,
                         coder: str, skip_unknown: bool = False) -> tuple[str, ...]:
    """Record the wording and/or routing of questions for reports, as one undoable action;
    what is not given (None) stays as it was.

    Args:
        store: The project.
        wording: Question id -> what to record.
        coder: Who is acting.
        skip_unknown: Leave out ids that are not columns of the survey (a sheet may list more
            questions than one file holds) instead of refusing.

    Returns:
        The ids left out as unknown.

    Raises:
        NotInProject: A question the project does not have (unless `skip_unknown`).
    """
    known = {q.id for q in store.questions()}
    unknown = tuple(qid for qid in wording if qid not in known)
    if unknown and not skip_unknown:
        store.question(unknown[0])  # raises, naming the questions the project has
        raise NotInProject(f'no question "{unknown[0]}" in this project')
    current = question_wording(store)
    changed = False
    for qid, given in wording.items():
        if qid in known and (given.text or given.routing):
            current[qid] = current.get(qid, QuestionWording()).merged(given)
            changed = True
    if changed:
        store.set_setting(WORDING_KEY, {qid: w.to_json() for qid, w in current.items()}, coder)
    return unknown
