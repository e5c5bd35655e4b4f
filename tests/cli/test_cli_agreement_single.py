"""`coder agreement` on single-code questions: the overall coefficients across categories,
compared with published values (../shared/reference/agreement_cases.json)."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from coder.cli import cli
from coder.core.codeframe.model import Code, Codeframe
from coder.services.importing import import_survey
from coder.store import create_project

CASES = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "agreement_cases.json"
pytestmark = pytest.mark.skipif(
    not CASES.exists() and not os.environ.get("CI"),
    reason=f"reference cases not found at {CASES} (../shared sits beside the repo)")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def case(case_id: str) -> list[list[Any]]:
    data: list[list[Any]] = {c["id"]: c for c in json.loads(CASES.read_text(encoding="utf-8"))}[
        case_id]["data"]
    return data


def rated_project(folder: Path, data: list[list[Any]]) -> Path:
    """A project whose question q1 has one answer per unit of `data`, each coder's rating v
    imported through `coder codings import` as code 100 + v."""
    survey = folder / "survey.csv"
    with survey.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["resp_id", "q1"])
        writer.writerows([f"R{i:02d}", f"Answer number {i} about the service"]
                         for i in range(len(data)))
    values = sorted({v for row in data for v in row if v is not None})
    path = folder / "rated.coder"
    with create_project(path) as store:
        import_survey(store, survey, id_column="resp_id", open_columns=["q1"], coder="lead")
        codes = tuple(Code(f"c{v}", "f", f"Rating {v}", 100 + int(v), position=int(v))
                      for v in values)
        store.add_codeframe(Codeframe("f", "Ratings", codes), "lead", questions=["q1"])
    codings = folder / "codings.csv"
    with codings.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent_id", "question", "code", "coder"])
        writer.writerows([f"R{i:02d}", "q1", 100 + int(v), f"rater{j + 1}"]
                         for i, row in enumerate(data) for j, v in enumerate(row) if v is not None)
    result = run("codings", "import", str(codings), "-p", str(path), "--coder", "lead")
    assert result.exit_code == 0, result.output
    return path


def test_six_coders_in_a_project_give_the_published_fleiss_ac1_and_alpha(tmp_path: Path) -> None:
    project = rated_project(tmp_path, case("gwet_distrib6raters_fleiss_kappa"))
    result = run("agreement", "-p", str(project), "-q", "q1", "--format", "json")
    assert result.exit_code == 0, result.output
    overall = json.loads(result.output)["overall"]
    # Gwet (2014), 15 units x 6 raters: Fleiss 0.4139265, AC1 0.4448007, alpha 0.4204384
    assert overall["kappa_fleiss"] == pytest.approx(0.4139265, abs=1e-7)
    assert overall["ac1"] == pytest.approx(0.4448007, abs=1e-7)
    assert overall["alpha_nominal"] == pytest.approx(0.4204384, abs=1e-7)
    assert overall["kappa_conger"] is not None
    assert "kappa_cohen" not in overall  # six coders
    table = run("agreement", "-p", str(project), "-q", "q1")
    assert table.exit_code == 0, table.output
    assert "one code per answer: 15 answers, 5 categories" in table.output
    assert "Fleiss' kappa" in table.output and "0.414" in table.output
    assert "Cohen's kappa" not in table.output


def test_two_coders_from_a_codings_file_give_the_published_cohen_kappa(tmp_path: Path) -> None:
    path = tmp_path / "abstractors.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", "coder", "code"])
        for unit, row in enumerate(case("cohen_gwet_cont3x3abstractors")):
            writer.writerows([(unit, coder, value) for coder, value in zip("AB", row, strict=True)])
    result = run("agreement", "--input", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    overall = json.loads(result.output)["overall"]
    # irrCAC README, cont3x3abstractors: Cohen 0.7964094, AC1 0.8493305, Scott's pi 0.7962397
    assert overall["kappa_cohen"] == pytest.approx(0.7964094, abs=1e-7)
    assert overall["ac1"] == pytest.approx(0.8493305, abs=1e-7)
    assert overall["kappa_fleiss"] == pytest.approx(0.7962397, abs=1e-7)
    assert overall["alpha_nominal"] == pytest.approx(0.7972585, abs=1e-7)
    rows = list(csv.DictReader(io.StringIO(
        run("agreement", "--input", str(path), "--format", "csv").output)))
    by_name = {r["code"]: r for r in rows if r["scope"] == "overall"}
    assert float(by_name["kappa_cohen"]["alpha"]) == pytest.approx(0.7964094, abs=1e-7)
    assert run("agreement", "--input", str(path), "--coders", "A,Z").exit_code == 2


def test_a_second_code_on_one_answer_makes_the_question_multi_code(tmp_path: Path) -> None:
    project = rated_project(tmp_path, case("gwet_distrib6raters_fleiss_kappa"))
    extra = tmp_path / "extra.csv"
    extra.write_text("respondent_id,question,code,coder\nR00,q1,104,rater1\nR00,q1,101,rater1\n",
                     encoding="utf-8")
    assert run("codings", "import", str(extra), "-p", str(project)).exit_code == 0
    overall = json.loads(run("agreement", "-p", str(project), "-q", "q1", "--format",
                             "json").output)["overall"]
    assert set(overall) == {"alpha_masi", "alpha_pooled"}
    assert "one code per answer" not in run("agreement", "-p", str(project), "-q", "q1").output
