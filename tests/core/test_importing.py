"""Reading survey exports and planning imports: formats, encodings, detection, bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coder.core.errors import InputError, Remedy
from coder.core.normalise import NonSubstantiveRules, normalise_text
from coder.core.survey.files import read_survey
from coder.core.survey.importing import plan_import
from coder.core.types import QuestionKind

HEADER = ["la_code", "region", "placed", "barriers"]
ROWS = [
    ["LA01", "North", "Yes", "Fees at independent schools are far too high for our budget"],
    ["LA02", "North", "No", ""],
    ["LA03", "London & South", "Yes", "N/A"],
    [
        "LA04",
        "London & South",
        "Yes",
        "Schools won\u2019t take children with complex needs \u2013 trauma",
    ],
    [
        "LA05",
        "East & Midlands",
        "Yes",
        "Fees at independent schools are far too high for our budget",
    ],
    ["LA06", "North", "No", ""],
]


def write_csv(path: Path, rows=ROWS, header=HEADER, *, sep=",", encoding="utf-8") -> Path:
    import csv

    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=sep)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_encodings_read_the_same_text(tmp_path: Path, encoding: str) -> None:
    table = read_survey(write_csv(tmp_path / "s.csv", encoding=encoding))
    assert list(table.frame.columns) == HEADER  # a BOM must not stick to the first column name
    assert table.frame.loc[3, "barriers"] == ROWS[3][3]


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_delimiter_is_sniffed(tmp_path: Path, sep: str) -> None:
    table = read_survey(write_csv(tmp_path / "s.csv", sep=sep))
    assert table.delimiter == sep
    assert table.frame.shape == (6, 4)


def test_xlsx_sheet_is_chosen(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame([["x"]], columns=["notes"]).to_excel(writer, sheet_name="Notes", index=False)
        pd.DataFrame(ROWS, columns=HEADER).to_excel(writer, sheet_name="Responses", index=False)
    table = read_survey(path, sheet="Responses")
    assert table.frame.loc[0, "la_code"] == "LA01"
    assert table.frame.loc[1, "barriers"] == ""
    with pytest.raises(InputError, match=r'no sheet "Answers" \(sheets: Notes, Responses\)'):
        read_survey(path, sheet="Answers")


def test_sav_variable_labels_become_question_texts(tmp_path: Path) -> None:
    import pyreadstat

    frame = pd.DataFrame(
        {
            "la_code": [r[0] for r in ROWS],
            "placed": [1.0 if r[2] == "Yes" else 2.0 for r in ROWS],
            "barriers": [r[3] for r in ROWS],
        }
    )
    path = tmp_path / "s.sav"
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={
            "la_code": "Authority code",
            "placed": "Placed any children?",
            "barriers": "What barriers has your authority experienced?",
        },
        variable_value_labels={"placed": {1: "Yes", 2: "No"}},
    )
    plan = plan_import(read_survey(path))
    questions = {q.id: q for q in plan.questions}
    assert questions["barriers"].text == "What barriers has your authority experienced?"
    assert questions["placed"].kind == QuestionKind.CLOSED
    assert questions["placed"].value_labels == {"1": "Yes", "2": "No"}
    assert dict(plan.respondents)["LA01"]["placed"] == "Yes"  # labels, not codes, as attributes


def test_detection_routing_and_flags(tmp_path: Path) -> None:
    plan = plan_import(read_survey(write_csv(tmp_path / "s.csv")))
    assert plan.id_column == "la_code"
    assert plan.open_question_ids == ["barriers"]
    barriers = next(q for q in plan.questions if q.id == "barriers")
    assert barriers.routing is not None and barriers.routing.describe() == 'asked if placed = "Yes"'
    reasons = [a.non_substantive for a in plan.answers]
    assert reasons == [None, "blank", "n/a", None, None, "blank"]
    assert plan.answers[3].raw_text == ROWS[3][3]


def test_normalise_keeps_meaning_and_unifies_whitespace() -> None:
    assert normalise_text("  Cost\u00a0of\tfees \n ") == "Cost of fees"
    assert normalise_text("cafe\u0301") == "caf\u00e9"  # NFC


def test_non_substantive_list_is_configurable() -> None:
    rules = NonSubstantiveRules.from_phrases(["nothing to add"])
    assert rules.reason("Nothing to add.") == "nothing to add"
    assert rules.reason("N/A") is None
    default = NonSubstantiveRules.from_phrases()
    assert default.reason("Not applicable \u2013 no barriers experienced") is not None
    assert default.reason("Don\u2019t know") is not None
    assert default.reason("-") is not None
    assert default.reason("Cost") is None


# -- bad input: one clear error naming file, row and column -------------------------------------


def test_missing_id_names_row_and_column(tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS]
    rows[2][0] = ""
    path = write_csv(tmp_path / "s.csv", rows)
    with pytest.raises(InputError) as err:
        plan_import(read_survey(path), id_column="la_code")
    assert str(err.value) == f'{path}, row 4, column "la_code": missing respondent ID'


def test_duplicate_id_names_both_rows(tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS]
    rows[4][0] = "LA02"
    path = write_csv(tmp_path / "s.csv", rows)
    with pytest.raises(InputError) as err:
        plan_import(read_survey(path), id_column="la_code")
    assert str(err.value) == (
        f'{path}, row 6, column "la_code": duplicate respondent ID "LA02" (first seen in row 3)'
    )


def test_no_id_column_found(tmp_path: Path) -> None:
    rows = [["North", r[3] or "Some free text answer here"] for r in ROWS]
    rows[1][0] = ""
    path = write_csv(
        tmp_path / "s.csv",
        [["North", "a b c d"], ["North", "a b c d"]],
        header=["region", "comment"],
    )
    with pytest.raises(InputError, match="no ID column found"):
        plan_import(read_survey(path))


def test_no_open_column_found(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [r[:3] for r in ROWS], header=HEADER[:3])
    with pytest.raises(InputError, match=r"no open column found.*name the open columns") as err:
        plan_import(read_survey(path))
    assert err.value.remedy == Remedy(option="open_columns")


def test_unknown_open_column(tmp_path: Path) -> None:
    with pytest.raises(InputError, match='no open column "q9"'):
        plan_import(read_survey(write_csv(tmp_path / "s.csv")), open_columns=["q9"])


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty.csv: the file is empty"):
        read_survey(path)


def test_header_only(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [])
    with pytest.raises(InputError, match="has a header but no rows"):
        read_survey(path)


def test_undecodable_bytes_name_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    # 0x81 is undefined in Windows-1252 and invalid UTF-8: no encoding can read it.
    path.write_bytes(b"la_code,barriers\nLA01,fine\nLA02,bad \x81 byte\n")
    with pytest.raises(InputError) as err:
        read_survey(path)
    assert str(err.value).startswith(f'{path}, row 3, column "barriers": byte 0x81')


def test_ragged_row_names_row(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("la_code,region,barriers\nLA01,North,Cost of fees\nLA02,North,Cost, and more\n")
    with pytest.raises(InputError) as err:
        read_survey(path)
    assert str(err.value).startswith(
        f'{path}, row 3, column "#4": has 4 fields where the header has 3'
    )


def test_duplicate_header_names(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("id,text,text\n1,a,b\n")
    with pytest.raises(InputError, match=r'row 1, column "text": duplicate column name'):
        read_survey(path)


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_survey(tmp_path / "nope.csv")
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(InputError, match="unsupported file type"):
        read_survey(tmp_path / "x.pdf")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="cannot be read as an Excel workbook"):
        read_survey(tmp_path / "broken.xlsx")
