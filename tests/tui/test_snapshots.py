"""Snapshot tests: each screen of the coding app at 80x24 and 120x40 on the demo project.

Update after an intended layout change with `pytest tests/tui --snapshot-update`, then look at
the SVGs. These catch layout regressions only; behaviour is checked in the pilot tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from coder.core.themes.stored import StoredTheme, ThemeAssignment
from coder.store import open_project
from coder.tui.app import build_app
from tests.tui.conftest import code_id

Q2 = "q2_barriers"
SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


def _seed(project: Path) -> None:
    """A little coding by two coders, a flag, a memo, a starred quote and a theme run."""
    with open_project(project) as store:
        alice, bob = store.coder("alice"), store.coder("bob")
        ids = store.answer_ids(Q2)
        store.set_codes(ids[0], alice, [code_id(store, Q2, 201)])
        store.set_codes(ids[1], alice, [code_id(store, Q2, 101), code_id(store, Q2, 201)])
        store.set_codes(ids[0], bob, [code_id(store, Q2, 202)])
        store.set_flag(ids[2], alice, True)
        store.set_memo(ids[0], alice, "mentions community links")
        store.star_quote(code_id(store, Q2, 201), ids[0], alice)
        themes = [StoredTheme(0, 1, "cost of fees", ("fees", "cost"), 3, 0.5, (ids[1],)),
                  StoredTheme(0, 2, "no local schools", ("local", "school"), 3, 0.5, (ids[0],))]
        store.save_theme_run(
            question_id=Q2, wave_id=None, coder="alice", model="test", params={},
            n_non_substantive=0, seconds=0.1, themes=themes,
            assignments=[ThemeAssignment(a, 1 + (i % 2), 0.9, None)
                         for i, a in enumerate(ids[:6])])


async def _settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _keys(*keys: str) -> Callable[[Any], Any]:
    async def run(pilot: Any) -> None:
        await _settle(pilot)
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)
    return run


@pytest.fixture
def seeded(demo_project: Path) -> Path:
    _seed(demo_project)
    return demo_project


@SIZES
def test_overview(seeded: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(build_app(seeded, "alice"), terminal_size=size, run_before=_keys())


@SIZES
def test_coding(seeded: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    app = build_app(seeded, "alice", question_id=Q2)
    assert snap_compare(app, terminal_size=size, run_before=_keys())


@SIZES
def test_coding_blind(seeded: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    app = build_app(seeded, "alice", blind=True, question_id=Q2)
    assert snap_compare(app, terminal_size=size, run_before=_keys())


@SIZES
def test_codeframe_editor(seeded: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    app = build_app(seeded, "alice", question_id=Q2)
    assert snap_compare(app, terminal_size=size, run_before=_keys("f4", "down", "down"))


@SIZES
def test_themes(seeded: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    app = build_app(seeded, "alice", question_id=Q2)
    assert snap_compare(app, terminal_size=size, run_before=_keys("f3"))


@SIZES
def test_quotes(seeded: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    app = build_app(seeded, "alice", question_id=Q2)
    assert snap_compare(app, terminal_size=size, run_before=_keys("f5", "down", "down"))


@SIZES
def test_keys_help(seeded: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    app = build_app(seeded, "alice", question_id=Q2)
    assert snap_compare(app, terminal_size=size, run_before=_keys("question_mark"))


@SIZES
def test_qa(seeded: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    app = build_app(seeded, "alice", question_id=Q2)
    assert snap_compare(app, terminal_size=size, run_before=_keys("f6"))


@SIZES
def test_merge_confirmation(seeded: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    app = build_app(seeded, "alice", question_id=Q2)
    assert snap_compare(app, terminal_size=size,
                        run_before=_keys("f4", "down", "down", "g", "enter"))


@SIZES
def test_respondent_view(seeded: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    app = build_app(seeded, "alice", question_id=Q2)
    assert snap_compare(app, terminal_size=size, run_before=_keys("v"))


@SIZES
def test_grid(seeded: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    app = build_app(seeded, "alice", question_id=Q2)
    assert snap_compare(app, terminal_size=size, run_before=_keys("f7", "down"))
