"""`coder agreement` and `coder qa sample|progress|queue|adjudicate` on the demo survey."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from coder.cli import cli
from coder.core.agreement import CodingRecord, CodingTable, compute_agreement, to_json_dict
from coder.core.codeframe.files import load_codeframe
from coder.services.importing import import_survey
from coder.store import SQLiteStore, create_project, open_project

REPO = Path(__file__).resolve().parents[2]
DEMO_CSV = REPO / "data" / "demo_survey.csv"
Q2_FRAME = REPO / "codeframes" / "q2_barriers.yaml"
CASES = REPO / ".." / "shared" / "reference" / "agreement_cases.json"
Q2 = "q2_barriers"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cliqa") / "template.coder"
    with create_project(path) as store:
        import_survey(store, DEMO_CSV, wave="2025", coder="setup")
        store.add_codeframe(load_codeframe(Q2_FRAME), "setup", questions=[Q2])
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "demo.coder"
    shutil.copyfile(template, target)
    return target


def code(store: SQLiteStore, output_code: int) -> str:
    frame = store.codeframe_for(Q2)
    assert frame is not None
    found = frame.by_output_code(output_code)
    assert found is not None
    return found.id


# Per answer of the sample: (alice's codes, bob's codes); None = not coded.
PLAN: list[tuple[tuple[int, ...] | None, tuple[int, ...] | None]] = [
    ((101,), (101,)), ((101, 102), (101,)), ((201,), (201,)), ((), ()), ((301,), (302,)),
    ((101,), None), ((202,), (202,)), ((), (304,)), ((102,), (102,)), ((201, 301), (201, 301)),
]


def code_sample(project: Path) -> tuple[int, list[int], list[CodingRecord]]:
    """Plan a sample through the CLI, then code it; returns sample id, answers, records."""
    result = run("qa", "sample", "-p", str(project), "-q", Q2, "--share", "0.2",
                 "--coders", "alice,bob", "--seed", "7", "--coder", "lead")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("sample 1: ") and "(seed 7)" in result.output
    records = []
    with open_project(project) as store:
        answers = store.sample_answers(1)
        frame = store.codeframe_for(Q2)
        assert frame is not None
        coders = {n: store.coder(n) for n in ("alice", "bob")}
        for answer_id, codes in zip(answers, PLAN, strict=False):
            for name, applied in zip(("alice", "bob"), codes, strict=True):
                if applied is None:
                    continue
                store.set_codes(answer_id, coders[name], [code(store, n) for n in applied])
                records.append(CodingRecord(answer_id, name, frozenset(
                    f"{n} {frame.by_output_code(n).label}" for n in applied)))  # type: ignore[union-attr]
    return 1, answers, records


def test_sample_then_progress(project: Path) -> None:
    _, answers, _ = code_sample(project)
    result = run("qa", "progress", "-p", str(project), "--json")
    assert result.exit_code == 0, result.output
    progress = json.loads(result.output)[0]
    assert progress["seed"] == 7 and progress["question"] == Q2
    assert progress["coders"]["alice"] == {"assigned": len(answers), "coded": len(PLAN)}
    assert progress["coders"]["bob"] == {"assigned": len(answers), "coded": len(PLAN) - 1}
    text = run("qa", "progress", "-p", str(project)).output
    assert f"bob: {len(PLAN) - 1}/{len(answers)} coded" in text


def test_agreement_json_from_the_project_equals_the_core_on_the_same_codings(
        project: Path) -> None:
    _, _, records = code_sample(project)
    with open_project(project) as store:
        frame = store.codeframe_for(Q2)
        assert frame is not None
        keys = [f"{c.output_code} {c.label}" for c in frame.codable_codes()]
    records.sort(key=lambda r: int(r.unit))
    expected = to_json_dict(compute_agreement(CodingTable.from_records(records, codes=keys)))
    result = run("agreement", "-p", str(project), "-q", Q2, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == json.loads(json.dumps(expected))
    # 10 answers coded by alice, 9 of them by bob too: the 10th does not count
    assert json.loads(result.output)["codes"]["101 High school fees"]["n_units"] == 9


def test_agreement_csv_and_table(project: Path) -> None:
    code_sample(project)
    out = run("agreement", "-p", str(project), "--format", "csv", "--bootstrap", "50")
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    by_code = {r["code"]: r for r in rows if r["scope"] == "code"}
    assert by_code["101 High school fees"]["question"] == Q2
    assert by_code["101 High school fees"]["alpha_ci_low"] != ""
    assert {r["code"] for r in rows if r["scope"] == "overall"} == {
        "alpha_masi", "alpha_pooled", "alpha_mean"}
    table = run("agreement", "-p", str(project), "-q", Q2)
    assert table.exit_code == 0
    assert "High school fees" in table.output and "Krippendorff's guideline" in table.output
    assert any(g in table.output for g in ("good", "tentative", "poor"))


def test_agreement_from_a_codings_file_matches_the_published_multi_label_case(
        tmp_path: Path) -> None:
    if not CASES.exists() and not os.environ.get("CI"):
        pytest.skip(f"reference cases not found at {CASES} (../shared sits beside the repo)")
    cases = {c["id"]: c for c in json.loads(CASES.read_text(encoding="utf-8"))}
    path = tmp_path / "codings.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", "coder", "code"])
        for unit, row in enumerate(cases["ml_survey_alpha_masi"]["data"]):
            for coder, cell in zip(("c1", "c2", "c3"), row, strict=True):
                if cell is None:
                    continue
                for applied in cell or [""]:
                    writer.writerow([f"u{unit}", coder, applied])
    result = run("agreement", "--input", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    masi = cases["ml_survey_alpha_masi"]
    assert data["overall"]["alpha_masi"] == pytest.approx(masi["expected"], abs=masi["tolerance"])
    price = cases["ml_survey_percode_alpha_PRICE"]
    assert data["codes"]["PRICE"]["alpha"] == pytest.approx(price["expected"],
                                                             abs=price["tolerance"])


def test_queue_then_adjudicate_by_number_and_label(project: Path) -> None:
    _, answers, _ = code_sample(project)
    queue = run("qa", "queue", "-p", str(project), "-q", Q2, "--format", "json")
    assert queue.exit_code == 0, queue.output
    listed = json.loads(queue.output)
    disagreeing = [answers[i] for i in (1, 4, 7)]
    assert [d["answer_id"] for d in listed] == disagreeing
    assert listed[0]["codes"] == {"alice": ["101", "102"], "bob": ["101"]}
    done = run("qa", "adjudicate", str(disagreeing[0]), "-p", str(project),
               "--codes", "101,Disputes over who pays", "--reviewer", "rita")
    assert done.exit_code == 0, done.output
    assert "101 High school fees, 102 Disputes over who pays" in done.output
    run("qa", "adjudicate", str(disagreeing[2]), "-p", str(project), "--no-code",
        "--reviewer", "rita")
    left = json.loads(run("qa", "queue", "-p", str(project), "-q", Q2, "--format",
                          "json").output)
    assert [d["answer_id"] for d in left] == [disagreeing[1]]
    with open_project(project) as store:
        layer = store.coder("adjudicated", create=False)
        assert set(store.codes_of(disagreeing[0], layer.id)) == {code(store, 101),
                                                                 code(store, 102)}
        assert store.codes_of(disagreeing[2], layer.id) == []
        assert store.status(disagreeing[2], layer.id)["coded_at"] is not None


@pytest.mark.parametrize(("args", "exit_code"), [
    (("agreement",), 2),  # neither --project nor --input
    (("agreement", "--input", "missing.csv"), 2),
    (("agreement", "-p", "{p}", "--input", "x.csv"), 2),
    (("qa", "adjudicate", "1", "-p", "{p}", "--reviewer", "r"), 2),  # no --codes
    (("qa", "adjudicate", "1", "-p", "{p}", "--codes", "12345", "--reviewer", "r"), 2),
    (("agreement", "-p", "{p}"), 3),  # nothing double-coded yet
    (("qa", "sample", "-p", "{p}", "-q", Q2, "--share", "0.2", "--coders", "alice"), 3),
    (("qa", "progress", "-p", "{p}", "--sample", "9"), 2),  # no such sample
])
def test_exit_codes(project: Path, args: tuple[str, ...], exit_code: int) -> None:
    result = run(*(str(project) if a == "{p}" else a for a in args))
    assert result.exit_code == exit_code, result.output
