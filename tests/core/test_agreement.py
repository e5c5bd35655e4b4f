"""Agreement reports for survey answers: per code, overall, undefined cases and bootstrap."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from coder.core.agreement import (
    CodingRecord,
    CodingTable,
    compute_agreement,
    grade,
    gwet_ac1,
    to_json_dict,
    to_rows,
)
from coder.core.agreement.sets import ExpectedDisagreement, expected_disagreement_direct
from coder.core.errors import Cancelled
from coder.core.progress import Progress

CASES_PATH = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "agreement_cases.json"
)
needs_reference = pytest.mark.skipif(
    not CASES_PATH.exists() and not os.environ.get("CI"), reason=f"reference cases not found at {CASES_PATH}"
)


def _cases() -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in json.loads(CASES_PATH.read_text(encoding="utf-8"))}


def _survey_table(data: list[list[list[str] | None]], codes: list[str]) -> CodingTable:
    records = [
        CodingRecord(f"r{i}", f"c{j + 1}", frozenset(cell))
        for i, row in enumerate(data)
        for j, cell in enumerate(row)
        if cell is not None
    ]
    return CodingTable.from_records(records, codes=codes)


@needs_reference
def test_survey_report_reproduces_the_multilabel_reference() -> None:
    cases = _cases()
    base = cases["ml_survey_alpha_masi"]
    report = compute_agreement(_survey_table(base["data"], base["codeframe"]))

    assert report.alpha_masi.value == pytest.approx(base["expected"], abs=base["tolerance"])
    pooled = cases["ml_survey_pooled_binary_alpha"]
    assert report.alpha_pooled.value == pytest.approx(pooled["expected"], abs=pooled["tolerance"])
    for code in base["codeframe"]:
        alpha = cases[f"ml_survey_percode_alpha_{code}"]
        kappa = cases[f"ml_survey_percode_cohen_c1c2_{code}"]
        got = report.codes[code]
        assert got.alpha.value == pytest.approx(alpha["expected"], abs=alpha["tolerance"])
        assert got.kappa_pairs["c1|c2"].value == pytest.approx(
            kappa["expected"], abs=kappa["tolerance"]
        )
    # 12 answers, one of them coded by a single coder only.
    assert (report.n_answers, report.n_units) == (12, 11)
    assert report.poor_codes() == ["QUALITY", "SERVICE", "DELIVERY"]


def _random_table(seed: int, n: int = 300, coders: int = 3, codes: int = 6) -> CodingTable:
    rng = np.random.default_rng(seed)
    truth = rng.random((n, codes)) < np.linspace(0.05, 0.4, codes)
    applied = np.stack([truth ^ (rng.random((n, codes)) < 0.08) for _ in range(coders)], axis=1)
    coded = rng.random((n, coders)) > 0.25
    applied &= coded[:, :, None]
    return CodingTable(
        tuple(range(n)),
        tuple(f"k{j}" for j in range(coders)),
        tuple(f"code{k}" for k in range(codes)),
        coded,
        applied,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_per_code_statistics_match_independent_implementations(seed: int) -> None:
    """Vectorised per-code figures equal the krippendorff package and scikit-learn's kappa."""
    table = _random_table(seed)
    report = compute_agreement(table)
    for k, code in enumerate(table.codes):
        binary = np.where(table.coded, table.applied[:, :, k], np.nan)
        expected_alpha = krippendorff.alpha(
            reliability_data=binary.T, level_of_measurement="nominal"
        )
        assert report.codes[code].alpha.value == pytest.approx(expected_alpha, abs=1e-12)
        double = table.coded.sum(axis=1) >= 2
        rows = [[None if np.isnan(v) else int(v) for v in row] for row in binary[double]]
        assert report.codes[code].ac1.value == pytest.approx(
            gwet_ac1(rows, categories=(0, 1)).value, abs=1e-12
        )
        both = table.coded[:, 0] & table.coded[:, 1]
        expected_kappa = cohen_kappa_score(table.applied[both, 0, k], table.applied[both, 1, k])
        assert report.codes[code].kappa_pairs["k0|k1"].value == pytest.approx(
            expected_kappa, abs=1e-12
        )


def test_answers_coded_by_one_coder_do_not_count() -> None:
    table = _random_table(4)
    extra = CodingTable(
        (*table.units, "solo-1", "solo-2"),
        table.coders,
        table.codes,
        np.vstack([table.coded, [[True, False, False], [False, True, False]]]),
        np.vstack([table.applied, np.ones((2, 3, len(table.codes)), dtype=bool)])
        & np.vstack([table.coded, [[True, False, False], [False, True, False]]])[:, :, None],
    )
    before, after = compute_agreement(table), compute_agreement(extra)
    assert after.n_answers == before.n_answers + 2
    assert after.n_units == before.n_units
    for code in table.codes:
        assert after.codes[code].alpha == before.codes[code].alpha
        assert after.codes[code].ac1 == before.codes[code].ac1
        assert after.codes[code].percent_agreement == before.codes[code].percent_agreement
    assert after.alpha_masi == before.alpha_masi


