"""The model as a coder: code the answers no human has coded, under a model coder layer, only
as far as cross-validation on the human codings says it stays at the precision asked for.

Must not depend on click, textual or SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coder.core.embedding import Embedder
from coder.core.errors import ProjectError
from coder.core.suggest.metrics import coverage_at_precision
from coder.core.types import CoderKind
from coder.services.project import Project
from coder.services.suggestions import QuestionSuggestions, build_suggestions

#: Human-coded answers needed before the model may code on its own.
MIN_HUMAN_CODED = 50
#: Folds of the cross-validation that estimates precision.
FOLDS = 5


@dataclass(frozen=True)
class AutocodeResult:
    """What `autocode` did and how sure it is.

    Attributes:
        model: The model coder's name (its layer is `model:NAME`).
        human_coded: Human-coded answers it learned from.
        threshold: Lowest confidence of a first suggestion it writes.
        precision: Estimated share of written codes that are right (cross-validated).
        coverage: Estimated share of answers it can code at that precision.
        candidates: Answers no human has coded.
        coded: Of those, the answers it coded.
    """

    model: str
    human_coded: int
    threshold: float
    precision: float
    coverage: float
    candidates: int
    coded: int


def estimate_threshold(suggestions: QuestionSuggestions, min_precision: float,
                       folds: int = FOLDS, random_state: int = 0) -> tuple[float, float, float]:
    """Cross-validate the first suggestion on the human codings.

    Returns:
        (threshold, estimated precision, estimated coverage); threshold is infinity when no
        confidence reaches `min_precision`.
    """
    coded = list(suggestions.trained)
    order = np.random.default_rng(random_state).permutation(len(coded)) % folds
    scores: list[float] = []
    right: list[bool] = []
    for fold in range(folds):
        train = {coded[i]: suggestions.trained[coded[i]] for i in np.flatnonzero(order != fold)}
        test = [coded[i] for i in np.flatnonzero(order == fold)]
        model = suggestions.refitted(train)
        for answer_id, ranked in zip(test, model.for_answers(test, top=1), strict=True):
            scores.append(ranked[0].confidence if ranked else 0.0)
            right.append(bool(ranked) and ranked[0].code in suggestions.trained[answer_id])
    coverage, threshold = coverage_at_precision(scores, right, min_precision)
    kept = [ok for s, ok in zip(scores, right, strict=True) if s >= threshold]
    precision = float(np.mean(kept)) if kept else 0.0
    return threshold, precision, coverage


def autocode(project: Project, question_id: str, *, actor: str, model_name: str = "suggester",
             min_precision: float = 0.9, embedder: Embedder | None = None,
             dry_run: bool = False) -> AutocodeResult:
    """Code the question's answers that no human has coded, as the model coder `model_name`.

    The first suggestion is written where its confidence clears the threshold that kept the
    first suggestions right `min_precision` of the time in cross-validation on the human
    codings. One undoable action of `actor`; the model's earlier codes on those answers are
    replaced. Human layers are never written.

    Raises:
        ProjectError: No codeframe, too few human codings, or `model_name` names a human or
            the adjudicated layer.
    """
    frame = project.codeframe_for(question_id)
    if frame is None:
        raise ProjectError(f"question {question_id} has no codeframe to code with")
    existing = {c.name: c for c in project.coders()}
    if model_name in existing and existing[model_name].kind != CoderKind.MODEL:
        raise ProjectError(f'"{model_name}" is a {existing[model_name].kind} coder, not a model:'
                           " choose another name for the model")
    suggestions = build_suggestions(project, question_id, frame, embedder=embedder)
    if len(suggestions.trained) < MIN_HUMAN_CODED:
        raise ProjectError(f"{len(suggestions.trained)} answers of {question_id} are coded by"
                           f" people; the model needs {MIN_HUMAN_CODED} to measure itself")
    threshold, precision, coverage = estimate_threshold(suggestions, min_precision)
    humans = {c.id for c in project.coders() if c.kind != CoderKind.MODEL}
    touched = {a for cid, ids in project.coded_answers(question_id).items() if cid in humans
               for a in ids}
    candidates = [a for a in suggestions.answer_ids if a not in touched]
    chosen: list[tuple[int, str]] = []
    for answer_id, ranked in zip(candidates, suggestions.for_answers(candidates, top=1),
                                 strict=True):
        if ranked and ranked[0].confidence >= threshold:
            chosen.append((answer_id, ranked[0].code))
    if chosen and not dry_run:
        model = project.coder(model_name, kind=CoderKind.MODEL)
        project.replace_codings(
            [(answer_id, model.id, [code]) for answer_id, code in chosen], actor,
            f"model {model_name} coded {len(chosen)} answers of {question_id}"
            f" (estimated precision {precision:.2f})", action="coding.autocode",
            details={"question": question_id, "threshold": threshold,
                     "min_precision": min_precision})
    return AutocodeResult(model_name, len(suggestions.trained), threshold, precision, coverage,
                          len(candidates), len(chosen))
