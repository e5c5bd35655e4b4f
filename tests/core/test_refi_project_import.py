"""Reading the codings of a REFI-QDA project (.qdpx): users, codes, sources, selections."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from coder.core.codeframe.model import Code, Codeframe
from coder.core.codeframe.refi_export import write_qdpx
from coder.core.codeframe.refi_import import RefiCoding, read_qdpx, source_guid
from coder.core.errors import InputError

NVIVO_LIKE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="survey">
  <Users><User guid="{AAAAAAAA-0000-4000-8000-000000000001}" name="Nadia"/></Users>
  <CodeBook><Codes>
    <Code guid="{11111111-0000-4000-8000-000000000001}" name="Cost" isCodable="false">
      <Code guid="11111111-0000-4000-8000-000000000002" name="Fees" isCodable="true">
        <Description>Too dear.

Output code: 101</Description>
      </Code>
    </Code>
  </Codes></CodeBook>
  <Variables><Variable guid="33333333-0000-4000-8000-000000000001" name="Question"
    typeOfVariable="Text"/></Variables>
  <Cases><Case guid="44444444-0000-4000-8000-000000000001" name="R17">
    <SourceRef targetGUID="{22222222-0000-4000-8000-000000000001}"/></Case></Cases>
  <Sources>
    <TextSource guid="{22222222-0000-4000-8000-000000000001}" name="answer 1"
        plainTextPath="internal://22222222.txt">
      <PlainTextSelection guid="55555555-0000-4000-8000-000000000001" startPosition="0"
          endPosition="4" creatingUser="{AAAAAAAA-0000-4000-8000-000000000001}">
        <Coding guid="66666666-0000-4000-8000-000000000001">
          <CodeRef targetGUID="11111111-0000-4000-8000-000000000002"/></Coding>
      </PlainTextSelection>
      <Coding guid="66666666-0000-4000-8000-000000000002">
        <CodeRef targetGUID="11111111-0000-4000-8000-000000000002"/></Coding>
      <VariableValue><VariableRef targetGUID="33333333-0000-4000-8000-000000000001"/>
        <TextValue>q2</TextValue></VariableValue>
    </TextSource>
    <TextSource guid="22222222-0000-4000-8000-000000000002" name="not coded">
      <PlainTextContent>nothing</PlainTextContent></TextSource>
  </Sources>
</Project>"""


def _zip(path: Path, qde: str, **files: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        for name, data in files.items():
            zf.writestr(f"sources/{name}", data)
    return path


def test_a_project_with_texts_in_files_cases_variables_and_users(tmp_path: Path) -> None:
    path = _zip(tmp_path / "p.qdpx", NVIVO_LIKE, **{"22222222.txt": b"Fees are high"})
    project = read_qdpx(path)
    assert project.users == {"aaaaaaaa-0000-4000-8000-000000000001": "Nadia"}
    fees = project.codes["11111111-0000-4000-8000-000000000002"]
    assert (fees.name, fees.output_code) == ("Fees", 101)
    assert project.codes["11111111-0000-4000-8000-000000000001"].name == "Cost"
    (source,) = project.sources  # the uncoded source is not read
    assert (source.guid, source.text, source.case) == (
        "22222222-0000-4000-8000-000000000001", "Fees are high", "R17")
    assert source.variables == {"Question": "q2"}
    code = "11111111-0000-4000-8000-000000000002"
    assert [(c.code_guid, c.user_guid, c.whole) for c in source.codings] == [
        (code, None, True),  # coded on the source itself
        (code, "aaaaaaaa-0000-4000-8000-000000000001", False)]  # "Fees" of "Fees are high"


def test_a_coded_source_without_its_text_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r'line \d+: coded source "answer 1" has no text'):
        read_qdpx(_zip(tmp_path / "p.qdpx", NVIVO_LIKE))


@pytest.mark.parametrize(("content", "message"), [
    (b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'/>", "not a REFI-QDA project"),
    (b"<Project xmlns='urn:QDA-XML:project:1.0'>", "not valid XML"),
])
def test_not_a_project(tmp_path: Path, content: bytes, message: str) -> None:
    bare = tmp_path / "p.qde"
    bare.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_qdpx(bare)


def test_a_zip_without_a_project_is_refused(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "p.qdpx", "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(InputError, match="no project.qde"):
        read_qdpx(tmp_path / "p.qdpx")


def test_what_write_qdpx_writes_reads_back(tmp_path: Path) -> None:
    frame = Codeframe("f", "Barriers", (Code("c1", "f", "Fees", 101),
                                        Code("c2", "f", "Distance", 102)))
    write_qdpx(tmp_path / "out.qdpx", project_name="p", codeframes=[frame],
               coders=[("ann", "aaaaaaaa-0000-4000-8000-000000000001")],
               respondents=[("R1", {"region": "North"})],
               answers=[("7", "R1", "q2", "Fees & distance <both>"), ("8", "R1", "q3", "x")],
               codings=[("7", "c1", "ann"), ("7", "c2", "ann")])
    project = read_qdpx(tmp_path / "out.qdpx")
    (source,) = project.sources
    assert (source.guid, source.name, source.case, source.variables) == (
        source_guid("7"), "R1 - q2", "R1", {"question": "q2"})
    assert source.text == "Fees & distance <both>"
    assert [(c.code_guid, project.users[c.user_guid or ""], c.whole) for c in source.codings] == [
        ("c1", "ann", True), ("c2", "ann", True)]
    assert {g: (c.name, c.output_code) for g, c in project.codes.items()} == {
        "c1": ("Fees", 101), "c2": ("Distance", 102)}
    assert isinstance(source.codings[0], RefiCoding)
