"""Domain values for inter-coder agreement (codings table, per-code and overall results); no I/O.

Semantics, which every statistic built on these types follows:

- the unit is the whole answer; a coder may apply several codes to it;
- a coder who did not code an answer is *missing* for it (no record);
- a coder who coded an answer with no code is *absent* for every code (record, empty set);
- answers coded by one coder only do not count.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from coder.core.agreement.metrics import Statistic

__all__ = [
    "AgreementReport",
    "CodeAgreement",
    "CodingRecord",
    "CodingTable",
    "Grade",
    "PairAgreement",
    "SingleCodeAgreement",
    "Statistic",
    "grade",
    "pair_key",
]

Grade = Literal["good", "tentative", "poor", "undefined"]

#: Krippendorff (2004, 2018): rely on alpha >= .800; draw tentative conclusions from
#: .667 <= alpha < .800; below .667 the coding is not reliable enough.
GOOD_ALPHA = 0.800
TENTATIVE_ALPHA = 0.667


def grade(alpha: float | Statistic | None) -> Grade:
    """Grade an alpha by Krippendorff's guideline.

    The value is rounded to 3 decimals first, so the grade always matches the figure shown.

    Returns:
        "good" (>= .800), "tentative" (.667 to .800), "poor" (< .667) or "undefined".
    """
    value = alpha.value if isinstance(alpha, Statistic) else alpha
    if value is None or value != value:
        return "undefined"
    shown = round(float(value), 3)
    if shown >= GOOD_ALPHA:
        return "good"
    if shown >= TENTATIVE_ALPHA:
        return "tentative"
    return "poor"


def pair_key(coder_a: str, coder_b: str) -> str:
    """The "A|B" key naming a coder pair in reports."""
    return f"{coder_a}|{coder_b}"


@dataclass(frozen=True)
class CodingRecord:
    """One coder's coding of one answer: the set of codes applied (empty = coded, no code)."""

    unit: Hashable
    coder: str
    codes: frozenset[str] = frozenset()


