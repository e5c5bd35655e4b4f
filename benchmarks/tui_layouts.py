"""Count the whole-screen layout passes each coding key causes (a figure the machine's load does
not change): next answer, assign code, undo, filter on and off.

    PYTHONPATH=. .venv/bin/python benchmarks/tui_layouts.py [--rounds 10] [--workdir DIR]

Uses the projects of benchmarks/tui.py (made there if missing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tui import KEYS, QUESTION, make_project  # noqa: E402


async def layouts_per_key(project: Path, rounds: int) -> dict[str, float]:
    from textual.screen import Screen

    from coder.tui.app import build_app

    passes = [0]
    original = Screen._refresh_layout

    def counted(self: Screen[object], *args: object, **kwargs: object) -> None:
        passes[0] += 1
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    Screen._refresh_layout = counted  # type: ignore[method-assign,assignment]
    try:
        app = build_app(project, "bench", question_id=QUESTION)
        counts: dict[str, list[int]] = {k: [] for k in KEYS}
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            for _ in range(3):
                await pilot.press("down", "up")
            await pilot.pause(0.5)
            for _ in range(rounds):
                for kind in ("next answer", "assign code", "undo", "filter", "filter"):
                    passes[0] = 0
                    await pilot.press(KEYS[kind])
                    await pilot.pause()
                    counts[kind].append(passes[0])
        app.store.close()
    finally:
        Screen._refresh_layout = original  # type: ignore[method-assign]
    return {k: round(sum(v) / len(v), 2) for k, v in counts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/coder-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    project = make_project(args.workdir / "tui-100.coder", 100)
    print(json.dumps(asyncio.run(layouts_per_key(project, args.rounds)), indent=2))


if __name__ == "__main__":
    main()
