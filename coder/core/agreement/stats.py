"""Per-code and overall agreement for a question, with seeded bootstrap intervals; numpy only.

Every per-code statistic is a ratio of sums over answers, so it is computed for all codes at
once from a few answers x codes arrays, and a bootstrap replicate is the same sums with each
answer weighted by how often it was drawn (one matrix product per batch of replicates).
Only answers coded by at least 2 coders enter, per the semantics in
:mod:`coder.core.agreement.types`; Gwet's AC1 therefore takes its category shares from those
answers too (irrCAC would also use answers rated once, which in a 20% double-coding plan
would let the single-coded 80% set the chance term).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from coder.core.agreement.metrics import NO_VARIATION, TOO_FEW_UNITS, Statistic
from coder.core.agreement.sets import (
    ExpectedDisagreement,
    SetAlphaParts,
    set_alpha_parts,
)
from coder.core.agreement.single import single_code_agreement
from coder.core.agreement.types import (
    AgreementReport,
    CodeAgreement,
    CodingTable,
    PairAgreement,
    pair_key,
)
from coder.core.progress import NO_PROGRESS, Progress

log = logging.getLogger(__name__)

_BATCH = 25
NEVER_APPLIED = "no variation: no coder applied this code to any answer coded by 2+ coders"
ALWAYS_APPLIED = "no variation: every coder applied this code to every answer coded by 2+ coders"

_Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class _Sums:
    """Sums over answers (last axis = codes; leading axes = replicates, if any)."""

    disagree: _Array  # sum of n1*n0/(m-1): the off-diagonal coincidence o_01
    pair_disagree: _Array  # sum of n1*n0/(m*(m-1)): share of disagreeing pairs
    applied: _Array  # sum of n1: pairable values "present"
    share: _Array  # sum of n1/m: for Gwet's category shares
    values: _Array  # sum of m: all pairable values
    units: _Array  # number of answers


@dataclass(frozen=True)
class _Prepared:
    """Answers coded by 2+ coders, with per-answer counts.

    Attributes:
        coded: Answers x coders.
        applied: Answers x coders x codes.
        m: Coders per answer.
        n1: Answers x codes: coders who applied the code.
        parts: Per-answer pieces of alpha on code sets (MASI).
    """

    coded: npt.NDArray[np.bool_]
    applied: npt.NDArray[np.bool_]
    m: _Array
    n1: _Array
    parts: SetAlphaParts


def _prepare(coded: npt.NDArray[np.bool_], applied: npt.NDArray[np.bool_]) -> _Prepared:
    keep = coded.sum(axis=1) >= 2
    coded, applied = coded[keep], applied[keep]
    m = coded.sum(axis=1).astype(np.float64)
    n1 = np.zeros((len(m), applied.shape[2]))
    for c in range(applied.shape[1]):
        n1 += applied[:, c, :]
    return _Prepared(coded, applied, m, n1, set_alpha_parts(coded, applied))


def _point_sums(p: _Prepared) -> _Sums:
    # Sums over answers as vector-matrix products: one pass over the answers x codes arrays.
    m = p.m
    cross = p.n1 * (m[:, None] - p.n1)
    inv = 1.0 / (m - 1)
    return _Sums(
        inv @ cross,
        (inv / m) @ cross,
        p.n1.sum(axis=0),
        (1.0 / m) @ p.n1,
        np.array([m.sum()]),
        np.array([float(len(m))]),
    )


def _features(p: _Prepared) -> tuple[_Array, _Array]:
    """Answers x (4 * codes) features and answers x 2 [m, 1], to be weighted and summed."""
    m = p.m[:, None]
    dis = p.n1 * (m - p.n1) / (m - 1)
    feats = np.concatenate([dis, dis / m, p.n1, p.n1 / m], axis=1)
    return feats, np.stack([p.m, np.ones_like(p.m)], axis=1)


def _sums(feats: _Array, base: _Array, n_codes: int) -> _Sums:
    k = n_codes
    return _Sums(
        feats[..., :k],
        feats[..., k : 2 * k],
        feats[..., 2 * k : 3 * k],
        feats[..., 3 * k :],
        base[..., 0:1],
        base[..., 1:2],
    )


def _alpha(disagree: _Array, applied: _Array, values: _Array) -> _Array:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 1.0 - (values - 1.0) * disagree / (applied * (values - applied))
    return np.where((applied > 0) & (applied < values), out, np.nan)


def _per_code(s: _Sums) -> tuple[_Array, _Array, _Array]:
    """Alpha, percent agreement and AC1 per code (NaN where undefined)."""
    alpha = _alpha(s.disagree, s.applied, s.values)
    pa = 1.0 - 2.0 * s.pair_disagree / s.units
    pi = s.share / s.units
    pe = 2.0 * pi * (1.0 - pi)
    ac1 = (pa - pe) / (1.0 - pe)
    return alpha, pa, ac1


def _pooled(s: _Sums, n_codes: int) -> _Array:
    return _alpha(s.disagree.sum(axis=-1), s.applied.sum(axis=-1), n_codes * s.values[..., 0])


def _stat(value: float, reason: str) -> Statistic:
    return Statistic(float(value)) if np.isfinite(value) else Statistic.undefined(reason)


def _kappa_pairs(
    coders: tuple[str, ...],
    codes: tuple[str, ...],
    coded: npt.NDArray[np.bool_],
    applied: npt.NDArray[np.bool_],
) -> dict[str, dict[str, Statistic]]:
    """Cohen's kappa per code for every coder pair, on answers both coded."""
    out: dict[str, dict[str, Statistic]] = {code: {} for code in codes}
    for a in range(len(coders)):
        for b in range(a + 1, len(coders)):
            key = pair_key(coders[a], coders[b])
            both = coded[:, a] & coded[:, b]
            nb = int(both.sum())
            x = applied[both, a, :].astype(np.float64)
            y = applied[both, b, :].astype(np.float64)
            if nb < 2:
                reason = f"insufficient data: {nb} answer(s) coded by both {key}"
                for code in codes:
                    out[code][key] = Statistic.undefined(reason)
                continue
            po = ((x == y).sum(axis=0)) / nb
            px, py = x.mean(axis=0), y.mean(axis=0)
            pe = px * py + (1 - px) * (1 - py)
            with np.errstate(divide="ignore", invalid="ignore"):
                kappa = np.where(np.isclose(pe, 1.0), np.nan, (po - pe) / (1 - pe))
            for k, code in enumerate(codes):
                used = "applied it to every" if px[k] > 0 else "applied it to none of the"
                reason = f"no variation: both coders of {key} {used} {nb} answers both coded"
                out[code][key] = _stat(kappa[k], reason)
    return out


