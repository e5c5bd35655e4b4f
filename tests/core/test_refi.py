"""Tests for REFI-QDA exchange: .qdc round trip, ATLAS.ti 0:4 import, .qdpx schema validity."""

from __future__ import annotations

import os
import re
import threading
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from coder.core.codeframe.files import load_codeframe
from coder.core.codeframe.model import Codeframe, CodeframeError
from coder.core.codeframe.ops import plan_merge
from coder.core.codeframe.refi_codebook import (
    RefiError,
    codebook_xml,
    describe_code,
    parse_description,
    parse_qdc,
    read_qdc,
    write_qdc,
)
from coder.core.codeframe.refi_export import project_xml, write_qdpx
from coder.core.codeframe.yaml_file import parse_codeframe_yaml
from coder.core.errors import Cancelled
from coder.core.progress import Progress

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
XSD = SHARED / "reference" / "refi-qda" / "Project.xsd"
needs_xsd = pytest.mark.skipif(
    not XSD.exists() and not os.environ.get("CI"), reason="REFI-QDA Project.xsd not found in ../shared/reference/refi-qda"
)
P = "{urn:QDA-XML:project:1.0}"

FRAME_YAML = """\
name: Q2 barriers
questions: [q2_barriers]
codes:
  - code: 100
    label: Funding
    colour: "#1F77B4"
    codes:
      - code: 101
        label: High Needs funding insufficient
        definition: |
          The high needs block cannot cover the placement.

          Counts both top-up and place funding.
        include: top-up funding
        exclude: fees alone
        examples: ["Our high needs block is overspent", "No money & no places"]
      - code: 102
        label: Cost of post-19 provision
        colour: "#abc"
        definition: Costs after age 19.
  - code: 200
    label: Places
    codes:
      - code: 210
        label: Distance
        codes:
          - code: 211
            label: Out of county <far>
            status: draft
  - code: 900
    label: Other
"""


@pytest.fixture
def frame() -> Codeframe:
    return parse_codeframe_yaml(FRAME_YAML)


# -- codebook -----------------------------------------------------------------------------------


def test_qdc_round_trip_keeps_tree_labels_descriptions_colours(
    frame: Codeframe, tmp_path: Path
) -> None:
    path = tmp_path / "Q2 barriers.qdc"
    write_qdc(frame, path)
    again = read_qdc(path)
    # ids, tree, order, labels, numbers, notes, examples, colours, status; a .qdc has no
    # place for the questions a frame serves
    assert again.codes == frame.codes
    assert (again.id, again.name) == (frame.id, frame.name)
    assert load_codeframe(path).codes == frame.codes


def test_qdc_marks_nets_not_codable(frame: Codeframe) -> None:
    root = etree.fromstring(codebook_xml(frame))
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    codes = {c.get("name"): c for c in root.iter("{urn:QDA-XML:codebook:1.0}Code")}
    assert codes["Funding"].get("isCodable") == "false"
    assert codes["High Needs funding insufficient"].get("isCodable") == "true"
    assert codes["Funding"].get("color") == "#1F77B4"
    assert codes["Cost of post-19 provision"].get("color") == "#AABBCC"
    assert codes["Out of county <far>"].getparent().get("name") == "Distance"


@needs_xsd
def test_qdc_is_valid_against_the_published_code_types(frame: Codeframe) -> None:
    # The Codebook schema reuses Project.xsd's CodeType under its own namespace and root.
    text = XSD.read_text(encoding="utf-8").replace(
        "urn:QDA-XML:project:1.0", "urn:QDA-XML:codebook:1.0"
    )
    # Codebook.xsd's root and CodeBookType (optional Sets, an origin attribute), from the
    # REFI-QDA 1.5 specification
    text = re.sub(
        r'<xsd:complexType name="CodeBookType">.*?</xsd:complexType>',
        '<xsd:complexType name="CodeBookType"><xsd:sequence>'
        '<xsd:element name="Codes" type="CodesType"/>'
        '<xsd:element name="Sets" type="SetsType" minOccurs="0"/></xsd:sequence>'
        '<xsd:attribute name="origin" type="xsd:string"/></xsd:complexType>'
        '<xsd:element name="CodeBook" type="CodeBookType"/>',
        text,
        count=1,
        flags=re.DOTALL,
    )
    schema = etree.XMLSchema(etree.fromstring(text.encode()))
    assert schema.validate(etree.fromstring(codebook_xml(frame))), schema.error_log


