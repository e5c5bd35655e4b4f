"""Back-coding suggestions for a whole other-specify question: one matrix product
(`BackcodeSuggestions.ranked`, what `coder backcode suggest` and the coding app use) against
the former loop that gathered each answer's examples and matched it alone (reproduced here as
the reference), on seeded random unit vectors (MiniLM's 384 dimensions; embedding is left out:
both ways embed the same texts once). A quarter of the answers are back-coded by people, over 5
categories and "genuinely other". The two must agree; the figures are the time of each, in one
run, and the time of one answer's three suggestions as the coding app asks for them.

Run: OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python benchmarks/backcode_speed.py \
  --answers 500 2000 5000 20000
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from coder.core.suggest.backcode import match_categories
from coder.services.backcode_suggestions import BackcodeSuggestions

CATEGORIES = ["c1", "c2", "c3", "c4", "c5"]
OTHER = "other"


def unit_rows(rng: np.random.Generator, n: int, d: int = 384) -> np.ndarray:
    v = rng.standard_normal((n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def one_at_a_time(vectors: np.ndarray, words: dict[str, np.ndarray],
                  taught: dict[int, str]) -> list[str | None]:
    """The former service loop: per answer, its examples gathered and matched alone."""
    out = []
    for i in range(len(vectors)):
        own: dict[str | None, list[np.ndarray]] = {k: list(v) for k, v in words.items()}
        for row, code in taught.items():
            if row != i:
                own.setdefault(None if code == OTHER else code, []).append(vectors[row])
        stacked = {k: np.stack(v) for k, v in own.items() if v}
        out.append(match_categories(vectors[i:i + 1], stacked, 0.6)[0].category)
    return out


def run(n: int, seed: int, loop: bool) -> tuple[float | None, float, float]:
    rng = np.random.default_rng(seed)
    words = {c: unit_rows(rng, 2) for c in CATEGORIES}
    # Answers near a category's words (or near each other, for "other"), so matches happen.
    centres = np.concatenate([unit_rows(rng, 1), *[w[:1] for w in words.values()]])
    picks = rng.integers(0, len(centres), n)
    vectors = centres[picks] + 0.9 * unit_rows(rng, n)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rows = rng.choice(n, n // 4, replace=False)
    names = [OTHER, *CATEGORIES]
    taught = {int(r): names[int(picks[r])] for r in rows}
    model = BackcodeSuggestions("q", list(range(n)), vectors, [""] * n, {*CATEGORIES, OTHER},
                                words, other_code=OTHER)
    model.fit({a: [c] for a, c in taught.items()})
    start = time.perf_counter()
    batch = [found[0].code for found in model.ranked(range(n), top=1)]
    batch_time = time.perf_counter() - start
    loop_time = None
    if loop:
        start = time.perf_counter()
        alone = one_at_a_time(vectors, words, taught)
        loop_time = time.perf_counter() - start
        assert batch == [c or OTHER for c in alone], "the batch and the loop disagree"
    timings = []
    for answer_id in range(0, n, max(1, n // 50)):  # the coding app: one answer's suggestions
        start = time.perf_counter()
        model.for_answer(answer_id, 3)
        timings.append(time.perf_counter() - start)
    return loop_time, batch_time, float(np.median(timings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--loop-max", type=int, default=5000,
                        help="Time the former loop up to this many answers (it grows as n^2).")
    args = parser.parse_args()
    print("| answers | back-coded | former loop (s) | one matrix (s) | faster |"
          " one answer in the app (ms, median) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in args.answers:
        loop_time, batch_time, one = run(n, args.seed, n <= args.loop_max)
        loop = "-" if loop_time is None else f"{loop_time:.3f}"
        ratio = "-" if loop_time is None else f"{loop_time / batch_time:.0f}x"
        print(f"| {n:,} | {n // 4:,} | {loop} | {batch_time:.4f} | {ratio} | {one * 1000:.2f} |")


if __name__ == "__main__":
    main()
