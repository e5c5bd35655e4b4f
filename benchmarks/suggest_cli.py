"""Is `coder suggest` (file in, file out) dominated by embedding time?

Draws 500 coded and 3,000 new questions from Banking77 (`../shared/data`, read in place, seeded),
writes them as CSV files in a temporary folder, then times in fresh processes, one after the
other: the whole `coder suggest --train CODED.csv --input NEW.csv --top 3` command, and a process
that only loads the same embedding model and embeds the same 3,500 texts. CPU seconds (user +
system of the child) and wall seconds; the share of the command that is not embedding is what
learning and suggesting cost.

Usage:
  PYTHONPATH=. HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/suggest_cli.py [--rounds N]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "banking77" / "train.csv"

EMBED_ONLY = """
import csv, sys
from coder.core.embedding import SentenceTransformerEmbedder
texts = []
for name in sys.argv[1:]:
    with open(name, newline="", encoding="utf-8") as handle:
        texts += [row["text"] for row in csv.DictReader(handle)]
vectors = SentenceTransformerEmbedder().embed(texts)
print(len(vectors))
"""


def _timed(args: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--train", type=int, default=500)
    parser.add_argument("--new", type=int, default=3000)
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"{DATA} not found: put the shared data beside the repository")
    with DATA.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    random.Random(0).shuffle(rows)
    with tempfile.TemporaryDirectory() as tmp:
        coded, new, out = Path(tmp, "coded.csv"), Path(tmp, "new.csv"), Path(tmp, "out.csv")
        for path, part in ((coded, rows[:args.train]),
                           (new, rows[args.train:args.train + args.new])):
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, ["text", "category"])
                writer.writeheader()
                writer.writerows(part)
        command = [sys.executable, "-m", "coder", "suggest", "--train", str(coded),
                   "--text-column", "text", "--code-column", "category", "--input", str(new),
                   "--top", "3", "--output", str(out)]
        embed = [sys.executable, "-c", EMBED_ONLY, str(coded), str(new)]
        results: dict[str, list[tuple[float, float]]] = {"suggest": [], "embed": []}
        for _ in range(args.rounds):
            results["suggest"].append(_timed(command))
            out.unlink()
            results["embed"].append(_timed(embed))
    load = os.getloadavg()[0]
    print(f"{args.train} coded + {args.new} new Banking77 questions, {args.rounds} rounds, "
          f"load average {load:.1f}")
    print("| process | wall (median) | CPU (median) |")
    print("|---|---:|---:|")
    medians = {}
    for name, label in (("suggest", "`coder suggest` (whole command)"),
                        ("embed", "load the model and embed the same texts, nothing else")):
        walls = sorted(w for w, _ in results[name])
        cpus = sorted(c for _, c in results[name])
        medians[name] = (walls[len(walls) // 2], cpus[len(cpus) // 2])
        print(f"| {label} | {medians[name][0]:.1f} s | {medians[name][1]:.1f} s |")
    share = medians["embed"][1] / medians["suggest"][1]
    print(f"\nembedding alone is {share:.0%} of the command's CPU time")


if __name__ == "__main__":
    main()
