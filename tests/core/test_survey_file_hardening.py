"""Malformed and oddly encoded survey files: a clear error naming file, row, column and byte,
or the exact text; never mojibake, a traceback, a hang, or a NUL in a question name."""

from __future__ import annotations

import os
import threading
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from coder.core.errors import InputError, Remedy
from coder.core.survey.files import read_survey
from coder.core.survey.importing import plan_import
from coder.services.importing import import_survey
from coder.store import create_project

GOOD_ROWS = [
    ("R01", "Salaries of \u00a360,000 are not enough \u2013 we lose staff to agencies"),
    ("R02", "Caf\u00e9 culture aside, the na\u00efve plans fail"),
    ("R03", "Fees rose by 12% \u2013 too much for our budget"),
]


def utf8_survey(rows=GOOD_ROWS) -> bytes:
    return ("id,comment\n" + "".join(f'{i},"{t}"\n' for i, t in rows)).encode("utf-8")


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def error_of(path: Path, *, encoding: str | None = None, **plan_options) -> str:
    read_options = {"encoding": encoding} if encoding else {}
    with pytest.raises(InputError) as err:
        plan_import(read_survey(path, **read_options), **plan_options)
    return str(err.value)


# -- encodings -----------------------------------------------------------------------------------


def test_utf8_file_with_a_stray_byte_is_refused_not_read_as_windows_1252(tmp_path: Path) -> None:
    data = utf8_survey().replace(b"too much", b"too \x81much")
    path = write(tmp_path / "s.csv", data)
    with pytest.raises(InputError) as err:
        plan_import(read_survey(path))
    message = str(err.value)
    assert message.startswith(f'{path}, row 4, column "comment": byte 0x81 is not UTF-8')
    assert message.endswith("or name the file's encoding")
    assert err.value.remedy == Remedy(option="encoding", example="cp1252")


def test_stray_byte_in_a_reimport_leaves_the_good_answers_as_they_were(tmp_path: Path) -> None:
    good = write(tmp_path / "s.csv", utf8_survey())
    with create_project(tmp_path / "p.coder") as store:
        import_survey(store, good, wave="1", id_column="id", open_columns=["comment"])
        before = [(a.raw_text, a.text) for a in store.answers("comment")]
        write(good, utf8_survey().replace(b'R03,"Fees', b'R03,"F\xe9es'))  # one cp1252 byte
        with pytest.raises(InputError, match=r'row 4, column "comment": byte 0xe9 is not UTF-8'):
            import_survey(store, good, wave="1", id_column="id", open_columns=["comment"])
        assert [(a.raw_text, a.text) for a in store.answers("comment")] == before
    assert before[0][0] == GOOD_ROWS[0][1]  # "\u00a360,000" and the dash, not "\u00c2\u00a3"


def test_the_byte_named_is_the_one_that_cannot_be_decoded(tmp_path: Path) -> None:
    # 0xe9 on row 2 is a fine Windows-1252 letter; 0x81 on row 3 is no character at all.
    path = write(tmp_path / "s.csv", b"id,comment\nR1,caf\xe9 ok\nR2,bad \x81 byte\n")
    message = error_of(path)
    assert message.startswith(f'{path}, row 3, column "comment": byte 0x81 is neither UTF-8')


def test_a_file_with_no_utf8_at_all_is_read_as_windows_1252_and_says_so(tmp_path: Path) -> None:
    text = 'id,comment\nR1,"Fees of \u00a360,000 \u2013 caf\u00e9 owners"\nR2,\u201cquoted\u201d\n'
    path = write(tmp_path / "s.csv", text.encode("cp1252"))
    table = read_survey(path)
    assert table.encoding == "cp1252"
    assert table.frame["comment"].tolist() == [
        "Fees of \u00a360,000 \u2013 caf\u00e9 owners",
        "\u201cquoted\u201d",
    ]
    assert any("read as Windows-1252" in note for note in table.notes)
    assert not read_survey(write(tmp_path / "u.csv", utf8_survey())).notes


