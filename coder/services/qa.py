"""QA: agreement per question (or in a codings file), codes named by the reviewer, the queue.

Joins the store to the pure agreement core; used by the CLI and the coding app. No UI library.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from coder.core.agreement import AgreementReport, CodingTable, compute_agreement
from coder.core.agreement.output import to_json_dict
from coder.core.codeframe.lookup import code_key, find_codable_codes
from coder.core.codeframe.model import Codeframe
from coder.core.coding.layers import Disagreement
from coder.core.coding.types import QASample, SampleProgress
from coder.core.errors import InputError, ProjectError, Remedy
from coder.core.progress import NO_PROGRESS, Progress
from coder.store.protocol import ProjectStore

__all__ = ["Disagreement", "QAFigures", "QuestionAgreement", "adjudicate_answer",
           "adjudication_queue", "code_key", "double_coded_questions", "plan_sample",
           "project_agreement", "qa_figures", "qa_figures_at", "question_agreement",
           "resolve_codes", "sample_progress", "single_code_coefficients"]


@dataclass(frozen=True)
class QuestionAgreement:
    """A question's agreement report and the table behind it."""

    question_id: str
    table: CodingTable
    report: AgreementReport


def question_agreement(
    store: ProjectStore,
    question_id: str,
    *,
    coders: Sequence[str] | None = None,
    sample_id: int | None = None,
    n_bootstrap: int = 0,
    seed: int | None = 1,
    progress: Progress = NO_PROGRESS,
) -> QuestionAgreement:
    """Agreement among the question's coders (the model coder included when it coded).

    Args:
        store: The project.
        question_id: The question.
        coders: Whose codings to compare (default: every human and model coder who coded it;
            with `sample_id`, the sample's coders).
        sample_id: Only the answers of this double-coding sample.
        n_bootstrap: Bootstrap replicates for 95% intervals (0 = none).
        seed: Seed of the bootstrap.
        progress: Told (replicates done, replicates); cancelling it stops the bootstrap.

    Raises:
        ProjectError: Unknown question, coder or sample, or a sample of another question.
    """
    store.question(question_id)
    answer_ids = None
    if sample_id is not None:
        sample = store.qa_sample(sample_id)
        if sample.question_id != question_id:
            raise ProjectError(f"sample {sample_id} is of question {sample.question_id},"
                               f" not {question_id}")
        answer_ids = store.sample_answers(sample_id)
        coders = coders if coders is not None else list(sample.coders)
    table = store.coding_table(question_id, coders, answer_ids)
    report = compute_agreement(table, n_bootstrap=n_bootstrap, seed=seed,
                               progress=progress)
    return QuestionAgreement(question_id, table, report)


def file_agreement(
    path: str | Path,
    *,
    coders: Sequence[str] | None = None,
    n_bootstrap: int = 0,
    seed: int | None = 1,
    progress: Progress = NO_PROGRESS,
) -> QuestionAgreement:
    """Agreement in a codings file of `unit,coder,code` rows (see `read_codings_csv`).

    The result's `question_id` is the file's path.

    Raises:
        InputError: A bad file (naming file, row and column), or a coder in `coders` who is
            not in it.
    """
    from coder.core.agreement import read_codings_csv

    table = read_codings_csv(path)
    if coders:
        unknown = [c for c in coders if c not in table.coders]
        if unknown:
            raise InputError(f"no codings by {', '.join(unknown)} (coders in the file:"
                             f" {', '.join(table.coders) or 'none'})", path=str(path))
        table = table.select(coders=list(coders))
    report = compute_agreement(table, n_bootstrap=n_bootstrap, seed=seed,
                               progress=progress)
    return QuestionAgreement(str(path), table, report)


def double_coded_questions(store: ProjectStore) -> list[str]:
    """Open questions with at least one answer coded by 2 or more coders (not the layer)."""
    found = []
    for question in store.questions(open_only=True):
        table = store.coding_table(question.id)
        if len(table.coders) >= 2 and bool((table.n_coders_per_unit >= 2).any()):
            found.append(question.id)
    return found


