"""Benchmark: agreement statistics on 100,000 answers x 3 coders x 50 codes, with bootstrap.

Targets: all per-code statistics without bootstrap <= 2 s; 1,000 bootstrap replicates <= 30 s.

Run:  .venv/bin/python benchmarks/agreement.py [--answers 100000] [--replicates 1000]
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np

from coder.core.agreement import CodingTable, compute_agreement


def synthetic_table(
    n_answers: int, n_coders: int, n_codes: int, seed: int = 7, missing: float = 0.1
) -> CodingTable:
    """Answers with a true code set; each coder finds each true code with 85-95% probability,
    adds a spurious code now and then, and skips ~10% of answers (missing)."""
    rng = np.random.default_rng(seed)
    # Zipf-like prevalence: a few common codes (~25%), a long tail of rare ones (~0.5%).
    prevalence = 0.25 / np.arange(1, n_codes + 1) ** 0.9
    prevalence = np.maximum(prevalence, 0.005)
    truth = rng.random((n_answers, n_codes)) < prevalence
    sensitivity = rng.uniform(0.80, 0.95, size=n_codes)
    spurious = prevalence * rng.uniform(0.03, 0.15, size=n_codes)
    applied = np.empty((n_answers, n_coders, n_codes), dtype=bool)
    for c in range(n_coders):
        found = truth & (rng.random((n_answers, n_codes)) < sensitivity)
        extra = ~truth & (rng.random((n_answers, n_codes)) < spurious)
        applied[:, c, :] = found | extra
    coded = rng.random((n_answers, n_coders)) >= missing
    applied &= coded[:, :, None]
    return CodingTable(
        units=tuple(range(n_answers)),
        coders=tuple(f"coder{c + 1}" for c in range(n_coders)),
        codes=tuple(f"code{k + 1:02d}" for k in range(n_codes)),
        coded=coded,
        applied=applied,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--coders", type=int, default=3)
    parser.add_argument("--codes", type=int, default=50)
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    t0 = time.perf_counter()
    table = synthetic_table(args.answers, args.coders, args.codes)
    print(f"synthetic table built in {time.perf_counter() - t0:.2f} s")

    no_boot, no_boot_cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        report = compute_agreement(table, n_bootstrap=0)
        no_boot.append(time.perf_counter() - t0)
        no_boot_cpu.append(time.process_time() - c0)
    print(
        f"all statistics, no bootstrap: wall best {min(no_boot):.2f} s, "
        f"median {np.median(no_boot):.2f} s; CPU best {min(no_boot_cpu):.2f} s "
        f"over {args.repeat} runs (target <= 2 s)"
    )
    alphas = [c.alpha.value for c in report.codes.values() if c.alpha.value is not None]
    print(
        f"  answers coded by 2+ coders: {report.n_units:,}; per-code alpha "
        f"{min(alphas):.3f}-{max(alphas):.3f}; alpha MASI {report.alpha_masi.value:.3f}; "
        f"pooled {report.alpha_pooled.value:.3f}"
    )

    t0, c0 = time.perf_counter(), time.process_time()
    report = compute_agreement(table, n_bootstrap=args.replicates, seed=1)
    boot, boot_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"all statistics + {args.replicates} bootstrap replicates: wall {boot:.1f} s, "
        f"CPU {boot_cpu:.1f} s (target <= 30 s)"
    )
    first = next(iter(report.codes.values()))
    print(
        f"  e.g. {first.code}: alpha {first.alpha.value:.3f} "
        f"[{first.alpha.ci_low:.3f}, {first.alpha.ci_high:.3f}]; alpha MASI "
        f"{report.alpha_masi.value:.3f} [{report.alpha_masi.ci_low:.3f}, "
        f"{report.alpha_masi.ci_high:.3f}]"
    )
    records = [
        (
            table.units[i],
            table.coders[j],
            [table.codes[k] for k in np.nonzero(table.applied[i, j])[0]],
        )
        for i, j in zip(*np.nonzero(table.coded), strict=True)
    ]
    t0 = time.perf_counter()
    CodingTable.from_records(records, codes=table.codes)
    print(
        f"CodingTable.from_records on {len(records):,} (answer, coder) records: "
        f"{time.perf_counter() - t0:.2f} s (not part of the targets)"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
