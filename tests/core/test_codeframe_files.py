"""Tests for codeframe files: YAML with line-numbered errors, CSV and XLSX codebooks."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from openpyxl import Workbook

from coder.core.codeframe.codebook_tables import (
    read_codebook_csv,
    read_codebook_xlsx,
    write_codebook_csv,
    write_codebook_xlsx,
)
from coder.core.codeframe.files import load_codeframe
from coder.core.codeframe.model import Codeframe, CodeframeError
from coder.core.codeframe.yaml_file import (
    dump_codeframe_yaml,
    load_codeframe_yaml,
    parse_codeframe_yaml,
    save_codeframe_yaml,
)

CODEFRAMES = Path(__file__).resolve().parents[2] / "codeframes"

GOOD = textwrap.dedent(
    """\
    name: Q2 barriers
    description: Barriers to placing looked-after children in independent schools
    questions: [q2_barriers, q2_barriers_wave2]
    codes:
      - code: 100
        label: Funding
        colour: "#1f77b4"
        codes:
          - code: 101
            label: High Needs funding insufficient
            definition: >
              The high needs block cannot cover the placement.
            include: top-up funding; EHCP costs
            exclude: fees alone (use 102)
            examples:
              - "Our high needs block is overspent"
              - "No money"
          - code: 102
            label: Cost of post-19 provision
      - code: 900
        label: No
        status: draft
      - code: 901
        label: Other
        parent: 900
        codable: false
    """
)


def write(tmp_path: Path, text: str, name: str = "q2.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_yaml_reads_the_tree_and_fields() -> None:
    frame = parse_codeframe_yaml(GOOD)
    assert frame.name == "Q2 barriers"
    assert frame.questions == ("q2_barriers", "q2_barriers_wave2")
    funding = frame.by_output_code(100)
    hn = frame.by_output_code(101)
    assert funding is not None and hn is not None
    assert funding.codable is False  # a net by default
    assert funding.colour == "#1F77B4"
    assert hn.parent_id == funding.id and hn.codable is True
    assert hn.definition == "The high needs block cannot cover the placement."
    assert hn.include_note == "top-up funding; EHCP costs"
    assert hn.exclude_note == "fees alone (use 102)"
    assert hn.examples == ("Our high needs block is overspent", "No money")
    # "No" stays text: YAML 1.1 would otherwise read it as false
    no = frame.by_output_code(900)
    other = frame.by_output_code(901)
    assert no is not None and other is not None
    assert no.label == "No" and no.status == "draft"
    assert other.parent_id == no.id and other.codable is False
    assert no.codable is False  # children attached through "parent" make it a net too


def test_ids_are_stable_across_loads_and_kept_when_given() -> None:
    first = parse_codeframe_yaml(GOOD)
    again = parse_codeframe_yaml(GOOD)
    assert [c.id for c in first.codes] == [c.id for c in again.codes]
    assert first.id == again.id
    with_id = GOOD.replace(
        "  - code: 900\n", "  - code: 900\n    id: 0b7f8f0e-3c1d-4f0e-9a53-1d9c2a3e4b5f\n"
    )
    assert parse_codeframe_yaml(with_id).by_output_code(900).id == (  # type: ignore[union-attr]
        "0b7f8f0e-3c1d-4f0e-9a53-1d9c2a3e4b5f"
    )


def test_yaml_round_trip(tmp_path: Path) -> None:
    frame = parse_codeframe_yaml(GOOD)
    path = tmp_path / "out.yaml"
    save_codeframe_yaml(frame, path)
    assert load_codeframe_yaml(path) == frame
    assert parse_codeframe_yaml(dump_codeframe_yaml(frame, include_ids=False)) == frame


def test_yaml_round_trip_keeps_merges() -> None:
    from coder.core.codeframe.ops import plan_merge

    frame = parse_codeframe_yaml(GOOD)
    merged = plan_merge(
        frame,
        [frame.by_output_code(102).id],  # type: ignore[union-attr]
        frame.by_output_code(101).id,  # type: ignore[union-attr]
    ).after
    again = parse_codeframe_yaml(dump_codeframe_yaml(merged))
    assert again == merged
    assert again.current(frame.by_output_code(102).id).output_code == 101  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            """\
            name: F
            codes:
              - code: 100
                label: Funding
              - code: 200
                label: Places
                parent: fundng
            """,
            'q2.yaml, line 7, column 13, field "parent": unknown parent "fundng"',
        ),
        (
            """\
            name: F
            codes:
              - code: 100
                label: Funding
                codes:
                  - code: 100
                    label: Fees
            """,
            'q2.yaml, line 6, column 15, field "code": 100 is already used by "Funding" (line 3)',
        ),
        (
            """\
            name: F
            codes:
              - code: 300
                label: A
                parent: 301
              - code: 301
                label: B
                parent: A
            """,
            'field "parent": codes form a cycle: ',
        ),
        (
            """\
            name: F
            codes:
              - code: 100
                label: Funding
                defintion: money
            """,
            'q2.yaml, line 5, column 5, field "defintion": unknown field (did you mean "definition"?)',
        ),
        (
            """\
            name: F
            codes:
              - code: 100
                label: Funding
                colour: #1F77B4
            """,
            'q2.yaml, line 5, column 12, field "colour": put the colour in quotes',
        ),
        (
            """\
            name: F
            codes:
              - code: one hundred
                label: Funding
            """,
            'q2.yaml, line 3, column 11, field "code": "one hundred" is not a whole number',
        ),
        (
            """\
            name: F
            codes:
              - code: 100
                label: Funding
                status: gone
            """,
            'q2.yaml, line 5, column 13, field "status": "gone" is not one of active, retired, draft',
        ),
        (
            """\
            name: F
            codes:
              - code: 100
            """,
            'q2.yaml, line 3, column 5, field "label": every code needs a label',
        ),
        (
            """\
            name: F
            codes:
              - code: 100
                label: Funding
                codes:
                  - code: 101
                    label: Fees
                  - code: 102
                    label: fees
            """,
            'q2.yaml, line 9, column 16, field "label": "fees" is also the label of code 101',
        ),
        (
            """\
            name: F
            codes:
              - code: 100
                label: Funding
                label: Money
            """,
            'q2.yaml, line 5, column 5, field "label": field given twice',
        ),
        (
            """\
            name: F
            codes:
              - code: 100
                label: [Funding
            """,
            "q2.yaml, line 5, column 1: not valid YAML",
        ),
    ],
)
def test_yaml_errors_name_file_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CodeframeError) as caught:
        load_codeframe_yaml(path)
    message = str(caught.value)
    assert expected in message
    assert str(path) in message


def test_yaml_reports_all_problems_in_line_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        name: F
        codes:
          - code: 100
            label: Funding
            colur: "#fff"
          - code: 100
            label: Places
            parent: nowhere
        """,
    )
    with pytest.raises(CodeframeError) as caught:
        load_codeframe_yaml(path)
    lines = [p.split(", column")[0] for p in caught.value.problems]
    assert lines == [f"{path}, line 5", f"{path}, line 6", f"{path}, line 8"]


