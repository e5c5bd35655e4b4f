"""Naming something the project does not have is bad input for every command: exit 2, named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from coder.cli import cli
from coder.core.codeframe.files import load_codeframe
from coder.services.importing import import_survey
from coder.store import create_project, open_project

REPO = Path(__file__).resolve().parents[2]
Q2 = "q2_barriers"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("exitcodes") / "template.coder"
    with create_project(path) as store:
        import_survey(store, REPO / "data" / "demo_survey.csv", wave="2025", coder="setup")
        store.add_codeframe(load_codeframe(REPO / "codeframes" / "q2_barriers.yaml"), "setup",
                            questions=[Q2])
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def project(template: Path, tmp_path: Path) -> str:
    target = tmp_path / "demo.coder"
    shutil.copyfile(template, target)
    return str(target)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


# (arguments after the command's own words; "P" is replaced by the project) -> what is named
UNKNOWN_CODE = [
    ("codeframe", "rename", "555", "New label", "-p", "P", "--question", Q2),
    ("codeframe", "edit", "555", "--definition", "x", "-p", "P", "--question", Q2),
    ("codeframe", "merge", "101", "--into", "555", "-p", "P", "--question", Q2),
    ("codeframe", "split", "555", "--into", "A", "--into", "B", "-p", "P", "--question", Q2),
    ("codeframe", "retire", "555", "-p", "P", "--question", Q2),
    ("codeframe", "restore", "555", "-p", "P", "--question", Q2),
    ("codeframe", "add", "New", "--parent", "555", "-p", "P", "--question", Q2),
    ("code", "-p", "P", "-q", Q2, "LA017", "555"),
    ("quotes", "list", "-p", "P", "-q", Q2, "--code", "555"),
    ("qa", "adjudicate", "1", "-p", "P", "--codes", "555", "--reviewer", "rita"),
]
UNKNOWN_QUESTION = [
    ("code", "-p", "P", "-q", "q99", "LA017", "101"),
    ("codeframe", "show", "-p", "P", "--question", "q99"),
    ("codeframe", "new", "Other", "-p", "P", "--question", "q99"),
    ("qa", "queue", "-p", "P", "-q", "q99"),
    ("qa", "sample", "-p", "P", "-q", "q99", "--share", "0.2", "--coders", "a,b"),
    ("agreement", "-p", "P", "-q", "q99"),
    ("themes", "-p", "P", "--question", "q99"),
    ("report", "-p", "P", "-q", "q99", "-o", "OUT.md"),
    ("export", "-p", "P", "-q", "q99", "-o", "OUT.csv", "--format", "csv"),
    ("codings", "export", "-p", "P", "-o", "OUT.csv", "--question", "q99"),
]
UNKNOWN_RESPONDENT = [
    ("code", "-p", "P", "-q", Q2, "LA999", "101"),
    ("memo", "-p", "P", "-q", Q2, "LA999", "a memo"),
    ("flag", "-p", "P", "-q", Q2, "LA999"),
    ("quotes", "star", "-p", "P", "-q", Q2, "--code", "101", "LA999"),
]


def _cases() -> list[tuple[tuple[str, ...], str]]:
    return ([(args, "no code 555") for args in UNKNOWN_CODE]
            + [(args, 'no question "q99"') for args in UNKNOWN_QUESTION]
            + [(args, 'no respondent "LA999"') for args in UNKNOWN_RESPONDENT])


@pytest.mark.parametrize(("args", "named"), _cases(), ids=lambda v: " ".join(v[:3])
                         if isinstance(v, tuple) else "")
def test_an_unknown_name_exits_2_naming_it_and_changes_nothing(
        project: str, tmp_path: Path, args: tuple[str, ...], named: str) -> None:
    with open_project(project) as store:
        before = (store.write_version(), store.codeframe_for(Q2))
    given = [project if a == "P" else str(tmp_path / a) if a.startswith("OUT.") else a
             for a in args]
    result = run(*given)
    assert result.exit_code == 2, result.output
    assert "error: " in result.output and named in result.output
    assert "Traceback" not in result.output
    with open_project(project) as store:
        assert (store.write_version(), store.codeframe_for(Q2)) == before


def test_unknown_answers_coders_waves_and_layers_are_bad_input_too(project: str,
                                                                    tmp_path: Path) -> None:
    out = str(tmp_path / "c.csv")
    for args, named in [
        (("qa", "adjudicate", "999999", "-p", project, "--codes", "101", "--reviewer", "r"),
         "no answer 999999"),
        (("agreement", "-p", project, "-q", Q2, "--coders", "ann,zz"), "no coder"),
        (("codings", "export", "-p", project, "-o", out, "--wave", "1999"), 'no wave "1999"'),
        (("codings", "export", "-p", project, "-o", out, "--layer", "coder:zz"),
         'no coder "zz"'),
        (("codeframe", "show", "-p", project, "--frame", "Nope"), 'no codeframe "Nope"'),
    ]:
        result = run(*args)
        assert result.exit_code == 2 and named in result.output, (args, result.output)
