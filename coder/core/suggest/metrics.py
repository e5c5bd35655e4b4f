"""How good suggestions are, measured as a coder would feel them: the first suggestion right,
the right code among the first three, micro and macro F1 of the codes assigned, and how many
answers could be coded automatically while staying at a given precision.

Pure numpy; no UI, CLI library or store.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np


def coverage_at_precision(scores: Sequence[float], correct: Sequence[bool],
                          precision: float = 0.9) -> tuple[float, float]:
    """The largest share of answers that can be auto-coded at `precision` or better.

    Answers are ranked by the confidence of their first suggestion; the first k are taken for
    the largest k whose first suggestions are right at least `precision` of the time.

    Returns:
        (coverage, score threshold): the share of answers, and the lowest score auto-coded
        (infinity when none can be).
    """
    s = np.asarray(scores, dtype=float)
    ok = np.asarray(correct, dtype=float)
    if s.size == 0:
        return 0.0, float("inf")
    order = np.argsort(-s, kind="stable")
    running = np.cumsum(ok[order]) / np.arange(1, s.size + 1)
    # Ties in score are auto-coded together or not at all.
    last_of_tie = np.r_[s[order][1:] != s[order][:-1], True]
    good = np.flatnonzero((running >= precision) & last_of_tie)
    if good.size == 0:
        return 0.0, float("inf")
    k = int(good[-1]) + 1
    return k / s.size, float(s[order][k - 1])


@dataclass(frozen=True)
class Scores:
    """Quality of suggestions on a test set."""

    top1: float
    top3_recall: float
    micro_f1: float
    macro_f1: float
    coverage_90: float


def evaluate(ranked: Sequence[Sequence[str]], first_scores: Sequence[float],
             predicted: Sequence[Collection[str]], truth: Sequence[Collection[str]],
             codes: Collection[str]) -> Scores:
    """Score suggestions against the true codes.

    Args:
        ranked: Per answer, codes best first (at least three where there are).
        first_scores: Per answer, the score of its first code.
        predicted: Per answer, the set of codes assigned.
        truth: Per answer, its true codes.
        codes: Every code of the frame (macro F1 averages over those that occur in `truth`
            or `predicted`).
    """
    top1 = [bool(r) and r[0] in t for r, t in zip(ranked, truth, strict=True)]
    top3 = [len(set(r[:3]) & set(t)) / len(t) for r, t in zip(ranked, truth, strict=True) if t]
    tp: dict[str, int] = {}
    fp: dict[str, int] = {}
    fn: dict[str, int] = {}
    for p, t in zip(predicted, truth, strict=True):
        p, t = set(p), set(t)
        for c in p & t:
            tp[c] = tp.get(c, 0) + 1
        for c in p - t:
            fp[c] = fp.get(c, 0) + 1
        for c in t - p:
            fn[c] = fn.get(c, 0) + 1
    total_tp, total_fp, total_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    micro = 2 * total_tp / max(1, 2 * total_tp + total_fp + total_fn)
    seen = [c for c in codes if c in tp or c in fp or c in fn]
    macro = float(np.mean([2 * tp.get(c, 0) / (2 * tp.get(c, 0) + fp.get(c, 0) + fn.get(c, 0))
                           for c in seen])) if seen else 0.0
    coverage, _ = coverage_at_precision(first_scores, top1, 0.9)
    return Scores(float(np.mean(top1)) if top1 else 0.0, float(np.mean(top3)) if top3 else 0.0,
                  micro, macro, coverage)