def test_encoding_can_be_forced(tmp_path: Path) -> None:
    text = "id,comment\nR1,\u00c5rhus na\u00efve \u00a760\nR2,ok\n"
    path = write(tmp_path / "s.csv", text.encode("mac_roman"))
    table = read_survey(path, encoding="mac_roman")
    assert table.encoding == "mac_roman"
    assert table.frame["comment"].tolist() == ["\u00c5rhus na\u00efve \u00a760", "ok"]
    # Forcing an encoding the bytes are not in names the byte, row and column.
    bad = write(tmp_path / "b.csv", utf8_survey().replace(b'R02,"', b'R02,"\xff'))
    assert error_of(bad, encoding="utf-8").startswith(
        f'{bad}, row 3, column "comment": byte 0xff is not valid utf-8 text'
    )


def test_unknown_encoding_is_a_clear_input_error(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", utf8_survey())
    for name in ("klingon-8", "base64"):
        with pytest.raises(InputError, match=f'{path}: unknown encoding "{name}"') as err:
            read_survey(path, encoding=name)
        assert err.value.exit_code == 2


def test_a_file_cut_inside_a_character_names_row_and_column(tmp_path: Path) -> None:
    data = utf8_survey() + "R04,caf\u00e9 ferm\u00e9".encode()[:-1]  # last byte of "\u00e9" lost
    path = write(tmp_path / "s.csv", data)
    message = error_of(path)
    assert message.startswith(f'{path}, row 5, column "comment": byte 0xc3 ')
    assert "cut short" in message
    # Even when the cut character is the file's only non-ASCII one.
    alone = write(tmp_path / "a.csv", b"id,comment\nR1,fine\nR2,cut \xe2\x80")
    assert error_of(alone).startswith(f'{alone}, row 3, column "comment": byte 0xe2 ')


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
@pytest.mark.parametrize("sep", [",", "\t"])
def test_utf16_and_utf32_are_detected(tmp_path: Path, encoding: str, sep: str) -> None:
    rows = [*GOOD_ROWS, ("R04", "Needs \u201cmore\u201d staff, and sooner")]
    text = f"id{sep}comment\r\n" + "".join(f'{i}{sep}"{t}"\r\n' for i, t in rows)
    table = read_survey(write(tmp_path / "s.csv", text.encode(encoding)))  # with BOM or none
    assert table.frame["comment"].tolist() == [t for _, t in rows]
    assert table.encoding is not None and table.encoding.startswith(encoding[:6])


def test_utf16_cut_short_names_row_column_and_encoding(tmp_path: Path) -> None:
    data = ("id,comment\nR1,one\nR2,two words\n").encode("utf-16")[:-1]
    path = write(tmp_path / "s.csv", data)
    message = error_of(path)
    assert message.startswith(
        f'{path}, row 3, column "comment": byte 0x0a is the start of a UTF-16 (little-endian)'
    )
    assert "cut short" in message


def test_error_rows_count_records_not_lines(tmp_path: Path) -> None:
    data = b'id,comment\nR1,"line one\nline two\nline three"\nR2,caf\xc3\xa9 \xe2\x80\x93 \x81\n'
    path = write(tmp_path / "s.csv", data)
    assert error_of(path).startswith(f'{path}, row 3, column "comment": byte 0x81')


# -- malformed files: exit 2 naming file, row, column; never a traceback ------------------------


def test_bare_carriage_return_in_the_header(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", b"id,comment\r,x\nR1,caf\x81 is long\n")
    assert error_of(path).startswith(f'{path}, row 3, column "comment": byte 0x81')


@pytest.mark.parametrize(
    "data", [b"\xef\xbb\xbf", b"\xff\xfe", b"\xef\xbb\xbf\r\n\r\n", b" \n\t\n", b",,,\n,,\n"]
)
def test_files_with_nothing_in_them_are_empty(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path / "s.csv", data)
    assert error_of(path).startswith(f"{path}: the file is empty")


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_xlsx_with_damaged_sheet_xml(tmp_path: Path) -> None:
    good = _xlsx(tmp_path / "good.xlsx", [["id", "comment"], *map(list, GOOD_ROWS)])
    path = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 2]
            target.writestr(item, data)
    assert error_of(path).startswith(f"{path}: cannot be read as an Excel workbook")


def test_a_named_pipe_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "survey.csv"
    os.mkfifo(fifo)
    outcome: list[BaseException | object] = []

    def read() -> None:
        try:
            outcome.append(read_survey(fifo))
        except BaseException as exc:  # reported below
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert outcome, "reading a named pipe hung"
    assert isinstance(outcome[0], InputError)
    assert str(outcome[0]) == (
        f"{fifo}: is a named pipe, not a regular file; save the survey export to a file and"
        " import that"
    )


def test_a_long_answer_is_read_whole(tmp_path: Path) -> None:
    long_answer = "We lose staff to agencies. " * 10_000  # 270,000 characters, one cell
    path = write(tmp_path / "s.csv", f'id,comment\nR1,"{long_answer}"\nR2,short\n'.encode())
    assert read_survey(path).frame["comment"].tolist() == [long_answer, "short"]


def test_an_unclosed_quote_is_reported_where_it_opens(tmp_path: Path) -> None:
    body = "".join(f"R{i},answer number {i}\n" for i in range(3, 20_000))
    path = write(tmp_path / "s.csv", f'id,comment\nR1,fine\nR2,"never closed\n{body}'.encode())
    assert error_of(path) == (
        f'{path}, row 3, column "comment": a quoted cell is never closed: the file ends inside it'
        ' (is a closing " missing?)'
    )


def test_text_after_a_closing_quote_is_located(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", b'id,comment,x\nR1,"say "hi" now",1\n')
    assert error_of(path).startswith(f'{path}, row 2, column "comment": text follows the closing')


# -- control characters --------------------------------------------------------------------------


def test_nul_in_the_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", b"id,\x00\x00\x00\nR1,some words in an answer\n")
    assert error_of(path) == (
        f'{path}, row 1, column "#2": the column name "\\x00\\x00\\x00" holds a control'
        " character (\\x00); rename the column"
    )


def test_nul_in_a_respondent_id_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", b"id,comment\nR1,one two three four\nR\x002,five six seven\n")
    expected = (
        f'{path}, row 3, column "id": respondent ID "R\\x002" holds a control character (\\x00)'
    )
    assert error_of(path).startswith(expected)
    assert error_of(path, id_column="id").startswith(expected)


def test_control_characters_leave_the_answer_text_but_stay_in_the_raw_text(
    tmp_path: Path,
) -> None:
    raw = "Fees\x00 are \x1b[31mtoo high\x1b[0m\tand\nrising\x07"
    path = write(tmp_path / "s.csv", f'id,comment\nR1,"{raw}"\nR2,other words here\n'.encode())
    plan = plan_import(read_survey(path), id_column="id", open_columns=["comment"])
    assert plan.answers[0].raw_text == raw
    assert plan.answers[0].text == "Fees are too high and rising"
    assert any("control characters removed from 1 answer" in n for n in plan.notes)


def test_terminal_escapes_in_user_text_never_reach_an_error_message(tmp_path: Path) -> None:
    evil = "\x1b[2J\x1b]0;owned\x07q1"
    path = write(tmp_path / "s.csv", f"id,{evil},{evil}\nR1,a,b\n".encode())
    message = error_of(path)
    assert "\x1b" not in message and "\x07" not in message
    assert '"\\x1b[2J\\x1b]0;owned\\x07q1"' in message
    with pytest.raises(InputError) as err:
        plan_import(read_survey(write(tmp_path / "ok.csv", utf8_survey())), id_column=evil)
    assert "\x1b" not in str(err.value) and "\\x1b[2J" in str(err.value)


def test_printable_escapes_controls_and_bidi_overrides() -> None:
    from coder.core.printable import printable

    assert printable("a\x00b\x1b[31mc\u202ed\te\n") == "a\\x00b\\x1b[31mc\\u202ed\\te\\n"
    assert printable("caf\u00e9 \u00a3", limit=3) == "caf..."
    error = InputError("bad", path="dir/\x1bname.csv", row=2, column="q\x00")
    assert str(error) == 'dir/\\x1bname.csv, row 2, column "q\\x00": bad'


# -- one header rule for every format ------------------------------------------------------------


def test_xlsx_duplicate_header_is_refused_as_in_csv(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "s.xlsx", [["id", "comment", "comment"], ["R1", "a b c d", "e"]])
    assert error_of(path) == (
        f'{path}, row 1, column "comment": duplicate column name (columns 2 and 3)'
    )


def test_xlsx_nameless_column_with_data_is_refused_as_in_csv(tmp_path: Path) -> None:
    rows = [["id", None, "comment"], ["R1", None, "a b c d"], ["R2", "x", "e f g h"]]
    expected = "column 2 has no name in the header but holds data (first in row 3)"
    xlsx = _xlsx(tmp_path / "s.xlsx", rows)
    assert error_of(xlsx) == f"{xlsx}, row 1: {expected}"
    csv = write(tmp_path / "s.csv", b"id,,comment\nR1,,a b c d\nR2,x,e f g h\n")
    assert error_of(csv) == f"{csv}, row 1: {expected}"


def test_a_nameless_empty_column_is_ignored_in_every_format(tmp_path: Path) -> None:
    csv = write(tmp_path / "s.csv", b"id,comment,\nR1,a b c d,\nR2,e f g h,\n")
    xlsx = _xlsx(tmp_path / "s.xlsx", [["id", None, "comment"], ["R1", None, "a b c d"]])
    for path in (csv, xlsx):
        assert list(read_survey(path).frame.columns) == ["id", "comment"]


def test_headers_equal_after_nfc_are_duplicates_and_names_are_nfc(tmp_path: Path) -> None:
    nfc, nfd = "caf\u00e9_comment", "cafe\u0301_comment"
    path = write(tmp_path / "s.csv", f"id,{nfc},{nfd}\nR1,a,b\n".encode())
    message = error_of(path)
    assert message.startswith(f'{path}, row 1, column "{nfc}": duplicate column name')
    assert "differ only in how accented letters are encoded" in message
    alone = write(tmp_path / "a.csv", f"id,{nfd}\nR1,a b c d\n".encode())
    assert list(read_survey(alone).frame.columns) == ["id", nfc]


def test_an_id_column_with_blanks_is_reported_not_swapped_for_another(tmp_path: Path) -> None:
    lines = ["respondent_id,region_code_2,comment"]
    for i in range(1, 11):
        rid = "" if i in (4, 7) else f"R{i}"
        lines.append(f"{rid},Z{i},answer number {i} in words")
    path = write(tmp_path / "s.csv", ("\n".join(lines) + "\n").encode())
    assert error_of(path).startswith(
        f'{path}, row 5, column "respondent_id": missing respondent ID in rows 5, 8'
    )


def test_a_named_id_column_lists_its_blank_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", b"id,comment\nR1,a\n,b\nR3,c\n,d\n,e\n")
    assert error_of(path, id_column="id") == (
        f'{path}, row 3, column "id": missing respondent ID (also in rows 5, 6)'
    )


def test_ragged_row_is_numbered_as_a_record_after_multiline_cells(tmp_path: Path) -> None:
    data = b'id,comment\nR1,"one\ntwo\nthree"\n\nR2,fine\nR3,extra,field\n'
    path = write(tmp_path / "s.csv", data)
    assert error_of(path).startswith(f'{path}, row 5, column "#3": has 3 fields')


def test_rows_keep_their_spreadsheet_numbers_past_blank_rows(tmp_path: Path) -> None:
    csv = write(tmp_path / "s.csv", b'id,comment\nR1,"a\nb"\n\nR1,c\n')
    assert error_of(csv, id_column="id").startswith(
        f'{csv}, row 4, column "id": duplicate respondent ID "R1" (first seen in row 2)'
    )
    xlsx = _xlsx(tmp_path / "s.xlsx", [["id", "comment"], ["R1", "a"], [None, None], [None, "c"]])
    assert error_of(xlsx, id_column="id") == f'{xlsx}, row 4, column "id": missing respondent ID'


def test_sav_written_by_pyreadstat_reads_after_the_header_rules(tmp_path: Path) -> None:
    import pyreadstat

    frame = pd.DataFrame({"id": ["R1", "R2"], "comment": [t for _, t in GOOD_ROWS[:2]]})
    pyreadstat.write_sav(frame, str(tmp_path / "s.sav"))
    table = read_survey(tmp_path / "s.sav")
    assert table.frame.values.tolist() == frame.values.tolist()
    assert table.sha256 is not None and len(table.sha256) == 64
