"""What a survey import did and what a question holds: values the store returns and the
front ends print. No I/O, no UI, no SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coder.core.types import Question

__all__ = ["ImportResult", "QuestionStats"]


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
