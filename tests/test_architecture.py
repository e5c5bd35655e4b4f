"""The layers stay apart: the core loads no UI, CLI or SQL; only the store speaks SQL."""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import coder.core

REPO = Path(__file__).resolve().parents[1]


def test_core_modules_load_no_ui_cli_or_database() -> None:
    modules = [f"coder.core.{m.name}" for m in pkgutil.iter_modules(coder.core.__path__)]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = [m for m in ('textual', 'click', 'sqlite3', 'coder.store', 'coder.cli', 'coder.tui')"
        " if m in sys.modules]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is a dev dependency"
    out = subprocess.run([lint], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_only_the_store_writes_sql() -> None:
    offenders = []
    for path in (REPO / "coder").rglob("*.py"):
        if "store" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "import sqlite3" in text or ".execute(" in text:
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_types_check_and_lint_is_clean() -> None:
    """mypy (strict on the core, see pyproject.toml) and ruff pass on the package and tests."""
    bin_dir = Path(sys.executable).parent
    mypy = subprocess.run([sys.executable, "-m", "mypy", "coder"], cwd=REPO,
                          capture_output=True, text=True)
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    ruff = shutil.which("ruff", path=str(bin_dir))
    assert ruff, "ruff is a dev dependency"
    lint = subprocess.run([ruff, "check", "coder", "tests", "benchmarks", "docs"], cwd=REPO,
                          capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_no_module_is_over_500_lines() -> None:
    long = {str(path.relative_to(REPO)): n
            for layer in ("core", "store", "services", "cli", "tui")
            for path in (REPO / "coder" / layer).rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 500}
    assert long == {}
