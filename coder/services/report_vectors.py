"""The cached embeddings a report's quotes are placed by: each answer's vector, read as one
matrix by the answers' stored keys.

Joins the store (reads only) to the core's `EmbeddingRows`; imports no UI or CLI library.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from coder.core.reporting.quote_pool import EmbeddingRows
from coder.core.types import Question
from coder.store.protocol import ProjectStore

log = logging.getLogger("coder.services.reports")  # part of the report's log

#: Answers whose cached embeddings are looked up at a time.
_EMBEDDING_CHUNK = 2000


class ReportAnswer(NamedTuple):
    """An answer as a report quotes it (`key`: its embedding cache key, None if not stored)."""

    id: int
    respondent_id: int
    text: str
    key: str | None = None


def cached_embeddings(store: ProjectStore, question: Question,
             answers: Sequence[ReportAnswer]) -> Mapping[int, np.ndarray] | None:
    """Each answer's cached embedding (of the model of the question's latest theme run), or
    None unless every answer has one."""
    from coder.core.embedding import DEFAULT_MODEL_ID, cache_key

    run = store.latest_theme_run(question.id)
    model = run.model if run is not None else DEFAULT_MODEL_ID
    # Each distinct text once, with its stored key (computed where the project has none).
    texts = list(dict.fromkeys((a.text, a.key) for a in answers))
    keys: dict[str, str] = {}
    row_of_key: dict[str, int] = {}
    matrices: list[np.ndarray] = []
    # A chunk at a time: the first answer without one settles it, so a project with no
    # embeddings is not read through.
    for start in range(0, len(texts), _EMBEDDING_CHUNK):
        chunk = {text: key or cache_key(text)
                 for text, key in texts[start:start + _EMBEDDING_CHUNK]}
        wanted = sorted(set(chunk.values()) - row_of_key.keys())
        got = store.cached_matrix(model, wanted)
        if got is None:  # vectors of different lengths: one array each
            return _vectors_one_by_one(store, model, answers)
        found, matrix = got
        if len(found) < len(wanted):
            log.info("quotes for %s: TF-IDF centrality (not every answer has a cached"
                     " embedding)", question.id)
            return None
        first = sum(len(m) for m in matrices)
        row_of_key.update((key, first + i) for i, key in enumerate(found))
        matrices.append(matrix)
        keys.update(chunk)
    log.info("quotes for %s: cached %s embeddings", question.id, model)
    if not matrices or len({m.shape[1:] for m in matrices}) > 1:
        return _vectors_one_by_one(store, model, answers)
    return EmbeddingRows(np.concatenate(matrices),
                         {a.id: row_of_key[keys[a.text]] for a in answers})


def _vectors_one_by_one(store: ProjectStore, model: str,
                        answers: Sequence[ReportAnswer]) -> dict[int, np.ndarray] | None:
    from coder.core.embedding import cache_key

    keys = {a.text: a.key or cache_key(a.text) for a in answers}
    found = store.cached_vectors(model, sorted(set(keys.values())))
    if len(found) < len(set(keys.values())):
        return None
    return {a.id: found[keys[a.text]] for a in answers}
