"""Fixtures for the coding app: a demo project (survey + q2 codeframe) in a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coder.core.codeframe.files import load_codeframe
from coder.services.importing import import_survey
from coder.store import create_project

REPO = Path(__file__).resolve().parents[2]
DEMO_CSV = REPO / "data" / "demo_survey.csv"
Q2_FRAME = REPO / "codeframes" / "q2_barriers.yaml"


@pytest.fixture(autouse=True)
def _fast_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's suggestions and themes embed with the hashing embedder unless a test gives
    another (the real model is tested in the services and themes tests)."""
    monkeypatch.setenv("CODER_APP_EMBEDDER", "hashing")


def _make_demo(path: Path) -> Path:
    if not DEMO_CSV.exists() or not Q2_FRAME.exists():
        pytest.skip("the demo survey or the q2 codeframe is missing (run data/generate_demo.py)")
    with create_project(path) as store:
        import_survey(store, DEMO_CSV, wave="2025", coder="setup")
        store.add_codeframe(load_codeframe(Q2_FRAME), "setup", questions=["q2_barriers"])
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One imported demo project per test session; tests copy it."""
    return _make_demo(tmp_path_factory.mktemp("demo") / "template.coder")


@pytest.fixture
def demo_project(demo_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo project for one test."""
    target = tmp_path / "demo.coder"
    shutil.copyfile(demo_template, target)
    return target


def screen_text(app: object) -> str:
    """The visible screen as plain text (what a coder sees, without colours)."""
    strips = app.screen._compositor.render_strips()  # type: ignore[attr-defined]
    return "\n".join(strip.text for strip in strips)


def code_id(store: object, question_id: str, output_code: int) -> str:
    """The id of the code with this output code in the question's codeframe."""
    frame = store.codeframe_for(question_id)  # type: ignore[attr-defined]
    code = frame.by_output_code(output_code)
    assert code is not None, f"no code {output_code}"
    return code.id
