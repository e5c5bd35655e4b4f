"""Theme runs as a project keeps them: the run, its themes, each answer's theme. Values the
store returns and the front ends show (the discovery result itself is `run.ThemeRun`). No I/O,
no UI, no SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["StoredTheme", "StoredThemeRun", "ThemeAssignment"]


@dataclass(frozen=True)
class StoredThemeRun:
    """One stored run of theme discovery on a question: its settings and its counts."""

    id: int
    question_id: str
    wave_id: int | None
    created_at: str
    coder: str | None
    model: str
    params: dict[str, Any]
    n_answers: int
    n_non_substantive: int
    n_other: int
    n_themes: int
    seconds: float


@dataclass(frozen=True)
class StoredTheme:
    """One theme (or sub-theme, with `parent_id`) of a stored run."""

    run_id: int
    theme_id: int
    label: str
    keywords: tuple[str, ...]
    size: int
    share: float
    quote_answer_ids: tuple[int, ...]
    parent_id: int | None = None
    description: str = ""


@dataclass(frozen=True)
class ThemeAssignment:
    """An answer's theme in a run (`theme_id` -1 is "other")."""

    answer_id: int
    theme_id: int
    confidence: float
    nearest_theme: int | None