def test_parent_by_code_number_conflicting_with_nesting(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        name: F
        codes:
          - code: 100
            label: Funding
          - code: 200
            label: Places
            codes:
              - code: 201
                label: Distance
                parent: 100
        """,
    )
    with pytest.raises(CodeframeError, match='line 10, column 17, field "parent": the code is nested'):
        load_codeframe_yaml(path)


# -- CSV / XLSX ---------------------------------------------------------------------------------


def test_csv_round_trip(tmp_path: Path) -> None:
    frame = parse_codeframe_yaml(GOOD)
    path = tmp_path / "Q2 barriers.csv"
    write_codebook_csv(frame, path)
    again = read_codebook_csv(path)
    assert again.codes == frame.codes
    assert again.name == "Q2 barriers"


def test_xlsx_round_trip(tmp_path: Path) -> None:
    frame = parse_codeframe_yaml(GOOD)
    path = tmp_path / "codebook.xlsx"
    write_codebook_xlsx(frame, path)
    again = read_codebook_xlsx(path, name="Q2 barriers")
    assert again.codes == frame.codes
    assert load_codeframe(path).by_output_code(101).label == (  # type: ignore[union-attr]
        "High Needs funding insufficient"
    )


def test_hand_written_csv_with_parent_column(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text(
        "Code,Label,Parent,Definition,Include,Exclude\n"
        "100,Funding,,,,\n"
        '101,High needs,100,"Two\nlines",top-up,fees\n'
        "102,Post-19,Funding,,,\n",
        encoding="utf-8",
    )
    frame = read_codebook_csv(path)
    net = frame.by_output_code(100)
    assert net is not None and net.codable is False
    assert [c.output_code for c in frame.children(net.id)] == [101, 102]
    assert frame.by_output_code(101).definition == "Two\nlines"  # type: ignore[union-attr]


def test_csv_errors_name_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text(
        'code,label,parent\n100,"Funding\nand money",\n101,Fees,10\n100,Other,\n',
        encoding="utf-8",
    )
    with pytest.raises(CodeframeError) as caught:
        read_codebook_csv(path)
    assert caught.value.problems == [
        f'{path}, line 4, field "parent": unknown parent "10"',
        f'{path}, line 5, field "code": 100 is already used by "Funding\nand money" (line 2)',
    ]


def test_csv_unknown_column_and_missing_label(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("code,lable\n1,x\n", encoding="utf-8")
    with pytest.raises(CodeframeError) as caught:
        read_codebook_csv(path)
    text = str(caught.value)
    assert 'line 1, field "lable": unknown column (did you mean "label"?)' in text
    assert 'no "label" column' in text


def test_xlsx_errors_name_the_row(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "label", "parent", "colour"])
    sheet.append([100, "Funding", None, "#12"])
    sheet.append([101.0, "Fees", 100, None])
    path = tmp_path / "codes.xlsx"
    book.save(path)
    with pytest.raises(CodeframeError, match=r'codes.xlsx, row 2, field "colour": "#12" is not'):
        read_codebook_xlsx(path)


def test_load_codeframe_refuses_unknown_types(tmp_path: Path) -> None:
    with pytest.raises(CodeframeError, match="use a .yaml, .csv, .xlsx or .qdc"):
        load_codeframe(tmp_path / "frame.txt")


# -- the shipped example frames -----------------------------------------------------------------


def shipped() -> list[Path]:
    return sorted(CODEFRAMES.glob("*.yaml"))


def test_codeframes_folder_has_frames() -> None:
    assert len(shipped()) >= 7


@pytest.mark.parametrize("path", shipped(), ids=lambda p: p.name)
def test_every_shipped_frame_loads_and_validates(path: Path) -> None:
    frame = load_codeframe_yaml(path)
    assert isinstance(frame, Codeframe)
    frame.validate()
    assert frame.questions, "each example frame names the questions it serves"
    leaves = [c for c in frame.codes if not frame.is_net(c.id)]
    assert all(c.definition for c in leaves), "every code has a definition"
    assert parse_codeframe_yaml(dump_codeframe_yaml(frame)) == frame


def test_shipped_frames_cover_the_demo_questions() -> None:
    served = {q for p in shipped() for q in load_codeframe_yaml(p).questions}
    assert {
        "q2_barriers",
        "q3_overcome",
        "q5_asye_effective",
        "q6_ld_priorities",
        "q7_iro_examples",
        "q9_two_year_olds",
        "q10_send_actions",
        "q8_other_specify",
    } <= served


def test_readme_example_is_a_valid_frame() -> None:
    readme = (CODEFRAMES / "README.md").read_text(encoding="utf-8")
    block = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    frame = parse_codeframe_yaml(block.replace("...?", "the question"))
    assert [c.output_code for c in frame.codes] == [100, 101, 102, 999]


def test_shipped_frames_have_a_code_for_every_demo_theme() -> None:
    import json

    themes_file = CODEFRAMES.parent / "data" / "demo_themes.json"
    if not themes_file.exists():
        pytest.skip("data/demo_themes.json not generated")
    themes = json.loads(themes_file.read_text(encoding="utf-8"))
    frames = {
        q: load_codeframe_yaml(p) for p in shipped() for q in load_codeframe_yaml(p).questions
    }
    for question, question_themes in themes.items():
        labels = {c.label.casefold() for c in frames[question].codes}
        missing = [t["label"] for t in question_themes if t["label"].casefold() not in labels]
        assert not missing, f"{question}: no code for demo themes {missing}"
