"""Fixtures for the CLI tests: the small hand-coded project of tests/core/test_report_project.py."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest


def _report_fixture() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "report_fixture", Path(__file__).resolve().parents[1] / "core" / "test_report_project.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REPORT_FIXTURE = _report_fixture()


@pytest.fixture()
def build_report_project() -> Callable[..., Path]:
    """`build_report_project(folder, coders=("alice",))` makes the hand-coded project."""
    build: Callable[..., Path] = REPORT_FIXTURE.build_project
    return build


@pytest.fixture()
def project(tmp_path: Path, build_report_project: Callable[..., Path]) -> Path:
    """The hand-coded project (one coder, alice) in the test's folder."""
    return build_report_project(tmp_path)
