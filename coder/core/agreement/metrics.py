"""Generic inter-coder agreement coefficients on a units x coders matrix; numpy only, no I/O or UI.

Every function takes ``ratings``: one row per unit, one column per coder, ``None`` where that
coder did not rate that unit (missing is never a category). Each returns a :class:`Statistic`;
a value that is mathematically undefined (no variation, too few units) comes back as
``value=None`` with the reason, never as 0 or NaN.

Chance-corrected coefficients for several coders with missing ratings follow Gwet (2014),
*Handbook of Inter-Rater Reliability*, 4th ed., ch. 2-5 (the formulas of his ``irrCAC``
package): percent agreement is averaged over units rated at least twice, while the category
shares behind chance agreement use every rated unit. Krippendorff's alpha uses the maintained
``krippendorff`` package.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Ratings = Sequence[Sequence[Hashable | None]]
Weights = Literal["identity", "linear", "quadratic", "ordinal"]
AlphaLevel = Literal["nominal", "ordinal", "interval", "ratio", "linear", "gwet_ordinal"]

NO_VARIATION = "no variation: every rating is the same value, so chance disagreement is 0"
TOO_FEW_UNITS = "insufficient data: fewer than 2 units rated by at least 2 coders"


@dataclass(frozen=True)
class Statistic:
    """One agreement figure, or the reason it is undefined.

    Attributes:
        value: The coefficient, or None when undefined.
        reason: Why ``value`` is None (None when defined).
        ci_low: Lower end of the 95% bootstrap interval, when computed and defined.
        ci_high: Upper end of the 95% bootstrap interval, when computed and defined.
    """

    value: float | None
    reason: str | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    @classmethod
    def undefined(cls, reason: str) -> Statistic:
        """An undefined statistic with its reason."""
        return cls(value=None, reason=reason)

    @property
    def defined(self) -> bool:
        """Whether the statistic has a value."""
        return self.value is not None


def _ratio(numerator: float, denominator: float, reason: str) -> Statistic:
    if denominator == 0 or not math.isfinite(numerator / denominator):
        return Statistic.undefined(reason)
    return Statistic(float(numerator / denominator))


@dataclass(frozen=True)
class _Encoded:
    """Ratings as category indices (-1 = missing) with the sorted category values."""

    index: npt.NDArray[np.int64]
    categories: tuple[Hashable, ...]

    @property
    def counts(self) -> npt.NDArray[np.float64]:
        """Units x categories: how many coders put each unit in each category."""
        q = len(self.categories)
        onehot = self.index[:, :, None] == np.arange(q)[None, None, :]
        return onehot.sum(axis=1).astype(np.float64)


def _encode(ratings: Ratings, categories: Sequence[Hashable] | None = None) -> _Encoded:
    rows = [list(row) for row in ratings]
    width = {len(row) for row in rows}
    if len(width) > 1:
        raise ValueError("every unit must have one entry per coder (use None for missing)")
    present = {v for row in rows for v in row if v is not None}
    if categories is None:
        try:
            cats: tuple[Hashable, ...] = tuple(sorted(present))  # type: ignore[type-var]
        except TypeError:
            cats = tuple(dict.fromkeys(v for row in rows for v in row if v is not None))
    else:
        cats = tuple(categories)
        unknown = present - set(cats)
        if unknown:
            raise ValueError(f"ratings outside the given categories: {sorted(map(str, unknown))}")
    lookup = {c: i for i, c in enumerate(cats)}
    n_coders = width.pop() if width else 0
    index = np.full((len(rows), n_coders), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is not None:
                index[i, j] = lookup[v]
    return _Encoded(index, cats)


def _numeric(categories: tuple[Hashable, ...]) -> npt.NDArray[np.float64]:
    try:
        return np.array([float(c) for c in categories], dtype=np.float64)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError("weighted coefficients need numeric category values") from None


def agreement_weights(categories: Sequence[Hashable], weights: Weights) -> npt.NDArray[np.float64]:
    """Gwet's agreement weights between categories (1 on the diagonal).

    Args:
        categories: Category values in order; numeric unless ``weights`` is "identity".
        weights: "identity" (nominal), "linear" or "quadratic" (on the category values), or
            "ordinal" (Gwet's rank-based weights, not Krippendorff's ordinal metric).

    Returns:
        A q x q matrix of weights in [0, 1].
    """
    q = len(categories)
    if weights == "identity" or q < 2:
        return np.eye(q)
    if weights == "ordinal":
        rank = np.arange(q, dtype=np.float64)
        span = np.abs(rank[:, None] - rank[None, :]) + 1
        raw = span * (span - 1) / 2
        return 1 - raw / raw.max()
    values = _numeric(tuple(categories))
    diff = np.abs(values[:, None] - values[None, :])
    spread = values.max() - values.min()
    if weights == "linear":
        return 1 - diff / spread
    if weights == "quadratic":
        return 1 - (diff / spread) ** 2
    raise ValueError(f"unknown weights {weights!r}")


def _observed_agreement(
    counts: npt.NDArray[np.float64], w: npt.NDArray[np.float64]
) -> tuple[float, int]:
    """Gwet's pa: mean over units rated >= 2 times of weighted pairwise agreement."""
    r = counts.sum(axis=1)
    pairable = r >= 2
    weighted = counts[pairable] @ w.T
    per_unit = (counts[pairable] * (weighted - 1)).sum(axis=1) / (r[pairable] * (r[pairable] - 1))
    n_pairable = int(pairable.sum())
    return (float(per_unit.mean()) if n_pairable else math.nan), n_pairable


