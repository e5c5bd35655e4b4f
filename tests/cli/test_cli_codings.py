"""`coder codings import|export` on the small hand-coded project: CSV and REFI-QDA, undo, errors."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from coder.cli import cli
from coder.store import open_project
from tests.store.test_store import snapshot

Q2 = "q2_barriers"
Coding = tuple[str, str, str, int | None]  # respondent, question, coder, output code (None: no code)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def codings_of(path: Path) -> set[Coding]:
    """Every coder's codings as (respondent, question, coder, code); (…, None) = coded, no code."""
    found: set[Coding] = set()
    with open_project(path) as store:
        external = {r.id: r.external_id for r in store.respondents()}
        names = {c.id: c.name for c in store.coders()}
        for question in store.questions(open_only=True):
            frame = store.codeframe_for(question.id)
            respondent = {a.id: external[a.respondent_id] for a in store.answers(question.id)}
            coded = store.coded_answers(question.id)
            with_codes = set()
            for c in store.codings(question_id=question.id):
                number = frame.code(c.code_id).output_code if frame is not None else -1
                found.add((respondent[c.answer_id], question.id, names[c.coder_id], number))
                with_codes.add((c.answer_id, c.coder_id))
            for coder_id, answers in coded.items():
                for answer_id in answers:
                    if (answer_id, coder_id) not in with_codes:
                        found.add((respondent[answer_id], question.id, names[coder_id], None))
    return found


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def two_coders(tmp_path: Path, build_report_project: Callable[..., Path]) -> Path:
    """The hand-coded project coded by alice and bob."""
    return build_report_project(tmp_path, coders=("alice", "bob"))


@pytest.fixture()
def uncoded(tmp_path: Path, build_report_project: Callable[..., Path]) -> Path:
    """The same survey and codeframe with nobody's codings: a copy with codings removed."""
    folder = tmp_path / "fresh"
    folder.mkdir()
    return build_report_project(folder, coders=())


# -- import ------------------------------------------------------------------------------------


def test_importing_three_rows_codes_bobs_answers_and_undo_takes_them_back(
        project: Path, tmp_path: Path) -> None:
    file = write(tmp_path / "bob.csv", "respondent_id,question,code\n"
                 "R10,q2_barriers,101\nR10,q2_barriers,201\nR04,q2_barriers,Distance from home\n")
    before = codings_of(project)
    result = run("codings", "import", str(file), "-p", str(project), "--coder", "bob")
    assert result.exit_code == 0, result.output
    assert "2 answers coded by bob" in result.output and "3 codings added" in result.output
    added = codings_of(project) - before
    assert added == {("R10", Q2, "bob", 101), ("R10", Q2, "bob", 201), ("R04", Q2, "bob", 301)}
    undo = run("codeframe", "undo", "-p", str(project), "--coder", "bob")
    assert undo.exit_code == 0, undo.output
    assert "undone: imported codings from bob.csv" in undo.output
    assert codings_of(project) == before


def test_coder_and_wave_columns_and_labels_and_no_code(project: Path, tmp_path: Path) -> None:
    file = write(tmp_path / "two.csv", "Respondent_ID,Question,Code,Coder,Wave\n"
                 "R01,q2_barriers,high fees,carol,1\n"
                 "R01,q2_barriers,Lack of training,dan,1\n"
                 "R02,q2_barriers,,carol,\n")
    result = run("codings", "import", str(file), "-p", str(project), "--coder", "lead")
    assert result.exit_code == 0, result.output
    got = {c for c in codings_of(project) if c[2] in ("carol", "dan")}
    assert got == {("R01", Q2, "carol", 101), ("R01", Q2, "dan", 202), ("R02", Q2, "carol", None)}
    # the import is lead's action: lead's undo takes back all three coders' rows at once
    assert run("codeframe", "undo", "-p", str(project), "--coder", "carol").output.startswith(
        "nothing to undo")
    assert run("codeframe", "undo", "-p", str(project), "--coder", "lead").exit_code == 0
    assert not {c for c in codings_of(project) if c[2] in ("carol", "dan")}


