"""Theme runs on a project: stored with their parameters, embeddings cached, themes editable;
on each backend."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from coder.core.embedding import HashingEmbedder
from coder.core.themes.params import ThemeParams
from coder.services.importing import import_survey
from coder.services.themes import run_themes
from coder.store.protocol import ProjectStore

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture()
def store(new_store: Callable[[], ProjectStore]) -> ProjectStore:
    """The demo survey imported into a new project on each backend."""
    s = new_store()
    import_survey(s, DATA / "demo_survey.csv", wave="2025")
    return s


def test_run_is_stored_and_second_run_embeds_nothing(store) -> None:
    embedder = HashingEmbedder()  # counts the texts it embeds
    first = run_themes(store, "q2_barriers", embedder=embedder, coder="ana",
                       params=ThemeParams(seed=3))
    distinct = len({a.text for a in store.answers("q2_barriers", substantive_only=True)})
    # identical answers embedded once; then the candidate phrases the labels are chosen from,
    # each once and all kept in the project's cache
    assert embedder.texts_embedded > distinct
    assert store.cached_embedding_count(embedder.model_id) == embedder.texts_embedded

    embedder.texts_embedded = 0
    second = run_themes(store, "q2_barriers", embedder=embedder, coder="ana",
                       params=ThemeParams(seed=3))
    assert embedder.texts_embedded == 0  # every embedding came from the project's cache
    assert second != first

    run = store.theme_run(first)
    assert run.params["random_state"] == 3 and run.model == embedder.model_id
    stats = {s.question.id: s for s in store.question_stats()}["q2_barriers"]
    assert run.n_non_substantive == stats.n_non_substantive
    assert run.n_answers == stats.n_answers - stats.n_non_substantive
    themes = store.themes(first)
    assignments = store.theme_assignments(first)
    assert len(assignments) == run.n_answers
    for theme in themes:
        members = {a for a, x in assignments.items() if x.theme_id == theme.theme_id}
        assert theme.size == len(members)
        assert set(theme.quote_answer_ids) <= members  # every quote is an answer of its theme
    # Same input, same seed: the same themes.
    assert [(t.label, t.size) for t in themes] == [(t.label, t.size) for t in store.themes(second)]


def test_merge_and_rename_themes_are_undoable(store) -> None:
    run_id = run_themes(store, "q2_barriers", embedder=HashingEmbedder(), coder="ana")
    themes = store.themes(run_id)
    a, b = themes[0], themes[1]
    store.merge_themes(run_id, [b.theme_id], a.theme_id, "ana")
    merged = {t.theme_id: t for t in store.themes(run_id)}
    assert b.theme_id not in merged and merged[a.theme_id].size == a.size + b.size
    assert (
        sum(1 for x in store.theme_assignments(run_id).values() if x.theme_id == a.theme_id)
        == a.size + b.size
    )
    store.rename_theme(run_id, a.theme_id, "Cost of placements", "ana")
    assert {t.theme_id: t for t in store.themes(run_id)}[a.theme_id].label == "Cost of placements"
    store.undo("ana")
    store.undo("ana")
    assert [(t.theme_id, t.label, t.size) for t in store.themes(run_id)] == [
        (t.theme_id, t.label, t.size) for t in themes
    ]
