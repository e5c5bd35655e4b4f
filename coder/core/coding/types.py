"""Values of coding work the store returns: a line of the answer list, work given to coders
(assignments, double-coding samples and how far each coder is) and who is coding now. No I/O,
no UI, no SQL."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AnswerRow", "OpenWindow", "QASample", "SampleProgress", "WorkAssignment"]


@dataclass(frozen=True)
class AnswerRow:
    """What one line of the answer list shows for one coder."""

    id: int
    text: str
    non_substantive: str | None
    coded: bool
    flagged: bool
    code_ids: tuple[str, ...]
    has_memo: bool


@dataclass(frozen=True)
class WorkAssignment:
    """Answers of one question given to one coder to code.

    Attributes:
        rule: How the answers were chosen, as the command said it ("share 0.5 (seed 7)").
    """

    id: int
    question_id: str
    coder: str
    created_at: str
    rule: str
    n_answers: int


@dataclass(frozen=True)
class OpenWindow:
    """A colleague's open app window or running command, as the overview lists it.

    Attributes:
        question_id: The question that window is coding (None: the overview or a command).
        seconds_since_seen: Seconds since its last heartbeat or action.
        mine: One of this connection's own sessions.
    """

    session_id: int
    coder: str
    label: str
    host: str
    question_id: str | None
    last_seen: str
    seconds_since_seen: float
    mine: bool


@dataclass(frozen=True)
class QASample:
    """A double-coding plan: the same answers assigned to every listed coder."""

    id: int
    question_id: str
    created_at: str
    share: float
    seed: int
    coders: tuple[str, ...]
    n_answers: int


@dataclass(frozen=True)
class SampleProgress:
    """How far one coder is through a sample."""

    coder: str
    assigned: int
    coded: int

    @property
    def remaining(self) -> int:
        return self.assigned - self.coded
