"""Development split for tuning `CodeSuggester` apart from the benchmark's samples: a seeded
half of each dataset is the development pool; coded samples are drawn from it with seeds of
their own (10 and up; `suggest.py` uses 0 and up over the whole dataset) and scored on the rest
of the pool. Variants are `CodeSuggester` parameters given as JSON.

Run: OPENBLAS_NUM_THREADS=1 PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/suggest_dev.py \\
     --variants '{"base": {}, "no-ovr": {"one_vs_rest": false}}' [--sizes 500] [--seeds 2]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from benchmarks import suggest
from benchmarks.suggest_data import banking77, cached_embeddings, nhs_fft
from coder.core.suggest.metrics import evaluate

#: Seeds of the development samples (the benchmark uses 0, 1, ...).
DEV_SEEDS = (10, 11, 12, 13)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", default='{"base": {}}')
    parser.add_argument("--sizes", default="500")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--datasets", default="nhs_fft,banking77")
    parser.add_argument("--baseline", action="store_true", help="Also MiniLM+LR.")
    parser.add_argument("--estimator", default=None,
                        help="module:Class to measure instead of CodeSuggester (experiments).")
    args = parser.parse_args()
    if args.estimator:
        import importlib

        module, _, cls = args.estimator.partition(":")
        suggest.CodeSuggester = getattr(importlib.import_module(module), cls)
    variants = json.loads(args.variants)
    suggest.VARIANTS.update(variants)
    names = (["MiniLM+LR"] if args.baseline else []) + list(variants)
    for load in (dict(nhs_fft=nhs_fft, banking77=banking77)[d]
                 for d in args.datasets.split(",")):
        ds = load()
        vectors = cached_embeddings(ds.texts)
        label_vectors = cached_embeddings(list(ds.definitions.values()))
        code_vectors = {c: label_vectors[i:i + 1] for i, c in enumerate(ds.definitions)}
        multi = any(len(c) > 1 for c in ds.codes)
        n = len(ds.texts)
        pool = np.random.default_rng(12345).permutation(n)[:n // 2]
        for size in (int(s) for s in args.sizes.split(",")):
            sums: dict[str, np.ndarray] = {}
            for seed in DEV_SEEDS[:args.seeds]:
                order = np.random.default_rng(seed).permutation(pool)
                train, test = order[:size], order[size:]
                truth = [ds.codes[i] for i in test]
                for name in names:
                    start = time.perf_counter()
                    ranked, first, predicted = suggest._fit_predict(
                        name, ds, vectors, code_vectors, train, test, seed, multi)
                    s = evaluate(ranked, first, predicted, truth, ds.definitions)
                    row = np.array([s.top1, s.top3_recall, s.micro_f1, s.coverage_90,
                                    time.perf_counter() - start])
                    sums[name] = sums.get(name, 0) + row / args.seeds
            for name in names:
                t1, t3, mf, cov, sec = sums[name]
                print(f"{ds.name:9} {size:5} {name:24} top1 {t1:.3f} top3 {t3:.3f} "
                      f"microF1 {mf:.3f} cov90 {cov:.3f} ({sec:.1f}s)", flush=True)


if __name__ == "__main__":
    main()
