"""Significance marks of breakdown tables, checked against statsmodels and scipy computed here
independently, and against hand-worked counts."""

from __future__ import annotations

import math

import pytest
from scipy.stats import chi2_contingency
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from coder.core.codeframe.model import Code, Codeframe
from coder.core.reporting.frequencies import RespondentAnswer, compute_frequencies
from coder.core.reporting.significance import (
    CHI_MARK,
    chi_square,
    compare_columns,
    holm,
    two_proportion_z,
)
from coder.core.reporting.tables import table_grid

FRAME = Codeframe("f", "F", (Code(id="c1", codeframe_id="f", label="Cost", output_code=1),))


def _people(groups: dict[str, tuple[int, int]]) -> list[RespondentAnswer]:
    """groups: value -> (base, respondents with the code)."""
    people, rid = [], 0
    for value, (base, with_code) in groups.items():
        for i in range(base):
            rid += 1
            codes = frozenset({"c1"}) if i < with_code else frozenset()
            people.append(RespondentAnswer(rid, "answered", codes, True, value))
    return people


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"),
                         [(60, 100, 30, 80), (12, 40, 15, 45), (5, 31, 29, 33), (0, 50, 3, 60)])
def test_z_test_matches_statsmodels(x1: int, n1: int, x2: int, n2: int) -> None:
    ours = two_proportion_z(x1 / n1, n1, x2 / n2, n2)
    assert ours is not None
    z, p = proportions_ztest([x1, x2], [n1, n2])
    assert ours[0] == pytest.approx(z) and ours[1] == pytest.approx(p)


def test_no_test_when_there_is_no_variance() -> None:
    assert two_proportion_z(0.0, 40, 0.0, 50) is None
    assert two_proportion_z(0.5, 40, 0.4, 50, fpc1=0.0, fpc2=0.0) is None


def test_holm_matches_statsmodels() -> None:
    p_values = [0.01, 0.04, 0.03, 0.005, 0.2, 0.03]
    expected = multipletests(p_values, method="holm")[1]
    assert holm(p_values) == pytest.approx(list(expected))


def test_chi_square_matches_scipy() -> None:
    observed = [[60, 40], [30, 50], [22, 18]]
    statistic, dof, p, smallest = chi_square(observed)
    reference = chi2_contingency(observed, correction=False)
    assert statistic == pytest.approx(reference.statistic)
    assert dof == reference.dof and p == pytest.approx(reference.pvalue)
    assert smallest == pytest.approx(reference.expected_freq.min())


def test_finite_population_correction_scales_z() -> None:
    """With the same correction f on both columns, z grows by 1/sqrt(f)."""
    z, _ = proportions_ztest([60, 30], [100, 80])
    f = (500 - 100) / 499
    ours = two_proportion_z(0.6, 100, 30 / 80, 80, fpc1=f, fpc2=f)
    assert ours is not None and ours[0] == pytest.approx(z / math.sqrt(f))


def test_marks_on_a_table_hand_checked_with_statsmodels() -> None:
    """A: 60/100, B: 30/80, C: 10/20 (under 30: not tested)."""
    table = compute_frequencies("q", FRAME, _people({"A": (100, 60), "B": (80, 30),
                                                     "C": (20, 10)}),
                                breakdown_by="g", min_base=30)
    sig = compare_columns(table, min_base=30)
    _, p = proportions_ztest([60, 30], [100, 80])
    assert p < 0.05  # one pair tested, so Holm leaves it as it is
    assert sig.tested == ("A", "B") and sig.excluded == ("C",)
    assert sig.mark("c1", "A") == "B" and sig.mark("c1", "B") == "" and sig.mark("c1", "C") == ""
    reference = chi2_contingency([[60, 40], [30, 50]], correction=False)
    assert sig.chi_square["c1"].p == pytest.approx(reference.pvalue)
    assert sig.row_mark("c1") == CHI_MARK
    grid = table_grid(table.__class__(**{**table.__dict__, "significance": sig}))
    assert grid.head[3:] == ("A (n=100) [A] %", "B (n=80) [B] %", "C* (n=20) [C] %")
    assert grid.rows[0].cells == (f"Cost {CHI_MARK}", "100", "50%", "60% B", "38%", "50%")
    assert any("Holm" in n for n in grid.notes)
    assert any("(C) are not tested" in n and "indicative rather than statistically significant"
               in n for n in grid.notes)


