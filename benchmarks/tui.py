"""Benchmark the coding app on a 100-answer and a 100,000-answer project.

Measures, for the next-answer, assign-code, undo and filter keys:
  * the app's own work per key press, inside the app: from the key event's dispatch to the end
    of the screen refresh it causes (CoderApp with record_key_timings);
  * the same key loop driven by the test pilot, wall time per press, on both projects;
and the time from process start to the first answer on screen (fresh interpreter).

    .venv/bin/python benchmarks/tui.py [--rounds 60] [--workdir /tmp/coder-bench]
        [--sizes 100,100000] [--no-startup] [--suggestions on,off] [--text-filter-only]

`--suggestions on,off` runs the key loop twice per project in the same process, with the
coding screen's suggestion model (built and refitted in the background) and without it, so the
two are compared under the same load; the machine's load average is reported with each run.

Projects are synthesised once (CSV written, imported with the import service) and reused.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUESTION = "q2_barriers"
KEYS = {"next answer": "down", "assign code": "1", "undo": "ctrl+z", "filter": "u"}
ACTIONS = {"next": "next answer", "code_slot(0)": "assign code", "undo": "undo",
           "toggle_filter('uncoded')": "filter"}
# Typed phrases, none inside another: each search is a first search for that phrase.
PHRASES = ["fees", "cost", "children", "problem", "independent", "care", "barrier", "year",
           "places", "short", "budgets", "education", "funding", "maintained", "placement",
           "high", "provision", "every", "issue", "distance"]
REGIONS = ["North", "Midlands", "London & South", "East", "South West", "Wales"]


def make_project(path: Path, n_answers: int, seed: int = 7) -> Path:
    """A project with `n_answers` answers to q2 (demo phrasing, shuffled) and the q2 frame."""
    if path.exists():
        return path
    from coder.core.codeframe.files import load_codeframe
    from coder.services.importing import import_survey
    from coder.store import create_project

    with (REPO / "data" / "demo_survey.csv").open(encoding="utf-8") as handle:
        seeds = [r[QUESTION] for r in csv.DictReader(handle) if r[QUESTION].strip()]
    rng = random.Random(seed)
    source = path.with_suffix(".csv")
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent", "region", QUESTION])
        for i in range(n_answers):
            a, b = rng.choice(seeds), rng.choice(seeds)
            text = a if rng.random() < 0.5 else f"{a.rstrip('.')}; {b[:80]}"
            writer.writerow([f"R{i:06d}", rng.choice(REGIONS), text])
    with create_project(path) as store:
        import_survey(store, source, wave="1", id_column="respondent",
                      open_columns=[QUESTION])
        store.add_codeframe(load_codeframe(REPO / "codeframes" / "q2_barriers.yaml"), "bench",
                            questions=[QUESTION])
    source.unlink()
    return path


async def _until_refreshed(app: object, work: object) -> float:
    """ms from calling `work()` on the UI thread to the end of the refresh it causes."""
    done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    started = time.perf_counter()
    work()  # type: ignore[operator]
    app.call_after_refresh(  # type: ignore[attr-defined]
        lambda: done.set_result((time.perf_counter() - started) * 1000))
    return await done


async def key_loop(project: Path, rounds: int, suggestions: bool = True, keys: bool = True
                   ) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Press next, assign, undo, filter (twice: on and off) `rounds` times.

    Returns (in-app ms per key kind, pilot wall ms per key kind). In-app also holds "text
    filter": applying the query "fees" (a scan of the in-memory text index, which a worker
    builds after the first screen) and clearing it. `suggestions` False: the coding screen
    builds no suggestion model (nothing fits in the background while keys are timed). Also
    "text filter (new phrase)": a phrase of PHRASES not searched before in the run, then
    cleared. `keys` False: only the text filters are timed.
    """
    from coder.core.coding.filters import FilterQuery, parse_filter
    from coder.tui.app import build_app
    from coder.tui.config import AppConfig

    app = build_app(project, "bench", question_id=QUESTION,
                    config=AppConfig(record_key_timings=True, suggestions=suggestions))
    pilot_ms: dict[str, list[float]] = {k: [] for k in KEYS}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for _ in range(3):  # warm caches and the first layout
            await pilot.press("down", "up")
        app.key_timings.clear()
        for _ in range(rounds if keys else 0):
            for kind in ("next answer", "assign code", "undo", "filter", "filter"):
                started = time.perf_counter()
                await pilot.press(KEYS[kind])
                pilot_ms[kind].append((time.perf_counter() - started) * 1000)
        # The text index, built by a worker after the first screen (not the suggestions'
        # worker, which may take minutes on a loaded machine and is not measured here).
        for _ in range(60_000):
            if app.screen.coding.text_index is not None:
                break
            await asyncio.sleep(0.01)
        await pilot.pause()
        assert app.screen.coding.text_index is not None
        text_filter = []
        for _ in range(rounds):
            for query in (parse_filter("fees"), FilterQuery()):
                text_filter.append(await _until_refreshed(
                    app, lambda q=query: app.screen._apply_query(q)))
                await pilot.pause()
        new_phrase = []
        for phrase in PHRASES[1:rounds + 1]:
            for query in (parse_filter(phrase), FilterQuery()):
                ms = await _until_refreshed(app, lambda q=query: app.screen._apply_query(q))
                if query.text:
                    new_phrase.append(ms)
                await pilot.pause()
    app.store.close()
    in_app: dict[str, list[float]] = {k: [] for k in KEYS}
    in_app["text filter (typed query)"] = text_filter
    in_app["text filter (new phrase)"] = new_phrase
    for action, ms in app.key_timings:
        kind = ACTIONS.get(action)
        if kind is not None:
            in_app[kind].append(ms)
    return in_app, pilot_ms


