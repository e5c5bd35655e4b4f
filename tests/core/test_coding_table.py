"""Coding tables built from the store's coding marks equal those built record by record."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from coder.core.agreement import CodingTable

CODERS = ("ann", "ben", "carol")
CODES = ("101 Fees", "102 Cost", "201 Travel")

marks = st.lists(st.tuples(st.integers(1, 12), st.sampled_from(CODERS),
                           st.one_of(st.none(), st.sampled_from(CODES))), max_size=60)


@settings(max_examples=200, deadline=None)
@given(marks, st.one_of(st.none(), st.sets(st.integers(1, 12))))
def test_marks_give_the_table_the_records_give(found: list, units: set[int] | None) -> None:
    table = CodingTable.from_marks(found, CODERS, CODES, units)
    kept = [m for m in found if units is None or m[0] in units]
    records = [(a, c, [] if k is None else [k]) for a, c, k in kept]
    expected = CodingTable.from_records(records, codes=CODES, coders=CODERS)
    assert table.units == tuple(sorted({m[0] for m in kept}))
    assert table.coders == CODERS and table.codes == CODES
    order = [expected.units.index(u) for u in table.units]
    assert np.array_equal(table.coded, expected.coded[order])
    assert np.array_equal(table.applied, expected.applied[order])


def test_an_answer_coded_with_no_code_is_coded_and_absent_for_every_code() -> None:
    table = CodingTable.from_marks([(7, "ann", None), (7, "ben", "102 Cost")], CODERS, CODES)
    assert table.units == (7,)
    assert table.coded.tolist() == [[True, True, False]]
    assert table.applied[0].tolist() == [[False, False, False], [False, True, False],
                                         [False, False, False]]
