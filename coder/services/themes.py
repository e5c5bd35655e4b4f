"""Run theme discovery on a project question and store the run (core themes + store)."""

from __future__ import annotations

import time

import numpy as np

from coder.core.embedding import Embedder, SentenceTransformerEmbedder
from coder.core.errors import CoderError
from coder.core.progress import NO_PROGRESS, Progress
from coder.core.themes.params import ThemeParams
from coder.core.themes.run import discover_themes
from coder.core.themes.stored import StoredTheme, ThemeAssignment
from coder.store.protocol import ProjectStore


def run_themes(
    store: ProjectStore,
    question_id: str,
    *,
    wave: str | None = None,
    coder: str | None = None,
    embedder: Embedder | None = None,
    model_path: str | None = None,
    params: ThemeParams | None = None,
    progress: Progress = NO_PROGRESS,
) -> int:
    """Find themes in a question's answers, store the run, return its id.

    Embeddings come from (and go to) the project's cache, so a second run embeds nothing.
    Blank and non-substantive answers are left out and counted. Must be called with a store
    opened on the calling thread (the app's worker uses `store.reopen()`). ``params``:
    the run's settings (default :class:`ThemeParams()`), stored with the run.
    """
    params = params or ThemeParams()
    store.question(question_id)  # a clear error for an unknown question
    wave_id = store.wave_id(wave) if wave else None
    answers = [a for a in store.answers(question_id, wave_id=wave_id) if not a.is_blank]
    if not answers:
        raise CoderError(f"question {question_id} has no answers to find themes in")
    embedder = embedder or SentenceTransformerEmbedder(model_path)
    started = time.perf_counter()
    run = discover_themes(
        [a.text for a in answers],
        embedder=embedder,
        cache=store,
        non_substantive=[not a.is_substantive for a in answers],
        progress=progress,
        **params.discovery_kwargs(),
    )
    seconds = time.perf_counter() - started
    themes = [
        StoredTheme(
            0,
            t.id,
            t.label,
            tuple(t.keywords),
            t.size,
            float(t.share),
            tuple(answers[i].id for i in t.quote_indices),
            t.parent_id,
            t.description,
        )
        for t in run.themes
    ]
    substantive = np.flatnonzero(~run.non_substantive)
    assignments = [
        ThemeAssignment(
            answers[i].id,
            int(run.labels[i]),
            float(run.confidence[i]),
            int(run.nearest_theme[i]) if run.nearest_theme[i] >= 0 else None,
        )
        for i in substantive
    ]
    return store.save_theme_run(
        question_id=question_id,
        wave_id=wave_id,
        coder=coder,
        model=embedder.model_id,
        params={**params.discovery_kwargs(), "wave": wave},
        n_non_substantive=run.n_non_substantive,
        seconds=seconds,
        themes=themes,
        assignments=assignments,
    )
