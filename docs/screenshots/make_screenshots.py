"""Make the README's screenshots of the coding app from the demo survey.

A throwaway project like `./run demo` makes (demo survey, every codeframe, themes on
q2_barriers with the real embedding model), with some of q2 coded from the demo's ground truth
by "alice", a double-coding sample that "bob" coded slightly differently, and two starred
quotes; then the real app is driven with the test pilot at 120x40 and each screen saved as SVG::

    HF_HUB_OFFLINE=1 .venv/bin/python docs/screenshots/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import csv
import json
import random
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
Q2 = "q2_barriers"
SIZE = (120, 40)


def build_project(path: Path) -> None:
    from coder.core.codeframe.files import load_codeframe
    from coder.services.importing import import_survey
    from coder.services.themes import run_themes
    from coder.store import create_project

    with create_project(path) as store:
        import_survey(store, REPO / "data" / "demo_survey.sav", wave="2025", coder="setup")
        for frame in sorted((REPO / "codeframes").glob("*.yaml")):
            store.add_codeframe(load_codeframe(frame), "setup", questions=[frame.stem])
        run_themes(store, Q2, coder="alice")
        frame = store.codeframe_for(Q2)
        assert frame is not None
        by_label = {c.label.casefold(): c.id for c in frame.codes}
        planted = json.loads((REPO / "data" / "demo_themes.json").read_text(encoding="utf-8"))
        key_to_code = {t["key"]: by_label.get(t["label"].casefold()) for t in planted[Q2]}
        external = {r.external_id: r.id for r in store.respondents()}
        answer_of = {a.respondent_id: a.id for a in store.answers(Q2)}
        with (REPO / "data" / "demo_ground_truth.csv").open(encoding="utf-8") as handle:
            truth = [r for r in csv.DictReader(handle) if r["question_id"] == Q2]
        alice, bob = store.coder("alice"), store.coder("bob")
        sample = store.create_qa_sample(Q2, 0.2, ["alice", "bob"], seed=1, actor="qa")
        in_sample = set(store.sample_answers(sample.id))
        rng = random.Random(7)
        all_codes = [c for c in key_to_code.values() if c]
        for i, row in enumerate(truth):
            answer = answer_of[external[row["la_code"]]]
            codes = [c for c in (key_to_code.get(k) for k in row["themes"].split(";")) if c]
            if i < 0.6 * len(truth) or answer in in_sample:
                store.set_codes(answer, alice, codes)
            if answer in in_sample or i < 25:
                theirs = list(codes)
                if rng.random() < 0.25:  # bob reads some answers differently
                    theirs = [rng.choice(all_codes)]
                store.set_codes(answer, bob, theirs)
        coded = [answer_of[external[r["la_code"]]] for r in truth[:6]]
        top = frame.by_output_code(101)
        if top is not None:
            for answer in coded[:2]:
                store.star_quote(top.id, answer, alice)


async def shoot(path: Path) -> None:
    from coder.tui.app import build_app

    app = build_app(path, "alice")

    async def settle() -> None:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()

    async with app.run_test(size=SIZE) as pilot:
        await settle()
        app.save_screenshot("overview.svg", str(OUT))
        await pilot.press("enter")
        await settle()
        for _ in range(3):
            await pilot.press("down")
        await settle()
        app.save_screenshot("coding.svg", str(OUT))
        for key, name in (("f3", "themes"), ("f4", "codeframe_editor"), ("f5", "quotes"),
                          ("f6", "qa")):
            await pilot.press(key)
            await settle()
            app.save_screenshot(f"{name}.svg", str(OUT))
        await pilot.press("f2", "question_mark")
        await settle()
        app.save_screenshot("keys_help.svg", str(OUT))
    app.store.close()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.coder"
        build_project(path)
        asyncio.run(shoot(path))
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