ATLAS_04 = b"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:QDA-XML:codebook:0:4 Codebook.xsd" origin="ATLAS.ti Win 23.4.0"
  xmlns="urn:QDA-XML:codebook:0:4">
  <Codes>
    <Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Cost of fees" color="#46AA00"
          isCodable="true">
      <Description>Fees are too high to justify.</Description>
    </Code>
    <Code guid="{2AA58B12-6F6F-4B0C-8BE5-BBDC91F55295}" name="Distance" isCodable="true"/>
    <Code guid="3BB58B12-6F6F-4B0C-8BE5-BBDC91F55296" name="Staffing" isCodable="true">
      <Code guid="4CC58B12-6F6F-4B0C-8BE5-BBDC91F55297" name="Turnover" isCodable="true"/>
    </Code>
  </Codes>
  <Sets>
    <Set name="Money" guid="ECA18D76-2B8B-4F26-BC1D-19ECA19FB3F0">
      <Description>Everything about money</Description>
      <MemberCode targetGUID="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" />
    </Set>
  </Sets>
</CodeBook>
"""


def test_atlas_ti_0_4_codebook_imports() -> None:
    frame = parse_qdc(ATLAS_04, source="atlas.qdc")
    fees = frame.code("1ff58b12-6f6f-4b0c-8be5-bbdc91f55294")
    assert fees.label == "Cost of fees"
    assert fees.definition == "Fees are too high to justify."
    assert fees.colour == "#46AA00"
    assert frame.code("2aa58b12-6f6f-4b0c-8be5-bbdc91f55295").label == "Distance"
    turnover = frame.code("4cc58b12-6f6f-4b0c-8be5-bbdc91f55297")
    assert turnover.parent_id == "3bb58b12-6f6f-4b0c-8be5-bbdc91f55296"
    # ATLAS.ti marks every code codable; numbering follows the block rule
    assert frame.code(turnover.parent_id).codable is True
    assert [c.output_code for c in frame.codes] == [100, 200, 300, 301]
    frame.validate()


def test_codebook_namespace_1_0_with_0_4_schema_location_imports() -> None:
    data = ATLAS_04.replace(
        b'xmlns="urn:QDA-XML:codebook:0:4"', b'xmlns="urn:QDA-XML:codebook:1.0"'
    )
    assert [c.label for c in parse_qdc(data).roots()] == ["Cost of fees", "Distance", "Staffing"]


def test_sets_can_become_nets() -> None:
    frame = parse_qdc(ATLAS_04, sets_as_nets=True)
    net = frame.code("eca18d76-2b8b-4f26-bc1d-19eca19fb3f0")
    assert net.label == "Money" and net.codable is False
    assert net.definition == "Everything about money"
    assert [c.label for c in frame.children(net.id)] == ["Cost of fees"]
    frame.validate()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<CodeBook", "line 1: not valid XML"),
        (b'<CodeBook xmlns="urn:other"/>', "not a REFI-QDA codebook"),
        (b'<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>', "the project has no CodeBook"),
        (
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n'
            b'<Code guid="nope" name="A" isCodable="true"/></Codes></CodeBook>',
            'bad.qdc, line 2, field "guid": "nope" is not a GUID',
        ),
        (
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n'
            b'<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="A" isCodable="true"/>\n'
            b'<Code guid="1ff58b12-6f6f-4b0c-8be5-bbdc91f55294" name="B" isCodable="true"/>'
            b"</Codes></CodeBook>",
            'bad.qdc, line 3, field "guid": 1ff58b12-6f6f-4b0c-8be5-bbdc91f55294 is used twice',
        ),
    ],
)
def test_bad_codebooks_are_refused_clearly(data: bytes, message: str) -> None:
    with pytest.raises(CodeframeError, match=re.escape(message)):
        parse_qdc(data, source="bad.qdc")


def test_description_format_parses_back(frame: Codeframe) -> None:
    hn = frame.by_output_code(101)
    assert hn is not None
    text = describe_code(hn)
    assert text.startswith("The high needs block cannot cover the placement.\n\n")
    assert "Include: top-up funding" in text and "Output code: 101" in text
    fields = parse_description(text)
    assert fields["definition"] == hn.definition
    assert fields["examples"] == hn.examples
    assert fields["output_code"] == 101
    assert parse_description("Just a comment\n\nSecond para")["definition"] == (
        "Just a comment\n\nSecond para"
    )


# -- project ------------------------------------------------------------------------------------

ALICE = ("alice", "A1B2C3D4-0000-4000-8000-000000000001")
BOB = ("bob", "a1b2c3d4-0000-4000-8000-000000000002")


def project_args(frame: Codeframe) -> dict[str, object]:
    hn = frame.by_output_code(101).id  # type: ignore[union-attr]
    post19 = frame.by_output_code(102).id  # type: ignore[union-attr]
    other = frame.by_output_code(900).id  # type: ignore[union-attr]
    return {
        "project_name": "Children's services survey",
        "codeframes": [frame],
        "coders": [ALICE, BOB],
        "respondents": [
            ("LA001", {"region": "North East", "size": 3, "share": 0.25, "unitary": True}),
            ("LA002", {"region": "London", "size": 12, "share": 1e-7, "unitary": False}),
            ("LA003", {"region": "", "size": None, "share": 2, "unitary": True}),
        ],
        "answers": [
            ("1", "LA001", "q2_barriers", "No money\r\nand no places \x0b at all"),
            ("2", "LA002", "q2_barriers", "Distance"),
            ("3", "LA002", "q3_overcome", "We pooled budgets with health"),
            ("4", "LA003", "q2_barriers", ""),
        ],
        "codings": [
            ("1", hn, "alice"),
            ("1", hn, "bob"),
            ("1", post19, "bob"),
            ("1", post19, "bob"),  # repeated rows collapse
            ("3", other, "alice"),
        ],
    }


def qde_of(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        assert "project.qde" in zf.namelist()
        return etree.fromstring(zf.read("project.qde"))


@needs_xsd
def test_qdpx_validates_against_the_refi_schema(frame: Codeframe, tmp_path: Path) -> None:
    path = tmp_path / "survey.qdpx"
    write_qdpx(path, **project_args(frame))  # type: ignore[arg-type]
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    doc = qde_of(path)
    assert schema.validate(doc), schema.error_log


@needs_xsd
def test_qdpx_with_several_frames_validates(frame: Codeframe, tmp_path: Path) -> None:
    second = parse_codeframe_yaml(
        "name: Q3\nquestions: [q3_overcome]\ncodes:\n  - code: 1\n    label: Pooling\n"
    )
    args = project_args(frame)
    args["codeframes"] = [frame, second]
    args["codings"] = [*args["codings"], ("3", second.codes[0].id, "bob")]  # type: ignore[misc]
    path = tmp_path / "survey.qdpx"
    write_qdpx(path, **args)  # type: ignore[arg-type]
    doc = qde_of(path)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(doc), schema.error_log
    tops = doc.findall(f"{P}CodeBook/{P}Codes/{P}Code")
    assert [(c.get("name"), c.get("isCodable")) for c in tops] == [
        ("Q2 barriers", "false"),
        ("Q3", "false"),
    ]


def test_qdpx_carries_every_coding_with_its_coder(frame: Codeframe, tmp_path: Path) -> None:
    args = project_args(frame)
    path = tmp_path / "survey.qdpx"
    write_qdpx(path, **args)  # type: ignore[arg-type]
    doc = qde_of(path)
    users = {u.get("guid"): u.get("name") for u in doc.iter(f"{P}User")}
    assert users == {ALICE[1].lower(): "alice", BOB[1].lower(): "bob"}
    found = set()
    sources = {s.get("guid"): s for s in doc.iter(f"{P}TextSource")}
    assert len(sources) == 4
    for source in sources.values():
        text = source.findtext(f"{P}PlainTextContent")
        selections = source.findall(f"{P}PlainTextSelection")
        assert len(selections) <= 1
        for sel in selections:
            assert (int(sel.get("startPosition")), int(sel.get("endPosition"))) == (0, len(text))
            for coding in sel.findall(f"{P}Coding"):
                code = coding.find(f"{P}CodeRef").get("targetGUID")
                found.add((source.get("name"), code, users[coding.get("creatingUser")]))
    wanted = {
        (f"{r} - {q}", code, coder)
        for key, code, coder in args["codings"]  # type: ignore[attr-defined]
        for a, r, q, _ in args["answers"]  # type: ignore[attr-defined]
        if a == key
    }
    assert found == wanted and len(found) == 4


def test_qdpx_text_survives_xml_with_exact_length(frame: Codeframe, tmp_path: Path) -> None:
    path = tmp_path / "survey.qdpx"
    write_qdpx(path, **project_args(frame))  # type: ignore[arg-type]
    doc = qde_of(path)
    first = next(doc.iter(f"{P}TextSource"))
    text = first.findtext(f"{P}PlainTextContent")
    original = "No money\r\nand no places \x0b at all"
    assert len(text) == len(original)
    assert text.startswith("No money\r\nand no places")


def test_qdpx_cases_hold_attributes_and_sources(frame: Codeframe, tmp_path: Path) -> None:
    path = tmp_path / "survey.qdpx"
    write_qdpx(path, **project_args(frame))  # type: ignore[arg-type]
    doc = qde_of(path)
    variables = {
        v.get("guid"): (v.get("name"), v.get("typeOfVariable")) for v in doc.iter(f"{P}Variable")
    }
    assert sorted(variables.values()) == [
        ("question", "Text"),
        ("region", "Text"),
        ("share", "Float"),
        ("size", "Integer"),
        ("unitary", "Boolean"),
    ]
    cases = {c.get("name"): c for c in doc.iter(f"{P}Case")}
    assert set(cases) == {"LA001", "LA002", "LA003"}
    la2 = cases["LA002"]
    values = {
        variables[vv.find(f"{P}VariableRef").get("targetGUID")][0]: vv[1].text
        for vv in la2.findall(f"{P}VariableValue")
    }
    assert values == {"region": "London", "size": "12", "share": "0.0000001", "unitary": "false"}
    assert len(la2.findall(f"{P}SourceRef")) == 2
    la3 = cases["LA003"]
    assert [
        variables[v.find(f"{P}VariableRef").get("targetGUID")][0]
        for v in la3.findall(f"{P}VariableValue")
    ] == ["share", "unitary"]


def test_qdpx_guids_are_stable(frame: Codeframe, tmp_path: Path) -> None:
    write_qdpx(tmp_path / "a.qdpx", **project_args(frame))  # type: ignore[arg-type]
    write_qdpx(tmp_path / "b.qdpx", **project_args(frame))  # type: ignore[arg-type]
    with zipfile.ZipFile(tmp_path / "a.qdpx") as a, zipfile.ZipFile(tmp_path / "b.qdpx") as b:
        assert a.read("project.qde") == b.read("project.qde")


def test_qdpx_codes_of_a_merged_frame_still_export(frame: Codeframe) -> None:
    merged = plan_merge(
        frame,
        [frame.by_output_code(102).id],
        frame.by_output_code(101).id,  # type: ignore[union-attr]
    ).after
    args = project_args(merged)
    doc = etree.fromstring(project_xml(**args))  # type: ignore[arg-type]
    names = [c.get("name") for c in doc.iter(f"{P}Code")]
    assert "Cost of post-19 provision" in names


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"codings": [("99", "x", "alice")]}, "unknown answer 99"),
        ({"codings": [("1", "not-a-code", "alice")]}, "in no codeframe"),
        ({"coders": [ALICE]}, 'unknown coder "bob"'),
        ({"coders": [("carol", "xyz")]}, '"xyz" is not a GUID'),
        ({"respondents": [("LA001", {})]}, "unknown respondents: LA002, LA003"),
    ],
)
def test_qdpx_refuses_inconsistent_data(
    frame: Codeframe, change: dict[str, object], message: str
) -> None:
    args = {**project_args(frame), **change}
    with pytest.raises(RefiError, match=re.escape(message)):
        project_xml(**args)  # type: ignore[arg-type]


def test_qdpx_reports_progress_and_can_be_cancelled(frame: Codeframe, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    args = project_args(frame)
    write_qdpx(tmp_path / "a.qdpx", **args, progress=Progress(lambda d, t, _m: seen.append((d, t))))  # type: ignore[arg-type]
    assert seen[-1] == (4, 4)
    stop = threading.Event()
    stop.set()
    target = tmp_path / "cancelled.qdpx"
    with pytest.raises(Cancelled):
        write_qdpx(target, **args, progress=Progress(cancel=stop))  # type: ignore[arg-type]
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "a.qdpx"]


def test_project_guids_are_rfc_4122_uuid5() -> None:
    import uuid

    from coder.core.codeframe.model import derived_id
    from coder.core.codeframe.refi_codebook import derived_guid

    for parts in [("source", "1"), ("coding", "42", "abc", "Ana Ló")]:
        got = derived_guid(*parts)
        assert got == derived_id("refi", *parts)
        assert uuid.UUID(got).version == 5
