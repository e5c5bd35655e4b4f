"""Datasets of the suggestion benchmark, read in place from ../shared/data, and their embeddings
cached in a temporary folder for the run (each dataset is embedded once)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(os.environ.get("CODER_SHARED_DATA",
                           Path(__file__).resolve().parents[2] / "shared" / "data"))
NON_ANSWERS = {"", "did not answer", "nan"}


@dataclass(frozen=True)
class Dataset:
    name: str
    texts: list[str]
    codes: list[frozenset[str]]  # the answer's codes (one for a single-label set)
    definitions: dict[str, str]  # code -> label (and definition when the source has one)


def nhs_fft() -> Dataset:
    """NHS FFT answers, 50 codes (multi-label); blank and "Did not answer" rows left out, as the
    coding app leaves non-substantive answers out."""
    frame = pd.read_csv(DATA / "nhs_fft" / "v6framework_230831.csv")
    columns = list(frame.columns)
    code_columns = columns[columns.index("Comment sentiment") + 1:]
    texts = frame["FFT answer"].fillna("").astype(str).str.strip()
    keep = ~texts.str.lower().isin(NON_ANSWERS)
    onehot = frame.loc[keep, code_columns].fillna(0).astype(int).to_numpy()
    codes = [frozenset(code_columns[j] for j in np.flatnonzero(row)) for row in onehot]
    texts_kept = texts[keep].tolist()
    pairs = [(t, c) for t, c in zip(texts_kept, codes, strict=True) if c]
    return Dataset("nhs_fft", [t for t, _ in pairs], [c for _, c in pairs],
                   {c: c for c in code_columns})


def banking77() -> Dataset:
    """Banking77 questions, 77 intents (one each)."""
    frame = pd.read_csv(DATA / "banking77" / "train.csv")
    labels = json.loads((DATA / "banking77" / "categories.json").read_text())
    return Dataset("banking77", frame["text"].astype(str).tolist(),
                   [frozenset([c]) for c in frame["category"].astype(str)],
                   {c: c.replace("_", " ") for c in labels})


def cached_embeddings(texts: list[str], cache_dir: Path | None = None) -> np.ndarray:
    """MiniLM embeddings of `texts`, computed once per run folder (keyed by the texts)."""
    from coder.core.embedding import embed_with_cache

    folder = cache_dir or Path(tempfile.gettempdir()) / "coder-bench-suggest"
    folder.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha1("\n".join(texts).encode("utf-8")).hexdigest()[:16]
    path = folder / f"{key}.npy"
    if path.exists():
        return np.load(path)
    vectors = embed_with_cache(texts, _embedder())
    np.save(path, vectors)
    return vectors


_EMBEDDER = None


def _embedder():  # type: ignore[no-untyped-def]
    global _EMBEDDER
    if _EMBEDDER is None:
        from coder.core.embedding import SentenceTransformerEmbedder

        _EMBEDDER = SentenceTransformerEmbedder()
    return _EMBEDDER


if __name__ == "__main__":
    import time

    for load in (nhs_fft, banking77):
        start = time.perf_counter()
        ds = load()
        vectors = cached_embeddings(ds.texts)
        labels = cached_embeddings(list(ds.definitions.values()))
        print(ds.name, len(ds.texts), vectors.shape, labels.shape,
              f"{time.perf_counter() - start:.1f}s")
