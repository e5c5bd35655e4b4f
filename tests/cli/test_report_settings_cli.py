"""A report's title, base label and author kept in the project: coder project set, or --remember."""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner, Result
from docx import Document

from coder.cli import cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from test_report_project import build_project  # noqa: E402


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_report_title_and_base_label_can_be_remembered(tmp_path: Path) -> None:
    project = str(build_project(tmp_path))
    first = tmp_path / "a.md"
    result = run("report", "-p", project, "-o", str(first), "--title", "Survey 2025: findings",
                 "--base-label", "responding authorities", "--remember", "--coder", "ann")
    assert result.exit_code == 0, result.output
    second = tmp_path / "b.md"
    assert run("report", "-p", project, "-o", str(second), "--coder", "bob").exit_code == 0
    text = second.read_text(encoding="utf-8")
    assert text.startswith("# Survey 2025: findings")
    assert text.count("Base: all responding authorities (n=8)") == 1
    assert "Prepared by bob." in text  # no author set: the coder writing the report


def test_project_set_gives_title_and_author_to_every_format(tmp_path: Path) -> None:
    project = str(build_project(tmp_path))
    assert run("project", "set", "title", "Placements survey 2025", "-p", project,
               "--coder", "ann").exit_code == 0
    assert run("project", "set", "author", "Research team", "-p", project,
               "--coder", "ann").exit_code == 0
    shown = run("project", "show", "-p", project).output
    assert "title: Placements survey 2025" in shown and "author: Research team" in shown
    for fmt in ("md", "html", "docx"):
        out = tmp_path / f"r.{fmt}"
        result = run("report", "-p", project, "-o", str(out), "--coder", "bob")
        assert result.exit_code == 0, result.output
        if fmt == "docx":
            props = Document(str(out)).core_properties
            assert (props.title, props.author) == ("Placements survey 2025", "Research team")
            assert props.last_modified_by == "Research team"
        else:
            text = out.read_text(encoding="utf-8")
            assert "Placements survey 2025" in text and "Research team" in text
            assert "project: coded open answers" not in text
    # An empty value forgets the setting: back to the default title.
    assert run("project", "set", "title", "", "-p", project, "--coder", "ann").exit_code == 0
    out = tmp_path / "again.md"
    assert run("report", "-p", project, "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# Open answers: what respondents said")


def test_suppress_below_on_the_command_line(tmp_path: Path) -> None:
    project = str(build_project(tmp_path))
    out = tmp_path / "r.html"
    result = run("report", "-p", project, "-o", str(out), "--suppress-below", "3")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert '<td class="num">*</td>' in text and "fewer than 3" in text
