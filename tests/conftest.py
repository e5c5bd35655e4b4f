"""Fixtures shared by the whole suite: paths to the demo survey and to ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEMO = REPO / "data"


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        if os.environ.get("CI"):  # in CI the shared data must be there: a skip would hide it
            pytest.fail(f"{SHARED} is missing (CI is set)")
        pytest.skip(f"{SHARED} is not present (the shared evaluation data sit beside the repo)")
    return SHARED


@pytest.fixture(scope="session")
def demo_csv() -> Path:
    path = DEMO / "demo_survey.csv"
    if not path.exists():
        pytest.fail(f"{path} is missing: run python data/generate_demo.py")
    return path
