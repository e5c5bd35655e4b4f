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

#: Cached embeddings read at a time (in key order): the first missing one stops the reading.
_EMBEDDING_CHUNK = 10_000


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
    # Each distinct text's stored key (computed where the project has none).
    keys = {text: key or cache_key(text)
            for text, key in {a.text: a.key for a in answers}.items()}
    wanted = sorted(set(keys.values()))
    # In key order, the order the cache is kept in: the vectors are read from neighbouring
    # pages rather than from all over the file. Fewer vectors than keys settles it unread.
    found: list[str] = []
    matrices: list[np.ndarray] = []
    missing = store.cached_embedding_count(model) < len(wanted)
    for start in range(0, 0 if missing else len(wanted), _EMBEDDING_CHUNK):
        chunk = wanted[start:start + _EMBEDDING_CHUNK]
        got = store.cached_matrix(model, chunk)
        if got is None:  # vectors of different lengths: one array each
            return _vectors_one_by_one(store, model, answers)
        if len(got[0]) < len(chunk):
            missing = True
            break
        found += got[0]
        matrices.append(got[1])
    if missing:
        log.info("quotes for %s: TF-IDF centrality (not every answer has a cached"
                 " embedding)", question.id)
        return None
    log.info("quotes for %s: cached %s embeddings", question.id, model)
    if not matrices or len({m.shape[1:] for m in matrices}) > 1:
        return _vectors_one_by_one(store, model, answers)
    row_of_key = dict(zip(found, range(len(found)), strict=True))
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