def project_agreement(
    store: ProjectStore,
    question_ids: Sequence[str] | None = None,
    *,
    coders: Sequence[str] | None = None,
    n_bootstrap: int = 0,
    seed: int | None = 1,
    progress: Progress = NO_PROGRESS,
) -> list[QuestionAgreement]:
    """:func:`question_agreement` for each question (default: every double-coded question).

    Raises:
        ProjectError: No question has double-coded answers yet.
    """
    chosen = list(question_ids) if question_ids else double_coded_questions(store)
    if not chosen:
        raise ProjectError("no question has answers coded by 2 or more coders yet: plan"
                           " double-coding first", remedy=Remedy(action="plan_double_coding"))
    results = []
    for done, qid in enumerate(chosen):
        results.append(question_agreement(store, qid, coders=coders, n_bootstrap=n_bootstrap,
                                          seed=seed,
                                          progress=Progress(cancel=progress.cancel,
                                                            what=progress.what)))
        progress.step(done + 1, len(chosen))
    return results


def resolve_codes(frame: Codeframe, specs: Sequence[str]) -> list[str]:
    """Code ids from what a reviewer types: output codes ("101"), labels or "101 Label".

    Raises:
        UnknownCode: A spec matching no code, a label matching several, or a net.
    """
    return [c.id for c in find_codable_codes(frame, specs)]


def adjudicate_answer(store: ProjectStore, answer_id: int, specs: Sequence[str],
                      reviewer: str) -> list[str]:
    """Settle an answer's final codes given as output codes or labels; returns the code ids.

    Raises:
        ProjectError: Unknown answer or code, or the question has no codeframe.
    """
    answer = store.answer(answer_id)
    frame = store.codeframe_for(answer.question_id)
    if frame is None:
        raise ProjectError(f'question "{answer.question_id}" has no codeframe yet')
    ids = resolve_codes(frame, specs)
    store.adjudicate(answer_id, ids, reviewer)
    return ids


def plan_sample(store: ProjectStore, question_id: str, share: float, coders: Sequence[str], *,
                seed: int | None = None, actor: str | None = None,
                wave: str | None = None) -> QASample:
    """Draw `share` of the question's substantive answers (of `wave` only, when given) and give
    them to every coder in `coders` to code blind (one undoable action of `actor`).

    Raises:
        ProjectError: Unknown question or wave, fewer than two coders, or the adjudicated layer
            named as a coder.
    """
    wave_id = store.wave_id(wave) if wave else None
    return store.create_qa_sample(question_id, share, list(coders), seed=seed, actor=actor,
                                  wave_id=wave_id)


def sample_progress(store: ProjectStore,
                    sample_id: int | None = None) -> list[tuple[QASample, list[SampleProgress]]]:
    """Per double-coding sample (one, or every one), how far each of its coders has got.

    Raises:
        ProjectError: Unknown sample.
    """
    samples = [store.qa_sample(sample_id)] if sample_id is not None else store.qa_samples()
    return [(s, store.qa_progress(s.id)) for s in samples]


def adjudication_queue(store: ProjectStore, question_id: str, sample_id: int | None = None, *,
                       coders: Sequence[str] | None = None) -> list[Disagreement]:
    """Answers whose coders disagree, not yet adjudicated or re-coded since (the QA screen's
    queue; `coders` default: the sample's, else every human coder)."""
    return store.disagreements(question_id, sample_id, coders=coders)


@dataclass(frozen=True)
class QAFigures:
    """What the app's QA screen shows for one question: agreement, the adjudication queue and
    the adjudications re-coded since."""

    report: AgreementReport
    disagreements: tuple[Disagreement, ...]
    stale: tuple[int, ...]


def single_code_coefficients(report: AgreementReport) -> dict[str, float | None] | None:
    """The overall coefficients across categories of a single-code question, by the names and
    with the values `coder agreement --format json` gives them under "overall": alpha_nominal,
    ac1, kappa_fleiss, kappa_conger and (exactly two coders) kappa_cohen; None (undefined) for
    a figure without a value. None when some coder gave an answer several codes.
    """
    if report.single_code is None:
        return None
    overall = to_json_dict(report)["overall"]
    return {name: overall[name] for name in report.single_code.statistics()}


def qa_figures(store: ProjectStore, question_id: str) -> QAFigures:
    """Agreement as `coder agreement` computes it, the queue as `coder qa queue` lists it."""
    return QAFigures(question_agreement(store, question_id).report,
                     tuple(store.disagreements(question_id)),
                     tuple(store.stale_adjudications(question_id)))


def qa_figures_at(path: str | Path, question_id: str) -> QAFigures:
    """`qa_figures` on a connection of its own (for a worker thread)."""
    from coder.services.project import open_project

    with open_project(path) as store:
        return qa_figures(store, question_id)
