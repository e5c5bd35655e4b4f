"""The project at a glance, per open question: answers, how far coding has got, theme runs and
inter-coder agreement (the same figure as `coder agreement` and the QA screen).

Must not depend on click, textual or SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coder.core.survey.types import QuestionStats
from coder.services.project import Project, open_project
from coder.services.qa import question_agreement


@dataclass(frozen=True)
class QuestionRow:
    """One open question's figures.

    Attributes:
        agreement: Overall Krippendorff's alpha on code sets (MASI distance) among the human and
            model coders, as `coder agreement` reports it; None when undefined or too few
            answers are double-coded.
        double_coded: Answers coded by two or more of those coders (never the adjudicated layer).
    """

    question_id: str
    text: str
    answers: int
    non_substantive: int
    coded_by_me: int
    coded_by_anyone: int
    theme_runs: int
    agreement: float | None
    double_coded: int

    @property
    def agreement_label(self) -> str:
        """"α=0.362 (n=30)", "n=1" (undefined) or "-" (fewer than two double-coded answers)."""
        if self.double_coded < 2:
            return "-"
        if self.agreement is None:
            return f"n={self.double_coded}"
        return f"α={self.agreement:.3f} (n={self.double_coded})"


def overall_agreement(project: Project, question_id: str) -> tuple[float | None, int]:
    """(overall alpha on code sets, answers coded by 2+ coders) for the question."""
    if len(project.agreement_coders(question_id)) < 2:  # nothing to compare: skip the maths
        return None, 0
    found = question_agreement(project, question_id)
    if len(found.table.coders) < 2:
        return None, 0
    return found.report.alpha_masi.value, found.report.n_units


def question_rows(project: Project, coder_id: int) -> list[QuestionRow]:
    """The overview's figures for every open question (coded counts for coder `coder_id`)."""
    rows = []
    for stats in project.question_stats():
        qid = stats.question.id
        alpha, double = overall_agreement(project, qid)
        rows.append(QuestionRow(
            qid, stats.question.text, stats.n_answers, stats.n_non_substantive,
            project.coded_count(qid, coder_id), project.coded_count(qid),
            len(project.theme_runs(qid)), alpha, double))
    return rows


def question_rows_at(path: str | Path, coder_id: int) -> list[QuestionRow]:
    """`question_rows` on a connection of its own (for a worker thread)."""
    with open_project(path) as project:
        return question_rows(project, coder_id)


@dataclass(frozen=True)
class ProjectSummary:
    """What `coder info` prints: the waves, the project's counts and each open question's.

    Attributes:
        counts: waves, respondents, questions (open), answers (not blank), codings, events.
    """

    waves: tuple[str, ...]
    counts: dict[str, int]
    questions: tuple[QuestionStats, ...]


def project_summary(project: Project, wave: str | None = None) -> ProjectSummary:
    """The project's waves and counts, and per open question its answers (in `wave` only).

    Raises:
        NotInProject: Unknown wave.
    """
    wave_id = project.wave_id(wave) if wave else None
    return ProjectSummary(tuple(w.name for w in project.waves()), project.counts(),
                          tuple(project.question_stats(wave_id)))
