"""What the services need of a project store, whatever database holds it.

`ProjectStore` is the one interface the services are typed against; `SQLiteStore` implements it
today and a PostgreSQL store implements the same. It is composed of small protocols, one per
topic, so a function that needs only part of the store can say so. Every method here is one the
services call; anything else a backend has (its connection, transactions, migrations) stays
private to it. Imports no UI or CLI library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self

from coder.core.progress import Progress

if TYPE_CHECKING:
    import numpy as np

    from coder.core.agreement import CodingTable
    from coder.core.codeframe.model import Codeframe
    from coder.core.codeframe.ops import FramePlan
    from coder.core.coding.filters import AnswerFilter
    from coder.core.coding.layers import Disagreement
    from coder.core.reporting.frequencies import FinalCoding
    from coder.core.survey.importing import ImportPlan
    from coder.core.types import (
        Answer,
        Coder,
        CoderKind,
        Coding,
        Event,
        Question,
        Respondent,
        Wave,
    )
    from coder.store.app_queries import AnswerRow
    from coder.store.project_file import Upgrade
    from coder.store.qa import QASample
    from coder.store.survey import ImportResult, QuestionStats
    from coder.store.themes import StoredTheme, ThemeAssignment, ThemeRun

__all__ = [
    "ActionStore",
    "CodeframeStore",
    "CodingStore",
    "ProjectStore",
    "QAStore",
    "ReportStore",
    "SessionStore",
    "SurveyStore",
    "ThemeStore",
]


class SurveyStore(Protocol):
    """Waves, questions, respondents and answers, and writing an import."""

    def waves(self) -> list[Wave]: ...
    def wave_id(self, name: str) -> int: ...
    def questions(self, *, open_only: bool = False) -> list[Question]: ...
    def question(self, question_id: str) -> Question: ...
    def question_stats(self, wave_id: int | None = None) -> list[QuestionStats]: ...
    def answers(
        self, question_id: str, *, wave_id: int | None = None, substantive_only: bool = False
    ) -> list[Answer]: ...
    def answer(self, answer_id: int) -> Answer: ...
    def answer_texts(self, question_id: str) -> list[tuple[int, str]]: ...
    def respondent(self, respondent_id: int, wave_id: int | None = None) -> Respondent: ...
    def respondents(self, wave_id: int | None = None) -> list[Respondent]: ...
    def apply_import(
        self,
        plan: ImportPlan,
        *,
        wave: str,
        coder: str | None,
        file_sha256: str,
        progress: Progress = ...,
    ) -> ImportResult: ...


class CodingStore(Protocol):
    """Coders, their codings and per-answer status, and the coding screen's answer lists."""

    def coder(self, name: str, *, create: bool = True, kind: CoderKind = ...) -> Coder: ...
    def coders(self) -> list[Coder]: ...
    def codes_of(self, answer_id: int, coder_id: int) -> list[str]: ...
    def codings_of_answer(self, answer_id: int) -> list[Coding]: ...
    def codings(
        self,
        *,
        question_id: str | None = None,
        coder_id: int | None = None,
        code_ids: Iterable[str] | None = None,
    ) -> list[Coding]: ...
    def coded_answers(self, question_id: str) -> dict[int, set[int]]: ...
    def coded_count(self, question_id: str, coder_id: int | None = None) -> int: ...
    def status(self, answer_id: int, coder_id: int) -> dict[str, Any]: ...
    def set_codes(
        self, answer_id: int, coder: Coder, code_ids: Sequence[str], *, summary: str | None = None
    ) -> bool: ...
    def toggle_code(self, answer_id: int, coder: Coder, code_id: str) -> bool: ...
    def change_codes(
        self,
        answer_id: int,
        coder: Coder,
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        summary: str | None = None,
    ) -> bool: ...
    def replace_codings(
        self,
        decisions: Sequence[tuple[int, int, Sequence[str]]],
        actor: str | None,
        summary: str,
        *,
        action: str = "coding.import",
        details: dict[str, Any] | None = None,
    ) -> tuple[int, int, int]: ...
    def set_memo(self, answer_id: int, coder: Coder, memo: str) -> None: ...
    def set_flag(self, answer_id: int, coder: Coder, flagged: bool) -> None: ...
    def answer_ids(
        self, question_id: str, coder_id: int | None = None, filters: AnswerFilter | None = None
    ) -> list[int]: ...
    def answer_rows(self, answer_ids: Sequence[int], coder_id: int) -> dict[int, AnswerRow]: ...
    def coded_answer_ids(self, question_id: str, coder_id: int) -> set[int]: ...
    def flagged_answer_ids(self, question_id: str, coder_id: int) -> set[int]: ...
    def answers_with_code(self, code_id: str, coder_id: int | None = None) -> list[int]: ...
    def answer_theme(self, answer_id: int, run_id: int) -> int | None: ...
    def codes_in_theme(
        self, run_id: int, theme_id: int, coder_id: int | None = None
    ) -> list[tuple[str, int]]: ...
    def changed_since_coded(self, answer_id: int, coder_id: int) -> bool: ...


