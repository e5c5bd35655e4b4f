"""What every screen of the app shares: the store, who is coding, blind mode, the question.

Holds no widgets; screens read and write the project only through the store's methods.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from coder.core.codeframe import Codeframe
from coder.core.types import Coder
from coder.store import SQLiteStore
from coder.tui.config import AppConfig


@dataclass
class Session:
    """The open project and the person coding it."""

    store: SQLiteStore
    coder: Coder
    blind: bool = False
    config: AppConfig = field(default_factory=AppConfig)
    question_id: str | None = None
    _frames: dict[str, Codeframe | None] = field(default_factory=dict)

    def frame(self, question_id: str | None = None) -> Codeframe | None:
        """The question's codeframe (cached until `forget_frames`)."""
        qid = question_id or self.question_id
        if qid is None:
            return None
        if qid not in self._frames:
            self._frames[qid] = self.store.codeframe_for(qid)
        return self._frames[qid]

    def ensure_frame(self, question_id: str | None = None) -> Codeframe:
        """The question's codeframe, creating an empty one (undoable) if it has none."""
        qid = question_id or self.question_id
        assert qid is not None
        frame = self.frame(qid)
        if frame is None:
            question = self.store.question(qid)
            self.store.add_codeframe(Codeframe(str(uuid.uuid4()), f"{question.id} codes",
                                               description=question.text),
                                     self.coder.name, questions=[qid])
            self.forget_frames()
            frame = self.frame(qid)
            assert frame is not None
        return frame

    def forget_frames(self) -> None:
        self._frames.clear()

    def theme_run_id(self, question_id: str | None = None) -> int | None:
        qid = question_id or self.question_id
        run = self.store.latest_theme_run(qid) if qid else None
        return None if run is None else run.id

    def coder_names(self) -> dict[int, str]:
        return {c.id: c.name for c in self.store.coders()}