def test_the_files_codes_replace_that_coders_codes_on_the_answers_it_lists(
        two_coders: Path, tmp_path: Path) -> None:
    before = codings_of(two_coders)
    assert ("R02", Q2, "alice", 101) in before and ("R02", Q2, "alice", 201) in before
    file = write(tmp_path / "fix.csv", "respondent_id,question,code,coder\n"
                 "R02,q2_barriers,202,alice\n")
    result = run("codings", "import", str(file), "-p", str(two_coders), "--coder", "lead")
    assert result.exit_code == 0, result.output
    assert "1 codings added, 2 removed" in result.output
    after = codings_of(two_coders)
    assert {c for c in after if c[0] == "R02" and c[2] == "alice"} == {("R02", Q2, "alice", 202)}
    # bob's codes on R02 and alice's other answers are untouched
    assert {c for c in after if not (c[0] == "R02" and c[2] == "alice")} == {
        c for c in before if not (c[0] == "R02" and c[2] == "alice")}


def test_importing_the_same_file_twice_changes_nothing_the_second_time(
        project: Path, tmp_path: Path) -> None:
    file = write(tmp_path / "bob.csv", "respondent_id,question,code\nR10,q2_barriers,101\n")
    assert run("codings", "import", str(file), "-p", str(project), "--coder", "bob").exit_code == 0
    before = snapshot(project)
    again = run("codings", "import", str(file), "-p", str(project), "--coder", "bob")
    assert again.exit_code == 0, again.output
    assert "0 codings added, 0 removed, 1 already so" in again.output
    assert "undo with" not in again.output
    after = snapshot(project)
    # only the command's own session is recorded (bookkeeping, not data): no event, no row
    assert {k: v for k, v in after.items() if k != "sessions"} == {
        k: v for k, v in before.items() if k != "sessions"}


BAD_FILES = [
    ("unknown respondent", "R99,q2_barriers,101", 2, "respondent_id", 'no respondent "R99"'),
    ("unknown question", "R01,q9,101", 2, "question", 'no question "q9"'),
    ("closed question", "R01,region,101", 2, "question", "closed question"),
    ("unknown code number", "R01,q2_barriers,999", 2, "code", "has no code 999"),
    ("unknown code label", "R01,q2_barriers,Feez", 2, "code", 'has no code "Feez"'),
    ("a net", "R01,q2_barriers,100", 2, "code", "is a net"),
    ("a blank answer", "R05,q2_barriers,101", 2, "respondent_id", "left q2_barriers blank"),
    ("blank respondent", ",q2_barriers,101", 2, "respondent_id", "respondent_id is blank"),
]


@pytest.mark.parametrize(("line", "row", "column", "message"),
                         [b[1:] for b in BAD_FILES], ids=[b[0] for b in BAD_FILES])
def test_a_bad_row_names_file_row_and_column_and_nothing_is_imported(
        project: Path, tmp_path: Path, line: str, row: int, column: str, message: str) -> None:
    # the good rows around the bad one are not imported either
    file = write(tmp_path / "bad.csv", "respondent_id,question,code\n"
                 f"{line}\nR10,q2_barriers,101\n")
    before = snapshot(project)
    result = run("codings", "import", str(file), "-p", str(project), "--coder", "bob")
    assert result.exit_code == 2, result.output
    assert f'bad.csv, row {row}, column "{column}": ' in result.output
    assert message in result.output
    assert snapshot(project) == before


def test_every_bad_row_is_listed_and_the_first_is_named(project: Path, tmp_path: Path) -> None:
    file = write(tmp_path / "bad.csv", "respondent_id,question,code\nR01,q2_barriers,101\n"
                 "R99,q2_barriers,101\nR02,q2_barriers,999\n")
    result = run("codings", "import", str(file), "-p", str(project), "--coder", "bob")
    assert result.exit_code == 2
    assert 'bad.csv, row 3, column "respondent_id"' in result.output
    assert 'also row 4, column "code": codeframe "Barriers" has no code 999' in result.output
    assert result.output.rstrip().endswith("nothing was imported")


@pytest.mark.parametrize(("text", "row", "column", "message"), [
    ("respondent_id,code\nR01,101\n", 1, "question", "missing column(s) question"),
    ("respondent_id,question,code,coder,wave\nR01,q2_barriers,101,bob,2031\n", 2, "wave",
     'no wave "2031"'),
    ("respondent_id,question,code,coder\nR01,q2_barriers,101,adjudicated\n", 2, "coder",
     "adjudicated layer"),
    ("respondent_id,question,code\nR01,q2_barriers,\nR01,q2_barriers,101\n", 3, "code",
     "row 2 says no code applies"),
], ids=["missing column", "unknown wave", "adjudicated layer", "no code and a code"])
def test_bad_columns_waves_coders_and_contradictions(
        two_coders: Path, tmp_path: Path, text: str, row: int, column: str, message: str) -> None:
    with open_project(two_coders) as store:
        store.adjudicated_coder()  # the layer exists once anything is adjudicated
    file = write(tmp_path / "bad.csv", text)
    before = snapshot(two_coders)
    result = run("codings", "import", str(file), "-p", str(two_coders), "--coder", "bob")
    assert result.exit_code == 2, result.output
    assert f'bad.csv, row {row}, column "{column}": ' in result.output
    assert message in result.output
    assert snapshot(two_coders) == before