class CodeframeStore(Protocol):
    """Codeframes, their codes, and planned codeframe edits that carry codings."""

    def codeframes(self) -> list[Codeframe]: ...
    def codeframe(self, id_or_name: str) -> Codeframe: ...
    def codeframe_for(self, question_id: str) -> Codeframe | None: ...
    def add_codeframe(
        self, frame: Codeframe, coder: str | None, *, questions: Sequence[str] = ()
    ) -> None: ...
    def coding_counts(self, frame_id: str) -> dict[str, int]: ...
    def apply_frame_plan(
        self, plan: FramePlan, coder: str | None, *, split_rule: Mapping[str, str] | None = None
    ) -> int: ...


class ThemeStore(Protocol):
    """The embedding cache (a `coder.core.embedding.EmbeddingCache`) and stored theme runs."""

    def get_many(self, model_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]: ...
    def put_many(self, model_id: str, items: Mapping[str, np.ndarray]) -> None: ...
    def save_theme_run(
        self,
        *,
        question_id: str,
        wave_id: int | None,
        coder: str | None,
        model: str,
        params: Mapping[str, Any],
        n_non_substantive: int,
        seconds: float,
        themes: Sequence[StoredTheme],
        assignments: Sequence[ThemeAssignment],
    ) -> int: ...
    def theme_runs(self, question_id: str | None = None) -> list[ThemeRun]: ...
    def theme_run(self, run_id: int) -> ThemeRun: ...
    def latest_theme_run(self, question_id: str) -> ThemeRun | None: ...
    def themes(self, run_id: int) -> list[StoredTheme]: ...
    def rename_theme(self, run_id: int, theme_id: int, label: str, coder: str | None) -> None: ...
    def merge_themes(
        self, run_id: int, source_ids: Sequence[int], target_id: int, coder: str | None
    ) -> None: ...


class QAStore(Protocol):
    """Double-coding samples, agreement tables and the adjudicated layer."""

    def qa_sample(self, sample_id: int) -> QASample: ...
    def sample_answers(self, sample_id: int) -> list[int]: ...
    def agreement_coders(self, question_id: str, *, humans_only: bool = False) -> list[Coder]: ...
    def coding_table(
        self,
        question_id: str,
        coders: Sequence[str] | None = None,
        answer_ids: Sequence[int] | None = None,
    ) -> CodingTable: ...
    def adjudicate(self, answer_id: int, code_ids: Sequence[str], reviewer: str) -> None: ...
    def stale_adjudications(self, question_id: str) -> list[int]: ...
    def disagreements(
        self,
        question_id: str,
        sample_id: int | None = None,
        *,
        coders: Sequence[str] | None = None,
        include_settled: bool = False,
    ) -> list[Disagreement]: ...


class ReportStore(Protocol):
    """Reads for reports and exports (layers, the final layer, settings) and starred quotes."""

    def coded_answers_by_coder(self, question_id: str) -> dict[int, int]: ...
    def layer_codes(
        self, question_id: str, coder_ids: Sequence[int], wave_id: int | None = None
    ) -> dict[int, set[str]]: ...
    def layer_coded_answers(self, question_id: str, coder_ids: Sequence[int]) -> set[int]: ...
    def final_layer(
        self, question_id: str, wave_id: int | None = None
    ) -> dict[int, FinalCoding]: ...
    def starred_answers(self, question_id: str) -> dict[str, list[int]]: ...
    def starred_quotes(self, code_id: str) -> list[int]: ...
    def star_quote(self, code_id: str, answer_id: int, coder: Coder) -> bool: ...
    def unstar_quote(self, code_id: str, answer_id: int, coder: Coder) -> bool: ...
    def setting(self, key: str, default: Any = None) -> Any: ...
    def coded_waves(self, question_ids: Sequence[str], coder_ids: Sequence[int]) -> set[int]: ...
    def attribute_values(self, wave_id: int | None,
                         names: Sequence[str]) -> dict[int, tuple[str | None, ...]]: ...
    def external_ids(self) -> dict[int, str]: ...
    def attribute_names(self, wave_ids: Sequence[int]) -> set[str]: ...


class ActionStore(Protocol):
    """The event log and per-session undo and redo."""

    def can_undo(self, coder: str) -> Event | None: ...
    def can_redo(self, coder: str) -> Event | None: ...
    def undo(self, coder: str) -> Event | None: ...
    def redo(self, coder: str) -> Event | None: ...
    def events(
        self,
        *,
        limit: int | None = None,
        action_prefix: str | None = None,
        with_changes: bool = False,
    ) -> list[Event]: ...


class SessionStore(Protocol):
    """The open project itself: where it is, who works in it, and a second connection.

    Attributes:
        path: The project's location (output files are never written over it).
        upgrade: Set when opening upgraded the project; front ends tell the user.
        busy_wait: Seconds a write waits for another's write before `ProjectBusy`.
        on_busy: Called with the seconds waited so far while a write waits.
    """

    path: Path
    upgrade: Upgrade | None
    busy_wait: float
    on_busy: Callable[[float], None] | None

    def start_session(self, coder: str, label: str = "") -> int: ...
    def heartbeat(self) -> None: ...
    def end_sessions(self) -> None: ...
    def reopen(self) -> Self: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...


class ProjectStore(
    SurveyStore,
    CodingStore,
    CodeframeStore,
    ThemeStore,
    QAStore,
    ReportStore,
    ActionStore,
    SessionStore,
    Protocol,
):
    """A whole project store: everything the services (and so both front ends) use."""
