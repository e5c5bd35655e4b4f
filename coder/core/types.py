"""Domain values shared by every layer (frozen dataclasses); no I/O, no UI, no SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

#: The name of the adjudicated layer's coder (kind ADJUDICATED): only QA review writes it.
ADJUDICATED_CODER = "adjudicated"
#: How often an open app window records that it is alive (seconds).
HEARTBEAT_SECONDS = 30.0


class QuestionKind(StrEnum):
    OPEN = "open"
    OTHER_SPECIFY = "other_specify"
    CLOSED = "closed"


class CoderKind(StrEnum):
    HUMAN = "human"
    MODEL = "model"
    ADJUDICATED = "adjudicated"


@dataclass(frozen=True)
class Routing:
    """Who was asked a question: those whose answer to `column` is one of `values`."""

    column: str
    values: tuple[str, ...]

    def describe(self) -> str:
        shown = " or ".join(f'"{v}"' for v in self.values)
        return f"asked if {self.column} = {shown}"


@dataclass(frozen=True)
class Wave:
    id: int
    name: str
    created_at: str


@dataclass(frozen=True)
class Respondent:
    id: int
    external_id: str
    attributes: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: QuestionKind
    position: int = 0
    routing: Routing | None = None
    value_labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    codeframe_id: str | None = None

    @property
    def routing_note(self) -> str | None:
        return self.routing.describe() if self.routing else None


@dataclass(frozen=True)
class Answer:
    """One respondent's answer to one open question in one wave."""

    id: int
    respondent_id: int
    question_id: str
    wave_id: int
    raw_text: str
    text: str
    non_substantive: str | None = None  # reason, e.g. "blank" or "n/a"; None = substantive
    duplicate_of: int | None = None

    @property
    def is_blank(self) -> bool:
        return self.non_substantive == "blank"

    @property
    def is_substantive(self) -> bool:
        return self.non_substantive is None


@dataclass(frozen=True)
class Coder:
    id: int
    name: str
    kind: CoderKind = CoderKind.HUMAN


@dataclass(frozen=True)
class Coding:
    answer_id: int
    code_id: str
    coder_id: int
    created_at: str
    needs_recoding: bool = False


@dataclass(frozen=True)
class Event:
    """One entry of the append-only log: who did what, when, and the rows it changed."""

    id: int
    at: str
    coder: str | None
    kind: str  # "do" | "undo" | "redo"
    action: str
    summary: str
    target_event_id: int | None
    undoable: bool
    changes: tuple[dict[str, Any], ...] = field(default=(), compare=False, hash=False)
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    #: The project schema the event was written at; None for events written before it was
    #: recorded. Its row images have that schema's columns.
    schema_version: int | None = None


@dataclass(frozen=True)
class Upgrade:
    """A project upgraded on open: from which schema, to which, and where the old file is kept."""

    path: Path
    from_version: int
    to_version: int
    backup: Path

    def __str__(self) -> str:
        return (
            f"upgraded {self.path} from schema {self.from_version} to {self.to_version};"
            f" the old file is kept as {self.backup}"
        )