def test_an_unknown_wave_option_is_bad_input(project: Path, tmp_path: Path) -> None:
    file = write(tmp_path / "ok.csv", "respondent_id,question,code\nR01,q2_barriers,101\n")
    result = run("codings", "import", str(file), "-p", str(project), "--wave", "2031")
    assert result.exit_code == 2 and 'no wave "2031"' in result.output


def test_extra_columns_are_named_as_not_read(project: Path, tmp_path: Path) -> None:
    file = write(tmp_path / "x.csv", "respondent_id,question,code,label\n"
                 "R10,q2_barriers,101,High fees\n")
    result = CliRunner().invoke(
        cli, ["codings", "import", str(file), "-p", str(project), "--coder", "bob"])
    assert result.exit_code == 0, result.output
    assert "columns not read: label" in result.stderr


# -- export and round trips --------------------------------------------------------------------


def test_export_then_import_into_a_copy_without_codings_gives_the_same_codings(
        two_coders: Path, uncoded: Path, tmp_path: Path) -> None:
    out = tmp_path / "codings.csv"
    result = run("codings", "export", "-p", str(two_coders), "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert list(rows[0]) == ["respondent_id", "question", "code", "coder", "wave"]
    assert {"respondent_id": "R04", "question": Q2, "code": "", "coder": "alice",
            "wave": "1"} in rows  # "Don't know" coded: no code applies
    assert codings_of(uncoded) == set()
    imported = run("codings", "import", str(out), "-p", str(uncoded), "--coder", "lead")
    assert imported.exit_code == 0, imported.output
    assert codings_of(uncoded) == codings_of(two_coders)
    again = tmp_path / "again.csv"
    assert run("codings", "export", "-p", str(uncoded), "-o", str(again)).exit_code == 0
    assert again.read_bytes() == out.read_bytes()


def test_export_layers_questions_and_waves(two_coders: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.csv"

    def exported(*options: str) -> list[dict[str, str]]:
        result = run("codings", "export", "-p", str(two_coders), "-o", str(out), *options)
        assert result.exit_code == 0, result.output
        return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))

    assert {r["coder"] for r in exported("--layer", "coder:bob")} == {"bob"}
    final = exported("--layer", "final")
    assert {r["coder"] for r in final} == {"final"}
    # alice and bob agree on R10 (301) only among coded answers; the rest are unresolved
    assert ("R10", "301") in {(r["respondent_id"], r["code"]) for r in final}
    assert "R01" not in {r["respondent_id"] for r in final}
    assert len(exported("--question", Q2, "--wave", "1")) == len(exported())
    missing = run("codings", "export", "-p", str(two_coders), "-o", str(out), "--layer",
                  "coder:zed")
    assert missing.exit_code == 2 and 'no coder "zed"' in missing.output


def test_model_codings_are_exported_on_request_and_import_back_to_the_model(
        project: Path, tmp_path: Path) -> None:
    from coder.core.types import CoderKind

    with open_project(project) as store:
        model = store.coder("suggester", kind=CoderKind.MODEL)
        r10 = next(a for a in store.answers(Q2) if a.raw_text.startswith("Distance"))
        store.set_codes(r10.id, model, ["c101"])
    out = tmp_path / "c.csv"
    assert run("codings", "export", "-p", str(project), "-o", str(out)).exit_code == 0
    assert "suggester" not in out.read_text(encoding="utf-8-sig")  # default: human coders
    assert run("codings", "export", "-p", str(project), "-o", str(out), "--layer",
               "model:suggester").exit_code == 0
    out.write_text(out.read_text(encoding="utf-8-sig").replace(",101,", ",301,"),
                   encoding="utf-8")
    result = run("codings", "import", str(out), "-p", str(project), "--coder", "lead")
    assert result.exit_code == 0, result.output
    with open_project(project) as store:
        assert store.coder("suggester").kind == CoderKind.MODEL
    assert {c for c in codings_of(project) if c[2] == "suggester"} == {
        ("R10", Q2, "suggester", 301)}