STARTUP = """
import time, sys
t0 = time.perf_counter()
import asyncio
from coder.tui.app import build_app
async def main():
    app = build_app(sys.argv[1], "bench", question_id=sys.argv[2])
    async with app.run_test(size=(120, 40)):
        for _ in range(2000):  # what the screen shows, as a terminal would get it
            if app.screen.id == "coding":
                shown = chr(10).join(s.text for s in app.screen._compositor.render_strips())
                if "Answer 1 " in shown:
                    break
            await asyncio.sleep(0.01)
        else:
            raise SystemExit("the first answer never appeared")
        print(time.perf_counter() - t0)
asyncio.run(main())
"""


def startup_seconds(project: Path) -> float:
    """Fresh interpreter: imports, open project, first answer on screen (headless)."""
    out = subprocess.run([sys.executable, "-c", STARTUP, str(project), QUESTION],
                         capture_output=True, text=True, check=True, cwd=REPO)
    return float(out.stdout.strip().splitlines()[-1])


def text_index_seconds(project: Path) -> float:
    """Seconds the coding screen's worker needs to read the texts and build the index."""
    from coder.core.coding.text_search import TextIndex
    from coder.store import open_project

    started = time.perf_counter()
    with open_project(project) as store:
        TextIndex(store.answer_texts(QUESTION))
    return time.perf_counter() - started


def fill_embedding_cache(project: Path) -> None:
    """Embed the answers into the project's cache (what the app's first opening does)."""
    from coder.core.embedding import embed_with_cache
    from coder.services.project import open_project
    from coder.tui.config import AppConfig

    with open_project(project) as store:
        texts = [a.text for a in store.answers(QUESTION) if not a.is_blank and a.is_substantive]
        embed_with_cache(texts, AppConfig().make_embedder(), cache=store)


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"n": len(values), "median": round(statistics.median(values), 1),
            "p95": round(p95, 1), "max": round(ordered[-1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/coder-bench"))
    parser.add_argument("--sizes", default="100,100000",
                        help="answers in the projects measured, comma-separated")
    parser.add_argument("--no-startup", action="store_true",
                        help="skip the start-up and index-build timings (keys only)")
    parser.add_argument("--text-filter-only", action="store_true",
                        help="time only the text filter (no key loop before it)")
    parser.add_argument("--suggestions", default="on",
                        help="on, off, or on,off: key loops with and without the suggestion"
                             " model in the background (one after the other, same process)")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    modes = [m.strip() for m in args.suggestions.split(",")]
    if not modes or not set(modes) <= {"on", "off"}:
        parser.error("--suggestions takes on, off or on,off")
    args.workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {}
    pilot_medians: dict[int, dict[str, float]] = {}
    for n in sizes:
        started = time.perf_counter()
        project = make_project(args.workdir / f"tui-{n}.coder", n)
        print(f"project {n}: ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        if "on" in modes:  # the embeddings cached, as in a project opened before
            started = time.perf_counter()
            fill_embedding_cache(project)
            print(f"project {n}: embeddings cached in {time.perf_counter() - started:.1f} s",
                  file=sys.stderr)
        for mode in modes:
            load_before = os.getloadavg()[0]
            in_app, pilot = asyncio.run(key_loop(project, args.rounds, mode == "on",
                                                  not args.text_filter_only))
            name = str(n) if len(modes) == 1 else f"{n} suggestions {mode}"
            results[name] = {
                "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                "in_app_ms": {k: summary(v) for k, v in in_app.items() if v},
                "pilot_ms": {k: summary(v) for k, v in pilot.items() if v},
            }
        if not args.no_startup:
            index_s = text_index_seconds(project)
            startup = [startup_seconds(project) for _ in range(3)]
            results[name]["text_index_build_s (worker, off the UI thread)"] = round(index_s, 3)
            results[name]["startup_s"] = {"median": round(statistics.median(startup), 2),
                                          "max": round(max(startup), 2)}
        pilot_medians[n] = {k: statistics.median(v) for k, v in pilot.items() if v}
    if {100, 100_000} <= set(pilot_medians) and not args.text_filter_only:
        results["pilot_median_difference_ms"] = {
            k: round(pilot_medians[100_000][k] - pilot_medians[100][k], 1) for k in KEYS}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
