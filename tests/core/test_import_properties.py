"""Property: whatever bytes a survey file holds, import ends in a clean import or an InputError
naming the file (exit 2), never another exception and never a partial import; and a well-formed
file's answers arrive with exactly the text written."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from malformed_files import ANSWERS, csv_text, good_project, project_dump

from coder.core.errors import InputError
from coder.core.printable import CONTROL_CHARACTER as CONTROL
from coder.core.survey.files import read_survey
from coder.core.survey.importing import plan_import
from coder.services.importing import import_survey
from coder.store import open_project

CHARACTERS = list("ab Z9 ,;\t|\"'\r\n\x00\x1b\x07\u00e9\u0301\u00a3\u2013\u2019\u00a0\U0001f600")
cell = st.one_of(
    st.text(st.sampled_from(CHARACTERS), max_size=12),
    st.sampled_from(ANSWERS),
    st.sampled_from(["N/A", "Yes", "No", "", " ", "R1", "R2"]),
)
name = st.one_of(
    st.sampled_from(
        ["id", "respondent_id", "comment", "q8_other_specify", "region", "", " ", "caf\u00e9"]
    ),
    st.sampled_from(["cafe\u0301", "\x00", "x\x1b[1m", "comment ", "r\u00e9gion"]),
    st.text(st.sampled_from(CHARACTERS), max_size=6),
)


free_text = st.one_of(
    st.sampled_from(ANSWERS),
    st.lists(
        st.text(st.sampled_from(CHARACTERS), min_size=1, max_size=8), min_size=4, max_size=8
    ).map(" ".join),
)


@st.composite
def survey_files(draw: st.DrawFn) -> tuple[bytes, dict]:
    """CSV bytes: often a well-formed survey (unique IDs, a free-text column), else anything;
    in any of five encodings, sometimes cut, sprinkled with bytes, or replaced by noise."""
    width = draw(st.integers(1, 5))
    header = draw(st.lists(name, min_size=width, max_size=width))
    well_formed = width >= 2 and draw(st.booleans())
    ragged = not well_formed and draw(st.booleans())
    rows = []
    for number in range(1, draw(st.integers(1 if well_formed else 0, 8)) + 1):
        size = draw(st.integers(0, width + 1)) if ragged else width
        row = [draw(cell) for _ in range(size)]
        if well_formed:
            row[0], row[1] = f"R{number}", draw(free_text)
        rows.append(row)
    options: dict = {}
    if well_formed:
        header[0] = draw(st.sampled_from(["id", "respondent_id", "Case ref"]))
        header[1] = draw(st.sampled_from(["comment", "q8_other_specify", "caf\u00e9", "Q2 why?"]))
        if draw(st.booleans()):  # other columns named so as not to clash
            header[2:] = [f"attribute {k}" for k in range(2, width)]
        if draw(st.booleans()):
            options = {"id_column": header[0], "open_columns": [header[1]]}
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"]))
    data = csv_text(header, rows, delimiter).encode(encoding, errors="replace")
    mutation = draw(
        st.sampled_from(["none", "none", "none", "truncate", "insert", "bare CR", "BOM", "bytes"])
    )
    if mutation == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif mutation == "insert":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    elif mutation == "bare CR":
        data = data.replace(b"\r\n", b"\r", draw(st.integers(1, 3)))
    elif mutation == "BOM":
        data = b"\xef\xbb\xbf" + data[: draw(st.integers(0, 8))]
    elif mutation == "bytes":
        data = draw(st.binary(max_size=400))
    made = {"header": header, "rows": rows, "delimiter": delimiter, "encoding": encoding}
    return data, {**made, "mutation": mutation, "options": options}


@pytest.fixture(scope="module")
def base_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return good_project(tmp_path_factory.mktemp("base"), seed=2)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=survey_files(), suffix=st.sampled_from([".csv", ".tsv", ".txt"]))
@example(  # a header line of one quoted empty name reads as blank: the next row is the header
    case=(b'""\r\n9,;\r\n9,9 9 9 9\r\n',
          {"header": [""], "rows": [["9", ";"], ["9", "9 9 9 9"]], "delimiter": ",",
           "encoding": "utf-8", "mutation": "none", "options": {}}),
    suffix=".csv")
def test_import_is_clean_or_a_clear_error_and_never_partial(
    tmp_path: Path, base_project: Path, case: tuple[bytes, dict], suffix: str
) -> None:
    data, made = case
    path = tmp_path / f"survey{suffix}"
    path.write_bytes(data)

    # The core alone: a table and a plan, or an InputError that names the file.
    try:
        table = read_survey(path)
        plan = plan_import(table, **made["options"])
    except InputError as exc:
        assert str(exc).startswith(str(path)) and exc.exit_code == 2
        plan = None
    event("clean import" if plan is not None else "clear error")
    if plan is not None:
        _assert_nothing_unsafe(table, plan, data, made)
    if plan is not None and made["mutation"] == "none":
        event("text compared" if _assert_text_exact(table, plan, made) else "text not compared")

    # Through the service into a real project holding a good import: all or nothing.
    project = tmp_path / "p.coder"
    for leftover in (project, Path(f"{project}-wal"), Path(f"{project}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(base_project, project)
    before = project_dump(project)
    with open_project(project) as store:
        try:
            import_survey(store, path, **made["options"])
        except InputError as exc:
            assert str(exc).startswith(str(path))
            failed = True
        else:
            failed = False
    assert failed == (plan is None)
    if failed:
        assert project_dump(project) == before


def _assert_nothing_unsafe(table, plan, data: bytes, made: dict) -> None:
    """No control character in a question name, an ID or an answer's text; names in NFC; text
    written as UTF-8 never read as Windows-1252 (mojibake)."""
    for question in plan.questions:
        assert not CONTROL.search(question.id)
        assert question.id == unicodedata.normalize("NFC", question.id)
    for respondent_id, _ in plan.respondents:
        assert not CONTROL.search(respondent_id)
    for answer in plan.answers:
        assert not re.search("[\x00-\x1f\x7f-\x9f]", answer.text)
    written_utf8 = made["encoding"].startswith("utf-8") and made["mutation"] != "bytes"
    if written_utf8 and any(ord(c) > 127 for c in data.decode("utf-8", "ignore")):
        assert table.encoding != "cp1252"


def _assert_text_exact(table, plan, made: dict) -> bool:
    """Answers of a file that was written whole hold exactly the text written (False: not
    comparable, the file was read with another delimiter or encoding than written)."""
    encoding = made["encoding"]
    if table.delimiter != made["delimiter"]:
        return False  # the sniffed delimiter differs: a guess over tiny or odd samples
    if encoding.startswith("utf-16") != str(table.encoding).startswith("utf-16"):
        return False
    if encoding == "cp1252" and table.encoding != "cp1252":
        return False  # the Windows-1252 bytes happen to be valid UTF-8 or plain ASCII

    def as_read(text: str) -> str:  # what the encoding can hold of the text written
        return text.encode(encoding, "replace").decode(encoding)

    header = [unicodedata.normalize("NFC", as_read(h).strip()) for h in made["header"]]
    if plan.id_column not in header:
        return False  # a header of blank names ('""') is a blank line: the next row named them
    id_index = header.index(plan.id_column)
    rows = {
        as_read(r[id_index]).strip(): r
        for r in made["rows"]
        if len(r) == len(header) and any(c.strip() for c in r)
    }
    for answer in plan.answers:
        written = rows[answer.respondent_external_id][header.index(answer.question_id)]
        assert answer.raw_text == as_read(written)
    return True
