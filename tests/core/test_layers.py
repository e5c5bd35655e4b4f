"""The rules of coding layers: final codes, stale adjudications, the disagreement queue.

Plain values in, plain values out: no project file.
"""

from __future__ import annotations

from coder.core.coding.layers import (
    Adjudication,
    code_sets,
    disagreement_queue,
    final_layer,
    is_stale,
)
from coder.core.reporting.frequencies import FinalCoding

ANN, BEN = 1, 2  # human coders' ids


def test_adjudicated_codes_win_agreed_codes_count_and_disagreements_stay_unresolved() -> None:
    # two coders agree on 101 for answer 5, disagree on answer 6; answer 7 was adjudicated 201
    human = code_sets([
        (5, ANN, "101"), (5, BEN, "101"),
        (6, ANN, "101"), (6, BEN, "102"),
        (7, ANN, "101"), (7, BEN, "102"),
    ])
    final = final_layer(human, {7: frozenset({"201"})})
    assert final == {
        7: FinalCoding(frozenset({"201"}), "adjudicated"),
        5: FinalCoding(frozenset({"101"}), "agreed"),
        6: FinalCoding(frozenset(), "unresolved"),
    }


def test_the_only_coder_settles_an_answer_and_no_code_is_a_decision() -> None:
    human = code_sets([(1, ANN, "101"), (1, ANN, "103"), (2, BEN, None), (3, ANN, None),
                       (3, BEN, None)])
    final = final_layer(human, {})
    assert final[1] == FinalCoding(frozenset({"101", "103"}), "single")
    assert final[2] == FinalCoding(frozenset(), "single")
    assert final[3] == FinalCoding(frozenset(), "agreed")  # both coded it "no code applies"


def test_coded_with_no_code_disagrees_with_a_code() -> None:
    human = code_sets([(1, ANN, None), (1, BEN, "101")])
    assert final_layer(human, {})[1].status == "unresolved"


def test_a_stale_adjudication_still_counts_but_is_flagged() -> None:
    human = code_sets([(4, ANN, "101"), (4, BEN, "101")])
    final = final_layer(human, {4: frozenset({"102"}), 8: frozenset()}, stale={4})
    assert final[4] == FinalCoding(frozenset({"102"}), "stale")
    assert final[8] == FinalCoding(frozenset(), "adjudicated")  # adjudicated "no code"


def test_answers_nobody_coded_are_absent() -> None:
    assert final_layer({}, {}) == {}
    assert 9 not in final_layer(code_sets([(1, ANN, "101")]), {})


def test_code_sets_groups_marks_and_a_coding_counts_as_coded() -> None:
    sets = code_sets([(3, "ann", None), (3, "ann", "101"), (3, "ben", "102"), (1, "ann", None)])
    assert sets == {3: {"ann": frozenset({"101"}), "ben": frozenset({"102"})},
                    1: {"ann": frozenset()}}


# -- staleness -----------------------------------------------------------------------------------

AT = "2025-03-01T10:00:00.000Z"
EARLIER, LATER = "2025-03-01T09:00:00.000Z", "2025-03-01T11:00:00.000Z"


def test_an_adjudication_is_current_while_the_coders_codings_match_its_basis() -> None:
    basis = {"1": EARLIER, "2": EARLIER}
    assert not is_stale(AT, basis, {"1": EARLIER, "2": EARLIER})


def test_recoding_new_coding_or_uncoding_since_makes_it_stale() -> None:
    basis = {"1": EARLIER, "2": EARLIER}
    assert is_stale(AT, basis, {"1": LATER, "2": EARLIER})  # re-coded
    assert is_stale(AT, basis, {"1": EARLIER, "2": EARLIER, "3": LATER})  # a new coder
    assert is_stale(AT, basis, {"1": EARLIER})  # un-coded


def test_without_a_basis_only_coding_after_the_decision_makes_it_stale() -> None:
    # adjudications recorded before the basis was kept
    assert not is_stale(AT, {}, {"1": EARLIER, "2": EARLIER})
    assert is_stale(AT, {}, {"1": EARLIER, "2": LATER})
    assert not is_stale(AT, {}, {})


# -- the queue -----------------------------------------------------------------------------------


def _adjudication(answer_id: int, codes: tuple[str, ...], stale: bool) -> Adjudication:
    return Adjudication(answer_id, "rita", AT, codes, stale)


def test_the_queue_lists_answers_whose_coders_differ_in_answer_order() -> None:
    sets = code_sets([
        (9, "ann", "102"), (9, "ben", "101"), (9, "ben", "102"),
        (2, "ann", "101"), (2, "ben", "101"),  # agreed
        (4, "ann", None), (4, "ben", "103"),  # no code vs a code
        (5, "ann", "101"),  # one coder only
    ])
    queue = disagreement_queue(sets, ["ann", "ben"], code_order=["101", "102", "103"])
    assert [d.answer_id for d in queue] == [4, 9]
    assert queue[1].codes_by_coder == {"ann": ("102",), "ben": ("101", "102")}
    assert queue[0].codes_by_coder == {"ann": (), "ben": ("103",)}
    assert queue[1].differs_on("101") and not queue[1].differs_on("102")
    assert all(d.adjudicated is None and not d.stale and d.text == "" for d in queue)


def test_settled_answers_leave_the_queue_until_a_coder_recodes_them() -> None:
    sets = code_sets([(a, c, k) for a in (1, 2) for c, k in (("ann", "101"), ("ben", "102"))])
    settled = {1: _adjudication(1, ("101",), stale=False), 2: _adjudication(2, ("102",), True)}
    queue = disagreement_queue(sets, ["ann", "ben"], settled)
    assert [(d.answer_id, d.adjudicated, d.stale) for d in queue] == [(2, ("102",), True)]
    everything = disagreement_queue(sets, ["ann", "ben"], settled, include_settled=True)
    assert [(d.answer_id, d.stale) for d in everything] == [(1, False), (2, True)]


def test_the_queue_compares_only_the_named_coders_on_the_chosen_answers() -> None:
    sets = code_sets([(1, "ann", "101"), (1, "carol", "102"), (1, "ben", "101"),
                      (2, "ann", "101"), (2, "ben", "102")])
    assert disagreement_queue(sets, ["ann", "ben"]) == disagreement_queue(
        sets, ["ann", "ben"], answer_ids={2})
    assert [d.answer_id for d in disagreement_queue(sets, ["ann", "carol"])] == [1]
    assert list(disagreement_queue(sets, ["ben", "ann"])[0].codes_by_coder) == ["ben", "ann"]
