"""Work allocation, shared by `coder assign`, `coder qa sample` and the app: which answers of a
question each coder is given (double-coding samples and plain work assignments), and what a coder
sees in blind mode.

A work assignment gives one coder a share of a question's answers (drawn at random, seeded, from
the answers not yet given to anyone), a range of them (positions 1..n in the order the coding
screen lists them) or the answers of the respondents listed in a file. Must not depend on click,
textual or SQL.
"""

from __future__ import annotations

import math
import random
import re
import secrets
from pathlib import Path

from coder.core.coding.filters import Given
from coder.core.coding.types import OpenWindow, WorkAssignment
from coder.core.errors import InputError, ProjectError
from coder.services.project import Project

__all__ = ["Given", "OpenWindow", "WorkAssignment", "allocation", "assign_range",
           "assign_respondents", "assign_share", "assignments", "parse_range",
           "remove_assignment"]


def allocation(project: Project, coder_id: int, question_id: str) -> Given:
    """The answers of the question given to the coder: by double-coding samples (`coder qa
    sample`) and by work assignments (`coder assign`); empty sets when none."""
    return Given(project.sample_answer_ids(coder_id, question_id),
                 project.work_answer_ids(coder_id, question_id))


def _listed(project: Project, question_id: str) -> list[int]:
    """The question's answers as the coding screen lists them (every non-blank answer)."""
    return project.answer_ids(question_id)


def assign_share(project: Project, question_id: str, coder_name: str, share: float, *,
                 actor: str | None, seed: int | None = None) -> WorkAssignment:
    """Give the coder `share` of the question's answers, drawn from those given to nobody yet.

    So `--share 0.5` for alice then for bob splits a question between them. The seed is
    recorded in the assignment's rule.

    Raises:
        ProjectError: A share outside (0, 1], or no answers left to give.
    """
    if not 0 < share <= 1:
        raise ProjectError(f"share must be above 0 and at most 1, got {share}")
    project.question(question_id)
    listed = _listed(project, question_id)
    taken = project.work_owners(question_id)
    free = [a for a in listed if a not in taken]
    # Rounded up, so that shares adding up to 1 leave no answer unassigned.
    asked = max(1, math.ceil(share * len(listed) - 1e-9))
    wanted = min(len(free), asked)
    if not free:
        raise ProjectError(f"every answer of {question_id} is already assigned"
                           " (removing an assignment frees its answers)")
    used_seed = secrets.randbelow(2**31) if seed is None else int(seed)
    chosen = random.Random(used_seed).sample(free, wanted)
    rule = f"share {share:g}, seed {used_seed}"
    if wanted < asked:
        rule += f", only {wanted} left"
    return project.add_work_assignment(question_id, coder_name, chosen, rule, actor)


_RANGE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")


def parse_range(text: str) -> tuple[int, int]:
    """"1-200" -> (1, 200).

    Raises:
        ValueError: Not two positive numbers, the first at most the second.
    """
    found = _RANGE.match(text)
    if not found or not 1 <= int(found.group(1)) <= int(found.group(2)):
        raise ValueError(f'a range is FIRST-LAST, e.g. 1-200 (got "{text}")')
    return int(found.group(1)), int(found.group(2))


def assign_range(project: Project, question_id: str, coder_name: str, first: int, last: int, *,
                 actor: str | None) -> WorkAssignment:
    """Give the coder the answers at positions `first`..`last` (1-based, in the order the
    coding screen lists them; a range past the end stops at the last answer).

    Raises:
        ProjectError: The range starts after the last answer.
    """
    listed = _listed(project, question_id)
    if first > len(listed):
        raise ProjectError(f"{question_id} has {len(listed)} answers: a range must start at"
                           f" {len(listed)} or before")
    end = min(last, len(listed))
    return project.add_work_assignment(question_id, coder_name, listed[first - 1:end],
                                       f"range {first}-{end}", actor)


def assign_respondents(project: Project, question_id: str, coder_name: str, path: str | Path,
                       *, actor: str | None) -> WorkAssignment:
    """Give the coder the answers of the respondents listed in `path` (one ID a line; a line
    may be a CSV row, its first field is taken; a header line "respondent_id" is skipped).

    Raises:
        InputError: The file cannot be read, or names a respondent with no answer to the
            question (file and line are named); nothing is assigned.
    """
    source = Path(path)
    try:
        lines = source.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the respondents file: {exc}", path=str(source)) from None
    by_respondent = project.answers_by_respondent(question_id)
    chosen: list[int] = []
    for number, line in enumerate(lines, start=1):
        respondent = line.split(",", 1)[0].strip().strip('"')
        if not respondent or (number == 1 and respondent.lower() in ("respondent_id", "id")):
            continue
        if respondent not in by_respondent:
            raise InputError(f'respondent "{respondent}" has no answer to {question_id}',
                             path=str(source), row=number)
        chosen.extend(by_respondent[respondent])
    if not chosen:
        raise InputError("lists no respondents", path=str(source))
    return project.add_work_assignment(question_id, coder_name, chosen,
                                       f"respondents in {source.name}", actor)


def assignments(project: Project, question_id: str | None = None) -> list[WorkAssignment]:
    """Work assignments (of one question, or all), oldest first."""
    if question_id is not None:
        project.question(question_id)
    return project.work_assignments(question_id)


def remove_assignment(project: Project, assignment_id: int, *,
                      actor: str | None) -> WorkAssignment:
    """Take a work assignment back (the codings made stay); one undoable action."""
    return project.remove_work_assignment(assignment_id, actor)
