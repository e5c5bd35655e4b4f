"""The embedding cache keeps each vector in its row (no overflow page per vector), on new
projects and on projects upgraded from the layout before, and reads many vectors as one
matrix, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np
import psycopg
import pytest

from coder.core.embedding import DEFAULT_MODEL_ID, HashingEmbedder, cache_key
from coder.store import create_project, open_project
from coder.store.dialect import POSTGRESQL
from coder.store.protocol import ProjectStore
from coder.store.schema import SCHEMA_VERSION, migrations, split_sql

TEXTS = [f"answer {i}: the fees and the distance to school, {i % 7} times" for i in range(1500)]


def _layout_migration() -> int:
    return next(n for n, name, _ in migrations() if name.endswith("_embedding_cache_inline.sql"))


def _vectors() -> dict[str, dict[str, np.ndarray]]:
    """Two models' vectors: 256 numbers (1 KiB, an overflow page each before) and 384."""
    return {DEFAULT_MODEL_ID: dict(zip(map(cache_key, TEXTS), HashingEmbedder().embed(TEXTS),
                                       strict=True)),
            "other-model": dict(zip(map(cache_key, TEXTS[:50]),
                                    HashingEmbedder(dim=384).embed(TEXTS[:50]), strict=True))}


def _older_sqlite(path: Path) -> str:
    """A project file as the schema before the layout change left it, with cached vectors."""
    conn = sqlite3.connect(path)
    for number, _, sql in migrations()[:_layout_migration() - 1]:
        for statement in split_sql(sql):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    for model, vectors in _vectors().items():
        conn.executemany("INSERT INTO embeddings (model, text_key, dim, vector) VALUES"
                         " (?, ?, ?, ?)", [(model, k, len(v), v.astype("<f4").tobytes())
                                           for k, v in vectors.items()])
    conn.commit()
    conn.close()
    return str(path)


def _older_postgres(url: str) -> str:
    """The same on PostgreSQL: the earlier migrations as the store translates them."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE coder_schema (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO coder_schema (version) VALUES (%s)",
                     (_layout_migration() - 1,))
        for _, _, sql in migrations()[:_layout_migration() - 1]:
            for statement in split_sql(sql):
                for translated in POSTGRESQL.ddl(statement):
                    conn.execute(translated)
        for model, vectors in _vectors().items():
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO embeddings (model, text_key, dim, vector) VALUES"
                                " (%s, %s, %s, %s)",
                                [(model, k, len(v), v.astype("<f4").tobytes())
                                 for k, v in vectors.items()])
    return url


def _overflow_pages(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM dbstat WHERE name = 'embeddings'"
                                " AND pagetype = 'overflow'").fetchone()[0])
    finally:
        conn.close()


def test_an_upgraded_project_keeps_every_cached_vector(
        store_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if store_backend == "sqlite":
        where = _older_sqlite(tmp_path / "old.coder")
        assert _overflow_pages(tmp_path / "old.coder") >= len(TEXTS)  # a page per vector
    else:
        where = _older_postgres(request.getfixturevalue("pg_cluster").new_database())
    with open_project(where) as store:
        assert store.schema_version == SCHEMA_VERSION
        for model, vectors in _vectors().items():
            assert store.cached_embedding_count(model) == len(vectors)
            keys = sorted(vectors)
            found = store.get_many(model, keys)
            assert found.keys() == vectors.keys()
            for key in keys:
                np.testing.assert_array_equal(found[key], vectors[key].astype(np.float32))
            got = store.cached_matrix(model, keys)
            assert got is not None
            in_order = np.stack([vectors[k] for k in got[0]]).astype(np.float32)
            assert sorted(got[0]) == keys
            np.testing.assert_array_equal(got[1], in_order)
        # The cache still takes new vectors and replaces old ones.
        store.put_many(DEFAULT_MODEL_ID, {"new-key": np.ones(256, dtype=np.float32),
                                          cache_key(TEXTS[0]): np.zeros(256, dtype=np.float32)})
        assert store.cached_embedding_count(DEFAULT_MODEL_ID) == len(TEXTS) + 1
        assert not store.get_many(DEFAULT_MODEL_ID, [cache_key(TEXTS[0])])[
            cache_key(TEXTS[0])].any()
    if store_backend == "sqlite":
        assert _overflow_pages(tmp_path / "old.coder") == 0


def test_a_new_project_keeps_vectors_in_their_rows(tmp_path: Path) -> None:
    path = tmp_path / "new.coder"
    with create_project(path) as store:
        store.put_many(DEFAULT_MODEL_ID, _vectors()[DEFAULT_MODEL_ID])
    assert _overflow_pages(path) == 0


def test_a_matrix_of_most_of_the_cache_or_of_a_few_keys_is_what_get_many_reads(
        new_store: Callable[[], ProjectStore]) -> None:
    """Half a model's vectors or more are read in one pass over them, fewer key by key: the
    same keys, vectors and order either way, whatever else the cache holds."""
    store = new_store()
    vectors = _vectors()
    for model, by_key in vectors.items():
        store.put_many(model, by_key)
    keys = sorted(vectors[DEFAULT_MODEL_ID])
    for wanted in (keys, keys[::3], keys[:5], [*keys[:950], "not-cached"]):
        got = store.cached_matrix(DEFAULT_MODEL_ID, wanted)
        assert got is not None
        found, matrix = got
        expected = store.get_many(DEFAULT_MODEL_ID, wanted)
        assert sorted(found) == sorted(expected) == sorted(set(wanted) - {"not-cached"})
        assert matrix.shape == (len(found), 256) and matrix.dtype == np.float32
        for row, key in enumerate(found):
            np.testing.assert_array_equal(matrix[row], expected[key])
