"""Benchmark QA on a project: drawing a sample, building the coding table, agreement, queue.

Builds a synthetic project (one open question, N answers, a flat codeframe of K codes, C coders
who each code ~90% of the answers with 0-3 codes, agreeing ~85% of the time), then times:

    python benchmarks/qa_project.py --answers 100000 --coders 3 --codes 50
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from coder.core.agreement import compute_agreement
from coder.core.codeframe.yaml_file import parse_codeframe_yaml
from coder.services.importing import import_survey
from coder.store import create_project
from coder.store.actions import now


def _build(folder: Path, n: int, coders: int, codes: int, seed: int) -> Path:
    survey = folder / "survey.csv"
    with survey.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "q1"])
        for i in range(n):
            writer.writerow([f"R{i:06d}", f"answer {i} about barrier number {i % 97}"])
    frame = "name: Bench\nquestions: [q1]\ncodes:\n" + "".join(
        f"  - {{code: {k + 1}, label: Code {k + 1}}}\n" for k in range(codes))
    path = folder / "bench.coder"
    rng = np.random.default_rng(seed)
    with create_project(path) as store:
        import_survey(store, survey, wave="1", id_column="id", open_columns=["q1"])
        store.add_codeframe(parse_codeframe_yaml(frame), "bench")
        code_ids = [c.id for c in store.codeframe_for("q1").codable_codes()]  # type: ignore[union-attr]
        answers = [a.id for a in store.answers("q1")]
        people = [store.coder(f"coder{j}") for j in range(coders)]
        truth = [rng.choice(codes, size=rng.integers(0, 4), replace=False) for _ in answers]
        stamp = now()
        with store.transaction() as conn:  # set-up only: not timed, not undoable
            for person in people:
                status, codings = [], []
                for answer_id, true_codes in zip(answers, truth, strict=True):
                    if rng.random() < 0.1:
                        continue
                    mine = {int(k) for k in true_codes if rng.random() < 0.85}
                    if rng.random() < 0.15:
                        mine.add(int(rng.integers(codes)))
                    status.append((answer_id, person.id, stamp))
                    codings += [(answer_id, code_ids[k], person.id, stamp) for k in mine]
                conn.executemany("INSERT INTO answer_status (answer_id, coder_id, coded_at)"
                                 " VALUES (?, ?, ?)", status)
                conn.executemany("INSERT INTO codings (answer_id, code_id, coder_id, created_at)"
                                 " VALUES (?, ?, ?, ?)", codings)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--coders", type=int, default=3)
    parser.add_argument("--codes", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        path = _build(Path(tmp), args.answers, args.coders, args.codes, args.seed)
        print(f"set-up: {time.perf_counter() - started:.1f} s")
        from coder.store import open_project

        with open_project(path) as store:
            timings = {}
            t = time.perf_counter()
            sample = store.create_qa_sample("q1", 0.2, ["s1", "s2"], seed=1, actor="bench")
            timings["create_qa_sample (share 0.2, 2 coders)"] = time.perf_counter() - t
            t = time.perf_counter()
            table = store.coding_table("q1")
            timings["coding_table (all answers)"] = time.perf_counter() - t
            t = time.perf_counter()
            report = compute_agreement(table)
            timings["compute_agreement, no bootstrap"] = time.perf_counter() - t
            t = time.perf_counter()
            queue = store.disagreements("q1")
            timings["disagreements (queue)"] = time.perf_counter() - t
            t = time.perf_counter()
            store.stale_adjudications("q1")
            timings["stale_adjudications"] = time.perf_counter() - t
        print(f"{len(table.units):,} answers coded, {report.n_units:,} by 2+ coders;"
              f" sample {sample.n_answers:,}; queue {len(queue):,};"
              f" alpha MASI {report.alpha_masi.value:.3f}")
        for name, seconds in timings.items():
            print(f"{name}: {seconds:.2f} s")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
