"""Reliability: kill -9 a process while it codes, imports or merges; check nothing is lost.

Usage: .venv/bin/python benchmarks/reliability_kill.py [--coding 100] [--import 16] [--merge 16]
       [--answers 50000] [--codings 100000] [--seed 1]

Each run copies a prepared project, starts a worker process that writes to it through the
store, kills it with SIGKILL at a random moment, then reopens the project and checks:
- coding: `PRAGMA integrity_check` is ok and every coding the worker reported as saved (it
  prints one line after each committed action) is in the project;
- import: integrity ok and the new wave holds either no answers or all of them;
- merge (code A into code B, `--codings` codings in all): integrity ok and either A and B are
  as before or A has none and B has them all; the total never changes.
Prints one row per kind of work: runs, killed mid-work, finished before the kill, failures.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QUESTION = "q2_barriers"


# -- the workers (run in a child process) --------------------------------------------------------


def work_coding(project: str) -> None:
    from coder.store import open_project

    with open_project(project) as store:
        coder = store.coder("killed")
        frame = store.codeframe(store.question(QUESTION).codeframe_id or "")
        codes = [c.id for c in frame.codable_codes() if not frame.is_net(c.id)]
        rng = random.Random(os.getpid())
        for answer in store.answers(QUESTION):
            code = rng.choice(codes)
            store.set_codes(answer.id, coder, [code])
            print(f"{answer.id} {code}", flush=True)


def work_import(project: str, csv: str) -> None:
    from coder.services.importing import import_survey
    from coder.store import open_project

    with open_project(project) as store:
        print("start", flush=True)
        start = time.perf_counter()
        import_survey(store, csv, wave="killed", coder="killed")
    print(f"done {time.perf_counter() - start:.2f}", flush=True)


def work_merge(project: str) -> None:
    from coder.services.codeframes import merge_codes
    from coder.store import open_project

    with open_project(project) as store:
        print("start", flush=True)
        start = time.perf_counter()
        merge_codes(store, ["101"], "102", coder="killed")
    print(f"done {time.perf_counter() - start:.2f}", flush=True)


# -- preparing projects --------------------------------------------------------------------------


def prepare(folder: Path, answers: int, codings: int) -> tuple[Path, Path, Path]:
    """A project of `answers` synthetic answers with the q2 frame (to code), the export it
    was made from (to import again, as a new wave) and a copy with `codings` codings of 101
    and 102 (to merge)."""
    import runpy

    from coder.services.codeframes import import_codeframe
    from coder.services.importing import import_survey
    from coder.store import create_project, open_project

    demo = runpy.run_path(str(REPO / "data" / "generate_demo.py"))
    big_csv = folder / "big.csv"
    demo["generate_large"](answers // len(demo["OPEN_QUESTION_IDS"]), seed=1).to_csv(
        big_csv, index=False)
    base = folder / "prepared-coding.coder"
    with create_project(base) as store:
        import_survey(store, big_csv, wave="2025", coder="lead")
        import_codeframe(store, REPO / "codeframes" / "q2_barriers.yaml", "lead")
    merge = folder / "prepared-merge.coder"
    shutil.copyfile(base, merge)
    with open_project(merge) as store:
        frame = store.codeframe(store.question(QUESTION).codeframe_id or "")
        by_number = {c.output_code: c.id for c in frame.codes}
        coder = store.coder("lead")
        ids = [r[0] for r in store.conn.execute("SELECT id FROM answers ORDER BY id")]
        rows = [(aid, by_number[101] if i % 2 else by_number[102], coder.id, "2025-01-01")
                for i, aid in enumerate(ids[:codings])]
        with store.transaction() as conn:
            conn.executemany("INSERT INTO codings (answer_id, code_id, coder_id, created_at)"
                             " VALUES (?, ?, ?, ?)", rows)
    return base, big_csv, merge


def integrity(project: Path) -> bool:
    conn = sqlite3.connect(project)
    try:
        return bool(conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
    finally:
        conn.close()


def copy_project(source: Path, target: Path) -> None:
    for side in ("", "-wal", "-shm"):
        target.with_name(target.name + side).unlink(missing_ok=True)
    shutil.copyfile(source, target)


def spawn(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, __file__, "--worker", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def kill_after(proc: subprocess.Popen[str], seconds: float) -> tuple[bool, list[str]]:
    """Wait for the first line, then SIGKILL after `seconds`; (killed mid-work, lines)."""
    assert proc.stdout is not None
    lines = [proc.stdout.readline()]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    finished = proc.poll() is not None
    if not finished:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    lines += proc.stdout.read().splitlines()
    return not finished, [line.strip() for line in lines if line.strip()]


def run_coding(base: Path, work: Path, rng: random.Random) -> tuple[bool, bool]:
    project = work / "coding.coder"
    copy_project(base, project)
    killed, lines = kill_after(spawn("coding", str(project)), rng.uniform(0.2, 2.0))
    saved = {tuple(line.split()) for line in lines if " " in line}
    conn = sqlite3.connect(project)
    present = {(str(a), c) for a, c in conn.execute(
        "SELECT answer_id, code_id FROM codings JOIN coders ON coders.id = coder_id"
        " WHERE coders.name = 'killed'")}
    conn.close()
    return killed, integrity(project) and saved <= present


def run_import(base: Path, csv: Path, rows: int, work: Path, rng: random.Random,
               duration: float) -> tuple[bool, bool]:
    project = work / "import.coder"
    copy_project(base, project)
    killed, _ = kill_after(spawn("import", str(project), str(csv)), rng.uniform(0.0, duration))
    conn = sqlite3.connect(project)
    n = conn.execute("SELECT count(*) FROM answers JOIN waves ON waves.id = wave_id"
                     " WHERE waves.name = 'killed'").fetchone()[0]
    conn.close()
    return killed, integrity(project) and n in (0, rows)


def merge_counts(project: Path) -> tuple[int, int]:
    conn = sqlite3.connect(project)
    counts = dict(conn.execute(
        "SELECT c.output_code, count(*) FROM codings JOIN codes c ON c.id = code_id"
        " WHERE c.output_code IN (101, 102) GROUP BY c.output_code").fetchall())
    conn.close()
    return counts.get(101, 0), counts.get(102, 0)


def run_merge(base: Path, work: Path, rng: random.Random, duration: float) -> tuple[bool, bool]:
    project = work / "merge.coder"
    copy_project(base, project)
    before = merge_counts(project)
    killed, _ = kill_after(spawn("merge", str(project)), rng.uniform(0.0, duration))
    after = merge_counts(project)
    ok = after == before or after == (0, sum(before))
    return killed, integrity(project) and ok


def timed(proc: subprocess.Popen[str]) -> float:
    """The seconds the worker reports its work took (without starting Python)."""
    out, _ = proc.communicate()
    return float(out.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--coding", type=int, default=100, help="kills while coding")
    parser.add_argument("--import", dest="imports", type=int, default=16,
                        help="kills while importing")
    parser.add_argument("--merge", type=int, default=16, help="kills while merging")
    parser.add_argument("--answers", type=int, default=50_000, help="answers in the import")
    parser.add_argument("--codings", type=int, default=100_000, help="codings merged")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        kind, *args = options.worker
        {"coding": work_coding, "import": work_import, "merge": work_merge}[kind](*args)
        return
    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        base, csv, merge = prepare(folder, options.answers, options.codings)
        print(f"prepared in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        rows = sqlite3.connect(merge).execute("SELECT count(*) FROM answers").fetchone()[0]
        # How long an uninterrupted import and merge take, to kill within that time.
        probe = folder / "probe.coder"
        copy_project(base, probe)
        t_import = timed(spawn("import", str(probe), str(csv)))
        copy_project(merge, probe)
        t_merge = timed(spawn("merge", str(probe)))
        print("| work | runs | killed mid-work | finished first | failures |")
        print("|---|---|---|---|---|")
        for name, runs, one in (
            ("coding (one action per answer)", options.coding,
             lambda: run_coding(base, folder, rng)),
            (f"import of {rows:,} answers ({t_import:.1f} s)", options.imports,
             lambda: run_import(base, csv, rows, folder, rng, t_import)),
            (f"merge of {options.codings:,} codings ({t_merge:.1f} s)", options.merge,
             lambda: run_merge(merge, folder, rng, t_merge)),
        ):
            results = [one() for _ in range(runs)]
            killed = sum(k for k, _ in results)
            failures = sum(not ok for _, ok in results)
            print(f"| {name} | {runs} | {killed} | {runs - killed} | {failures} |", flush=True)


if __name__ == "__main__":
    main()
