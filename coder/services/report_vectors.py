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

#: Cached embeddings looked up first (in key order): one missing stops the reading there.
_EMBEDDING_PROBE = 2000


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

    if not answers:
        return {}
    run = store.latest_theme_run(question.id)
    model = run.model if run is not None else DEFAULT_MODEL_ID
    cached = store.cached_embedding_count(model)
    # Each answer's stored key (computed where the project has none).
    keys = [a.key or cache_key(a.text) for a in answers] if cached else []
    wanted = sorted(set(keys))
    # Fewer cached vectors than keys (none at all, say), or a missing one among the first
    # few (in key order), settles it before 100,000 vectors are read.
    got = None
    if cached >= len(wanted) > 0:
        for chunk in (wanted[:_EMBEDDING_PROBE], wanted):
            got = store.cached_matrix(model, chunk)
            if got is None:  # vectors of different lengths: one array each
                return _vectors_one_by_one(store, model, answers)
            if len(got[0]) < len(chunk):
                got = None
                break
            if len(chunk) == len(wanted):
                break
    if got is None:
        log.info("quotes for %s: TF-IDF centrality (not every answer has a cached"
                 " embedding)", question.id)
        return None
    log.info("quotes for %s: cached %s embeddings", question.id, model)
    found, matrix = got
    row_of_key = dict(zip(found, range(len(found)), strict=True))
    return EmbeddingRows(matrix, dict(zip([a.id for a in answers],
                                          map(row_of_key.__getitem__, keys), strict=True)))


def _vectors_one_by_one(store: ProjectStore, model: str,
                        answers: Sequence[ReportAnswer]) -> dict[int, np.ndarray] | None:
    from coder.core.embedding import cache_key

    keys = {a.text: a.key or cache_key(a.text) for a in answers}
    found = store.cached_vectors(model, sorted(set(keys.values())))
    if len(found) < len(set(keys.values())):
        return None
    return {a.id: found[keys[a.text]] for a in answers}
