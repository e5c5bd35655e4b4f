"""Tests for planned codeframe edits: merge, split, move, edit, add, retire."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coder.core.codeframe.model import Code, Codeframe, CodeframeError
from coder.core.codeframe.ops import (
    plan_add,
    plan_edit,
    plan_merge,
    plan_move,
    plan_retire,
    plan_split,
)

FID = "frame-1"


def code(cid: str, label: str, number: int, parent: str | None = None, **kw: object) -> Code:
    return Code(cid, FID, label, number, parent_id=parent, **kw)  # type: ignore[arg-type]


@pytest.fixture
def frame() -> Codeframe:
    return Codeframe(
        FID,
        "Q2 barriers",
        (
            code("fund", "Funding", 100, codable=False, position=0),
            code("hn", "High Needs funding insufficient", 101, "fund", examples=("HN short",)),
            code(
                "post19",
                "Cost of post-19 provision",
                102,
                "fund",
                position=1,
                examples=("19+ costs",),
            ),
            code("place", "Placements", 200, codable=False, position=1),
            code("dist", "Distance from home", 201, "place"),
            code("far", "Out of county", 202, "dist"),
            code("other", "Other", 900, position=2),
        ),
    ).validate()


# -- merge --------------------------------------------------------------------------------------


def test_merge_retires_sources_and_moves_their_codings(frame: Codeframe) -> None:
    plan = plan_merge(frame, ["post19"], "hn")
    assert plan.recode == (("post19", "hn"),)
    after = plan.after
    assert after.code("post19").status == "retired"
    assert after.code("post19").merged_into == "hn"
    assert after.current("post19").id == "hn"
    assert after.code("hn").examples == ("HN short", "19+ costs")
    assert after.code("post19").output_code == 102  # kept so old exports still read
    assert [c.id for c in after.codable_codes()] == ["hn", "dist", "far", "other"]
    assert {c.id for c in plan.changed} == {"post19", "hn"}
    assert (
        plan.summary == 'Merge "Cost of post-19 provision" into "High Needs funding insufficient"'
    )
    assert plan.before is frame


def test_merging_a_net_carries_its_children_to_the_target(frame: Codeframe) -> None:
    plan = plan_merge(frame, ["dist"], "other")
    after = plan.after
    assert after.code("far").parent_id == "other"
    assert [c.id for c in after.children("other")] == ["far"]
    after.validate()


@pytest.mark.parametrize(
    ("sources", "target", "message"),
    [
        (["hn"], "hn", "into itself"),
        ([], "hn", "at least one"),
        (["place"], "far", "into its own descendant"),
        (["hn"], "place", "net that cannot be coded"),
        (["hn"], "ghost", "no code with id ghost"),
    ],
)
def test_merge_refuses_bad_requests(
    frame: Codeframe, sources: list[str], target: str, message: str
) -> None:
    with pytest.raises(CodeframeError, match=message):
        plan_merge(frame, sources, target)


def test_merge_refuses_retired_codes(frame: Codeframe) -> None:
    merged = plan_merge(frame, ["post19"], "hn").after
    with pytest.raises(CodeframeError, match="retired already"):
        plan_merge(merged, ["post19"], "other")
    with pytest.raises(CodeframeError, match="it is retired"):
        plan_merge(merged, ["other"], "post19")


# -- split --------------------------------------------------------------------------------------


def test_split_puts_new_codes_under_the_original(frame: Codeframe) -> None:
    plan = plan_split(frame, "hn", ["Top-up too low", "Block overspent"], new_ids=["n1", "n2"])
    after = plan.after
    assert [c.label for c in after.children("hn")] == ["Top-up too low", "Block overspent"]
    assert [c.output_code for c in plan.added] == [103, 104]
    assert plan.review_code_ids == ("hn",)
    assert after.code("hn") == frame.code("hn")  # keeps its codings and stays codable
    assert plan.changed == ()
    assert plan.recode == ()


@pytest.mark.parametrize(
    ("code_id", "labels", "message"),
    [
        ("hn", ["Only one"], "at least two"),
        ("hn", ["Same", "same "], "different labels"),
        ("hn", ["A", "  "], "needs a label"),
        ("fund", ["A", "B"], "is a net"),
    ],
)
def test_split_refuses_bad_requests(
    frame: Codeframe, code_id: str, labels: list[str], message: str
) -> None:
    with pytest.raises(CodeframeError, match=message):
        plan_split(frame, code_id, labels)


# -- move ---------------------------------------------------------------------------------------


def test_move_reparents_and_renumbers_positions(frame: Codeframe) -> None:
    plan = plan_move(frame, "other", "fund", position=0)
    after = plan.after
    assert [c.id for c in after.children("fund")] == ["other", "hn", "post19"]
    assert [c.position for c in after.children("fund")] == [0, 1, 2]
    assert [c.id for c in after.roots()] == ["fund", "place"]
    assert plan.summary == 'Move "Other" to "Funding"'


def test_move_to_top_level_appends(frame: Codeframe) -> None:
    after = plan_move(frame, "far", None).after
    assert [c.id for c in after.roots()] == ["fund", "place", "other", "far"]


def test_move_refuses_cycles(frame: Codeframe) -> None:
    with pytest.raises(CodeframeError, match="under its own descendant"):
        plan_move(frame, "place", "far")
    with pytest.raises(CodeframeError, match="under itself"):
        plan_move(frame, "place", "place")


def test_move_refuses_a_label_clash(frame: Codeframe) -> None:
    clash = plan_add(frame, "Other", parent_id="fund", code_id="o2").after
    with pytest.raises(CodeframeError, match="same label"):
        plan_move(clash, "other", "fund")


# -- edit, add, retire --------------------------------------------------------------------------


def test_rename_and_edit(frame: Codeframe) -> None:
    plan = plan_edit(frame, "hn", label="High Needs block too small")
    assert plan.summary == 'Rename "High Needs funding insufficient" -> "High Needs block too small"'
    assert plan.after.code("hn").label == "High Needs block too small"
    edited_plan = plan_edit(frame, "hn", colour="#abc", examples=["x"])
    edited = edited_plan.after.code("hn")
    assert edited.colour == "#AABBCC" and edited.examples == ("x",)
    assert edited_plan.summary.endswith('"High Needs funding insufficient" (colour, examples)')


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"output_code": 102}, "also used by"),
        ({"colour": "blue"}, "not a colour"),
        ({"parent_id": "x"}, "cannot edit parent_id"),
        ({"label": "Cost of post-19 provision"}, "same label"),
    ],
)
def test_edit_refuses_bad_values(
    frame: Codeframe, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(CodeframeError, match=message):
        plan_edit(frame, "hn", **changes)


def test_add_numbers_in_the_parents_block(frame: Codeframe) -> None:
    plan = plan_add(frame, "Tribunal costs", parent_id="fund", position=1, code_id="new")
    after = plan.after
    assert after.code("new").output_code == 103
    assert [c.id for c in after.children("fund")] == ["hn", "new", "post19"]
    assert {c.id for c in plan.changed} == {"post19"}
    assert plan_add(frame, "Staffing", code_id="s").after.code("s").output_code == 1000


def test_retire_takes_the_subtree(frame: Codeframe) -> None:
    after = plan_retire(frame, "place").after
    assert {c.id for c in after.codes if c.status == "retired"} == {"place", "dist", "far"}
    with pytest.raises(CodeframeError, match="retire it with everything under it"):
        plan_edit(frame, "place", status="retired")


# -- properties: edits never lose codes or codings ----------------------------------------------


@st.composite
def frames(draw: st.DrawFn) -> Codeframe:
    size = draw(st.integers(min_value=2, max_value=12))
    codes: list[Code] = []
    for i in range(size):
        parent = draw(st.none() | st.integers(min_value=0, max_value=i - 1)) if i else None
        codes.append(
            code(
                f"c{i}",
                f"Code {i}",
                100 + i,
                f"c{parent}" if parent is not None else None,
                position=i,
            )
        )
    parents = {c.parent_id for c in codes}
    codes = [
        Code(**{**c.__dict__, "codable": draw(st.booleans()) or c.id not in parents}) for c in codes
    ]
    return Codeframe(FID, "generated", tuple(codes)).validate()


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_merge_keeps_every_code_and_sends_every_source_to_the_target(data: st.DataObject) -> None:
    frame = data.draw(frames())
    ids = [c.id for c in frame.codes]
    target = data.draw(st.sampled_from(ids))
    sources = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3))
    try:
        plan = plan_merge(frame, sources, target)
    except CodeframeError:
        return
    after = plan.after
    assert after.problems() == []
    assert {c.id for c in after.codes} == set(ids)
    assert {c.output_code for c in after.codes} == {c.output_code for c in frame.codes}
    for source in set(sources):
        assert after.current(source).id == target
        assert (source, target) in plan.recode
    assert target not in {s for s, _ in plan.recode}
    reachable = {c.id for _, c in after.walk()}
    assert reachable == set(ids)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_move_keeps_the_tree_whole(data: st.DataObject) -> None:
    frame = data.draw(frames())
    ids = [c.id for c in frame.codes]
    moved = data.draw(st.sampled_from(ids))
    parent = data.draw(st.none() | st.sampled_from(ids))
    try:
        plan = plan_move(frame, moved, parent, data.draw(st.none() | st.integers(0, 5)))
    except CodeframeError:
        # labels are unique in generated frames, so only a cycle can refuse the move
        assert parent is not None
        assert parent == moved or parent in {d.id for d in frame.descendants(moved)}
        return
    after = plan.after
    assert after.code(moved).parent_id == parent
    assert {c.id for _, c in after.walk()} == set(ids)
    for p in {frame.code(moved).parent_id, parent}:
        assert [c.position for c in after.children(p)] == list(range(len(after.children(p))))


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_split_adds_codes_without_touching_existing_ones(data: st.DataObject) -> None:
    frame = data.draw(frames())
    leaves = [c.id for c in frame.codes if not frame.is_net(c.id)]
    target = data.draw(st.sampled_from(leaves))
    count = data.draw(st.integers(min_value=2, max_value=4))
    plan = plan_split(frame, target, [f"Part {i}" for i in range(count)])
    after = plan.after
    assert all(after.code(c.id) == c for c in frame.codes)
    assert len(after.children(target)) == count
    numbers = [c.output_code for c in after.codes]
    assert len(numbers) == len(set(numbers))
