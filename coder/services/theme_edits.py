"""Theme use cases after discovery, shared by the CLI and the app: list a run's themes, rename,
merge, and turn themes into codes (drafted as `coder codeframe from-themes` drafts them).

Must not depend on click, textual or SQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coder.core.codeframe.model import Codeframe
from coder.core.errors import ProjectError
from coder.core.themes.drafts import CodeDraft, draft_code, plan_promote
from coder.core.themes.stored import StoredTheme, StoredThemeRun
from coder.store.protocol import ProjectStore

__all__ = ["StoredTheme", "StoredThemeRun", "ThemeView", "latest_themes", "merge_themes",
           "promote_themes", "rename_theme", "theme_drafts", "theme_examples", "theme_quotes",
           "theme_run", "theme_runs"]


@dataclass(frozen=True)
class ThemeView:
    """A question's latest theme run and its top-level themes (no run: None and no themes)."""

    run: StoredThemeRun | None
    themes: tuple[StoredTheme, ...]


def latest_themes(store: ProjectStore, question_id: str) -> ThemeView:
    """The question's latest theme run with its top-level themes, in the run's order."""
    run = store.latest_theme_run(question_id)
    if run is None:
        return ThemeView(None, ())
    return ThemeView(run, tuple(t for t in store.themes(run.id) if t.parent_id is None))


def theme_runs(store: ProjectStore, question_id: str | None = None) -> list[StoredThemeRun]:
    """The stored theme runs (of one question only, when given)."""
    return store.theme_runs(question_id)


def theme_run(store: ProjectStore, run_id: int) -> tuple[StoredThemeRun, list[StoredTheme]]:
    """A stored run and all its themes and sub-themes, in the run's order.

    Raises:
        NotInProject: Unknown run.
    """
    return store.theme_run(run_id), store.themes(run_id)


def theme_quotes(store: ProjectStore, theme: StoredTheme) -> list[str]:
    """The texts of the theme's representative answers (unredacted, for the coder's eyes)."""
    return [store.answer(answer_id).text for answer_id in theme.quote_answer_ids]


def rename_theme(store: ProjectStore, theme: StoredTheme, label: str, coder: str | None) -> None:
    """Give a theme a new label (one undoable action)."""
    label = label.strip()
    if not label:
        raise ProjectError("a theme needs a label")
    store.rename_theme(theme.run_id, theme.theme_id, label, coder)


def merge_themes(store: ProjectStore, target: StoredTheme, source_ids: Sequence[int],
                 coder: str | None) -> None:
    """Fold themes into `target`: sizes add up, their answers move (one undoable action)."""
    store.merge_themes(target.run_id, list(source_ids), target.theme_id, coder)


def theme_examples(store: ProjectStore, answer_ids: Iterable[int], limit: int) -> list[str]:
    """Up to `limit` distinct answer texts (as written) of the theme's representative answers."""
    out: list[str] = []
    for answer_id in answer_ids:
        if len(out) == limit:
            break
        try:
            text = store.answer(answer_id).raw_text.strip()
        except ProjectError:
            continue
        if text and text not in out:
            out.append(text)
    return out


def theme_drafts(store: ProjectStore, themes: Sequence[StoredTheme],
                 max_examples: int = 3) -> list[CodeDraft]:
    """The code each theme becomes, its examples redacted like report quotes."""
    from coder.services.reports import redactor_for

    redactor = redactor_for(store)
    return [draft_code(t.label, t.keywords, t.theme_id,
                       redactor.redact_all(theme_examples(store, t.quote_answer_ids,
                                                          max_examples)))
            for t in themes]


def promote_themes(store: ProjectStore, question_id: str, themes: Sequence[StoredTheme],
                   coder: str, frame: Codeframe | None = None) -> str:
    """Add a top-level code per theme to the question's frame (created when it has none).

    One undoable action per frame change. Returns the edit's summary.

    Raises:
        CodeframeError: If a theme's label is already a code's label.
    """
    if frame is None:
        frame = ensure_frame(store, question_id, coder)
    plan = plan_promote(frame, theme_drafts(store, themes))
    store.apply_frame_plan(plan, coder)
    return plan.summary


def ensure_frame(store: ProjectStore, question_id: str, coder: str) -> Codeframe:
    """The question's codeframe, creating an empty one (undoable) if it has none."""
    frame = store.codeframe_for(question_id)
    if frame is None:
        question = store.question(question_id)
        store.add_codeframe(Codeframe(str(uuid.uuid4()), f"{question.id} codes",
                                      description=question.text),
                            coder, questions=[question_id])
        frame = store.codeframe_for(question_id)
        assert frame is not None
    return frame
