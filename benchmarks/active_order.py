"""Answer order for a simulated coder: how many coded answers `CodeSuggester` needs to reach a
given top-1 accuracy when the coder codes in import order, in random order, or "most useful
next" (active learning, `coder.core.suggest.active`), on human-coded data.

The simulated coder codes `--batch` answers, the suggester is refitted on everything coded,
and its top-1 accuracy is measured on a fixed held-out test set; "most useful next" ranks the
uncoded pool again before each batch. The target accuracy is that of MiniLM embeddings +
logistic regression trained on 2,000 answers in random order (the issue's baseline).

Run: OPENBLAS_NUM_THREADS=1 PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/active_order.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks.suggest import _lr_baseline
from benchmarks.suggest_data import banking77, cached_embeddings, nhs_fft
from coder.core.suggest import CodeSuggester
from coder.core.suggest.active import density, useful_order

ORDERS = ("import", "random", "useful")


def top1(model: CodeSuggester, vectors: np.ndarray, texts: list[str],
         truth: list[frozenset[str]]) -> float:
    proba = model.predict_proba(vectors, texts)
    best = model.classes_[np.argmax(proba, axis=1)]
    return float(np.mean([b in t for b, t in zip(best, truth, strict=True)]))


def simulate(name: str, batch: int, budget: int, test_size: int, seed: int) -> None:
    ds = {"nhs_fft": nhs_fft, "banking77": banking77}[name]()
    vectors = cached_embeddings(ds.texts)
    labels = cached_embeddings(list(ds.definitions.values()))
    code_vectors = {c: labels[i:i + 1] for i, c in enumerate(ds.definitions)}
    n = len(ds.texts)
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(n)
    test = np.sort(shuffled[:test_size])
    pool = np.sort(shuffled[test_size:])
    test_codes = [ds.codes[i] for i in test]
    test_texts = [ds.texts[i] for i in test]
    random_pool = pool[np.random.default_rng(seed + 1).permutation(pool.size)]
    multi = any(len(c) > 1 for c in ds.codes)
    ranked, _, _ = _lr_baseline(vectors[random_pool[:2000]], vectors[test],
                                [ds.codes[i] for i in random_pool[:2000]], multi)
    target = float(np.mean([r[0] in t for r, t in zip(ranked, test_codes, strict=True)]))
    print(f"{name}: pool {pool.size}, test {test.size}; target = MiniLM+LR top-1 at 2,000 "
          f"random codings = {target:.3f}", flush=True)
    typical = density(vectors)
    curves: dict[str, list[tuple[int, float]]] = {}
    for order in ORDERS:
        coded: list[int] = []
        curve: list[tuple[int, float]] = []
        seconds = 0.0
        model: CodeSuggester | None = None
        while len(coded) < budget:
            start = time.perf_counter()
            if order == "import":
                nxt = [int(i) for i in pool[len(coded):len(coded) + batch]]
            elif order == "random":
                nxt = [int(i) for i in random_pool[len(coded):len(coded) + batch]]
            else:
                taken = set(coded)
                candidates = [int(i) for i in pool if int(i) not in taken]
                if model is None:
                    confidence = np.zeros(n)
                else:
                    confidence = np.zeros(n)
                    confidence[candidates] = model.predict_proba(
                        vectors[candidates], [ds.texts[i] for i in candidates]).max(axis=1)
                nxt = useful_order(vectors, candidates, confidence, coded, typical,
                                   diverse=batch)[:batch]
            coded += nxt
            model = CodeSuggester(random_state=seed).fit(
                vectors[coded], [ds.codes[i] for i in coded], [ds.texts[i] for i in coded],
                code_vectors)
            seconds += time.perf_counter() - start
            score = top1(model, vectors[test], test_texts, test_codes)
            curve.append((len(coded), score))
            print(f"  {order:7} {len(coded):5} top1 {score:.3f}  ({seconds:.0f}s)", flush=True)
        curves[order] = curve
    print(f"\n| {name}: coded | " + " | ".join(ORDERS) + " |")
    print("|---|" + "---|" * len(ORDERS))
    for k in range(len(curves["import"])):
        print(f"| {curves['import'][k][0]} | "
              + " | ".join(f"{curves[o][k][1]:.3f}" for o in ORDERS) + " |")
    print(f"\ncoded answers needed to reach top-1 {target:.3f} (MiniLM+LR at 2,000):")
    for order in ORDERS:
        reached = next((size for size, score in curves[order] if score >= target), None)
        print(f"  {order:7} {reached if reached is not None else f'not within {budget}'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", default="nhs_fft")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--budget", type=int, default=2000)
    parser.add_argument("--test-size", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    simulate(args.dataset, args.batch, args.budget, args.test_size, args.seed)


if __name__ == "__main__":
    main()
