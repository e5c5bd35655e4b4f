"""The coding app on a question linked for back-coding: beside each answer, its closest closed
categories with their similarity (or "Genuinely other" first when none is close), accepted with
`a` like any suggestion; a back-code teaches the next answers at once. Checked in the project,
with the real embedding model."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest

from coder.services.backcode import link
from coder.services.importing import import_survey
from coder.store import create_project, open_project
from coder.tui.app import build_app
from tests.tui.conftest import screen_text

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
Q8 = "q8_other_specify"
CATEGORIES = ["Regional partnership", "Department for Education", "Peer authority",
              "Sector-led improvement programme", "No external support"]
ANSWERS = ["Help from our regional partnership", "A charity delivered training for our staff",
           "The Department for Education sent advisers", "A charity ran sessions for staff"]


@pytest.fixture
def linked_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CODER_APP_EMBEDDER", "sentence-transformers")
    rows = [["id", "q8_support_source", Q8]]
    rows += [[f"r{i}", CATEGORIES[i % 5], ""] for i in range(1, 21)]
    rows += [[f"o{i}", "Other (please specify)", text] for i, text in enumerate(ANSWERS)]
    source = tmp_path / "survey.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    path = tmp_path / "p.coder"
    with create_project(path) as store:
        import_survey(store, source, wave="2025", coder="setup")
        link(store, Q8, actor="setup")
    return path


async def _built(app: object) -> None:
    for _ in range(600):
        if app.screen.coding.suggestions is not None:  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the suggestions were never built")


async def test_a_accepts_the_closest_category_or_genuinely_other(linked_project: Path) -> None:
    with open_project(linked_project) as store:
        ids = {a.text: a.id for a in store.answers(Q8)}
        frame = store.codeframe_for(Q8)
        assert frame is not None
        code = {c.label: c.id for c in frame.codes}
    app = build_app(linked_project, "alice", question_id=Q8)
    async with app.run_test(size=(120, 40)) as pilot:
        await _built(app)
        screen = app.screen

        async def on(text: str) -> str:
            screen.answers.move_to(screen.coding.answer_ids.index(ids[text]))  # type: ignore[attr-defined]
            await pilot.pause()
            screen._show_current()  # type: ignore[attr-defined]
            return screen_text(app)

        shown = await on(ANSWERS[0])
        # What the line offers is said: the categories the answer likely belongs to.
        assert "Likely category: [a/alt+1] 4 Regional partnership" in shown
        assert "(similarity 0." in shown
        assert "Suggested:" not in shown
        assert screen.coding.confidence[0] >= 0.6  # type: ignore[attr-defined]
        await pilot.press("a")
        await pilot.pause()
        shown = await on(ANSWERS[1])  # no category close: genuinely other first
        assert "Likely category: [a/alt+1] 99 Genuinely other" in shown
        await pilot.press("a")
        await pilot.pause()
        await on(ANSWERS[3])  # taught at once by the answer just marked genuinely other
        assert screen.coding.suggested[0].label == "Genuinely other"  # type: ignore[attr-defined]
        assert screen.coding.confidence[0] > 0.6  # type: ignore[attr-defined]
        await on(ANSWERS[2])
        await pilot.press("alt+1")
        await pilot.pause()
    with open_project(linked_project) as store:
        alice = store.coder("alice", create=False)
        assert {a: store.codes_of(ids[a], alice.id) for a in ANSWERS[:3]} == {
            ANSWERS[0]: [code["Regional partnership"]],
            ANSWERS[1]: [code["Genuinely other"]],
            ANSWERS[2]: [code["Department for Education"]]}
