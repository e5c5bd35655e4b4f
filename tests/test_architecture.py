"""The layers stay apart: the core loads no UI, CLI or SQL; only the store speaks SQL."""

from __future__ import annotations

import ast
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import coder.core

REPO = Path(__file__).resolve().parents[1]


def test_core_modules_load_no_ui_cli_or_database() -> None:
    modules = [m.name for m in pkgutil.walk_packages(coder.core.__path__, "coder.core.")]
    assert "coder.core.themes.stored" in modules  # every subpackage's modules, not only the top
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



def _mentions_ci(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Constant) and n.value == "CI" for n in ast.walk(node))


def _unguarded_skips(source: str) -> list[int]:
    """Lines of skips not conditioned on $CI: a skipif whose condition does not read it, or a
    pytest.skip under no `if` that reads it (in its test, or in a statement before the skip)."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("skip", "skipif")):
            continue
        if node.func.attr == "skipif":
            if not node.args or not _mentions_ci(node.args[0]):
                lines.append(node.lineno)
            continue
        statement: ast.AST = node
        parent = parents.get(node)
        guarded = False
        while parent is not None and not guarded:
            if isinstance(parent, ast.If):
                before = parent.body[:parent.body.index(statement)] \
                    if statement in parent.body else []
                guarded = _mentions_ci(parent.test) or any(_mentions_ci(s) for s in before)
            statement, parent = parent, parents.get(parent)
        if not guarded:
            lines.append(node.lineno)
    return lines


def test_tests_of_the_shared_reference_data_fail_rather_than_skip_in_ci() -> None:
    """A test that needs ../shared skips only outside CI (with CI set, it runs and fails)."""
    bad = ('import os, pytest\nHERE = "shared"\n'
           'mark = pytest.mark.skipif(not os.path.exists(HERE), reason="missing")\n'
           'def test_x():\n    if not os.path.exists(HERE):\n        pytest.skip("missing")\n')
    assert _unguarded_skips(bad) == [3, 6]
    unguarded = {str(path.relative_to(REPO)): lines
                 for path in (REPO / "tests").rglob("*.py")
                 if '"shared"' in (text := path.read_text(encoding="utf-8"))
                 and (lines := _unguarded_skips(text))}
    assert unguarded == {}


def test_package_metadata_pins_no_torch_lists_no_unused_psutil_and_bounds_textual() -> None:
    import re
    import tomllib

    deps = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "dependencies"]
    by_name = {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower(): d for d in deps}
    assert "psutil" not in by_name
    assert "==" not in by_name["torch"]  # `./run` installs the CPU build first; any torch will do
    uses_private = any("_binding_chain" in p.read_text(encoding="utf-8")
                       for p in (REPO / "coder").rglob("*.py"))
    assert not uses_private or "<" in by_name["textual"]
    run_script = (REPO / "run").read_text(encoding="utf-8")
    assert ".[base]" not in run_script and '".[$extras]"' in run_script
