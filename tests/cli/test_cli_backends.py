"""The same command-line session on a project file and on a PostgreSQL project gives the same
results: import, code, codings import/export, agreement, report and data export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from coder.cli import cli

REPO = Path(__file__).resolve().parents[2]
DEMO_CSV = REPO / "data" / "demo_survey.csv"
Q2 = "q2_barriers"
Q2_FRAME = REPO / "codeframes" / "q2_barriers.yaml"


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, f"{args}: {result.output}"
    return result


def _session(project: str, folder: Path) -> dict[str, str]:
    """Everything a lead and two coders do from the command line; what came out."""
    folder.mkdir()
    run("init", project)
    run("import", str(DEMO_CSV), "-p", project, "--wave", "2025")
    run("codeframe", "import", str(Q2_FRAME), "-p", project, "--coder", "lead")
    for respondent, codes in (("LA001", ["101"]), ("LA002", ["102", "201"]), ("LA003", ["101"])):
        run("code", "-p", project, "-q", Q2, respondent, *codes, "--coder", "alice")
    bob = folder / "bob.csv"
    bob.write_text("respondent_id,question,code\nLA001,q2_barriers,101\n"
                   "LA002,q2_barriers,102\nLA003,q2_barriers,\n")
    run("codings", "import", str(bob), "-p", project, "--coder", "bob")
    run("code", "-p", project, "-q", Q2, "LA002", "201", "--remove", "--coder", "alice")
    out = {"codings": folder / "codings.csv", "report": folder / "report.md",
           "export": folder / "codes.csv"}
    run("codings", "export", "-p", project, "--output", str(out["codings"]))
    run("report", "-p", project, "--format", "md", "-o", str(out["report"]), "--title", "Q2",
        "--layer", "all", "--by", "region")
    run("export", "-p", project, "--format", "csv", "-o", str(out["export"]), "--layer", "all",
        "--attribute", "region")
    agreement = run("agreement", "-p", project, "-q", Q2, "--format", "json").output
    return {"agreement": agreement, **{k: v.read_text() for k, v in out.items()},
            "info": run("info", "-p", project, "--json").output}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_session_gives_the_same_results_on_both_backends(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CODER_NAME", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    reference = _session(str(tmp_path / "ref.coder"), tmp_path / "ref")
    if backend == "sqlite":
        project = str(tmp_path / "again.coder")
    else:
        project = request.getfixturevalue("pg_cluster").new_database()
    results = _session(project, tmp_path / "run")
    assert json.loads(results["agreement"]) == json.loads(reference["agreement"])
    info, reference_info = json.loads(results["info"]), json.loads(reference["info"])
    assert info.pop("project") == project and reference_info.pop("project")
    assert info == reference_info
    for name in ("codings", "export", "report"):
        assert results[name] == reference[name], f"{name} differs on {backend}"
    assert "LA002,q2_barriers,102,alice" in results["codings"].replace('"', "")
