"""Refit speed of `CodeSuggester` at 5,000 codings (the full fit with the calibration, as the
app's background refit does it), one answer's suggestions, and ranking a question's answers
"most useful next"; optionally the same measures of another source tree in the same run.

Run: OPENBLAS_NUM_THREADS=1 PYTHONPATH=. HF_HUB_OFFLINE=1 \\
     python benchmarks/suggest_speed.py [--against ../main] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def measure(dataset: str, repeats: int) -> dict[str, float]:
    from benchmarks.suggest_data import banking77, cached_embeddings, nhs_fft
    from coder.core.suggest import CodeSuggester

    ds = {"nhs_fft": nhs_fft, "banking77": banking77}[dataset]()
    vectors = cached_embeddings(ds.texts)
    idx = np.random.default_rng(0).permutation(len(ds.texts))[:5000]
    codes = [ds.codes[i] for i in idx]
    texts = [ds.texts[i] for i in idx]
    fits, cpu = [], []
    model = CodeSuggester()
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        model = CodeSuggester().fit(vectors[idx], codes, texts)
        fits.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    # CPU seconds too: on a shared machine the wall time mostly measures the others' load.
    out = {"refit_5000_s": float(np.median(fits)), "refit_5000_min_s": float(np.min(fits)),
           "refit_5000_cpu_s": float(np.median(cpu))}
    start = time.perf_counter()
    for i in range(200):
        model.suggest(vectors[i:i + 1], [ds.texts[i]], top=3)
    out["suggest_one_ms"] = (time.perf_counter() - start) / 200 * 1000
    try:
        from coder.core.suggest.active import density, useful_order
    except ImportError:
        return out
    start = time.perf_counter()
    typical = density(vectors)
    out["density_once_s"] = time.perf_counter() - start
    start = time.perf_counter()
    rest = sorted(set(range(len(ds.texts))) - set(idx.tolist()))
    confidence = np.zeros(len(ds.texts))  # as the app scores them: the uncoded answers only
    confidence[rest] = model.predict_proba(vectors[rest], [ds.texts[i] for i in rest]).max(axis=1)
    useful_order(vectors, rest, confidence, idx.tolist(), typical)
    out["useful_order_s"] = time.perf_counter() - start
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", default="nhs_fft")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--against", default=None, help="Another source tree to time too.")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.dataset, args.repeats)))
        return
    here = Path(__file__).resolve().parents[1]
    trees = [("this tree", here)] + ([("--against", Path(args.against).resolve())]
                                     if args.against else [])
    for name, tree in trees:
        env = {**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{here}"}
        # The other tree's coder package first; this tree's benchmarks/ only for the data.
        result = subprocess.run(
            [sys.executable, "-c", "import sys, runpy; sys.argv = sys.argv[1:]; "
             "runpy.run_path(sys.argv[0], run_name='__main__')",
             str(Path(__file__).resolve()), "--json", "--dataset", args.dataset,
             "--repeats", str(args.repeats)],
            env=env, capture_output=True, text=True, check=True, cwd=tree)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        print(f"{args.dataset} {name} ({tree}): " + ", ".join(
            f"{k} {v:.3f}" for k, v in figures.items()), flush=True)


if __name__ == "__main__":
    main()
