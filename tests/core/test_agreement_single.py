"""Overall agreement across categories for single-code questions, against published values."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from coder.core.agreement import (
    NO_CODE,
    CodingTable,
    compute_agreement,
    is_single_code,
    single_code_agreement,
    to_json_dict,
    to_rows,
)

CASES_PATH = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "agreement_cases.json"
)
needs_reference = pytest.mark.skipif(
    not CASES_PATH.exists() and not os.environ.get("CI"),
    reason=f"reference cases not found at {CASES_PATH}")


def _case(case_id: str) -> dict[str, Any]:
    cases = {c["id"]: c for c in json.loads(CASES_PATH.read_text(encoding="utf-8"))}
    return cases[case_id]


def table_of(data: list[list[Any]]) -> CodingTable:
    """Units x coders ratings (None = not rated) as one code per coded answer."""
    return CodingTable.from_records(
        (unit, f"coder{j}", [str(value)])
        for unit, row in enumerate(data) for j, value in enumerate(row) if value is not None)


@needs_reference
def test_two_coders_match_the_published_kappa_ac1_alpha_and_pi() -> None:
    data = _case("cohen_gwet_cont3x3abstractors")["data"]
    single = single_code_agreement(table_of(data))
    assert single is not None and single.n_units == 100
    assert single.kappa_cohen is not None
    assert single.kappa_cohen.value == pytest.approx(0.7964094, abs=1e-7)
    assert single.ac1.value == pytest.approx(0.8493305, abs=1e-7)
    assert single.alpha_nominal.value == pytest.approx(0.7972585, abs=1e-7)
    # Fleiss' kappa for two coders is Scott's pi; Conger's kappa for two is Cohen's
    assert single.kappa_fleiss.value == pytest.approx(0.7962397, abs=1e-7)
    assert single.kappa_conger.value == pytest.approx(0.7964094, abs=1e-7)


@needs_reference
def test_six_coders_match_the_published_fleiss_ac1_and_alpha() -> None:
    single = single_code_agreement(table_of(_case("gwet_distrib6raters_fleiss_kappa")["data"]))
    assert single is not None and single.kappa_cohen is None
    assert single.kappa_fleiss.value == pytest.approx(0.4139265, abs=1e-7)
    assert single.ac1.value == pytest.approx(0.4448007, abs=1e-7)
    assert single.alpha_nominal.value == pytest.approx(0.4204384, abs=1e-7)


@needs_reference
def test_an_answer_rated_once_does_not_count() -> None:
    """Unit 12 of Krippendorff's 4 x 12 data has one rating. Gwet lets it into the chance term
    (AC1 0.77544); the case's notes give the figures without it, which is what we report."""
    case = _case("gwet_raw4raters_gwet_ac1")
    single = single_code_agreement(table_of(case["data"]))
    assert single is not None and single.n_units == 11
    assert single.alpha_nominal.value == pytest.approx(0.7434211, abs=1e-7)
    assert single.ac1.value == pytest.approx(0.7751517, abs=1e-7)
    assert single.kappa_fleiss.value == pytest.approx(0.7624831, abs=1e-7)
    assert single.kappa_conger.value == pytest.approx(0.7624494, abs=1e-7)
    assert "0.7751517" in case["notes"]


def test_no_code_is_a_category_and_disagreeing_on_it_counts() -> None:
    table = CodingTable.from_records([
        (1, "a", ["x"]), (1, "b", ["x"]), (2, "a", ["y"]), (2, "b", []),
        (3, "a", []), (3, "b", []), (4, "a", ["y"]), (4, "b", ["y"])])
    single = single_code_agreement(table)
    assert single is not None and single.categories == ("x", "y", NO_CODE)
    # 3 of 4 answers agree: Cohen's kappa from the 3 x 3 table by hand
    po, pe = 3 / 4, (1 * 1 + 2 * 1 + 1 * 2) / 16
    assert single.kappa_cohen is not None
    assert single.kappa_cohen.value == pytest.approx((po - pe) / (1 - pe))


def test_two_codes_on_one_answer_make_a_question_multi_code() -> None:
    table = CodingTable.from_records([(1, "a", ["x", "y"]), (1, "b", ["x"]), (2, "a", ["y"]),
                                      (2, "b", ["y"])])
    assert not is_single_code(table)
    assert single_code_agreement(table) is None
    report = compute_agreement(table)
    assert report.single_code is None
    assert "kappa_fleiss" not in to_json_dict(report)["overall"]


def test_a_coder_who_double_coded_nothing_is_left_out_so_two_coders_get_cohen() -> None:
    table = CodingTable.from_records([
        (1, "a", ["x"]), (1, "b", ["x"]), (2, "a", ["y"]), (2, "b", ["x"]), (3, "a", ["y"]),
        (3, "b", ["y"]), (4, "c", ["x"])])  # c coded answer 4 alone
    single = single_code_agreement(table)
    assert single is not None and single.kappa_cohen is not None and single.n_units == 3


def test_too_few_answers_are_undefined_with_the_reason() -> None:
    single = single_code_agreement(CodingTable.from_records([(1, "a", ["x"]), (1, "b", ["y"])]))
    assert single is not None
    assert all(s.value is None and "insufficient" in (s.reason or "")
               for s in single.statistics().values())


def test_json_and_rows_carry_the_coefficients() -> None:
    table = CodingTable.from_records([
        (u, c, [code]) for u, (x, y) in enumerate([("p", "p"), ("q", "q"), ("p", "q"), ("q", "q")])
        for c, code in (("a", x), ("b", y))])
    report = compute_agreement(table)
    overall = to_json_dict(report)["overall"]
    assert set(overall) >= {"alpha_nominal", "ac1", "kappa_fleiss", "kappa_conger", "kappa_cohen"}
    assert report.single_code is not None
    assert overall["kappa_cohen"] == report.single_code.kappa_cohen.value  # type: ignore[union-attr]
    extended = to_json_dict(report, extended=True)["overall"]
    assert extended["single_code"] == {"n_units": 4, "categories": ["p", "q"]}
    rows = {r["code"]: r for r in to_rows(report) if r["scope"] == "overall"}
    assert rows["kappa_fleiss"]["alpha"] == overall["kappa_fleiss"]
    assert rows["kappa_fleiss"]["grade"] is None and rows["alpha_nominal"]["grade"] is not None