def test_export_never_writes_over_the_project(project: Path) -> None:
    before = project.read_bytes()
    result = run("codings", "export", "-p", str(project), "-o", str(project))
    assert result.exit_code == 2
    assert project.read_bytes() == before


def test_qdpx_round_trip_gives_the_same_codings(
        two_coders: Path, uncoded: Path, tmp_path: Path) -> None:
    qdpx = tmp_path / "all.qdpx"
    result = run("export", "-p", str(two_coders), "--format", "qdpx", "--layer", "all",
                 "-o", str(qdpx))
    assert result.exit_code == 0, result.output
    imported = run("codings", "import", str(qdpx), "-p", str(uncoded), "--coder", "lead")
    assert imported.exit_code == 0, imported.output
    # REFI-QDA has no "coded, no code applies": only codings with a code travel
    assert codings_of(uncoded) == {c for c in codings_of(two_coders) if c[3] is not None}
    assert run("codeframe", "undo", "-p", str(uncoded), "--coder", "lead").exit_code == 0
    assert codings_of(uncoded) == set()


def _qde(sources: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="from nvivo">
  <Users><User guid="{{AAAAAAAA-0000-4000-8000-000000000001}}" name="Nadia"/></Users>
  <CodeBook><Codes>
    <Code guid="11111111-0000-4000-8000-000000000001" name="High fees" isCodable="true"/>
    <Code guid="11111111-0000-4000-8000-000000000002" name="Far away" isCodable="true">
      <Description>Output code: 301</Description></Code>
  </Codes></CodeBook>
  <Sources>{sources}</Sources>
</Project>"""


def _source(guid: str, name: str, text: str, code: int, start: int = 0,
            end: int | None = None) -> str:
    end = len(text) if end is None else end
    return (f'<TextSource guid="{guid}" name="{name}"><PlainTextContent>{text}</PlainTextContent>'
            f'<PlainTextSelection guid="{guid[:-1]}9" startPosition="{start}" endPosition="{end}"'
            ' creatingUser="aaaaaaaa-0000-4000-8000-000000000001">'
            f'<Coding guid="{guid[:-1]}8"><CodeRef targetGUID="11111111-0000-4000-8000-'
            f'00000000000{code}"/></Coding></PlainTextSelection></TextSource>')


def _qdpx(path: Path, qde: str) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
    return path


def test_qdpx_from_another_tool_matches_sources_by_text_codes_by_name_or_number(
        project: Path, tmp_path: Path) -> None:
    sources = (_source("22222222-0000-4000-8000-000000000001", "Interview 7",
                       "Distance from home is the main problem  for us", 2)
               + _source("22222222-0000-4000-8000-000000000002", "R01 - q2_barriers",
                         "ignored: the name says whose", 1, start=4, end=9))
    qdpx = _qdpx(tmp_path / "nvivo.qdpx", _qde(sources))
    result = CliRunner().invoke(
        cli, ["codings", "import", str(qdpx), "-p", str(project), "--coder", "lead"])
    assert result.exit_code == 0, result.output
    assert "coded by Nadia" in result.stdout
    assert "1 codings on part of an answer" in result.stderr
    assert {c for c in codings_of(project) if c[2] == "Nadia"} == {
        ("R10", Q2, "Nadia", 301), ("R01", Q2, "Nadia", 101)}


def test_qdpx_source_that_matches_no_answer_or_several_is_refused(
        project: Path, tmp_path: Path) -> None:
    sources = (_source("22222222-0000-4000-8000-000000000001", "Interview 7", "Not an answer", 1)
               + _source("22222222-0000-4000-8000-000000000002", "R99 - q2_barriers", "x", 1))
    qdpx = _qdpx(tmp_path / "nvivo.qdpx", _qde(sources))
    before = snapshot(project)
    result = run("codings", "import", str(qdpx), "-p", str(project), "--coder", "lead")
    assert result.exit_code == 2, result.output
    assert 'nvivo.qdpx: line 9, text source "Interview 7": no answer has its text' in result.output
    assert 'text source "R99 - q2_barriers"' in result.output
    assert snapshot(project) == before


def test_a_file_that_is_not_a_qdpx_is_refused(project: Path, tmp_path: Path) -> None:
    bad = write(tmp_path / "broken.qdpx", "not a zip")
    result = run("codings", "import", str(bad), "-p", str(project))
    assert result.exit_code == 2
    assert "broken.qdpx" in result.output and "not valid XML" in result.output
