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


def perturb(text: str, rng: random.Random) -> str:
    """A small edit (typo, dropped word, case, punctuation) so copies are distinct texts."""
    words = text.split()
    op = rng.randrange(4)
    if op == 0 and len(words) > 3:
        del words[rng.randrange(len(words))]
    elif op == 1 and words:
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 3:
            j = rng.randrange(len(w) - 1)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    elif op == 2:
        return text.lower().rstrip("?.!") + rng.choice(["", ".", "!", " please", " thanks"])
    return " ".join(words) + rng.choice(["", " ", "?", "."])


def metrics(y: list[str], labels: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {
        "nmi": normalized_mutual_info_score(y, labels),
        "ari": adjusted_rand_score(y, labels),
        "k": int(len(set(labels.tolist()) - {-1})),
        "other": float(np.mean(labels == -1)),
    }


def run_ours(x: np.ndarray, texts: list[str], seed: int) -> np.ndarray:
    from coder.core.themes.discovery import ThemeDiscovery

    return ThemeDiscovery(random_state=seed).fit(x, texts).labels_


def run_kmeans(x: np.ndarray, k: int, seed: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, random_state=seed, n_init="auto").fit_predict(x)


def run_bertopic(x: np.ndarray, texts: list[str], seed: int) -> np.ndarray:
    """BERTopic with its defaults on the same embeddings; ``seed`` fixes UMAP's seed only
    for the second run (the default has no seed, as a user would run it)."""
    from bertopic import BERTopic

    kwargs = {}
    if seed:
        from umap import UMAP

        kwargs["umap_model"] = UMAP(
            n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed
        )
    topics, _ = BERTopic(**kwargs).fit_transform(texts, x)
    return np.asarray(topics)


def compare(
    sets: list[DataSet], cache: NpyCache, embedder: SentenceTransformerEmbedder, with_bertopic: bool
) -> list[dict]:
    from sklearn.metrics import adjusted_rand_score

    rows = []
    for ds in sets:
        x = cache.embeddings(ds.texts, embedder)
        k_true = len(set(ds.labels))
        methods = {
            "ours": lambda s, x=x, ds=ds: run_ours(x, ds.texts, s),
            "kmeans_true_k": lambda s, x=x, k=k_true: run_kmeans(x, k, s),
        }
        if with_bertopic and len(ds.texts) >= 10:
            methods["bertopic_defaults"] = lambda s, x=x, ds=ds: run_bertopic(x, ds.texts, s)
        for name, fn in methods.items():
            t0 = time.perf_counter()
            a = fn(0)
            wall = time.perf_counter() - t0
            b = fn(1)
            row = {
                "set": ds.name,
                "n": len(ds.texts),
                "human_k": k_true,
                "method": name,
                **metrics(ds.labels, a),
                "seed_ari": adjusted_rand_score(a, b),
                "time_s": wall,
            }
            rows.append(row)
            log.info("%s", json.dumps(row))
    return rows


def timing(ds: DataSet, embedder: SentenceTransformerEmbedder) -> dict[str, float]:
    """Embedding alone, cold (embed + themes, empty cache), warm (cache filled): wall and CPU
    seconds of this process (all threads), side by side in one run."""
    from coder.core.themes.run import discover_themes

    embedder.embed(["warm up the model"])

    def clocked(fn: object) -> tuple[float, float]:
        w0, c0 = time.perf_counter(), time.process_time()
        fn()  # type: ignore[operator]
        return time.perf_counter() - w0, time.process_time() - c0

    embed_only, embed_cpu = clocked(
        lambda: embed_with_cache(ds.texts, embedder, InMemoryEmbeddingCache()))
    cache = InMemoryEmbeddingCache()
    cold, cold_cpu = clocked(lambda: discover_themes(ds.texts, embedder=embedder, cache=cache))
    warm, warm_cpu = clocked(lambda: discover_themes(ds.texts, embedder=embedder, cache=cache))
    out = {
        "n": len(ds.texts),
        "embed_only_s": embed_only,
        "cold_s": cold,
        "warm_s": warm,
        "embed_only_cpu_s": embed_cpu,
        "cold_cpu_s": cold_cpu,
        "warm_cpu_s": warm_cpu,
        "cold_over_embed": cold / embed_only,
        "cold_over_embed_cpu": cold_cpu / embed_cpu,
        "peak_rss_mb": peak_rss_mb(),
    }
    log.info("timing %s", json.dumps(out))
    return out


def scale(n: int, embedder: SentenceTransformerEmbedder) -> dict[str, float]:
    """Cold run on ``n`` answers: Banking77 repeated with small perturbations."""
    from coder.core.themes.run import discover_themes

    base = load_banking()
    rng = random.Random(0)
    texts, labels = [], []
    while len(texts) < n:
        for t, y in zip(base.texts, base.labels, strict=True):
            texts.append(t if len(texts) < len(base.texts) else perturb(t, rng))
            labels.append(y)
    texts, labels = texts[:n], labels[:n]
    embedder.embed(["warm up the model"])
    t0 = time.perf_counter()
    run = discover_themes(texts, embedder=embedder, cache=InMemoryEmbeddingCache())
    cold = time.perf_counter() - t0
    out = {
        "n": n,
        "distinct": len(set(texts)),
        "cold_s": cold,
        "peak_rss_mb": peak_rss_mb(),
        **metrics(labels, run.labels),
    }
    log.info("scale %s", json.dumps(out))
    return out


def scale_themes(n: int, embedder: SentenceTransformerEmbedder) -> dict[str, float]:
    """The themes step alone on ``n`` answers (Banking77 repeated with small edits), with
    embeddings given: each copy's embedding is its original's plus a little noise, so the
    clustering, labels and quotes see ``n`` distinct answers without paying for embedding them.
    Add the embedding rate measured by ``--timing`` for the end-to-end estimate."""
    from coder.core.themes.run import discover_themes

    base = load_banking()
    x0 = NpyCache(EMB_DIR).embeddings(base.texts, embedder)
    rng = random.Random(0)
    noise = np.random.default_rng(0)
    texts, labels, rows = [], [], []
    while len(texts) < n:
        for i, (t, y) in enumerate(zip(base.texts, base.labels, strict=True)):
            texts.append(t if len(texts) < len(base.texts) else perturb(t, rng))
            labels.append(y)
            rows.append(i)
    texts, labels, rows = texts[:n], labels[:n], rows[:n]
    x = x0[rows] + noise.normal(0, 0.01, size=(n, x0.shape[1])).astype(np.float32)
    x[: len(base.texts)] = x0[: min(n, len(base.texts))]
    embedder.embed(["warm up the model"])
    w0, c0 = time.perf_counter(), time.process_time()
    run = discover_themes(texts, embeddings=x, embedder=embedder, cache=InMemoryEmbeddingCache())
    out = {
        "n": n,
        "themes_wall_s": time.perf_counter() - w0,
        "themes_cpu_s": time.process_time() - c0,
        "peak_rss_mb": peak_rss_mb(),
        **metrics(labels, run.labels),
    }
    log.info("scale_themes %s", json.dumps(out))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", default="all", help="all, or nhs,banking,clinc")
    parser.add_argument("--embed-only", action="store_true", help="only fill the cache")
    parser.add_argument("--no-bertopic", action="store_true")
    parser.add_argument("--timing", action="store_true", help="cold/warm times on Banking77")
    parser.add_argument("--scale", type=int, default=0, help="cold run on N answers")
    parser.add_argument("--scale-themes", type=int, default=0,
                        help="the themes step alone on N answers, embeddings given")
    parser.add_argument("--json", type=Path, help="write results here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("sentence_transformers", "BERTopic", "coder"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    embedder = SentenceTransformerEmbedder()
    result: dict = {}
    if args.scale:
        result["scale"] = scale(args.scale, embedder)
    elif args.scale_themes:
        result["scale_themes"] = scale_themes(args.scale_themes, embedder)
    elif args.timing:
        result["timing"] = timing(load_banking(), embedder)
    else:
        sets = load_sets(args.sets)
        cache = NpyCache(EMB_DIR)
        if args.embed_only:
            for ds in sets:
                cache.embeddings(ds.texts, embedder)
            return 0
        result["compare"] = compare(sets, cache, embedder, not args.no_bertopic)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