def _masi(
    parts: SetAlphaParts,
    weights: _Array | None = None,
    expected_of: ExpectedDisagreement | None = None,
) -> _Array:
    """Alpha (MASI) for each row of ``weights`` (replicates x answers), or the point estimate."""
    w = np.ones((1, len(parts.unit_values))) if weights is None else weights
    dis = w @ parts.unit_disagreement
    n = w @ parts.unit_values
    totals = np.asarray(parts.value_counts.T @ w.T)
    expected_of = expected_of or ExpectedDisagreement.build(parts.value_sets)
    expected = expected_of(totals)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 1.0 - (n - 1.0) * dis / expected
    return np.where(expected > 0, out, np.nan)


def _overall(p: _Prepared, sums: _Sums) -> tuple[Statistic, Statistic]:
    """Alpha (MASI) and pooled binary alpha at the point estimate."""
    if len(p.m) < 2:
        return Statistic.undefined(TOO_FEW_UNITS), Statistic.undefined(TOO_FEW_UNITS)
    masi = _stat(float(_masi(p.parts)[0]), NO_VARIATION)
    pooled = _stat(float(_pooled(sums, p.n1.shape[1])), NO_VARIATION)
    return masi, pooled


def _interval(replicates: _Array, confidence: float) -> tuple[_Array, _Array]:
    tail = (1.0 - confidence) / 2 * 100
    with np.errstate(all="ignore"):
        ok = np.isfinite(replicates).sum(axis=0) >= 2
        safe = np.where(np.isfinite(replicates), replicates, np.nan)
        lo = np.full(replicates.shape[1:], np.nan)
        hi = np.full(replicates.shape[1:], np.nan)
        if ok.any():
            lo[ok] = np.nanpercentile(safe[:, ok], tail, axis=0)
            hi[ok] = np.nanpercentile(safe[:, ok], 100 - tail, axis=0)
    return lo, hi


