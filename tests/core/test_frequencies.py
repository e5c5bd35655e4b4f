"""Frequencies against counts worked out by hand: multi-code answers, nets, routing, breakdowns."""

from __future__ import annotations

import pytest

from coder.core.codeframe.model import Code, Codeframe
from coder.core.reporting.frequencies import MISSING_VALUE, RespondentAnswer, compute_frequencies


def _frame() -> Codeframe:
    def code(n: int, label: str, parent: int | None = None, **extra: object) -> Code:
        return Code(f"c{n}", "f", label, n, f"c{parent}" if parent else None, position=n,
                    **extra)

    return Codeframe("f", "frame", (
        code(100, "Cost", codable=False), code(101, "Fees", 100), code(102, "Transport", 100),
        code(200, "Staff"), code(300, "Merged away", status="retired", merged_into="c200"),
        code(400, "Old net", status="retired"), code(401, "Under old net", 400),
    ))


def _r(rid: int, status: str, codes: tuple[str, ...] = (), group: str | None = None,
       coded: bool = True) -> RespondentAnswer:
    return RespondentAnswer(rid, status, frozenset(codes), coded and status == "answered", group)


# Hand count. Answered: 1-5 (5 is not yet coded). Fees: 1, 2 -> 2. Transport: 2, 3 -> 2.
# Cost net: 1, 2, 3 -> 3 (2 has both, counted once). Staff: 4 -> 1. Base 5.
PEOPLE = [
    _r(1, "answered", ("c101",), "A"),
    _r(2, "answered", ("c101", "c102"), "A"),
    _r(3, "answered", ("c102", "c300"), "B"),
    _r(4, "answered", ("c200", "c401"), None),
    _r(5, "answered", (), "B", coded=False),
    _r(6, "non_substantive", ("c101",), "A"),  # codes on a "don't know" are not counted
    _r(7, "blank"),
    _r(8, "not_asked"),
    _r(9, "not_asked"),
]


def test_counts_nets_and_base() -> None:
    table = compute_frequencies("q", _frame(), PEOPLE, routing_known=True)
    base = table.base
    assert (base.asked, base.answered, base.non_substantive, base.blank, base.uncoded) == \
        (7, 5, 1, 1, 1)
    assert {r.code_id: r.n for r in table.rows} == {"c100": 3, "c101": 2, "c102": 2, "c200": 1}
    assert table.row("c100").pct == pytest.approx(60.0)
    assert table.row("c200").pct == pytest.approx(20.0)
    # Respondent 2 has both codes under the net: the net is not the sum of its codes.
    assert table.row("c101").n + table.row("c102").n > table.row("c100").n


def test_retired_codes_and_their_children_are_not_shown() -> None:
    table = compute_frequencies("q", _frame(), PEOPLE)
    assert {"c300", "c400", "c401"}.isdisjoint(r.code_id for r in table.rows)


def test_asked_base_only_with_routing() -> None:
    assert compute_frequencies("q", _frame(), PEOPLE).base.asked is None


def test_sorting() -> None:
    by_n = compute_frequencies("q", _frame(), PEOPLE, sort="frequency")
    assert [(r.code_id, r.depth) for r in by_n.rows] == \
        [("c100", 0), ("c101", 1), ("c102", 1), ("c200", 0)]
    people = [_r(1, "answered", ("c200",)), _r(2, "answered", ("c200",)),
              _r(3, "answered", ("c102",))]
    by_n = compute_frequencies("q", _frame(), people, sort="frequency")
    assert [r.code_id for r in by_n.rows] == ["c200", "c100", "c102", "c101"]
    in_frame = compute_frequencies("q", _frame(), people, sort="codeframe")
    assert [r.code_id for r in in_frame.rows] == ["c100", "c101", "c102", "c200"]


def test_breakdown_columns_have_their_own_bases() -> None:
    table = compute_frequencies("q", _frame(), PEOPLE, breakdown_by="region", min_base=2)
    columns = {c.value: c for c in table.columns}
    assert [c.value for c in table.columns] == ["A", "B", MISSING_VALUE]
    assert {v: c.base for v, c in columns.items()} == {"A": 2, "B": 2, MISSING_VALUE: 1}
    assert columns["A"].counts["c100"] == 2 and columns["A"].pct("c101") == pytest.approx(100)
    assert columns["B"].counts["c102"] == 1 and columns["B"].pct("c102") == pytest.approx(50)
    assert columns[MISSING_VALUE].counts == {"c200": 1}
    assert table.small_columns() == [MISSING_VALUE]


def test_small_base_flag_is_configurable() -> None:
    assert compute_frequencies("q", _frame(), PEOPLE).small_base
    assert not compute_frequencies("q", _frame(), PEOPLE, min_base=5).small_base


def test_empty_base_gives_zero_percent() -> None:
    table = compute_frequencies("q", _frame(), [_r(1, "blank")])
    assert table.base.answered == 0 and all(r.pct == 0.0 for r in table.rows)
