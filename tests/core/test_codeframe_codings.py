"""How merges and splits carry codings, as pure rules over codings and texts."""

from __future__ import annotations

from coder.core.codeframe.codings import plan_codes, plan_coding_moves, split_targets
from coder.core.codeframe.model import Code, Codeframe
from coder.core.codeframe.ops import plan_merge, plan_split
from coder.core.types import Coding

FID = "frame-1"
STAMP = "2025-06-01T12:00:00.000Z"
OLD = "2025-01-01T00:00:00.000Z"
ANN, BEN = 1, 2

FRAME = Codeframe(FID, "barriers", (
    Code("fees", FID, "Fees", 101),
    Code("cost", FID, "Cost", 102, position=1),
    Code("travel", FID, "Travel", 103, position=2),
)).validate()


def coding(answer_id: int, code_id: str, coder_id: int = ANN, *,
           needs_recoding: bool = False) -> Coding:
    return Coding(answer_id, code_id, coder_id, OLD, needs_recoding)


def summary(changes: tuple) -> list[tuple[str, int, str, int]]:
    """(op, answer, code, coder) per change, with the code the change leaves (or removes)."""
    out = []
    for c in changes:
        row = c.after if c.op == "insert" else c.before
        out.append((c.op, row.answer_id, row.code_id, row.coder_id))
    return out


# -- merges --------------------------------------------------------------------------------------


def test_a_merge_moves_every_coding_and_keeps_one_where_the_coder_had_both() -> None:
    plan = plan_merge(FRAME, ["fees"], "cost")
    assert plan_codes(plan, {}) == ["fees", "cost"]
    codings = [coding(1, "fees"), coding(2, "fees"), coding(2, "fees", BEN),
               coding(2, "cost"), coding(3, "cost")]
    moves = plan_coding_moves(plan, codings, {}, {}, STAMP)
    assert summary(moves.changes) == [
        ("delete", 1, "fees", ANN), ("delete", 2, "fees", ANN), ("delete", 2, "fees", BEN),
        ("insert", 1, "cost", ANN), ("insert", 2, "cost", BEN),  # ann had cost on 2 already
    ]
    assert moves.moved == 3
    carried = moves.changes[3].after
    assert carried is not None and carried.created_at == OLD  # a merge keeps when it was coded


def test_merging_several_codes_into_one_leaves_one_coding_per_answer_and_coder() -> None:
    plan = plan_merge(FRAME, ["fees", "travel"], "cost")
    codings = [coding(1, "fees"), coding(1, "travel"), coding(4, "travel")]
    moves = plan_coding_moves(plan, codings, {}, {}, STAMP)
    inserted = [(c.after.answer_id, c.after.code_id) for c in moves.changes
                if c.op == "insert" and c.after is not None]
    assert inserted == [(1, "cost"), (4, "cost")]
    assert moves.moved == 3


# -- splits --------------------------------------------------------------------------------------


def test_split_targets_match_fragments_ignoring_case_and_skip_empty_ones() -> None:
    rule = {"bus": "Bus", "taxi": "TAXI", "none": ""}
    assert split_targets("The bus and the taxi were late", rule) == ["bus", "taxi"]
    assert split_targets("BUSES", rule) == ["bus"]
    assert split_targets("walked", rule) == []


def test_a_split_moves_matching_codings_and_marks_the_rest_for_recoding() -> None:
    plan = plan_split(FRAME, "travel", ["Bus", "Taxi"], new_ids=["bus", "taxi"])
    rule = {"bus": "bus", "taxi": "taxi"}
    assert plan_codes(plan, rule) == ["travel", "bus", "taxi"]
    codings = [coding(1, "travel"), coding(2, "travel"), coding(3, "travel", BEN),
               coding(4, "travel", needs_recoding=True)]
    texts = {1: "The school bus is late", 2: "Bus or taxi, both cost", 3: "Too far to walk",
             4: "Nothing suits"}
    moves = plan_coding_moves(plan, codings, texts, rule, STAMP)
    assert summary(moves.changes) == [
        ("update", 3, "travel", BEN),  # no match: marked "needs recoding" (4 already is)
        ("delete", 1, "travel", ANN), ("delete", 2, "travel", ANN),
        ("insert", 1, "bus", ANN), ("insert", 2, "bus", ANN), ("insert", 2, "taxi", ANN),
    ]
    flagged = moves.changes[0].after
    assert flagged is not None and flagged.needs_recoding
    new = moves.changes[3].after
    assert new is not None and (new.created_at, new.needs_recoding) == (STAMP, False)
    assert moves.moved == 4


def test_a_split_without_a_rule_moves_nothing() -> None:
    plan = plan_split(FRAME, "travel", ["Bus", "Taxi"], new_ids=["bus", "taxi"])
    moves = plan_coding_moves(plan, [coding(1, "travel")], {1: "bus"}, {}, STAMP)
    assert summary(moves.changes) == [("update", 1, "travel", ANN)]