def _category_shares(counts: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    r = counts.sum(axis=1)
    rated = r >= 1
    return (counts[rated] / r[rated, None]).mean(axis=0)


def _chance_corrected(pa: float, pe: float, n_pairable: int) -> Statistic:
    if n_pairable < 1:
        return Statistic.undefined(TOO_FEW_UNITS)
    if math.isclose(pe, 1.0):
        return Statistic.undefined(NO_VARIATION)
    return Statistic(float((pa - pe) / (1 - pe)))


def percent_agreement(ratings: Ratings) -> Statistic:
    """Share of agreeing coder pairs, averaged over units rated by at least 2 coders."""
    enc = _encode(ratings)
    pa, n = _observed_agreement(enc.counts, np.eye(len(enc.categories)))
    return Statistic(pa) if n else Statistic.undefined(TOO_FEW_UNITS)


def gwet_ac2(
    ratings: Ratings,
    weights: Weights = "identity",
    categories: Sequence[Hashable] | None = None,
) -> Statistic:
    """Gwet's AC2 (AC1 when ``weights`` is "identity"), missing ratings allowed.

    Args:
        ratings: Units x coders, None = not rated.
        weights: Agreement weights, see :func:`agreement_weights`.
        categories: The full category set (e.g. ``(0, 1)`` for present/absent); by default
            the values that occur. It sets q in the chance term.
    """
    enc = _encode(ratings, categories)
    q = len(enc.categories)
    if q < 2:
        return Statistic.undefined(NO_VARIATION)
    w = agreement_weights(enc.categories, weights)
    counts = enc.counts
    pa, n = _observed_agreement(counts, w)
    pi = _category_shares(counts)
    pe = float(w.sum() / (q * (q - 1)) * (pi * (1 - pi)).sum())
    return _chance_corrected(pa, pe, n)


def gwet_ac1(ratings: Ratings, categories: Sequence[Hashable] | None = None) -> Statistic:
    """Gwet's AC1 for nominal ratings; see :func:`gwet_ac2`."""
    return gwet_ac2(ratings, "identity", categories)


def fleiss_kappa(ratings: Ratings, weights: Weights = "identity") -> Statistic:
    """Fleiss' kappa, in Gwet's generalisation to missing ratings.

    With every unit rated by the same number of coders this is Fleiss (1971); coders are
    treated as exchangeable, so columns need not be the same people across units.
    """
    enc = _encode(ratings)
    w = agreement_weights(enc.categories, weights)
    counts = enc.counts
    pa, n = _observed_agreement(counts, w)
    pi = _category_shares(counts)
    pe = float(pi @ w @ pi)
    return _chance_corrected(pa, pe, n)


def brennan_prediger(
    ratings: Ratings, n_categories: int | None = None, weights: Weights = "identity"
) -> Statistic:
    """Brennan-Prediger coefficient (Bennett's S): chance agreement 1/q.

    Args:
        ratings: Units x coders, None = not rated.
        n_categories: q, the number of categories coders could choose from; by default the
            number of distinct values that occur.
        weights: Agreement weights, see :func:`agreement_weights`.
    """
    enc = _encode(ratings)
    q = n_categories if n_categories is not None else len(enc.categories)
    if q < len(enc.categories):
        raise ValueError("n_categories is smaller than the number of values used")
    w = agreement_weights(enc.categories, weights)
    pa, n = _observed_agreement(enc.counts, w)
    pe = float(w.sum() / q**2) if weights != "identity" else 1 / q
    return _chance_corrected(pa, pe, n)


bennett_s = brennan_prediger


def conger_kappa(ratings: Ratings, weights: Weights = "identity") -> Statistic:
    """Conger's (1980) kappa: Cohen's kappa generalised to several fixed coders."""
    enc = _encode(ratings)
    q = len(enc.categories)
    w = agreement_weights(enc.categories, weights)
    counts = enc.counts
    pa, n = _observed_agreement(counts, w)
    r = enc.index.shape[1]
    if r < 2 or q < 2:
        return _chance_corrected(pa, 1.0, n)
    by_coder = (enc.index.T[:, :, None] == np.arange(q)[None, None, :]).sum(axis=1)
    per_coder = by_coder.sum(axis=1, keepdims=True).astype(np.float64)
    shares = np.divide(by_coder, per_coder, out=np.zeros(by_coder.shape), where=per_coder > 0)
    mean = shares.mean(axis=0)
    s2 = (shares.T @ shares - r * np.outer(mean, mean)) / (r - 1)
    pe = float((w * (np.outer(mean, mean) - s2 / r)).sum())
    return _chance_corrected(pa, pe, n)


def _two_coders(ratings: Ratings) -> _Encoded:
    enc = _encode(ratings)
    if enc.index.shape[1] != 2:
        raise ValueError("this coefficient needs exactly 2 coders (columns)")
    both = (enc.index >= 0).all(axis=1)
    return _Encoded(enc.index[both], enc.categories)


def cohen_kappa(ratings: Ratings, weights: Weights = "identity") -> Statistic:
    """Cohen's kappa for 2 coders on the units both rated (weighted if asked).

    Args:
        ratings: Units x 2 coders; units either coder left unrated are dropped.
        weights: "identity" (unweighted), "linear" or "quadratic" on the category values.
    """
    enc = _two_coders(ratings)
    q = len(enc.categories)
    if len(enc.index) == 0:
        return Statistic.undefined("insufficient data: no unit rated by both coders")
    table = np.zeros((q, q))
    np.add.at(table, (enc.index[:, 0], enc.index[:, 1]), 1)
    table /= table.sum()
    w = agreement_weights(enc.categories, weights)
    po = float((w * table).sum())
    pe = float((w * np.outer(table.sum(axis=1), table.sum(axis=0))).sum())
    return _chance_corrected(po, pe, len(enc.index))


def scott_pi(ratings: Ratings, weights: Weights = "identity") -> Statistic:
    """Scott's pi for 2 coders on the units both rated (Fleiss' kappa for 2 coders)."""
    enc = _two_coders(ratings)
    if len(enc.index) == 0:
        return Statistic.undefined("insufficient data: no unit rated by both coders")
    values = [[enc.categories[i] for i in row] for row in enc.index]
    return fleiss_kappa(values, weights)


def _alpha_distance(level: AlphaLevel) -> object:
    if level in ("nominal", "ordinal", "interval", "ratio"):
        return level

    def linear(v1, v2, i1, i2, n_v, dtype=np.float64):  # type: ignore[no-untyped-def]
        return np.abs(v1 - v2).astype(dtype)

    def gwet_ordinal(v1, v2, i1, i2, n_v, dtype=np.float64):  # type: ignore[no-untyped-def]
        span = np.abs(i1 - i2) + 1
        return (span * (span - 1) / 2).astype(dtype)

    if level == "linear":
        return linear
    if level == "gwet_ordinal":
        return gwet_ordinal
    raise ValueError(f"unknown level of measurement {level!r}")


def krippendorff_alpha(ratings: Ratings, level: AlphaLevel = "nominal") -> Statistic:
    """Krippendorff's alpha on units x coders ratings with missing values.

    Args:
        ratings: Units x coders, None = not rated. Units with one rating are unpairable and
            ignored, as Krippendorff prescribes.
        level: "nominal", "ordinal", "interval", "ratio" (Krippendorff's metrics), "linear"
            (absolute difference; Gwet's linear weights) or "gwet_ordinal" (Gwet's rank-based
            ordinal weights, which differ from Krippendorff's ordinal metric).

    Returns:
        The statistic; undefined with the reason when fewer than 2 units are pairable (alpha
        would be 0 whatever the data) or all pairable values are equal.
    """
    import krippendorff

    enc = _encode(ratings)
    pairable = (enc.index >= 0).sum(axis=1) >= 2
    if pairable.sum() < 2:
        return Statistic.undefined(TOO_FEW_UNITS)
    values_in_pairs = np.unique(enc.index[pairable][enc.index[pairable] >= 0])
    if len(values_in_pairs) < 2:
        return Statistic.undefined(NO_VARIATION)
    if level == "nominal":
        domain = np.arange(len(enc.categories), dtype=np.float64)
    else:
        domain = _numeric(enc.categories)
    data = np.where(enc.index >= 0, domain[np.maximum(enc.index, 0)], np.nan)
    # The package expects coders x units; our matrices are units x coders.
    value = krippendorff.alpha(
        reliability_data=data.T,
        value_domain=domain,
        level_of_measurement=_alpha_distance(level),  # type: ignore[arg-type]
    )
    return Statistic(float(value))
