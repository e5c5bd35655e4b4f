"""The CLI words the remedies that core and service errors carry as facts: options, commands."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from click.testing import CliRunner, Result

from coder.cli import cli
from coder.cli.remedies import hint
from coder.core.errors import Remedy
from coder.services.importing import import_survey
from coder.store import create_project

REPO = Path(__file__).resolve().parents[2]
DEMO_CSV = REPO / "data" / "demo_survey.csv"
Q2 = "q2_barriers"
# An option (--wave) or a command (coder qa queue) in a message, as only the CLI may word it.
CLI_WORDING = re.compile(
    r"(?<![\w-])--[a-z][a-z-]+|\bcoder (init|import|info|themes|codeframe|codings|open|code|memo"
    r"|flag|quotes|qa|agreement|report|export|redaction)\b")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_a_missing_project_says_how_to_create_it(tmp_path: Path) -> None:
    missing = tmp_path / "none.coder"
    result = run("info", "-p", str(missing))
    assert result.exit_code == 3
    assert f"no such project; create it first (coder init {missing})" in result.output


def test_a_stray_byte_says_which_option_names_the_encoding(tmp_path: Path) -> None:
    survey = tmp_path / "s.csv"
    survey.write_bytes("id,comment\nR1,Caf\u00e9 fees are far too high\nR2,too \x81much\n"
                       .encode("utf-8").replace(b"\xc2\x81", b"\x81"))
    run("init", str(tmp_path / "p.coder"))
    result = run("import", str(survey), "-p", str(tmp_path / "p.coder"), "--id-column", "id",
                 "--open-column", "comment")
    assert result.exit_code == 2
    assert "or name the file's encoding (e.g. --encoding cp1252)" in result.output


def test_a_respondent_in_two_waves_is_told_the_wave_option(tmp_path: Path) -> None:
    project = tmp_path / "p.coder"
    with create_project(project) as store:
        import_survey(store, DEMO_CSV, wave="2025", coder="setup")
        import_survey(store, DEMO_CSV, wave="2026", coder="setup")
    run("codeframe", "import", str(REPO / "codeframes" / "q2_barriers.yaml"), "-p", str(project))
    result = run("code", "-p", str(project), "-q", Q2, "LA017", "101", "--coder", "ann")
    assert result.exit_code == 2
    assert "answered q2_barriers in waves 2025, 2026: choose the wave (--wave)" in result.output


def test_agreement_before_double_coding_names_the_sampling_command(tmp_path: Path) -> None:
    project = tmp_path / "p.coder"
    with create_project(project) as store:
        import_survey(store, DEMO_CSV, wave="2025", coder="setup")
    result = run("agreement", "-p", str(project))
    assert result.exit_code == 3
    assert "plan double-coding first (coder qa sample)" in result.output


def test_hints_for_options_and_actions() -> None:
    assert hint(Remedy(option="coders", example="A,B")) == "e.g. --coders A,B"
    assert hint(Remedy(option="frame", alternative="question")) == "--frame NAME or --question Q"
    assert hint(Remedy(action="import_codeframe", question="q1")) == (
        "coder codeframe import FILE --question q1")
    assert hint(Remedy(action="import_codeframe")) == "coder codeframe import FILE"
    assert hint(None) == ""


def _messages(path: Path) -> list[tuple[int, str]]:
    """String literals of a module that are not docstrings (the texts users may see)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                                | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings]


def test_no_message_below_the_cli_names_an_option_or_command() -> None:
    found = [f"{path.relative_to(REPO)}:{line}: {text!r}"
             for layer in ("core", "services", "store")
             for path in sorted((REPO / "coder" / layer).rglob("*.py"))
             for line, text in _messages(path) if CLI_WORDING.search(text)]
    assert found == []