@dataclass(frozen=True, eq=False)
class CodingTable:
    """Who coded which answer with which codes, as dense arrays.

    Attributes:
        units: Answer ids, one per row.
        coders: Coder names, one per column.
        codes: Code names, one per slice of ``applied``.
        coded: Units x coders, True where the coder coded the answer (possibly with no code).
        applied: Units x coders x codes, True where the coder applied the code.
    """

    units: tuple[Hashable, ...]
    coders: tuple[str, ...]
    codes: tuple[str, ...]
    coded: npt.NDArray[np.bool_] = field(repr=False)
    applied: npt.NDArray[np.bool_] = field(repr=False)

    def __post_init__(self) -> None:
        n, c, k = len(self.units), len(self.coders), len(self.codes)
        if self.coded.shape != (n, c) or self.applied.shape != (n, c, k):
            raise ValueError("coded must be units x coders and applied units x coders x codes")
        if (self.applied & ~self.coded[:, :, None]).any():
            raise ValueError("a code is applied by a coder who did not code the answer")
        if len(set(self.coders)) != c or len(set(self.codes)) != k:
            raise ValueError("coder and code names must be unique")
        self.coded.setflags(write=False)
        self.applied.setflags(write=False)

    @classmethod
    def from_records(
        cls,
        records: Iterable[CodingRecord | tuple[Hashable, str, Iterable[str]]],
        codes: Sequence[str] | None = None,
        coders: Sequence[str] | None = None,
    ) -> CodingTable:
        """Build a table from ``(unit, coder, codes)`` records.

        Records for the same unit and coder are merged (their codes united).

        Args:
            records: Coding records or ``(unit, coder, codes)`` tuples.
            codes: The codeframe's codes in display order, so codes nobody applied are still
                reported; codes found in the records but not listed are added after them.
            coders: Coder order; coders found in the records but not listed come after.
        """
        merged: dict[tuple[Hashable, str], set[str]] = {}
        for rec in records:
            unit, coder, applied = (
                (rec.unit, rec.coder, rec.codes) if isinstance(rec, CodingRecord) else rec
            )
            merged.setdefault((unit, str(coder)), set()).update(str(c) for c in applied)
        unit_ids = tuple(dict.fromkeys(u for u, _ in merged))
        coder_ids = tuple(dict.fromkeys([*(coders or ()), *(c for _, c in merged)]))
        seen = sorted({c for s in merged.values() for c in s})
        code_ids = tuple(dict.fromkeys([*(codes or ()), *seen]))
        u_index = {u: i for i, u in enumerate(unit_ids)}
        c_index = {c: i for i, c in enumerate(coder_ids)}
        k_index = {k: i for i, k in enumerate(code_ids)}
        coded = np.zeros((len(unit_ids), len(coder_ids)), dtype=bool)
        applied = np.zeros((len(unit_ids), len(coder_ids), len(code_ids)), dtype=bool)
        rows, cols, ks = [], [], []
        for (unit, coder), applied_codes in merged.items():
            i, j = u_index[unit], c_index[coder]
            coded[i, j] = True
            for code in applied_codes:
                rows.append(i)
                cols.append(j)
                ks.append(k_index[code])
        idx = (np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp))
        applied[idx[0], idx[1], np.array(ks, dtype=np.intp)] = True
        return cls(unit_ids, coder_ids, code_ids, coded, applied)

    @classmethod
    def from_marks(
        cls,
        marks: Sequence[tuple[int, str, str | None]],
        coders: Sequence[str],
        codes: Sequence[str],
        units: Iterable[int] | None = None,
    ) -> CodingTable:
        """Build a table from coding marks, straight into arrays (fast for large projects).

        Args:
            marks: ``(answer id, coder, code)`` per code applied and ``(answer id, coder,
                None)`` per answer a coder marked coded (with codes or none); a code applied
                also marks the answer coded. Every coder and code must be listed below.
            coders: Coder names in column order.
            codes: Code names in slice order.
            units: Only these answers (e.g. a double-coding sample); default every answer
                marked.

        Returns:
            The table, its units the answers marked, in ascending order.
        """
        column = {name: j for j, name in enumerate(coders)}
        slot = {name: k for k, name in enumerate(codes)}
        n = len(marks)
        answers = np.fromiter((m[0] for m in marks), dtype=np.int64, count=n)
        cols = np.fromiter((column[m[1]] for m in marks), dtype=np.intp, count=n)
        ks = np.fromiter((-1 if m[2] is None else slot[m[2]] for m in marks), dtype=np.intp,
                         count=n)
        if units is not None:
            keep = np.isin(answers, np.fromiter(units, dtype=np.int64))
            answers, cols, ks = answers[keep], cols[keep], ks[keep]
        unit_ids, unit_row = np.unique(answers, return_inverse=True)
        coded = np.zeros((len(unit_ids), len(coders)), dtype=bool)
        coded[unit_row, cols] = True
        applied = np.zeros((len(unit_ids), len(coders), len(codes)), dtype=bool)
        has_code = ks >= 0
        applied[unit_row[has_code], cols[has_code], ks[has_code]] = True
        return cls(tuple(int(u) for u in unit_ids), tuple(coders), tuple(codes), coded, applied)

    @property
    def n_coders_per_unit(self) -> npt.NDArray[np.int64]:
        """How many coders coded each answer."""
        return self.coded.sum(axis=1)

    def select(
        self, units: npt.NDArray[np.bool_] | None = None, coders: Sequence[str] | None = None
    ) -> CodingTable:
        """A table restricted to some answers (boolean mask) and/or coders (by name)."""
        mask = np.ones(len(self.units), dtype=bool) if units is None else units
        cols = (
            list(range(len(self.coders)))
            if coders is None
            else [self.coders.index(c) for c in coders]
        )
        return CodingTable(
            tuple(u for u, keep in zip(self.units, mask, strict=True) if keep),
            tuple(self.coders[j] for j in cols),
            self.codes,
            self.coded[mask][:, cols].copy(),
            self.applied[mask][:, cols].copy(),
        )


