"""Codings files: reading and checking a respondent_id,question,code[,coder,wave] table, writing one."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coder.core.coding.codings_file import (
    CodingLine,
    CodingsRow,
    group_by_answer,
    read_codings_file,
    write_codings_csv,
)
from coder.core.errors import InputError


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_rows_keep_their_file_row_numbers_after_blank_lines_and_optional_cells(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "\ufeffRespondent_ID , QUESTION,code,Coder,note\n"
                 "R1,q2,101,bob,hello\n\nR1,q2,,, \nR2,q2,Fees,,\n")
    read = read_codings_file(path)
    assert read.rows == (
        CodingsRow(2, "R1", "q2", "101", "bob", None),
        CodingsRow(4, "R1", "q2", "", None, None),
        CodingsRow(5, "R2", "q2", "Fees", None, None),
    )
    assert read.ignored_columns == ("note",)
    assert read.header("respondent_id") == "Respondent_ID"


def test_windows_1252_and_semicolons_are_read(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "respondent_id;question;code\nR1;q2;Café fees\n", "cp1252")
    assert read_codings_file(path).rows[0].code == "Café fees"


def test_xlsx_is_read(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["respondent_id", "question", "code", "wave"])
    sheet.append([17, "q2", 101, 2025])
    sheet.append([])
    sheet.append([18, "q2", None, None])
    book.save(tmp_path / "c.xlsx")
    assert read_codings_file(tmp_path / "c.xlsx").rows == (
        CodingsRow(2, "17", "q2", "101", None, "2025"), CodingsRow(4, "18", "q2", "", None, None))


@pytest.mark.parametrize(("text", "row", "column", "message"), [
    ("respondent_id,code\nR1,101\n", 1, "question", "missing column(s) question"),
    ("respondent_id,question,code\nR1,,101\n", 2, "question", "question is blank"),
    ("Respondent_Id,question,code\nR1,q2,101\n,q2,102\n", 3, "Respondent_Id",
     "respondent_id is blank"),
    ("respondent_id,question,code\nR1,q2,101,extra\n", 2, "#4", "has 4 fields"),
])
def test_bad_files_name_the_row_and_column(tmp_path: Path, text: str, row: int, column: str,
                                           message: str) -> None:
    with pytest.raises(InputError) as caught:
        read_codings_file(write(tmp_path / "bad.csv", text))
    assert (caught.value.row, caught.value.column) == (row, column)
    assert message in str(caught.value) and "bad.csv" in str(caught.value)


def test_a_header_alone_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no rows"):
        read_codings_file(write(tmp_path / "c.csv", "respondent_id,question,code\n"))


def test_grouping_fills_defaults_and_merges_rows_of_one_answer(tmp_path: Path) -> None:
    read = read_codings_file(write(tmp_path / "c.csv", "respondent_id,question,code,coder,wave\n"
                                   "R1,q2,101,,\nR1,q2,201,,2025\nR1,q2,101,,\nR1,q2,,ann,\n"))
    groups = group_by_answer(read, default_coder="bob", default_wave="2025")
    assert [(g.respondent_id, g.coder, g.wave, [c for c, _ in g.codes], g.rows)
            for g in groups] == [("R1", "bob", "2025", ["101", "201"], (2, 3, 4)),
                                 ("R1", "ann", "2025", [], (5,))]


def test_no_coder_anywhere_is_refused(tmp_path: Path) -> None:
    read = read_codings_file(write(tmp_path / "c.csv", "respondent_id,question,code\nR1,q2,1\n"))
    with pytest.raises(InputError) as caught:
        group_by_answer(read, default_coder=None, default_wave="1")
    assert (caught.value.row, caught.value.column) == (2, "coder")


def test_no_code_and_a_code_for_one_answer_contradict(tmp_path: Path) -> None:
    read = read_codings_file(write(tmp_path / "c.csv", "respondent_id,question,code\n"
                                   "R1,q2,101\nR2,q2,\nR1,q2,\n"))
    with pytest.raises(InputError) as caught:
        group_by_answer(read, default_coder="bob", default_wave="1")
    assert (caught.value.row, caught.value.column) == (4, "code")
    assert 'row 2 gives code "101"' in str(caught.value)


def test_writing_neutralises_formulas_and_reading_takes_that_off(tmp_path: Path) -> None:
    lines = [CodingLine("=1+1", "q2", "101", "@bob", "-2025"), CodingLine("R2", "q2", "", "ann", "1")]
    path = write_codings_csv(lines, tmp_path / "out.csv")
    assert "'=1+1" in path.read_text(encoding="utf-8-sig")
    assert read_codings_file(path).rows == (CodingsRow(2, "=1+1", "q2", "101", "@bob", "-2025"),
                                            CodingsRow(3, "R2", "q2", "", "ann", "1"))


_cell = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF, blacklist_characters="\x7f"),
                min_size=1, max_size=12).map(str.strip).filter(
    lambda s: bool(s) and not s.startswith("'"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_cell, _cell, _cell | st.just(""), _cell, _cell), min_size=1,
                max_size=8))
def test_any_written_file_reads_back_the_same(tmp_path: Path,
                                              rows: list[tuple[str, str, str, str, str]]) -> None:
    path = write_codings_csv([CodingLine(*r) for r in rows], tmp_path / "any.csv")
    read = read_codings_file(path)
    assert [(r.respondent_id, r.question, r.code, r.coder or "", r.wave or "")
            for r in read.rows] == [tuple(r) for r in rows]