def _with_ci(stat: Statistic, lo: float, hi: float) -> Statistic:
    if not stat.defined or not (np.isfinite(lo) and np.isfinite(hi)):
        return stat
    return replace(stat, ci_low=float(lo), ci_high=float(hi))


def _blas_single_thread() -> AbstractContextManager[object]:
    """Keep BLAS to one thread: on a shared 2-core machine threaded BLAS on these tall,
    thin products ran 10x slower than one thread in our measurements."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def bootstrap_replicates(
    table: CodingTable,
    n_bootstrap: int,
    seed: int | None = 0,
    progress: Progress = NO_PROGRESS,
) -> dict[str, _Array]:
    """Resample answers (coded by 2+ coders) with replacement and recompute the statistics.

    Returns:
        Arrays of replicates: "alpha", "percent_agreement", "ac1" (replicates x codes) and
        "alpha_pooled", "alpha_masi" (replicates); NaN where undefined.
    """
    return _bootstrap(_prepare(table.coded, table.applied), n_bootstrap, seed, progress)


def _bootstrap(
    p: _Prepared,
    n_bootstrap: int,
    seed: int | None,
    progress: Progress,
) -> dict[str, _Array]:
    feats, base = _features(p)
    expected_of = ExpectedDisagreement.build(p.parts.value_sets)
    n, k = len(p.m), p.n1.shape[1]
    rng = np.random.default_rng(seed)
    keys = ("alpha", "percent_agreement", "ac1", "alpha_pooled", "alpha_masi")
    out: dict[str, list[_Array]] = {key: [] for key in keys}
    done = 0
    with _blas_single_thread():
        while done < n_bootstrap:
            progress.check()
            size = min(_BATCH, n_bootstrap - done)
            weights = np.empty((size, n))
            for r in range(size):
                weights[r] = np.bincount(rng.integers(0, n, size=n), minlength=n)
            sums = _sums(weights @ feats, weights @ base, k)
            alpha, pa, ac1 = _per_code(sums)
            out["alpha"].append(alpha)
            out["percent_agreement"].append(pa)
            out["ac1"].append(ac1)
            out["alpha_pooled"].append(_pooled(sums, k))
            out["alpha_masi"].append(_masi(p.parts, weights, expected_of))
            done += size
            progress.step(done, n_bootstrap)
    return {key: np.concatenate(v) if v else np.zeros((0,)) for key, v in out.items()}


def compute_agreement(
    table: CodingTable,
    *,
    n_bootstrap: int = 0,
    seed: int | None = 0,
    confidence: float = 0.95,
    progress: Progress = NO_PROGRESS,
) -> AgreementReport:
    """Agreement for one question: per code, per coder pair and overall.

    Args:
        table: Who coded which answer with which codes (see :class:`CodingTable`).
        n_bootstrap: Bootstrap replicates for the intervals (0 = no intervals; 1,000 is usual).
        seed: Seed of the resampling, so intervals are reproducible.
        confidence: Coverage of the percentile intervals.
        progress: Told (replicates done, replicates in all); cancelling it stops the
            bootstrap (raises :class:`~coder.core.errors.Cancelled`).

    Returns:
        The report; each undefined figure carries its reason. For a single-code question it
        also holds the overall coefficients across categories (`single_code`).
    """
    k = len(table.codes)
    prepared = _prepare(table.coded, table.applied)
    n_units = len(prepared.m)
    sums = _point_sums(prepared)
    alpha, pa, ac1 = _per_code(sums) if n_units else (np.full(k, np.nan),) * 3
    kappas = _kappa_pairs(table.coders, table.codes, prepared.coded, prepared.applied)
    masi, pooled = _overall(prepared, sums)
    values = float(sums.values[0])
    codes: dict[str, CodeAgreement] = {}
    for j, code in enumerate(table.codes):
        if n_units < 2:
            a_stat = pa_stat = ac1_stat = Statistic.undefined(TOO_FEW_UNITS)
        else:
            reason = NEVER_APPLIED if sums.applied[j] == 0 else ALWAYS_APPLIED
            a_stat = _stat(alpha[j], reason)
            pa_stat, ac1_stat = Statistic(float(pa[j])), Statistic(float(ac1[j]))
        codes[code] = CodeAgreement(
            code=code,
            n_units=n_units,
            prevalence=float(sums.applied[j] / values) if n_units else None,
            alpha=a_stat,
            ac1=ac1_stat,
            percent_agreement=pa_stat,
            kappa_pairs=kappas[code],
        )
    defined = [j for j, c in enumerate(table.codes) if codes[c].alpha.defined]
    mean = (
        Statistic(float(np.mean(alpha[defined])))
        if defined
        else Statistic.undefined("no code has a defined alpha")
    )
    if n_bootstrap > 0 and n_units >= 2:
        reps = _bootstrap(prepared, n_bootstrap, seed, progress)
        cis = {key: _interval(v, confidence) for key, v in reps.items()}
        for j, code in enumerate(table.codes):
            ca = codes[code]
            codes[code] = replace(
                ca,
                alpha=_with_ci(ca.alpha, cis["alpha"][0][j], cis["alpha"][1][j]),
                ac1=_with_ci(ca.ac1, cis["ac1"][0][j], cis["ac1"][1][j]),
                percent_agreement=_with_ci(
                    ca.percent_agreement,
                    cis["percent_agreement"][0][j],
                    cis["percent_agreement"][1][j],
                ),
            )
        masi = _with_ci(masi, float(cis["alpha_masi"][0]), float(cis["alpha_masi"][1]))
        pooled = _with_ci(pooled, float(cis["alpha_pooled"][0]), float(cis["alpha_pooled"][1]))
        if defined:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # replicates with no alpha
                mean_reps = np.nanmean(reps["alpha"][:, defined], axis=1)
            lo, hi = _interval(mean_reps[:, None], confidence)
            mean = _with_ci(mean, lo[0], hi[0])
    pairs: dict[str, PairAgreement] = {}
    for a in range(len(table.coders)):
        for b in range(a + 1, len(table.coders)):
            sub = _prepare(table.coded[:, [a, b]], table.applied[:, [a, b]])
            p_masi, p_pooled = _overall(sub, _point_sums(sub))
            pairs[pair_key(table.coders[a], table.coders[b])] = PairAgreement(
                table.coders[a], table.coders[b], len(sub.m), p_masi, p_pooled
            )
    return AgreementReport(
        coders=table.coders,
        n_answers=int(table.coded.any(axis=1).sum()),
        n_units=n_units,
        codes=codes,
        alpha_masi=masi,
        alpha_pooled=pooled,
        alpha_mean=mean,
        pairs=pairs,
        n_bootstrap=n_bootstrap if n_units >= 2 else 0,
        seed=seed,
        single_code=single_code_agreement(table),
    )


def agreement_by_question(
    tables: Mapping[str, CodingTable], **options: object
) -> dict[str, AgreementReport]:
    """:func:`compute_agreement` for each question's table (same options for all)."""
    return {q: compute_agreement(t, **options) for q, t in tables.items()}  # type: ignore[arg-type]
