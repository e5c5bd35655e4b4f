"""Krippendorff's alpha on sets of codes (MASI, Jaccard, exact-set distances); numpy only, no I/O.

A multi-coded survey answer gets a *set* of codes from each coder. Alpha on sets compares
whole sets with a distance between 0 (same set) and 1 (disjoint sets). MASI (Passonneau 2006)
is ``1 - J * M`` with J the Jaccard index and M = 1 for equal sets, 2/3 when one set contains
the other, 1/3 for other overlapping sets and 0 for disjoint sets. Two empty sets ("coded, no
code applies") are equal, distance 0. No off-the-shelf package computes this at survey scale,
so the coincidence computation is vectorised here.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse

from coder.core.agreement_metrics import NO_VARIATION, TOO_FEW_UNITS, Statistic

SetDistance = Literal["masi", "jaccard", "nominal"]
#: MASI's M for (subset, overlap); NLTK before 3.10.4 used the rounded (0.67, 0.33).
MASI_WEIGHTS: tuple[float, float] = (2 / 3, 1 / 3)

_BLOCK_CELLS = 4_000_000


def _distance_from_counts(
    inter: npt.NDArray[np.float64],
    size_a: npt.NDArray[np.float64],
    size_b: npt.NDArray[np.float64],
    distance: SetDistance,
    masi_weights: tuple[float, float],
) -> npt.NDArray[np.float64]:
    """Element-wise set distance from |A&B|, |A| and |B| (broadcasting)."""
    union = size_a + size_b - inter
    equal = (inter == size_a) & (inter == size_b)
    if distance == "nominal":
        return np.where(equal, 0.0, 1.0)
    jaccard = np.divide(
        inter, union, out=np.ones(np.broadcast(inter, union).shape), where=union > 0
    )
    if distance == "jaccard":
        return 1.0 - jaccard
    if distance != "masi":
        raise ValueError(f"unknown set distance {distance!r}")
    subset_w, overlap_w = masi_weights
    nested = inter == np.minimum(size_a, size_b)
    m = np.where(equal, 1.0, np.where(nested, subset_w, np.where(inter > 0, overlap_w, 0.0)))
    return 1.0 - jaccard * m


def set_distance(
    a: Iterable[Hashable],
    b: Iterable[Hashable],
    distance: SetDistance = "masi",
    masi_weights: tuple[float, float] = MASI_WEIGHTS,
) -> float:
    """Distance between two code sets: "masi", "jaccard" or "nominal" (0 if equal, else 1)."""
    sa, sb = set(a), set(b)
    out = _distance_from_counts(
        np.array(float(len(sa & sb))),
        np.array(float(len(sa))),
        np.array(float(len(sb))),
        distance,
        masi_weights,
    )
    return float(out)


@dataclass(frozen=True)
class SetAlphaParts:
    """Per-unit pieces of alpha on sets, so bootstrap replicates are weighted sums.

    Attributes:
        unit_disagreement: Per pairable unit, sum over ordered coder pairs of the distance,
            divided by (coders on the unit - 1).
        unit_values: Per pairable unit, number of coders who coded it.
        value_counts: Pairable units x distinct sets (sparse): how many coders gave each set.
        value_sets: Distinct sets x codes, boolean.
    """

    unit_disagreement: npt.NDArray[np.float64]
    unit_values: npt.NDArray[np.float64]
    value_counts: sparse.csr_matrix
    value_sets: npt.NDArray[np.bool_]


def set_alpha_parts(
    coded: npt.NDArray[np.bool_],
    applied: npt.NDArray[np.bool_],
    distance: SetDistance = "masi",
    masi_weights: tuple[float, float] = MASI_WEIGHTS,
) -> SetAlphaParts:
    """Split alpha on sets into per-unit sums over the units coded by at least 2 coders.

    Args:
        coded: Units x coders, True where the coder coded the unit (possibly with no code).
        applied: Units x coders x codes, True where the coder applied the code.
        distance: The set distance.
        masi_weights: MASI's M for (subset, overlap).
    """
    m = coded.sum(axis=1)
    keep = m >= 2
    coded, applied, m = coded[keep], applied[keep], m[keep].astype(np.float64)
    n_units, n_coders, _ = applied.shape
    sizes = applied.sum(axis=2).astype(np.float64)
    disagreement = np.zeros(n_units)
    for c in range(n_coders):
        for d in range(c + 1, n_coders):
            both = coded[:, c] & coded[:, d]
            inter = (applied[:, c] & applied[:, d]).sum(axis=1).astype(np.float64)
            dist = _distance_from_counts(inter, sizes[:, c], sizes[:, d], distance, masi_weights)
            disagreement += np.where(both, 2.0 * dist, 0.0)
    disagreement /= np.maximum(m - 1, 1)
    packed = np.packbits(applied, axis=2)
    flat = packed[coded]
    if len(flat):
        keys = np.ascontiguousarray(flat).view(np.dtype((np.void, flat.shape[1]))).ravel()
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        value_sets = applied[coded][first]
    else:
        first = inverse = np.zeros(0, dtype=np.int64)
        value_sets = np.zeros((0, applied.shape[2]), dtype=bool)
    unit_of_value = np.nonzero(coded)[0]
    counts = sparse.csr_matrix(
        (np.ones(len(unit_of_value)), (unit_of_value, inverse.ravel())),
        shape=(n_units, len(first)),
    )
    return SetAlphaParts(disagreement, m, counts, value_sets)


def expected_disagreement_sums(
    parts: SetAlphaParts,
    value_totals: npt.NDArray[np.float64],
    distance: SetDistance = "masi",
    masi_weights: tuple[float, float] = MASI_WEIGHTS,
) -> npt.NDArray[np.float64]:
    """``n_v' D n_v`` for each column of ``value_totals`` (distinct sets x replicates).

    Computed in row blocks so the sets x sets distance matrix is never held whole.
    """
    sets = parts.value_sets.astype(np.float64)
    sizes = sets.sum(axis=1)
    n_values = len(sets)
    out = np.zeros(value_totals.shape[1])
    block = max(1, _BLOCK_CELLS // max(n_values, 1))
    for start in range(0, n_values, block):
        stop = min(start + block, n_values)
        inter = sets[start:stop] @ sets.T
        dist = _distance_from_counts(
            inter, sizes[start:stop, None], sizes[None, :], distance, masi_weights
        )
        out += ((dist @ value_totals) * value_totals[start:stop]).sum(axis=0)
    return out


def alpha_from_sums(
    disagreement: float, n_values: float, expected: float, n_units: int
) -> Statistic:
    """Alpha = 1 - (n - 1) * sum of unit disagreements / (n_v' D n_v), or why undefined."""
    if n_units < 2:
        return Statistic.undefined(TOO_FEW_UNITS)
    if expected <= 0 or not math.isfinite(expected):
        return Statistic.undefined(NO_VARIATION)
    return Statistic(float(1.0 - (n_values - 1.0) * disagreement / expected))


def alpha_on_sets(
    ratings: Sequence[Sequence[Iterable[Hashable] | None]],
    distance: SetDistance = "masi",
    masi_weights: tuple[float, float] = MASI_WEIGHTS,
) -> Statistic:
    """Krippendorff's alpha on code sets, units x coders, None = coder did not code the unit.

    Args:
        ratings: One row per unit, one entry per coder: the set of codes applied (empty =
            coded, no code) or None.
        distance: "masi", "jaccard" or "nominal" (each distinct set is one category).
        masi_weights: MASI's M for (subset, overlap); pass (0.67, 0.33) only to reproduce
            figures from NLTK releases before 3.10.4.
    """
    rows = [list(r) for r in ratings]
    n_coders = max((len(r) for r in rows), default=0)
    labels = sorted({str(c) for r in rows for cell in r if cell is not None for c in cell})
    index = {c: k for k, c in enumerate(labels)}
    coded = np.zeros((len(rows), n_coders), dtype=bool)
    applied = np.zeros((len(rows), n_coders, len(labels)), dtype=bool)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if cell is not None:
                coded[i, j] = True
                for c in cell:
                    applied[i, j, index[str(c)]] = True
    parts = set_alpha_parts(coded, applied, distance, masi_weights)
    totals = np.asarray(parts.value_counts.sum(axis=0)).reshape(-1, 1)
    expected = float(expected_disagreement_sums(parts, totals, distance, masi_weights)[0])
    return alpha_from_sums(
        float(parts.unit_disagreement.sum()),
        float(parts.unit_values.sum()),
        expected,
        len(parts.unit_values),
    )
