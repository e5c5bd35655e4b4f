"""What a survey import will write and did, and what a question holds: values the store takes and
returns and the front ends print. No I/O, no pandas, no UI, no SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coder.core.types import Question, QuestionKind, Routing

__all__ = ["AnswerSpec", "ImportPlan", "ImportResult", "QuestionSpec", "QuestionStats"]


@dataclass(frozen=True)
class ImportResult:
    """What one import wrote: counts of respondents and answers, and its logged event."""

    wave: str
    respondents_added: int
    answers_added: int
    answers_changed: int
    answers_changed_coded: int
    answers_unchanged: int
    questions_added: tuple[str, ...]
    event_id: int


@dataclass(frozen=True)
class QuestionStats:
    """An open question's answers: all rows, substantive answers, blanks, non-substantive,
    duplicates."""

    question: Question
    n_rows: int
    n_answers: int
    n_blank: int
    n_non_substantive: int
    n_duplicates: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.question.id,
            "text": self.question.text,
            "kind": str(self.question.kind),
            "routing": self.question.routing_note,
            "n_answers": self.n_answers,
            "n_blank": self.n_blank,
            "n_non_substantive": self.n_non_substantive,
            "n_duplicates": self.n_duplicates,
        }


@dataclass(frozen=True)
class QuestionSpec:
    id: str
    text: str
    kind: QuestionKind
    position: int
    routing: Routing | None = None
    value_labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerSpec:
    respondent_external_id: str
    question_id: str
    raw_text: str
    text: str
    non_substantive: str | None


@dataclass(frozen=True)
class ImportPlan:
    """Everything an import will write, computed before the project is touched."""

    source: str
    id_column: str
    questions: tuple[QuestionSpec, ...]
    respondents: tuple[tuple[str, dict[str, str]], ...]
    answers: tuple[AnswerSpec, ...]
    notes: tuple[str, ...] = ()  # how the file was read, what was cleaned: for the user

    @property
    def open_question_ids(self) -> list[str]:
        return [q.id for q in self.questions if q.kind != QuestionKind.CLOSED]
