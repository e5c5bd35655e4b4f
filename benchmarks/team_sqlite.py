"""Benchmark: several coders coding one SQLite project (WAL) at the same time.

Usage: .venv/bin/python benchmarks/team_sqlite.py [--processes 2,4,8] [--actions 200] [--seed 1]

Builds the demo project (demo survey + the q2 codeframe) once, then for each number of processes
N copies it and starts N processes, each its own connection as an app window would be. They
wait at a barrier, then each makes `--actions` coding actions through the same service function
the app's code keys call (`coder.services.coding.apply_codes`), on random answers of q2: half as
its own coder, half as one coder that every process shares (the same person in N windows, all
adding codes to the same answers: the case where a read-modify-write would lose codes). Each
action's latency is timed from the call to its return (acknowledged = returned).

Prints per N: actions, wall seconds, codings/s, p50 and p95 latency of one coding (ms), busy
refusals (ProjectBusy after --wait seconds), and lost updates: acknowledged codings missing from
the project afterwards (must be 0), plus codings present that nobody acknowledged (must be 0).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from coder.core.codeframe.files import load_codeframe  # noqa: E402
from coder.core.errors import ProjectBusy  # noqa: E402
from coder.services.coding import apply_codes  # noqa: E402
from coder.services.importing import import_survey  # noqa: E402
from coder.services.project import open_project  # noqa: E402
from coder.store import create_project  # noqa: E402

Q2 = "q2_barriers"
SHARED = "team"


def build(folder: Path) -> Path:
    path = folder / "template.coder"
    with create_project(path) as store:
        import_survey(store, REPO / "data" / "demo_survey.csv", wave="2025", coder="setup")
        store.add_codeframe(load_codeframe(REPO / "codeframes" / "q2_barriers.yaml"), "setup",
                            questions=[Q2])
    return path


def worker(path: str, k: int, actions: int, seed: int, wait: float, start: Any,
           out: Any) -> None:
    project = open_project(path)
    project.busy_wait = wait
    own, shared = project.coder(f"coder{k}"), project.coder(SHARED)
    frame = project.codeframe_for(Q2)
    assert frame is not None
    codes = [c.id for c in frame.codes if c.codable and c.status == "active"]
    answers = project.answer_ids(Q2)
    rng = random.Random(seed * 1000 + k)
    start.wait()
    acked: list[tuple[str, int, str]] = []
    latencies: list[float] = []
    busy = 0
    for i in range(actions):
        who = shared if i % 2 else own
        answer_id, code = rng.choice(answers), rng.choice(codes)
        began = time.perf_counter()
        try:
            apply_codes(project, answer_id, who, [code])
        except ProjectBusy:
            busy += 1
            continue
        latencies.append(time.perf_counter() - began)
        acked.append((who.name, answer_id, code))
    project.close()
    out.put((acked, latencies, busy, time.perf_counter()))


def race(location: str, n: int, actions: int, seed: int, wait: float) -> dict[str, Any]:
    """`n` worker processes coding the project at `location` (a path or a URL) at once: rates,
    latencies and the acknowledged codings missing from the project (or stored unacknowledged)."""
    ctx = mp.get_context("fork")
    start, out = ctx.Barrier(n + 1), ctx.Queue()
    procs = [ctx.Process(target=worker, args=(location, k, actions, seed, wait, start, out))
             for k in range(n)]
    for proc in procs:
        proc.start()
    start.wait()
    began = time.perf_counter()
    results = [out.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join()
    wall = max(r[3] for r in results) - began
    acked = {a for r in results for a in r[0]}
    latencies = sorted(x for r in results for x in r[1])
    with open_project(location) as project:
        names = {c.id: c.name for c in project.coders()}
        stored = {(names[c.coder_id], c.answer_id, c.code_id)
                  for c in project.codings(question_id=Q2)}
    return {"n": n, "actions": len(latencies), "wall": wall,
            "rate": len(latencies) / wall,
            "p50": 1000 * statistics.median(latencies),
            "p95": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
            "busy": sum(r[2] for r in results), "lost": len(acked - stored),
            "unacked": len(stored - acked)}


def run(template: Path, folder: Path, n: int, actions: int, seed: int,
        wait: float) -> dict[str, Any]:
    path = folder / f"team{n}.coder"
    shutil.copyfile(template, path)
    figures = race(str(path), n, actions, seed, wait)
    with open_project(path) as project:
        ok = project.conn.execute("PRAGMA integrity_check").fetchone()[0]
        mode = project.conn.execute("PRAGMA journal_mode").fetchone()[0]
    return {**figures, "integrity": ok, "journal": mode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", default="2,4,8")
    parser.add_argument("--actions", type=int, default=200, help="coding actions per process")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--wait", type=float, default=30.0, help="busy wait per action (s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        template = build(folder)
        print("| processes | actions | wall s | codings/s | p50 ms | p95 ms | busy | lost |"
              " not acknowledged | integrity |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for n in (int(x) for x in args.processes.split(",")):
            r = run(template, folder, n, args.actions, args.seed, args.wait)
            print(f"| {r['n']} | {r['actions']} | {r['wall']:.2f} | {r['rate']:.0f} |"
                  f" {r['p50']:.1f} | {r['p95']:.1f} | {r['busy']} | {r['lost']} |"
                  f" {r['unacked']} | {r['integrity']} ({r['journal']}) |", flush=True)


if __name__ == "__main__":
    main()