def test_coded_with_no_code_is_absent_but_not_coded_is_missing() -> None:
    records = [
        ("a1", "A", {"X"}),
        ("a1", "B", {"X"}),
        ("a2", "A", set()),
        ("a2", "B", set()),
        ("a3", "A", {"X"}),
        ("a3", "B", set()),  # B coded a3 and did not apply X: a disagreement
        ("a4", "A", {"X"}),  # B never coded a4: missing, not a disagreement
    ]
    report = compute_agreement(CodingTable.from_records(records))
    stat = report.codes["X"]
    assert stat.n_units == 3
    assert stat.percent_agreement.value == pytest.approx(2 / 3)
    # Values A=(1,0,1), B=(1,0,0): coincidences o11=2, o00=2, o01=o10=1, so n1=n0=3, n=6
    # and alpha = 1 - (n-1) * o01 / (n0 * n1).
    assert stat.alpha.value == pytest.approx(1 - 5 * 1 / (3 * 3))


def test_undefined_figures_carry_reasons_and_serialise_as_null() -> None:
    records = [
        ("a1", "A", {"X"}),
        ("a1", "B", {"X"}),
        ("a2", "A", set()),
        ("a2", "B", {"X"}),
        ("a3", "A", {"X"}),
        ("a3", "B", {"X"}),
    ]
    table = CodingTable.from_records(records, codes=["X", "NEVER"])
    report = compute_agreement(table)
    never = report.codes["NEVER"]
    assert never.alpha.value is None
    assert "no variation" in (never.alpha.reason or "")
    assert never.grade == "undefined"
    assert never.kappa_pairs["A|B"].value is None
    doc = to_json_dict(report)
    assert doc["codes"]["NEVER"]["alpha"] is None
    assert "no variation" in doc["codes"]["NEVER"]["reason"]["alpha"]
    assert "kappa_pairs.A|B" in doc["codes"]["NEVER"]["reason"]
    json.dumps(doc, allow_nan=False)  # no NaN anywhere


def test_fewer_than_two_double_coded_answers_is_insufficient() -> None:
    report = compute_agreement(
        CodingTable.from_records([("a1", "A", {"X"}), ("a1", "B", set()), ("a2", "A", {"X"})])
    )
    for stat in (report.codes["X"].alpha, report.codes["X"].ac1, report.alpha_masi):
        assert stat.value is None
        assert "insufficient data" in (stat.reason or "")


def test_json_has_exactly_the_documented_shape() -> None:
    doc = to_json_dict(compute_agreement(_random_table(5, coders=2, codes=2)))
    assert set(doc) == {"codes", "overall"}
    assert set(doc["overall"]) == {"alpha_masi", "alpha_pooled"}
    for entry in doc["codes"].values():
        assert set(entry) == {"alpha", "ac1", "percent_agreement", "n_units", "kappa_pairs"}
        assert set(entry["kappa_pairs"]) == {"k0|k1"}


def test_rows_cover_codes_overall_and_pairs() -> None:
    report = compute_agreement(_random_table(6), n_bootstrap=50, seed=3)
    rows = to_rows(report)
    scopes = [r["scope"] for r in rows]
    assert scopes.count("code") == 6
    assert scopes.count("overall") == 3
    assert scopes.count("pair k0|k1") == 2
    first = rows[0]
    assert first["alpha_ci_low"] <= first["alpha"] <= first["alpha_ci_high"]
    assert first["grade"] == grade(first["alpha"])


@pytest.mark.parametrize(
    ("alpha", "expected"),
    [
        (0.93, "good"),
        (0.800, "good"),
        (0.7996, "good"),  # shown as 0.800
        (0.799, "tentative"),
        (0.667, "tentative"),
        (2 / 3, "tentative"),  # shown as 0.667
        (0.6664, "poor"),
        (-0.2, "poor"),
        (None, "undefined"),
        (float("nan"), "undefined"),
    ],
)
def test_grade_follows_krippendorffs_guideline(alpha: float | None, expected: str) -> None:
    assert grade(alpha) == expected


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    table = _random_table(7, n=400)
    progress: list[tuple[int, int]] = []
    one = compute_agreement(
        table, n_bootstrap=200, seed=11, progress=Progress(lambda d, t, _m: progress.append((d, t)))
    )
    two = compute_agreement(table, n_bootstrap=200, seed=11)
    other = compute_agreement(table, n_bootstrap=200, seed=12)
    assert one == two
    assert one.alpha_masi != other.alpha_masi
    assert progress[-1] == (200, 200)
    for stat in [
        one.alpha_masi,
        one.alpha_pooled,
        one.alpha_mean,
        *(c.alpha for c in one.codes.values()),
    ]:
        assert stat.ci_low is not None and stat.ci_high is not None
        assert stat.ci_low < stat.value < stat.ci_high
        assert stat.ci_high - stat.ci_low < 0.5


def test_bootstrap_can_be_cancelled() -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        compute_agreement(_random_table(8), n_bootstrap=100, progress=Progress(cancel=cancel))


@pytest.mark.parametrize("distance", ["masi", "jaccard", "nominal"])
def test_lattice_expected_disagreement_equals_the_direct_sum(distance: str) -> None:
    rng = np.random.default_rng(9)
    sets = np.unique(rng.random((3000, 16)) < 0.2, axis=0)
    assert not sets[0].any(), "the empty set (coded, no code) should be among the values"
    totals = rng.integers(0, 20, size=(len(sets), 3)).astype(float)
    fast = ExpectedDisagreement.build(sets, distance)  # type: ignore[arg-type]
    assert fast.incidence is not None, "expected the lattice path for this many sets"
    direct = expected_disagreement_direct(sets, totals, distance)  # type: ignore[arg-type]
    np.testing.assert_allclose(fast(totals), direct, rtol=1e-10)
