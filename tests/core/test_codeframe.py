"""Tests for the codeframe model: tree queries, numbering and validation."""

from __future__ import annotations

import pytest

from coder.core.codeframe.model import Code, Codeframe, CodeframeError, normalise_colour
from coder.core.errors import CoderError

FID = "frame-1"


def code(cid: str, label: str, number: int, parent: str | None = None, **kw: object) -> Code:
    return Code(cid, FID, label, number, parent_id=parent, **kw)  # type: ignore[arg-type]


@pytest.fixture
def frame() -> Codeframe:
    return Codeframe(
        FID,
        "Q2 barriers",
        (
            code("other", "Other", 900, position=2),
            code("fund", "Funding", 100, codable=False, position=0),
            code("post19", "Cost of post-19 provision", 102, "fund", position=1),
            code("hn", "High Needs funding insufficient", 101, "fund", position=0),
            code("place", "Placements", 200, codable=False, position=1),
            code("dist", "Distance from home", 201, "place"),
            code("far", "Out of county", 202, "dist"),
        ),
    )


def test_tree_queries_follow_positions(frame: Codeframe) -> None:
    assert [c.label for c in frame.roots()] == ["Funding", "Placements", "Other"]
    assert [c.id for c in frame.children("fund")] == ["hn", "post19"]
    assert [c.id for c in frame.path("far")] == ["place", "dist", "far"]
    assert frame.path_label("post19") == "Funding > Cost of post-19 provision"
    assert [c.id for c in frame.descendants("place")] == ["dist", "far"]
    assert frame.descendants("hn") == ()
    assert frame.is_net("fund") and not frame.is_net("hn")
    assert [(d, c.id) for d, c in frame.walk()][:4] == [
        (0, "fund"),
        (1, "hn"),
        (1, "post19"),
        (0, "place"),
    ]


def test_codes_are_kept_in_tree_order_so_equal_trees_compare_equal(frame: Codeframe) -> None:
    shuffled = Codeframe(FID, frame.name, tuple(reversed(frame.codes)))
    assert shuffled == frame
    assert [c.id for c in frame.codes] == [c.id for _, c in frame.walk()]


def test_lookup(frame: Codeframe) -> None:
    assert frame.by_output_code(201).label == "Distance from home"
    assert frame.by_output_code(555) is None
    assert frame.get("nope") is None
    assert "hn" in frame and len(frame) == 7
    assert [c.id for c in frame.by_label("  funding ")] == ["fund"]
    with pytest.raises(CodeframeError, match="no code with id nope"):
        frame.code("nope")


def test_codable_codes_leave_out_nets_and_retired(frame: Codeframe) -> None:
    retired = frame.replacing([Code("other", FID, "Other", 900, status="retired", position=2)])
    ids = [c.id for c in retired.codable_codes()]
    assert ids == ["hn", "post19", "dist", "far"]


def test_next_output_code_uses_the_parents_block(frame: Codeframe) -> None:
    assert frame.next_output_code("fund") == 103
    assert frame.next_output_code("dist") == 203
    assert frame.next_output_code(None) == 1000
    small = Codeframe(FID, "f", (code("a", "A", 100), code("b", "B", 101, "a")))
    assert small.next_output_code(None) == 200


def test_next_output_code_falls_back_when_the_block_is_full() -> None:
    codes = [code("net", "Net", 100)] + [
        code(f"c{i}", f"C{i}", 100 + i, "net", position=i) for i in range(1, 100)
    ]
    full = Codeframe(FID, "f", tuple(codes))
    assert full.next_output_code("net") == 200


def test_valid_frame_validates(frame: Codeframe) -> None:
    assert frame.validate() is frame
    assert frame.problems() == []


def test_validation_lists_every_problem() -> None:
    bad = Codeframe(
        FID,
        "Broken",
        (
            code("a", "Funding", 100),
            code("b", "Places", 100),
            code("c", "Lost", 300, "ghost"),
            code("d", "Loop one", 400, "e"),
            code("e", "Loop two", 401, "d"),
            code("f", "Odd colour", 500, colour="blue"),
            code("g", "Odd status", 600, status="gone"),  # type: ignore[arg-type]
            code("h", "funding", 700),
            Code("i", "another-frame", "Stray", 800),
            code("j", "Merged", 900, merged_into="a"),
        ),
    )
    with pytest.raises(CodeframeError) as caught:
        bad.validate()
    problems = caught.value.problems
    text = "\n".join(problems)
    assert 'output code 100 is also used by "Funding"' in text
    assert "unknown parent ghost" in text
    assert 'codes form a cycle: "Loop one" -> "Loop two" -> "Loop one"' in text or (
        'codes form a cycle: "Loop two" -> "Loop one" -> "Loop two"' in text
    )
    assert 'colour "blue"' in text
    assert 'status "gone"' in text
    assert "same label as code 100" in text
    assert "belongs to codeframe another-frame" in text
    assert "merged into another code but not retired" in text
    assert len(problems) == 8
    assert all(p.startswith('codeframe "Broken": ') for p in problems)
    assert isinstance(caught.value, CoderError)


def test_active_code_under_retired_net_is_a_problem(frame: Codeframe) -> None:
    retired_net = frame.replacing([code("fund", "Funding", 100, codable=False, status="retired")])
    assert any("under retired net" in p for p in retired_net.problems())


def test_path_reports_cycles() -> None:
    loop = Codeframe(FID, "f", (code("a", "A", 1, "b"), code("b", "B", 2, "a")))
    with pytest.raises(CodeframeError, match="cycle"):
        loop.path("a")
    assert loop.descendants("a") == (loop.code("b"),)


def test_current_follows_merges(frame: Codeframe) -> None:
    merged = frame.replacing(
        [
            code(
                "post19",
                "Cost of post-19 provision",
                102,
                "fund",
                status="retired",
                merged_into="hn",
            ),
            code(
                "hn",
                "High Needs funding insufficient",
                101,
                "fund",
                status="retired",
                merged_into="other",
            ),
        ]
    )
    assert merged.current("post19").id == "other"
    assert merged.current("dist").id == "dist"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("#1f77b4", "#1F77B4"),
        ("#abc", "#AABBCC"),
        (" #00FF00 ", "#00FF00"),
        ("", None),
        (None, None),
    ],
)
def test_normalise_colour(given: str | None, expected: str | None) -> None:
    assert normalise_colour(given) == expected


@pytest.mark.parametrize("given", ["red", "#12345", "1F77B4", "#GG0000"])
def test_normalise_colour_rejects_non_hex(given: str) -> None:
    with pytest.raises(ValueError, match="not a colour"):
        normalise_colour(given)


def test_error_message_joins_problems() -> None:
    err = CodeframeError(["one", "two"])
    assert str(err) == "2 problems:\n  - one\n  - two"
    assert str(CodeframeError("only")) == "only"
