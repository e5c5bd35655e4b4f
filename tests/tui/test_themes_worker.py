"""Theme discovery from the themes screen: runs in a worker, shows progress, Esc cancels."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from coder.core.embedding import HashingEmbedder
from coder.core.errors import Cancelled
from coder.core.progress import NO_PROGRESS, Progress
from coder.store import open_project
from coder.tui.app import build_app
from coder.tui.config import AppConfig
from tests.tui.conftest import screen_text

pytestmark = pytest.mark.asyncio
Q2 = "q2_barriers"


class BlockingEmbedder:
    """Blocks theme discovery (the call that reports progress) until cancelled, so a test can
    press Esc while it runs; other calls (the coding screen's suggestions) get plain vectors."""

    model_id = "blocking-test"
    dim = 8

    def __init__(self) -> None:
        self.started = threading.Event()

    def embed(self, texts: Sequence[str], *, progress: Progress = NO_PROGRESS) -> np.ndarray:
        if progress.on_step is None:  # the suggestions' worker: no progress shown, answer at once
            vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
            vectors[:, 0] = 1.0
            return vectors
        self.started.set()
        progress.step(0, len(texts))
        deadline = time.monotonic() + 30
        while not progress.cancelled and time.monotonic() < deadline:
            time.sleep(0.01)
        raise Cancelled("embedding cancelled")


async def test_discovery_runs_in_a_worker_and_stores_a_run(demo_project: Path) -> None:
    config = AppConfig(embedder=HashingEmbedder())
    app = build_app(demo_project, "alice", question_id=Q2, config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert "No theme run yet" in screen_text(app)
        await pilot.press("d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "themes over" in screen_text(app)
        first = app.screen.themes[0]  # type: ignore[attr-defined]
        assert first.description  # the highlighted theme's description is shown beside it
        shown = screen_text(app)
        start = " ".join(first.description.split()[:2])
        # under the label, above the size line (the quotes further down may repeat it)
        assert start in shown
        assert shown.index(start) < shown.index(f"{first.size} answers (")
    with open_project(demo_project) as store:
        runs = store.theme_runs(Q2)
        assert len(runs) == 1 and runs[0].coder == "alice"
        assert runs[0].n_answers + runs[0].n_non_substantive == len(store.answer_ids(Q2))
        assert store.themes(runs[0].id)


async def test_escape_cancels_discovery_and_nothing_is_saved(demo_project: Path) -> None:
    embedder = BlockingEmbedder()
    app = build_app(demo_project, "alice", question_id=Q2, config=AppConfig(embedder=embedder))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3", "d")
        assert embedder.started.wait(10)
        await pilot.pause()
        assert "Esc cancels" in screen_text(app)  # the progress row is showing
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Esc cancels" not in screen_text(app)
    with open_project(demo_project) as store:
        assert store.theme_runs(Q2) == []
