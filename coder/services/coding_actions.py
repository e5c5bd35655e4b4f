"""Coding actions on one answer, shared by the CLI and the app: apply, remove or toggle codes,
record "no code applies", memo, flag. Each change is one undoable action in the store.

Must not depend on click, textual or SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coder.core.codeframe.model import Code
from coder.core.coding.text_search import TextIndex
from coder.core.types import Coder
from coder.services.project import Project, open_project


@dataclass(frozen=True)
class Change:
    """A change the coder asked for, ready to be saved on whichever connection saves it.

    Attributes:
        description: What it does, for messages ("toggle 101 High school fees on answer 17").
        answer_id: The answer it changes.
        apply: Makes the change through the services; reads what it depends on itself, since
            the project may change while the change waits for a busy project.
    """

    description: str
    answer_id: int
    apply: Callable[[Project], Any]


def codes_on(project: Project, answer_id: int, coder: Coder) -> list[Code]:
    """The coder's codes on the answer, in the order applied."""
    frame = project.codeframe_for(project.answer(answer_id).question_id)
    ids = project.codes_of(answer_id, coder.id)
    return [frame.code(c) for c in ids if c in frame] if frame is not None else []


def text_index_at(path: str | Path, question_id: str) -> TextIndex:
    """The in-memory text index of the question's answers, read on a connection of its own
    (the app builds it on a worker thread)."""
    with open_project(path) as project:
        return TextIndex(project.answer_texts(question_id))


# -- changes -------------------------------------------------------------------------------------


def _numbers(project: Project, answer_id: int, code_ids: Iterable[str]) -> str:
    """The codes as history names them: "201 No suitable local schools, 101 High school fees"
    (one read: it is made before every coding action)."""
    names = project.code_names(answer_id, list(code_ids))
    return ", ".join(names.get(c, c) for c in code_ids)


def apply_codes(project: Project, answer_id: int, coder: Coder, code_ids: Sequence[str]) -> bool:
    """Add codes to the coder's codes on the answer (one undoable action); True if any is new."""
    return project.change_codes(
        answer_id, coder, add=code_ids,
        summary=f"added {_numbers(project, answer_id, code_ids)} on answer {answer_id}")


def remove_codes(project: Project, answer_id: int, coder: Coder, code_ids: Sequence[str]) -> bool:
    """Take codes off the coder's codes on the answer (one undoable action); True if any was."""
    return project.change_codes(
        answer_id, coder, remove=code_ids,
        summary=f"removed {_numbers(project, answer_id, code_ids)} on answer {answer_id}")


def toggle_code(project: Project, answer_id: int, coder: Coder, code_id: str, *,
                code_name: str | None = None) -> bool:
    """Apply the code, or remove it if the coder had applied it; True when now applied.

    `code_name` ("201 No suitable local schools") names it in the history; default read from
    the codeframe (the app passes the name it shows, saving a read per key).
    """
    name = code_name or _numbers(project, answer_id, [code_id])
    return project.toggle_code(answer_id, coder, code_id, code_name=name)


def record_no_code(project: Project, answer_id: int, coder: Coder) -> bool:
    """Record that no code applies: the coder's codes on the answer are removed, it is coded."""
    return project.set_codes(answer_id, coder, [],
                             summary=f"no code applies to answer {answer_id}")


def set_memo(project: Project, answer_id: int, coder: Coder, text: str) -> None:
    """The coder's memo on the answer ("" removes it)."""
    project.set_memo(answer_id, coder, text.strip())


def set_flag(project: Project, answer_id: int, coder: Coder, flagged: bool | None = None) -> bool:
    """Flag the answer for review (False: unflag; None: switch); returns whether it is flagged."""
    if flagged is None:
        flagged = not project.status(answer_id, coder.id)["flagged"]
    project.set_flag(answer_id, coder, flagged)
    return flagged
