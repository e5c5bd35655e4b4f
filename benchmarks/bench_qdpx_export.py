"""Time and peak memory of the REFI-QDA .qdpx export and .qdc round trip at survey scale.

Usage: .venv/bin/python benchmarks/bench_qdpx_export.py [--answers 100000] [--coders 2]
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

from coder.core.codeframe.refi_codebook import read_qdc, write_qdc
from coder.core.codeframe.refi_export import write_qdpx
from coder.core.codeframe.yaml_file import load_codeframe_yaml

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--coders", type=int, default=2)
    args = parser.parse_args()
    rng = random.Random(0)
    frame = load_codeframe_yaml(ROOT / "codeframes" / "q2_barriers.yaml")
    codable = [c.id for c in frame.codable_codes()]
    coders = [(f"coder{i}", f"00000000-0000-4000-8000-{i:012d}") for i in range(args.coders)]
    respondents = [
        (f"R{i:06d}", {"region": rng.choice("ABCDEFGHI"), "size": rng.randint(1, 50)})
        for i in range(args.answers)
    ]
    words = [
        "placement",
        "fees",
        "cost",
        "distance",
        "school",
        "refused",
        "EHCP",
        "delay",
        "funding",
        "panel",
    ]
    answers = [
        (str(i), f"R{i:06d}", "q2_barriers", " ".join(rng.choices(words, k=rng.randint(3, 40))))
        for i in range(args.answers)
    ]
    codings = [
        (str(i), code, name)
        for i in range(args.answers)
        for name, _ in coders
        for code in rng.sample(codable, rng.randint(1, 3))
    ]
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_qdpx(
            Path(tmp) / "survey.qdpx",
            project_name="bench",
            codeframes=[frame],
            coders=coders,
            respondents=respondents,
            answers=answers,
            codings=codings,
        )
        qdpx_s = time.perf_counter() - start
        size_mb = (Path(tmp) / "survey.qdpx").stat().st_size / 1e6
        start = time.perf_counter()
        for _ in range(100):
            write_qdc(frame, Path(tmp) / "f.qdc")
            read_qdc(Path(tmp) / "f.qdc")
        qdc_ms = (time.perf_counter() - start) * 10
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"answers={args.answers} coders={args.coders} codings={len(codings)}")
    print(f"qdpx export: {qdpx_s:.1f} s, file {size_mb:.1f} MB, process peak RSS {peak_mb:.0f} MB")
    print(f"qdc write+read of a {len(frame)}-code frame: {qdc_ms:.1f} ms")


if __name__ == "__main__":
    main()
