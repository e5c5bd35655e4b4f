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
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from coder.core.agreement.metrics import NO_VARIATION, TOO_FEW_UNITS, Statistic

if TYPE_CHECKING:  # scipy is imported where it is used: opening a project needs none of it
    from scipy import sparse

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


def _distinct_rows(
    rows: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Index of the first occurrence of each distinct row, and each row's distinct id."""
    packed = np.packbits(rows, axis=1)
    width = -(-packed.shape[1] // 8) * 8
    padded = np.zeros((len(rows), width), dtype=np.uint8)
    padded[:, : packed.shape[1]] = packed
    words = padded.view(np.uint64)
    if words.shape[1] == 1:
        _, first, inverse = np.unique(words[:, 0], return_index=True, return_inverse=True)
    else:
        _, first, inverse = np.unique(words, axis=0, return_index=True, return_inverse=True)
    return first, inverse.ravel()


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
    flat_sets = applied[coded]
    if len(flat_sets):
        first, inverse = _distinct_rows(flat_sets)
        value_sets = flat_sets[first]
    else:
        first = inverse = np.zeros(0, dtype=np.int64)
        value_sets = np.zeros((0, applied.shape[2]), dtype=bool)
    unit_of_value = np.nonzero(coded)[0]
    from scipy import sparse

    counts = sparse.csr_matrix(
        (np.ones(len(unit_of_value)), (unit_of_value, inverse.ravel())),
        shape=(n_units, len(first)),
    )
    return SetAlphaParts(disagreement, m, counts, value_sets)


def expected_disagreement_direct(
    value_sets: npt.NDArray[np.bool_],
    value_totals: npt.NDArray[np.float64],
    distance: SetDistance = "masi",
    masi_weights: tuple[float, float] = MASI_WEIGHTS,
) -> npt.NDArray[np.float64]:
    """``n' D n`` for each column n of ``value_totals`` (distinct sets x replicates).

    The plain way: the sets x sets distance matrix D, built in row blocks. Quadratic in the
    number of distinct sets, so used when sets are few or too large for the subset lattice.
    """
    sets = value_sets.astype(np.float64)
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


@dataclass(frozen=True)
class ExpectedDisagreement:
    """Computes ``n' D n`` (sum over ordered pairs of set values of their distance) fast.

    The distance between two sets depends only on their sizes and the size of their
    intersection. Counting pairs by (size a, size b, intersection size) is done on the lattice
    of subsets of the observed sets: with ``A_U(s)`` = number of values of size s containing
    subset U, Moebius inversion gives the pairs whose intersection is exactly T, so

        n' D n = sum over U of  A_U' K_|U| A_U,   K_u[a, b] = sum_i C(u, i) (-1)^(u-i) d(i; a, b)

    which is linear in the number of subsets instead of quadratic in the number of sets.
    Falls back to :func:`expected_disagreement_direct` when the lattice would be large.
    """

    value_sets: npt.NDArray[np.bool_]
    distance: SetDistance
    masi_weights: tuple[float, float]
    incidence: list[sparse.csr_matrix] | None  # per set size: subsets x sets of that size
    kernels: list[npt.NDArray[np.float64]] | None  # K_u for subset size u = 0, 1, ...
    subset_sizes: npt.NDArray[np.int64] | None

    @classmethod
    def build(
        cls,
        value_sets: npt.NDArray[np.bool_],
        distance: SetDistance = "masi",
        masi_weights: tuple[float, float] = MASI_WEIGHTS,
        max_subsets: int = 2_000_000,
    ) -> ExpectedDisagreement:
        """Prepare for the given distinct sets (rows of a boolean sets x codes matrix)."""
        sizes = value_sets.sum(axis=1)
        n_subsets = float(np.sum(2.0 ** sizes.astype(np.float64)))
        if len(value_sets) < 500 or n_subsets > max_subsets:
            return cls(value_sets, distance, masi_weights, None, None, None)
        set_ids: list[npt.NDArray[np.int64]] = []
        keys: list[npt.NDArray[np.bool_]] = []
        for size in np.unique(sizes):
            rows = np.nonzero(sizes == size)[0]
            members = np.nonzero(value_sets[rows])[1].reshape(len(rows), int(size))
            for mask in range(2 ** int(size)):
                chosen = [j for j in range(int(size)) if mask >> j & 1]
                sub = np.zeros((len(rows), value_sets.shape[1]), dtype=bool)
                if chosen:
                    sub[np.arange(len(rows))[:, None], members[:, chosen]] = True
                set_ids.append(rows)
                keys.append(sub)
        all_sets = np.concatenate(set_ids)
        first, subset_of_row = _distinct_rows(np.concatenate(keys))
        subset_sizes = np.concatenate(keys)[first].sum(axis=1)
        from scipy import sparse

        incidence_all = sparse.csr_matrix(
            (np.ones(len(all_sets)), (subset_of_row.ravel(), all_sets)),
            shape=(len(first), len(value_sets)),
        )
        max_size = int(sizes.max())
        by_column = incidence_all.tocsc()
        incidence = [by_column[:, sizes == s].tocsr() for s in range(max_size + 1)]
        size_grid = np.arange(max_size + 1, dtype=np.float64)
        kernels = []
        for u in range(max_size + 1):
            kern = np.zeros((max_size + 1, max_size + 1))
            for i in range(u + 1):
                d = _distance_from_counts(
                    np.array(float(i)),
                    size_grid[:, None],
                    size_grid[None, :],
                    distance,
                    masi_weights,
                )
                kern += math.comb(u, i) * (-1) ** (u - i) * d
            kernels.append(kern)
        return cls(value_sets, distance, masi_weights, incidence, kernels, subset_sizes)

    def __call__(self, value_totals: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """``n' D n`` for each column n of ``value_totals`` (distinct sets x replicates)."""
        if self.incidence is None or self.kernels is None or self.subset_sizes is None:
            return expected_disagreement_direct(
                self.value_sets, value_totals, self.distance, self.masi_weights
            )
        sizes = self.value_sets.sum(axis=1)
        # contains[s]: subsets x replicates, values of size s containing each subset
        contains = np.stack(
            [m @ value_totals[sizes == s] for s, m in enumerate(self.incidence)], axis=1
        )
        out = np.zeros(value_totals.shape[1])
        for u, kern in enumerate(self.kernels):
            block = contains[self.subset_sizes == u]  # subsets x sizes x replicates
            if len(block):
                out += np.einsum("usr,st,utr->r", block, kern, block, optimize=True)
        return out


def expected_disagreement_sums(
    parts: SetAlphaParts,
    value_totals: npt.NDArray[np.float64],
    distance: SetDistance = "masi",
    masi_weights: tuple[float, float] = MASI_WEIGHTS,
) -> npt.NDArray[np.float64]:
    """``n' D n`` for each column of ``value_totals`` (distinct sets x replicates)."""
    return ExpectedDisagreement.build(parts.value_sets, distance, masi_weights)(value_totals)


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
