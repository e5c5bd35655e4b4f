"""On a large question the coding app builds and refits its suggestions in a child process: the
child fits (the app's process keeps its interpreter for the keys), a coding is learned there, and
quitting in the middle of a build ends the child at once instead of waiting for it."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import DataTable

from coder.core.embedding import HashingEmbedder
from coder.core.progress import NO_PROGRESS, Progress
from coder.store import open_project
from coder.tui.app import build_app
from coder.tui.config import AppConfig

pytestmark = pytest.mark.asyncio
Q2 = "q2_barriers"
Q3 = "q3_overcome"
IN_A_CHILD = AppConfig(suggestion_process_from=0)  # the demo question counts as large


class SlowEmbedder(HashingEmbedder):
    """Takes a minute before it embeds: a build still running when the coder quits."""

    def __init__(self) -> None:
        super().__init__()
        self.model_id = "slow-" + self.model_id  # nothing cached under this model

    def embed(self, texts: Sequence[str], *, progress: Progress = NO_PROGRESS) -> np.ndarray:
        time.sleep(60)
        return super().embed(texts, progress=progress)


async def _until(condition: object, seconds: float = 60) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def test_the_child_builds_and_refits_and_ends_with_the_app(demo_project: Path) -> None:
    app = build_app(demo_project, "alice", question_id=Q2, config=IN_A_CHILD)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        coding = screen.coding  # type: ignore[attr-defined]
        await _until(lambda: coding.suggestions is not None)
        fitter = screen._fitter  # type: ignore[attr-defined]  # noqa: SLF001
        assert fitter is not None and fitter.is_alive() and fitter.pid != os.getpid()
        assert coding.suggestions.model.n_coded_ == 0
        answer = coding.current_id
        await pilot.press("1")  # code 101 on the first answer: refitted in the child
        await _until(lambda: coding.suggestions.model.n_coded_ == 1)
        assert set(coding.suggestions.trained) == {answer}
        await pilot.press("down")
        await pilot.pause()
        assert coding.suggested  # suggestions shown from the model the child fitted
    assert not fitter.is_alive()
    with open_project(demo_project) as store:  # the project as the coder left it
        alice = store.coder("alice", create=False)
        assert [c.answer_id for c in store.codings(coder_id=alice.id)] == [answer]


async def test_quitting_during_a_build_ends_the_child_without_waiting(
        demo_project: Path) -> None:
    config = AppConfig(suggestion_process_from=0, embedder=SlowEmbedder())
    app = build_app(demo_project, "alice", question_id=Q2, config=config)
    started = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(lambda: app.screen._fitter is not None)  # type: ignore[attr-defined]
        fitter = app.screen._fitter  # type: ignore[attr-defined]  # noqa: SLF001
        await pilot.press("1")  # coding goes on while the child builds
        await pilot.pause()
        assert app.screen.coding.suggestions is None  # type: ignore[attr-defined]
    assert not fitter.is_alive()
    assert time.perf_counter() - started < 30  # not the minute the build would take


def _children() -> list[object]:
    """This process's live suggestion children."""
    return [p for p in multiprocessing.active_children()
            if p.name.startswith("coder-suggestions-")]


async def _code(pilot: object, app: object, question_id: str) -> object:
    """Choose the question on the overview (F1, Enter) and wait for its coding screen."""
    await pilot.press("f1")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    overview = app.screen  # type: ignore[attr-defined]
    overview.query_one(DataTable).move_cursor(
        row=[r.question_id for r in overview.rows].index(question_id))
    await pilot.press("enter")  # type: ignore[attr-defined]
    await _until(lambda: getattr(app.screen, "question_id", None) == question_id  # type: ignore[attr-defined]
                 and app.screen._fitter is not None)  # type: ignore[attr-defined]
    return app.screen  # type: ignore[attr-defined]


async def test_coding_another_question_ends_the_child_of_the_one_left(
        demo_project: Path) -> None:
    """Two large questions coded one after the other leave one child, the question being
    coded's: the screens of the question left are closed. Back on it, its coding screen is
    opened again, with a child of its own, and suggests on."""
    app = build_app(demo_project, "alice", question_id=Q2, config=IN_A_CHILD)
    async with app.run_test(size=(120, 40)) as pilot:
        first = app.screen
        await _until(lambda: first.coding.suggestions is not None)  # type: ignore[attr-defined]
        first_child = first._fitter  # type: ignore[attr-defined]  # noqa: SLF001
        assert first_child.is_alive() and len(_children()) == 1

        second = await _code(pilot, app, Q3)
        assert {q for _, q in app._screens} == {None, Q3}  # type: ignore[attr-defined]  # noqa: SLF001
        await _until(lambda: not first_child.is_alive(), 10)
        assert [p.pid for p in _children()] == [second._fitter.pid]  # type: ignore[attr-defined]
        await pilot.press("f1")  # leaving it for the overview: still one child at most
        await pilot.pause()
        assert len(_children()) <= 1

        again = await _code(pilot, app, Q2)
        assert again is not first
        await _until(lambda: again.coding.suggestions is not None)  # type: ignore[attr-defined]
        await _until(lambda: [p.pid for p in _children()] == [again._fitter.pid], 10)  # type: ignore[attr-defined]
        answer = again.coding.current_id  # type: ignore[attr-defined]
        await pilot.press("1")  # learned in the new child
        await _until(lambda: answer in again.coding.suggestions.trained)  # type: ignore[attr-defined]
    assert _children() == []
    with open_project(demo_project) as store:
        alice = store.coder("alice", create=False)
        assert [c.answer_id for c in store.codings(coder_id=alice.id)] == [answer]
