"""Theme discovery on small questions (8-50 answers, 2-6 human codes) against k-means told k.

Samples are drawn (seeded) from the human-coded sets in ``../shared/data`` (read in place):
Banking77, CLINC150 (in-scope intents) and NHS FFT (rows with one code). For each sample size
(8, 12, 25, 50) and set, ``--samples`` samples of 2-6 codes (at most a third of the answers'
count, each code at least 2 answers). NMI counts "other" (-1) as one group. Run from the
repository root::

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/themes_small.py --samples 12

Embeddings are cached under ``/tmp/coder-bench-emb``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.themes import DATA, EMB_DIR, DataSet, NpyCache, load_banking  # noqa: E402

SIZES = (8, 12, 25, 50)


def load_clinc_in_scope() -> DataSet:
    """CLINC150 in-scope requests (all splits)."""
    data = json.loads((DATA / "clinc150" / "data_full.json").read_text())
    texts, labels = [], []
    for split in ("train", "val", "test"):
        for text, label in data[split]:
            texts.append(text)
            labels.append(label)
    return DataSet("clinc150", texts, labels)


def load_nhs_single() -> DataSet:
    """NHS FFT rows with exactly one substantive code."""
    import pandas as pd

    df = pd.read_csv(DATA / "nhs_fft" / "v6framework_230831.csv")
    cols = list(df.columns)
    codes = cols[cols.index("Comment sentiment") + 1 :]
    df = df[df[codes].sum(axis=1) == 1].copy()
    df["code"] = df[codes].idxmax(axis=1)
    df = df[df["code"] != "Labelling not possible"]
    df = df[df["FFT answer"].fillna("").str.strip().str.len() > 2]
    df = df.drop_duplicates("FFT answer")
    return DataSet("nhs_fft", df["FFT answer"].astype(str).tolist(), df["code"].tolist())


def draw_samples(ds: DataSet, n: int, count: int, seed: int) -> list[tuple[list[str], list[str]]]:
    """``count`` samples of ``n`` answers from 2..min(6, n // 3) codes, each code >= 2 answers."""
    rng = random.Random(f"{ds.name}:{n}:{seed}")
    by_code: dict[str, list[str]] = defaultdict(list)
    for text, label in zip(ds.texts, ds.labels, strict=True):
        by_code[label].append(text)
    codes = sorted(c for c, items in by_code.items() if len(items) >= n)
    out = []
    for _ in range(count):
        k = rng.randint(2, max(2, min(6, n // 3)))
        chosen = rng.sample(codes, k)
        # every code at least 2 answers, the rest spread at random (uneven, as in surveys)
        counts = [2] * k
        for _ in range(n - 2 * k):
            counts[rng.randrange(k)] += 1
        texts, labels = [], []
        for code, c in zip(chosen, counts, strict=True):
            for text in rng.sample(by_code[code], c):
                texts.append(text)
                labels.append(code)
        order = list(range(n))
        rng.shuffle(order)
        out.append(([texts[i] for i in order], [labels[i] for i in order]))
    return out


def kmeans_true_k(x: np.ndarray, k: int, seed: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, random_state=seed, n_init="auto").fit_predict(x)


def ours(x: np.ndarray, texts: list[str], seed: int) -> np.ndarray:
    from coder.core.themes.discovery import ThemeDiscovery

    return ThemeDiscovery(random_state=seed).fit(x).labels_


def main(argv: list[str] | None = None) -> int:
    from sklearn.metrics import normalized_mutual_info_score

    from coder.core.embedding import SentenceTransformerEmbedder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=12, help="samples per set and size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    embedder = SentenceTransformerEmbedder()
    cache = NpyCache(EMB_DIR)
    sets = [load_banking(), load_clinc_in_scope(), load_nhs_single()]
    methods: dict[str, Callable[[np.ndarray, list[str], list[str]], np.ndarray]] = {
        "ours": lambda x, t, y: ours(x, t, args.seed),
        "kmeans_true_k": lambda x, t, y: kmeans_true_k(x, len(set(y)), args.seed),
    }
    rows = []
    for ds in sets:
        samples = {n: draw_samples(ds, n, args.samples, args.seed) for n in SIZES}
        all_texts = sorted({t for s in samples.values() for texts, _ in s for t in texts})
        emb = cache.embeddings(all_texts, embedder)
        row_of = {t: i for i, t in enumerate(all_texts)}
        for n, items in samples.items():
            for texts, labels in items:
                x = emb[[row_of[t] for t in texts]]
                for name, fn in methods.items():
                    found = fn(x, texts, labels)
                    rows.append({
                        "set": ds.name, "n": n, "k": len(set(labels)), "method": name,
                        "nmi": normalized_mutual_info_score(labels, found),
                        "themes": len(set(found.tolist()) - {-1}),
                        "other": float(np.mean(found == -1)),
                        "one_theme": len(set(found.tolist()) - {-1}) <= 1,
                    })
    print("| set | answers | method | mean NMI | themes / codes | other | one theme |")
    print("|---|---|---|---|---|---|---|")
    for ds_name in [ds.name for ds in sets] + ["all"]:
        for n in [*SIZES, "all"]:
            for name in methods:
                sel = [r for r in rows if r["method"] == name
                       and (ds_name == "all" or r["set"] == ds_name)
                       and (n == "all" or r["n"] == n)]
                if ds_name != "all" and n == "all":
                    continue
                ratio = np.mean([r["themes"] / r["k"] for r in sel])
                print(f"| {ds_name} | {n} | {name} | {np.mean([r['nmi'] for r in sel]):.3f}"
                      f" | {ratio:.2f} | {np.mean([r['other'] for r in sel]):.1%}"
                      f" | {sum(r['one_theme'] for r in sel)}/{len(sel)} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
