"""`coder import` on oddly encoded and malformed files: --encoding, notes on the encoding chosen,
exit 2 with file/row/column, a project left as it was, and no terminal escapes in the output."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from click.testing import CliRunner, Result

from coder.cli import cli

SURVEY = (
    "id,comment\n"
    'R1,"Salaries of \u00a360,000 are not enough \u2013 we lose staff to agencies"\n'
    'R2,"Caf\u00e9 culture aside, the na\u00efve plans fail"\n'
    'R3,"Fees rose by 12% \u2013 too much for our budget"\n'
)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def project_with_good_import(tmp_path: Path) -> tuple[str, Path]:
    project = str(tmp_path / "p.coder")
    assert run("init", project).exit_code == 0
    survey = tmp_path / "survey.csv"
    survey.write_text(SURVEY, encoding="utf-8")
    result = run("import", str(survey), "-p", project, "--wave", "1", "--open-column", "comment")
    assert result.exit_code == 0, result.output
    return project, survey


def answers(project: str) -> list[tuple[str, str]]:
    from coder.store import open_project

    with open_project(project) as store:
        return [(a.raw_text, a.text) for a in store.answers("comment")]


def info(project: str) -> dict:
    return json.loads(run("info", "-p", project, "--json").output)


def test_reimport_with_a_stray_byte_exits_2_and_keeps_the_answers(tmp_path: Path) -> None:
    project, survey = project_with_good_import(tmp_path)
    before, counts = answers(project), info(project)["counts"]
    # One Windows-1252 apostrophe (0x92) in an otherwise UTF-8 file, as pasting from Word makes.
    survey.write_bytes(SURVEY.encode().replace(b"budget", b"council\x92s budget"))
    result = run("import", str(survey), "-p", project, "--wave", "1", "--open-column", "comment")
    assert result.exit_code == 2
    assert result.output.startswith(
        f'error: {survey}, row 4, column "comment": byte 0x92 is not UTF-8'
    )
    assert "Traceback" not in result.output
    assert answers(project) == before
    assert (
        before[0][0] == "Salaries of \u00a360,000 are not enough \u2013 we lose staff to agencies"
    )
    assert info(project)["counts"] == counts  # no event logged either


def test_a_legacy_file_is_imported_with_a_note_and_encoding_can_be_forced(
    tmp_path: Path,
) -> None:
    project = str(tmp_path / "p.coder")
    run("init", project)
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes(SURVEY.encode("cp1252"))
    result = run("import", str(legacy), "-p", project, "--open-column", "comment")
    assert result.exit_code == 0, result.output
    assert "note: read as Windows-1252" in result.output
    assert "import it again and name the file's encoding (--encoding)" in result.output
    assert answers(project)[1][0] == "Caf\u00e9 culture aside, the na\u00efve plans fail"

    nordic = tmp_path / "nordic.csv"
    nordic.write_bytes(SURVEY.replace("\u2013", "-").encode("mac_roman"))
    forced = run(
        "import", str(nordic), "-p", project, "--wave", "2", "--encoding", "mac_roman",
        "--open-column", "comment",
    )  # fmt: skip
    assert forced.exit_code == 0, forced.output
    assert "note: read as" not in forced.output
    from coder.store import open_project

    with open_project(project) as store:
        wave2 = store.answers("comment", wave_id=store.wave_id("2"))
    assert wave2[1].raw_text == "Caf\u00e9 culture aside, the na\u00efve plans fail"


def test_an_unknown_encoding_exits_2_before_touching_the_project(tmp_path: Path) -> None:
    project, survey = project_with_good_import(tmp_path)
    counts = info(project)["counts"]
    result = run("import", str(survey), "-p", project, "--encoding", "klingon-8")
    assert result.exit_code == 2
    assert result.output.startswith(f'error: {survey}: unknown encoding "klingon-8"')
    assert info(project)["counts"] == counts
    workbook = tmp_path / "s.xlsx"
    workbook.write_bytes(b"PK")
    refused = run("import", str(workbook), "-p", project, "--encoding", "cp1252")
    assert refused.exit_code == 2
    assert "a text encoding applies to CSV and SPSS files" in refused.output
    assert "names its own (--encoding)" in refused.output


def test_a_named_pipe_exits_2_at_once(tmp_path: Path) -> None:
    project = str(tmp_path / "p.coder")
    run("init", project)
    fifo = tmp_path / "survey.csv"
    os.mkfifo(fifo)
    results: list[Result] = []
    worker = threading.Thread(
        target=lambda: results.append(run("import", str(fifo), "-p", project)), daemon=True
    )
    worker.start()
    worker.join(timeout=20)
    assert results, "importing a named pipe hung"
    assert results[0].exit_code == 2
    assert f"error: {fifo}: is a named pipe, not a regular file" in results[0].output


def test_malformed_files_exit_2_naming_the_file_without_a_traceback(tmp_path: Path) -> None:
    project, _ = project_with_good_import(tmp_path)
    counts = info(project)["counts"]
    cases = {
        "cr.csv": b"id,comment\r,x\nR1,caf\x81 is long\n",
        "bom.csv": b"\xef\xbb\xbf",
        "nul.csv": b"id,\x00\x00\nR1,some words in an answer\n",
        "zip.xlsx": b"PK\x03\x04broken",
        "rand.sav": bytes(range(256)) * 4,
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = run("import", str(path), "-p", project)
        assert result.exit_code == 2, (name, result.output)
        assert result.output.startswith(f"error: {path}"), (name, result.output)
        assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    assert info(project)["counts"] == counts


def test_terminal_escapes_never_reach_the_terminal(tmp_path: Path) -> None:
    project = str(tmp_path / "p.coder")
    run("init", project)
    evil = tmp_path / "esc.csv"
    evil.write_bytes(b"id,\x1b]0;owned\x07comment,\x1b]0;owned\x07comment\nR1,a,b\n")
    result = run("import", str(evil), "-p", project)
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]0;owned\\x07comment" in result.output
    named = tmp_path / "sur\x1b[2Jvey.csv"
    named.write_text(SURVEY, encoding="utf-8")
    ok = run("import", str(named), "-p", project, "--open-column", "comment")
    assert ok.exit_code == 0 and "\x1b" not in ok.output and "sur\\x1b[2Jvey.csv" in ok.output
