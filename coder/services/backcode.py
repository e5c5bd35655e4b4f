"""Back-coding "Other (please specify)": link an other-specify question to its closed question
(a codeframe of the closed categories plus "Genuinely other" on the other-specify question, so
coders back-code in the app like any coding and undo works), suggest each answer's category,
let the model back-code where a precision gate allows, and export the updated closed values.

Must not depend on click, textual or SQL.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coder.core.codeframe.model import Code, Codeframe, derived_id
from coder.core.embedding import Embedder, embed_with_cache
from coder.core.errors import ProjectError, Remedy
from coder.core.safe_files import atomic_output
from coder.core.suggest.backcode import (
    GENUINELY_OTHER,
    MIN_SIMILARITY,
    Backcode,
    estimate_min_similarity,
    match_categories,
)
from coder.core.types import CoderKind, QuestionKind
from coder.services.project import Project
from coder.services.suggestions import default_embedder, training_codings

#: Answers back-coded by people before their codes can gate the model's.
MIN_HUMAN_BACKCODED = 20
_LINK = re.compile(r"^Back-coding into (\S+)")
_OTHER = re.compile(r"\bother\b", re.I)


@dataclass(frozen=True)
class BackcodeFrame:
    """An other-specify question linked to its closed question."""

    question_id: str
    closed_question_id: str
    frame: Codeframe

    def category(self, code_id: str) -> str | None:
        """The closed category a code stands for (None: genuinely other)."""
        label = self.frame.code(code_id).label
        return None if label == GENUINELY_OTHER else label


def link(project: Project, question_id: str, *, actor: str,
         closed_question_id: str | None = None,
         categories: Sequence[str] | None = None) -> BackcodeFrame:
    """Give the other-specify question a codeframe of the closed question's categories (from
    `categories`, else its value labels, else the values respondents gave), leaving out the
    "other" option itself, plus "Genuinely other". One undoable action.

    Raises:
        ProjectError: The question has a codeframe already, no closed question is named or
            routed to, or there are no categories.
    """
    question = project.question(question_id)
    if project.codeframe_for(question_id) is not None:
        raise ProjectError(f"{question_id} has a codeframe already; back-coding gives it one"
                           " of the closed question's categories")
    closed_id = closed_question_id or (question.routing.column if question.routing else None)
    if closed_id is None:
        raise ProjectError(f"{question_id} is not routed from a closed question: name the"
                           " closed question or give the categories",
                           remedy=Remedy(option="closed", alternative="categories"))
    closed = project.question(closed_id)
    if closed.kind != QuestionKind.CLOSED and categories is None:
        raise ProjectError(f"{closed_id} is not a closed question: give the categories")
    others = set(question.routing.values) if question.routing and \
        question.routing.column == closed_id else set()
    if categories is None:
        found = list(closed.value_labels.values()) or sorted(
            {r.attributes[closed_id] for r in project.respondents()
             if r.attributes.get(closed_id, "").strip()})
        categories = [c for c in found if c not in others and not _OTHER.search(c)]
    names = list(dict.fromkeys(c.strip() for c in categories if c.strip()))
    if not names:
        raise ProjectError(f"no categories of {closed_id} to back-code into")
    frame_id = derived_id("backcode", question_id, closed_id)
    codes = [Code(derived_id(frame_id, name), frame_id, name, number, position=number,
                  definition=f"{closed_id} = {name}")
             for number, name in enumerate(names, start=1)]
    codes.append(Code(derived_id(frame_id, GENUINELY_OTHER), frame_id, GENUINELY_OTHER, 99,
                      position=99, definition=f"none of the categories of {closed_id}"))
    frame = Codeframe(frame_id, f"{question_id} back-coding", tuple(codes),
                      f"Back-coding into {closed_id}")
    project.add_codeframe(frame, actor, questions=[question_id])
    return linked(project, question_id)


def linked(project: Project, question_id: str) -> BackcodeFrame:
    """The question's back-coding link.

    Raises:
        ProjectError: The question is not linked (`link` it first).
    """
    frame = project.codeframe_for(question_id)
    found = _LINK.match(frame.description) if frame is not None else None
    if frame is None or found is None:
        raise ProjectError(f"{question_id} is not linked to a closed question: link it first",
                           remedy=Remedy(action="backcode_link", question=question_id))
    return BackcodeFrame(question_id, found.group(1), frame)


@dataclass(frozen=True)
class Suggested:
    answer_id: int
    text: str
    backcode: Backcode
    human: str | None  # a person's back-code ("" for genuinely other), if any


def suggest(project: Project, question_id: str, *, embedder: Embedder | None = None,
            min_similarity: float = MIN_SIMILARITY) -> list[Suggested]:
    """Each substantive answer's suggested category, learned from the categories' words and
    the answers people back-coded (an answer is never its own example)."""
    link_ = linked(project, question_id)
    embedder = embedder or default_embedder()
    answers = [a for a in project.answers(question_id) if not a.is_blank and a.is_substantive]
    if not answers:
        return []
    vectors = embed_with_cache([a.text for a in answers], embedder, cache=project)
    human = training_codings(project, question_id)
    words: dict[str | None, list[str]] = {}
    for code in link_.frame.codes:
        if code.codable and code.is_active and code.label != GENUINELY_OTHER:
            words[code.label] = [code.label, *code.examples]
    flat = [w for ws in words.values() for w in ws]
    word_vectors = embed_with_cache(flat, embedder, cache=project)
    examples: dict[str | None, list[np.ndarray]] = {}
    start = 0
    for category, ws in words.items():
        examples[category] = list(word_vectors[start:start + len(ws)])
        start += len(ws)
    taught: list[tuple[int, str | None]] = []
    for i, answer in enumerate(answers):
        for code_id in sorted(human.get(answer.id, ())):
            taught.append((i, link_.category(code_id)))
    out: list[Suggested] = []
    for i, answer in enumerate(answers):
        own = {**{k: list(v) for k, v in examples.items()}}
        for row, category in taught:
            if row != i:
                own.setdefault(category, []).append(vectors[row])
        stacked = {k: np.stack(v) for k, v in own.items() if v}
        found = match_categories(vectors[i:i + 1], stacked, min_similarity)[0]
        codes = human.get(answer.id)
        person = None if not codes else (link_.category(sorted(codes)[0]) or "")
        out.append(Suggested(answer.id, answer.text, found, person))
    return out


@dataclass(frozen=True)
class ApplyResult:
    threshold: float
    precision: float | None  # estimated on the people's back-codes; None: threshold given
    human_backcoded: int
    candidates: int
    coded: int


def apply(project: Project, question_id: str, *, actor: str, min_precision: float = 0.9,
          min_similarity: float | None = None, model_name: str = "backcode",
          embedder: Embedder | None = None, dry_run: bool = False) -> ApplyResult:
    """Back-code, as the model coder `model_name` (never a human layer), the answers no person
    back-coded whose suggested category clears the gate: the similarity that kept suggestions
    right `min_precision` of the time on the people's back-codes (as `coder autocode` gates),
    or `min_similarity` when given. One undoable action.

    Raises:
        ProjectError: Too few back-codes by people to estimate the gate and no
            `min_similarity`, or `model_name` names a person.
    """
    link_ = linked(project, question_id)
    existing = {c.name: c for c in project.coders()}
    if model_name in existing and existing[model_name].kind != CoderKind.MODEL:
        raise ProjectError(f'"{model_name}" is a {existing[model_name].kind} coder, not a model:'
                           " choose another name for the model")
    found = suggest(project, question_id, embedder=embedder, min_similarity=0.0)
    people = [s for s in found if s.human is not None]
    precision: float | None = None
    if min_similarity is not None:
        threshold = min_similarity
    elif len(people) >= MIN_HUMAN_BACKCODED:
        threshold, precision, _ = estimate_min_similarity(
            [s.backcode for s in people], [s.human or None for s in people], min_precision)
    else:
        raise ProjectError(
            f"{len(people)} answers of {question_id} are back-coded by people; the precision"
            f" gate needs {MIN_HUMAN_BACKCODED} (back-code some in the app) or a minimum"
            " similarity", remedy=Remedy(option="min_similarity"))
    by_label = {c.label: c.id for c in link_.frame.codes}
    chosen = [(s.answer_id, by_label[s.backcode.category]) for s in found
              if s.human is None and s.backcode.category is not None
              and s.backcode.similarity >= threshold]
    if chosen and not dry_run:
        model = project.coder(model_name, kind=CoderKind.MODEL)
        project.replace_codings(
            [(a, model.id, [code]) for a, code in chosen], actor,
            f"model {model_name} back-coded {len(chosen)} answers of {question_id}",
            action="coding.backcode", details={"question": question_id,
                                               "threshold": threshold})
    return ApplyResult(threshold, precision, len(people),
                       sum(1 for s in found if s.human is None), len(chosen))


def export(project: Project, question_id: str, path: str | Path) -> int:
    """Write the closed question's updated values to CSV: one row per respondent whose
    other-specify answer is back-coded to a category (adjudicated, else a person's, else a
    model's code): respondent, question, old_value, new_value, source. Returns the rows."""
    link_ = linked(project, question_id)
    kinds = {c.id: c for c in project.coders()}
    rank = {CoderKind.ADJUDICATED: 0, CoderKind.HUMAN: 1, CoderKind.MODEL: 2}
    best: dict[int, tuple[int, str, str]] = {}
    for coding in project.codings(question_id=question_id):
        coder = kinds[coding.coder_id]
        category = link_.category(coding.code_id)
        key = (rank[coder.kind], category or "", coder.name)
        if coding.answer_id not in best or key < best[coding.answer_id]:
            best[coding.answer_id] = key
    respondents = {r.id: r for r in project.respondents()}
    rows: list[list[str]] = []
    for answer in project.answers(question_id):
        found = best.get(answer.id)
        if found is None or not found[1]:
            continue
        who = respondents.get(answer.respondent_id)
        if who is None:
            continue
        rows.append([who.external_id, link_.closed_question_id,
                     who.attributes.get(link_.closed_question_id, ""), found[1], found[2]])
    with atomic_output(path, protected=project.project_files) as tmp, \
            tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent", "question", "old_value", "new_value", "source"])
        writer.writerows(rows)
    return len(rows)
