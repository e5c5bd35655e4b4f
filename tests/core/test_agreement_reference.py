"""Every published case in ../shared/reference/agreement_cases.json, reproduced within tolerance."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from coder.core.agreement import metrics as m
from coder.core.agreement.sets import alpha_on_sets, set_alpha_parts

CASES_PATH = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "agreement_cases.json"
)

pytestmark = pytest.mark.skipif(
    not CASES_PATH.exists() and not os.environ.get("CI"), reason=f"reference cases not found at {CASES_PATH}"
)

Metric = Callable[[Any], m.Statistic]

METRICS: dict[str, Metric] = {
    "krippendorff_alpha_nominal": lambda d: m.krippendorff_alpha(d, "nominal"),
    "krippendorff_alpha_ordinal": lambda d: m.krippendorff_alpha(d, "ordinal"),
    "krippendorff_alpha_interval": lambda d: m.krippendorff_alpha(d, "interval"),
    "krippendorff_alpha_ratio": lambda d: m.krippendorff_alpha(d, "ratio"),
    "krippendorff_alpha_linear_weights": lambda d: m.krippendorff_alpha(d, "linear"),
    "krippendorff_alpha_gwet_ordinal_weights": lambda d: m.krippendorff_alpha(d, "gwet_ordinal"),
    "krippendorff_alpha_nominal_binary_per_code": lambda d: m.krippendorff_alpha(d, "nominal"),
    "krippendorff_alpha_nominal_pooled_binary": lambda d: m.krippendorff_alpha(d, "nominal"),
    "gwet_ac1": m.gwet_ac1,
    # Present/absent per code: q = 2 even where a code is never applied.
    "gwet_ac1_binary_per_code": lambda d: m.gwet_ac1(d, categories=(0, 1)),
    "gwet_ac2_linear": lambda d: m.gwet_ac2(d, "linear"),
    "gwet_ac2_quadratic": lambda d: m.gwet_ac2(d, "quadratic"),
    "gwet_ac2_ordinal_gwetweights": lambda d: m.gwet_ac2(d, "ordinal"),
    "fleiss_kappa": m.fleiss_kappa,
    "fleiss_kappa_gwet_missing": m.fleiss_kappa,
    "conger_kappa": m.conger_kappa,
    "brennan_prediger": m.brennan_prediger,
    "bennett_s": m.bennett_s,
    "percent_agreement": m.percent_agreement,
    "cohen_kappa": m.cohen_kappa,
    "cohen_kappa_binary_per_code": m.cohen_kappa,
    "cohen_kappa_linear": lambda d: m.cohen_kappa(d, "linear"),
    "cohen_kappa_quadratic": lambda d: m.cohen_kappa(d, "quadratic"),
    "scott_pi": m.scott_pi,
    "alpha_masi": lambda d: alpha_on_sets(d, "masi"),
    "alpha_jaccard": lambda d: alpha_on_sets(d, "jaccard"),
    "krippendorff_alpha_nominal_on_sets": lambda d: alpha_on_sets(d, "nominal"),
    # Only to recognise figures from NLTK < 3.10.4, which rounded MASI's thirds.
    "alpha_masi_legacy_nltk": lambda d: alpha_on_sets(d, "masi", masi_weights=(0.67, 0.33)),
}

# Cases whose published number is what other tools print but which we deliberately report as
# undefined, as the case's own notes ask ("Report 'insufficient data', not 0").
REPORTED_UNDEFINED = {"edge_single_unit_subset": "insufficient data"}


def _cases() -> list[dict[str, Any]]:
    if not CASES_PATH.exists():
        return []
    return json.loads(CASES_PATH.read_text(encoding="utf-8"))


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_reference_case(case: dict[str, Any]) -> None:
    metric = METRICS[case["metric"]]
    result = metric(case["data"])
    if case["id"] in REPORTED_UNDEFINED:
        assert result.value is None
        assert REPORTED_UNDEFINED[case["id"]] in (result.reason or "")
        return
    if case["expected"] is None:
        assert result.value is None, "an undefined coefficient must not be reported as a number"
        assert result.reason, "an undefined coefficient must say why"
        return
    assert result.value is not None, result.reason
    assert result.value == pytest.approx(case["expected"], abs=case["tolerance"])


def test_every_metric_in_the_file_is_mapped() -> None:
    assert {c["metric"] for c in CASES} <= set(METRICS)


def test_single_unit_alpha_is_zero_by_construction_so_reported_undefined() -> None:
    """With one unit observed and expected disagreement coincide (alpha = 0, NLTK's number)."""
    case = next(c for c in CASES if c["id"] == "edge_single_unit_subset")
    coded = [[cell is not None for cell in row] for row in case["data"]]
    labels = sorted({c for row in case["data"] for cell in row for c in cell})
    applied = np.array(
        [[[code in cell for code in labels] for cell in row] for row in case["data"]]
    )
    parts = set_alpha_parts(np.array(coded), applied)
    n = parts.unit_values.sum()
    observed = parts.unit_disagreement.sum() / n
    # Expected disagreement over the 2 values {A} and {A, B}: MASI distance 1 - 1/2 * 2/3.
    expected = 2 * (1 - 0.5 * 2 / 3) / (n * (n - 1))
    assert 1 - observed / expected == pytest.approx(case["expected"], abs=case["tolerance"])