def test_holm_across_three_columns_agrees_with_statsmodels() -> None:
    groups = {"A": (120, 66), "B": (110, 44), "C": (90, 45)}
    table = compute_frequencies("q", FRAME, _people(groups), breakdown_by="g")
    sig = compare_columns(table)
    pairs = [("A", "B"), ("A", "C"), ("B", "C")]
    raw = [proportions_ztest([groups[a][1], groups[b][1]], [groups[a][0], groups[b][0]])[1]
           for a, b in pairs]
    reject, adjusted, *_ = multipletests(raw, alpha=0.05, method="holm")
    for (a, b), p_adj, significant in zip(pairs, adjusted, reject, strict=True):
        test = sig.pair("c1", a, b)
        assert test is not None and test.p_adjusted == pytest.approx(p_adj)
        assert test.significant(0.05) == bool(significant)


def test_no_significant_difference_is_said_to_be_indicative() -> None:
    table = compute_frequencies("q", FRAME, _people({"A": (40, 20), "B": (40, 22)}),
                                breakdown_by="g")
    sig = compare_columns(table)
    assert not sig.any_significant
    assert any("indicative rather than statistically significant" in n for n in sig.notes)


def test_a_census_column_is_not_tested() -> None:
    """Waves of a population of 100 where wave 1 reached all 100: its percentages are actual."""
    table = compute_frequencies("q", FRAME, _people({"2025": (100, 50), "2026": (60, 20)}),
                                breakdown_by="wave")
    sig = compare_columns(table, population=100, by_wave=True)
    assert sig.census == ("2025",) and sig.tested == ("2026",)
    assert any("not estimates" in n for n in sig.notes)


def test_weighted_tests_use_effective_bases() -> None:
    people = []
    for rid in range(60):  # A: 30 weighted 2, 30 weighted 1; the code on the weight-2 half
        people.append(RespondentAnswer(rid, "answered", frozenset({"c1"}) if rid < 30
                                       else frozenset(), True, "A", weight=2.0 if rid < 30
                                       else 1.0))
    for rid in range(60, 120):  # B: unweighted 1, a third with the code
        people.append(RespondentAnswer(rid, "answered", frozenset({"c1"}) if rid < 80
                                       else frozenset(), True, "B"))
    table = compute_frequencies("q", FRAME, people, breakdown_by="g", weighted_by="w")
    a, b = table.columns
    assert a.pct("c1") == pytest.approx(100 * 60 / 90)
    assert a.effective_base == pytest.approx(90 ** 2 / (30 * 4 + 30))
    sig = compare_columns(table)
    test = sig.pair("c1", "A", "B")
    expected = two_proportion_z(60 / 90, a.effective_base or 0, 20 / 60, 60)
    assert test is not None and expected is not None and test.z == pytest.approx(expected[0])


def test_a_column_with_uncoded_answers_is_not_tested() -> None:
    """2026 has 40 of 50 answers not yet coded: comparing it would only show the backlog."""
    people = _people({"2025": (100, 50)})
    people += [RespondentAnswer(1000 + i, "answered", frozenset({"c1"}) if i < 5 else frozenset(),
                                i < 10, "2026") for i in range(50)]
    table = compute_frequencies("q", FRAME, people, breakdown_by="wave")
    assert [c.uncoded for c in table.columns] == [0, 40]
    sig = compare_columns(table, by_wave=True)
    assert sig.incomplete == ("2026",) and sig.tested == ("2025",) and not sig.pairs
    assert any("not yet coded are not tested: 2026 (40 of 50)" in n for n in sig.notes)
    # 2 of 50 (4%) not yet coded: still tested.
    people = people[:100] + [RespondentAnswer(2000 + i, "answered", frozenset(), i >= 2, "2026")
                             for i in range(50)]
    table = compute_frequencies("q", FRAME, people, breakdown_by="wave")
    assert compare_columns(table, by_wave=True).tested == ("2025", "2026")