@dataclass(frozen=True)
class CodeAgreement:
    """Agreement on one code, treated as present/absent per answer.

    Attributes:
        code: The code.
        n_units: Answers coded by at least 2 coders (the only ones that count).
        prevalence: Share of those coders' codings of those answers that applied the code.
        alpha: Krippendorff's alpha (nominal).
        ac1: Gwet's AC1 (categories present/absent).
        percent_agreement: Share of agreeing coder pairs, averaged over answers.
        kappa_pairs: Cohen's kappa per coder pair ("A|B"), on answers both coded.
    """

    code: str
    n_units: int
    prevalence: float | None
    alpha: Statistic
    ac1: Statistic
    percent_agreement: Statistic
    kappa_pairs: dict[str, Statistic]

    @property
    def grade(self) -> Grade:
        """Krippendorff's grade of this code's alpha."""
        return grade(self.alpha)


@dataclass(frozen=True)
class PairAgreement:
    """Agreement between two coders on the answers both coded."""

    coder_a: str
    coder_b: str
    n_units: int
    alpha_masi: Statistic
    alpha_pooled: Statistic


@dataclass(frozen=True)
class SingleCodeAgreement:
    """Overall agreement across categories, for a question where every coder gave each answer
    at most one code (a single-code question).

    An answer's category is its code, or "no code" when coded with none. Only answers coded by
    2 or more coders count, as for every other figure.

    Attributes:
        n_units: Answers coded by at least 2 coders.
        categories: The categories used (codes, and the no-code category when used).
        alpha_nominal: Krippendorff's alpha, nominal.
        ac1: Gwet's AC1 over the categories used.
        kappa_fleiss: Fleiss' kappa (Gwet's form for missing ratings).
        kappa_conger: Conger's kappa (Cohen's, generalised to several fixed coders).
        kappa_cohen: Cohen's kappa; only with exactly two coders, else None.
    """

    n_units: int
    categories: tuple[str, ...]
    alpha_nominal: Statistic
    ac1: Statistic
    kappa_fleiss: Statistic
    kappa_conger: Statistic
    kappa_cohen: Statistic | None = None

    def statistics(self) -> dict[str, Statistic]:
        """The coefficients by their report names (kappa_cohen only when it applies)."""
        named = {"alpha_nominal": self.alpha_nominal, "ac1": self.ac1,
                 "kappa_fleiss": self.kappa_fleiss, "kappa_conger": self.kappa_conger}
        if self.kappa_cohen is not None:
            named["kappa_cohen"] = self.kappa_cohen
        return named


@dataclass(frozen=True)
class AgreementReport:
    """Agreement for one question.

    Attributes:
        coders: Coder names (a model coder is one of them when present).
        n_answers: Answers coded by at least one coder.
        n_units: Answers coded by at least 2 coders.
        codes: Per-code agreement, in codeframe order.
        alpha_masi: Alpha on whole code sets with the MASI distance.
        alpha_pooled: Binary alpha pooled over all (answer, code) pairs.
        alpha_mean: Mean of the defined per-code alphas.
        pairs: Per coder pair ("A|B").
        n_bootstrap: Bootstrap replicates behind the intervals (0 = none).
        seed: Seed of the bootstrap.
        single_code: Overall coefficients across categories when the question is single-code
            (every coder gave each answer at most one code), else None. No intervals.
    """

    coders: tuple[str, ...]
    n_answers: int
    n_units: int
    codes: dict[str, CodeAgreement]
    alpha_masi: Statistic
    alpha_pooled: Statistic
    alpha_mean: Statistic
    pairs: dict[str, PairAgreement]
    n_bootstrap: int = 0
    seed: int | None = None
    single_code: SingleCodeAgreement | None = None

    def poor_codes(self) -> list[str]:
        """Codes whose alpha grades "poor" (below .667), in codeframe order."""
        return [c for c, a in self.codes.items() if a.grade == "poor"]
