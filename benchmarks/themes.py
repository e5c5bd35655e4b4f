"""Benchmark theme discovery against human codes, k-means (true k) and BERTopic defaults.

Run from the repository root::

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/themes.py --sets all

Embeddings for the data sets are cached under ``/tmp/coder-bench-emb`` (never in the
repository), so only the first run pays for embedding; ``--timing`` measures cold/warm times
and ``--scale 100000`` the large-input run. Reads ``../shared/data`` in place.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / ".." / "shared" / "data"
EMB_DIR = Path(os.environ.get("CODER_BENCH_EMB", "/tmp/coder-bench-emb"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from coder.core.embedding import (  # noqa: E402
    InMemoryEmbeddingCache,
    SentenceTransformerEmbedder,
    embed_with_cache,
)

log = logging.getLogger("bench")


@dataclass
class DataSet:
    """One evaluation set: answers and their human codes."""

    name: str
    texts: list[str]
    labels: list[str]


def load_nhs() -> list[DataSet]:
    """NHS FFT, one set per question, rows with exactly one substantive code."""
    import pandas as pd

    df = pd.read_csv(DATA / "nhs_fft" / "v6framework_230831.csv")
    cols = list(df.columns)
    codes = cols[cols.index("Comment sentiment") + 1 :]
    df = df[df[codes].sum(axis=1) == 1].copy()
    df["code"] = df[codes].idxmax(axis=1)
    df = df[df["code"] != "Labelling not possible"]
    df = df[df["FFT answer"].fillna("").str.strip() != ""]
    df["q"] = df["FFT question"].str.split().str.join(" ")
    out = []
    for q, g in sorted(df.groupby("q"), key=lambda kv: -len(kv[1])):
        if len(g) < 100:
            continue
        short = "".join(ch for ch in q.lower() if ch.isalnum() or ch == " ").split()[:4]
        out.append(
            DataSet(
                f"nhs_fft:{'_'.join(short)}",
                g["FFT answer"].astype(str).tolist(),
                g["code"].tolist(),
            )
        )
    return out


def load_banking() -> DataSet:
    """Banking77 train split."""
    import pandas as pd

    df = pd.read_csv(DATA / "banking77" / "train.csv")
    return DataSet("banking77", df["text"].astype(str).tolist(), df["category"].tolist())


def load_clinc() -> DataSet:
    """CLINC150, all splits, in-scope plus out-of-scope (one label 'oos')."""
    data = json.loads((DATA / "clinc150" / "data_full.json").read_text())
    texts, labels = [], []
    for split in ("train", "val", "test", "oos_train", "oos_val", "oos_test"):
        for text, label in data[split]:
            texts.append(text)
            labels.append(label)
    return DataSet("clinc150", texts, labels)


def load_sets(which: str) -> list[DataSet]:
    """Load the named sets ('all', or comma-separated nhs,banking,clinc)."""
    names = {"nhs", "banking", "clinc"} if which == "all" else set(which.split(","))
    sets: list[DataSet] = []
    if "nhs" in names:
        sets += load_nhs()
    if "banking" in names:
        sets.append(load_banking())
    if "clinc" in names:
        sets.append(load_clinc())
    return sets


class NpyCache:
    """File-backed embedding cache for benchmark runs (one .npy per text list)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def path_for(self, model_id: str, texts: list[str]) -> Path:
        h = hashlib.sha1(model_id.encode())
        for t in texts:
            h.update(t.encode("utf-8") + b"\0")
        return self.directory / f"{h.hexdigest()}.npy"

    def embeddings(self, texts: list[str], embedder: SentenceTransformerEmbedder) -> np.ndarray:
        path = self.path_for(embedder.model_id, texts)
        if path.exists():
            return np.load(path)
        emb = embed_with_cache(texts, embedder, InMemoryEmbeddingCache())
        np.save(path, emb)
        return emb


def peak_rss_mb() -> float:
    """Peak resident set size of this process, MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", default="all")
    parser.add_argument("--embed-only", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    random.seed(0)
    sets = load_sets(args.sets)
    embedder = SentenceTransformerEmbedder()
    cache = NpyCache(EMB_DIR)
    for ds in sets:
        t0 = time.perf_counter()
        emb = cache.embeddings(ds.texts, embedder)
        log.info(
            "%s: %d texts, %s, %.1fs", ds.name, len(ds.texts), emb.shape, time.perf_counter() - t0
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
