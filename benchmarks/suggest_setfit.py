"""What SetFit-style contrastive tuning of the encoder on coded pairs would give the
suggestions, and what it costs on a CPU: MiniLM fine-tuned on pairs of coded answers (target
cosine = the Jaccard similarity of their codes), every answer embedded again with the tuned
encoder, then `CodeSuggester` and MiniLM + logistic regression fitted on the tuned embeddings
and compared with the frozen ones. Measured on the development split of `suggest_dev.py`.

Run: OPENBLAS_NUM_THREADS=1 PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/suggest_setfit.py \\
     [--datasets nhs_fft] [--size 500] [--pairs-per-answer 10] [--threads 1]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks import suggest
from benchmarks.suggest_data import banking77, cached_embeddings, nhs_fft
from coder.core.suggest.metrics import evaluate


def _pairs(codes: list[frozenset[str]], per_answer: int,
           rng: np.random.Generator) -> list[tuple[int, int, float]]:
    """Per answer, half the pairs with an answer sharing a code, half with one sharing none."""
    by_code: dict[str, list[int]] = {}
    for i, found in enumerate(codes):
        for c in found:
            by_code.setdefault(c, []).append(i)
    out = []
    n = len(codes)
    for i, found in enumerate(codes):
        for k in range(per_answer):
            if k % 2 == 0:
                same = by_code[sorted(found)[rng.integers(len(found))]]
                j = int(same[rng.integers(len(same))])
            else:
                j = int(rng.integers(n))
            if j == i:
                continue
            inter, union = len(found & codes[j]), len(found | codes[j])
            out.append((i, j, inter / union))
    return out


def tune(texts: list[str], codes: list[frozenset[str]], per_answer: int, seed: int,
         threads: int, batch: int = 16, epochs: int = 1) -> tuple[object, float]:
    """The encoder fine-tuned on coded pairs, and the seconds it took."""
    import torch
    from sentence_transformers import SentenceTransformer

    from coder.core.embedding import resolve_model_path

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    model = SentenceTransformer(str(resolve_model_path()), device="cpu")
    model.max_seq_length = 128
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    pairs = _pairs(codes, per_answer, rng)
    optimiser = torch.optim.AdamW(model.parameters(), lr=2e-5)
    model.train()
    for _ in range(epochs):
        order = rng.permutation(len(pairs))
        for b in range(0, len(order), batch):
            chunk = [pairs[k] for k in order[b:b + batch]]
            left = model.tokenize([texts[i] for i, _, _ in chunk])
            right = model.tokenize([texts[j] for _, j, _ in chunk])
            a = model(left)["sentence_embedding"]
            c = model(right)["sentence_embedding"]
            target = torch.tensor([y for _, _, y in chunk], dtype=a.dtype)
            loss = torch.nn.functional.mse_loss(torch.cosine_similarity(a, c), target)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    model.eval()
    return model, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", default="nhs_fft")
    parser.add_argument("--size", type=int, default=500)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--pairs-per-answer", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    for name in args.datasets.split(","):
        ds = {"nhs_fft": nhs_fft, "banking77": banking77}[name]()
        frozen = cached_embeddings(ds.texts)
        label_frozen = cached_embeddings(list(ds.definitions.values()))
        multi = any(len(c) > 1 for c in ds.codes)
        n = len(ds.texts)
        pool = np.random.default_rng(12345).permutation(n)[:n // 2]
        order = np.random.default_rng(args.seed).permutation(pool)
        train, test = order[:args.size], order[args.size:]
        model, tune_s = tune([ds.texts[i] for i in train], [ds.codes[i] for i in train],
                             args.pairs_per_answer, args.seed, args.threads)
        start = time.perf_counter()
        tuned = np.zeros_like(frozen)
        tuned[pool] = model.encode([ds.texts[i] for i in pool], batch_size=64,  # type: ignore[attr-defined]
                                   normalize_embeddings=True)
        embed_s = time.perf_counter() - start
        label_tuned = model.encode(list(ds.definitions.values()),  # type: ignore[attr-defined]
                                   normalize_embeddings=True)
        print(f"{name}: tuning on {args.size} answers x {args.pairs_per_answer} pairs "
              f"{tune_s:.0f}s, embedding {len(pool)} answers again {embed_s:.0f}s "
              f"({args.threads} thread(s))", flush=True)
        truth = [ds.codes[i] for i in test]
        for kind, vectors, labels in (("frozen", frozen, label_frozen),
                                      ("tuned", tuned, label_tuned)):
            code_vectors = {c: labels[i:i + 1] for i, c in enumerate(ds.definitions)}
            for method in ("MiniLM+LR", "CodeSuggester"):
                ranked, first, predicted = suggest._fit_predict(
                    method, ds, vectors, code_vectors, train, test, args.seed, multi)
                s = evaluate(ranked, first, predicted, truth, ds.definitions)
                print(f"{name} {args.size} {kind:6} {method:14} top1 {s.top1:.3f} "
                      f"top3 {s.top3_recall:.3f} microF1 {s.micro_f1:.3f} "
                      f"cov90 {s.coverage_90:.3f}", flush=True)


if __name__ == "__main__":
    main()
