"""Significance marks for breakdown tables (columns by attribute or by wave); pure statistics,
no UI, CLI, store or SQL.

What is tested, per code (row) of a breakdown table:

- **Column proportions**: every pair of columns with a base of at least `min_base` is compared
  with a two-proportion z-test (pooled variance, two-sided). The p-values of one row's pairs are
  adjusted with Holm's step-down method (controls the family-wise error rate like Bonferroni,
  never less powerful). A cell is marked with the letter of every column whose percentage it
  exceeds at the adjusted level `alpha`, as survey tabulation tools mark them.
- **Chi-square**: the test of independence of "has the code" and the column over the tested
  columns (Pearson, no continuity correction), only where every expected count is at least 5.

Weighted tables use each column's weighted proportion and its Kish effective base. When the
population size N is known, each column's variance is multiplied by the finite population
correction (N_i - n_i) / (N_i - 1): for waves N_i = N (each wave samples the same population);
for an attribute N_i = N * n_i / n (the group's share of the population taken to be its share of
the respondents). A column that covers its whole population has no sampling error: its
differences are actual, and no test applies. Waves are compared as independent samples.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from coder.core.reporting.frequencies import DEFAULT_MIN_BASE, BreakdownColumn, FrequencyTable

DEFAULT_ALPHA = 0.05
#: Smallest expected count for the chi-square test to be used (Cochran's rule).
MIN_EXPECTED = 5.0
CHI_MARK = "\u2020"  # dagger
#: A column with more of its answers than this not yet coded is not tested.
MAX_UNCODED_SHARE = 0.05


@dataclass(frozen=True)
class PairTest:
    """One pair of columns compared on one code."""

    code_id: str
    first: str
    second: str
    z: float
    p: float
    p_adjusted: float

    def significant(self, alpha: float) -> bool:
        """True when the Holm-adjusted p-value is under `alpha`."""
        return self.p_adjusted < alpha

    @property
    def higher(self) -> str:
        """The column with the larger proportion."""
        return self.first if self.z > 0 else self.second


@dataclass(frozen=True)
class ChiSquare:
    """A row's chi-square test across the tested columns."""

    code_id: str
    statistic: float
    dof: int
    p: float


@dataclass(frozen=True)
class Significance:
    """The marks of one breakdown table and what to say about them.

    Attributes:
        alpha: The significance level.
        letters: Column value -> its letter (every column, tested or not).
        tested: Columns tested (base at least `min_base`, at most 5% not yet coded, not the
            whole population).
        excluded: Columns with a base under `min_base`, not tested.
        census: Columns covering their whole population, not tested.
        incomplete: Columns with more than 5% of their answers not yet coded, not tested
            (their percentages understate every code).
        pairs: Every pair test, by (code id, first column, second column).
        chi_square: Code id -> its chi-square test (rows where the test fits).
        notes: Sentences a report prints under the table.
    """

    alpha: float
    letters: Mapping[str, str]
    tested: tuple[str, ...]
    excluded: tuple[str, ...]
    census: tuple[str, ...]
    incomplete: tuple[str, ...] = ()
    pairs: Mapping[tuple[str, str, str], PairTest] = field(default_factory=dict)
    chi_square: Mapping[str, ChiSquare] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def pair(self, code_id: str, first: str, second: str) -> PairTest | None:
        """The test of two columns on a code (in either order), or None if not tested."""
        return self.pairs.get((code_id, first, second)) or self.pairs.get(
            (code_id, second, first))

    def mark(self, code_id: str, column: str) -> str:
        """Letters of the columns this cell's percentage significantly exceeds ("" if none)."""
        found = []
        for other in self.tested:
            test = self.pair(code_id, column, other) if other != column else None
            if test is not None and test.significant(self.alpha) and test.higher == column:
                found.append(self.letters[other])
        return "".join(sorted(found))

    def row_mark(self, code_id: str) -> str:
        """The chi-square mark of a row ("" when not significant or not tested)."""
        test = self.chi_square.get(code_id)
        return CHI_MARK if test is not None and test.p < self.alpha else ""

    @property
    def any_significant(self) -> bool:
        """True when some pair or row differs significantly."""
        return (any(t.significant(self.alpha) for t in self.pairs.values())
                or any(t.p < self.alpha for t in self.chi_square.values()))


def normal_two_sided(z: float) -> float:
    """Two-sided p-value of a standard normal statistic."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def two_proportion_z(p1: float, n1: float, p2: float, n2: float, *, fpc1: float = 1.0,
                     fpc2: float = 1.0) -> tuple[float, float] | None:
    """Two-proportion z-test with pooled variance: (z, two-sided p), or None when the standard
    error is zero (both proportions 0 or 1, or both columns the whole population).

    Args:
        p1: First proportion (0-1).
        n1: First base (the effective base when weighted).
        p2: Second proportion.
        n2: Second base.
        fpc1: Finite population correction of the first column (1.0 when unknown).
        fpc2: The same for the second.
    """
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    variance = pooled * (1.0 - pooled) * (fpc1 / n1 + fpc2 / n2)
    if variance <= 0:
        return None
    z = (p1 - p2) / math.sqrt(variance)
    return z, normal_two_sided(z)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order given."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def chi_square_tail(dof: int, statistic: float) -> float:
    """P(X >= statistic) for X chi-square with a whole number `dof` of degrees of freedom
    (scipy's `chdtrc`), from the closed form of the regularised upper incomplete gamma
    function at half-integers: no scipy import (about 0.2 s) for a report's tables.

    With y = statistic / 2: for even dof, e^-y * sum(y^i / i!, i < dof / 2); for odd dof,
    erfc(sqrt(y)) + e^-y * sum(y^(i - 1/2) / gamma(i + 1/2), 1 <= i <= (dof - 1) / 2). Terms
    are summed in logarithms so that neither a large y nor many terms overflow.
    """
    if dof < 1:
        raise ValueError(f"degrees of freedom must be a whole number >= 1, not {dof}")
    if math.isnan(statistic):
        return math.nan
    if statistic <= 0.0:
        return 1.0
    if math.isinf(statistic):
        return 0.0
    y = statistic / 2.0
    log_y = math.log(y)
    if dof % 2 == 0:
        return math.fsum(math.exp(i * log_y - y - math.lgamma(i + 1.0))
                         for i in range(dof // 2))
    return math.erfc(math.sqrt(y)) + math.fsum(
        math.exp((i - 0.5) * log_y - y - math.lgamma(i + 0.5))
        for i in range(1, (dof - 1) // 2 + 1))


def chi_square(observed: Sequence[Sequence[float]]) -> tuple[float, int, float, float]:
    """Pearson's chi-square test of independence on a table of counts.

    Returns:
        (statistic, degrees of freedom, p-value, smallest expected count).
    """
    rows = [sum(r) for r in observed]
    cols = [sum(c) for c in zip(*observed, strict=True)]
    total = sum(rows)
    statistic, smallest = 0.0, math.inf
    for i, row in enumerate(observed):
        for j, value in enumerate(row):
            expected = rows[i] * cols[j] / total if total else 0.0
            smallest = min(smallest, expected)
            if expected > 0:
                statistic += (value - expected) ** 2 / expected
    dof = (len(rows) - 1) * (len(cols) - 1)
    return statistic, dof, chi_square_tail(dof, statistic) if dof else 1.0, smallest


def _fpc(column: BreakdownColumn, population: float | None) -> float:
    if population is None:
        return 1.0
    if population <= 1:
        return 0.0
    return max(0.0, (population - column.base) / (population - 1.0))


def letter(index: int) -> str:
    """Column letters A..Z, then AA, AB, ..."""
    letters = string.ascii_uppercase
    return letters[index] if index < 26 else letters[index // 26 - 1] + letters[index % 26]


def compare_columns(table: FrequencyTable, *, alpha: float = DEFAULT_ALPHA,
                 min_base: int = DEFAULT_MIN_BASE, population: int | None = None,
                 by_wave: bool = False) -> Significance:
    """Compare the columns of a breakdown table (see the module docstring).

    Args:
        table: A table with breakdown columns.
        alpha: Significance level (after Holm's adjustment).
        min_base: Columns with a base under this are not tested.
        population: The population size N, if known (finite population correction).
        by_wave: The columns are waves (each wave samples the whole population).

    Returns:
        The marks and the notes to print.
    """
    columns = table.columns
    letters = {c.value: letter(i) for i, c in enumerate(columns)}
    total = sum(c.base for c in columns)
    fpcs: dict[str, float] = {}
    for c in columns:
        size = None
        if population is not None:
            size = float(population) if by_wave or not total else population * c.base / total
        fpcs[c.value] = _fpc(c, size)
    excluded = tuple(c.value for c in columns if c.base < min_base)
    census = tuple(c.value for c in columns
                   if c.base >= min_base and population is not None and fpcs[c.value] == 0.0)
    incomplete = tuple(c.value for c in columns if c.uncoded > MAX_UNCODED_SHARE * c.base
                       and c.value not in excluded and c.value not in census)
    tested_columns = [c for c in columns if c.value not in excluded
                      and c.value not in census and c.value not in incomplete]
    pairs: dict[tuple[str, str, str], PairTest] = {}
    chi: dict[str, ChiSquare] = {}
    for row in table.rows:
        raw: list[tuple[str, str, float, float]] = []
        for i, a in enumerate(tested_columns):
            for b in tested_columns[i + 1:]:
                result = two_proportion_z(a.pct(row.code_id) / 100, a.test_base,
                                          b.pct(row.code_id) / 100, b.test_base,
                                          fpc1=fpcs[a.value], fpc2=fpcs[b.value])
                if result is not None:
                    raw.append((a.value, b.value, *result))
        for (first, second, z, p), adjusted in zip(raw, holm([r[3] for r in raw]), strict=True):
            pairs[(row.code_id, first, second)] = PairTest(row.code_id, first, second, z, p,
                                                           adjusted)
        if len(tested_columns) >= 2:
            observed = []
            for c in tested_columns:
                share = c.pct(row.code_id) / 100
                observed.append([share * c.test_base, (1 - share) * c.test_base])
            statistic, dof, p, smallest = chi_square(observed)
            if smallest >= MIN_EXPECTED and population is not None:
                scale = sum(fpcs[c.value] * c.base for c in tested_columns) / sum(
                    c.base for c in tested_columns)
                statistic = statistic / scale if scale > 0 else math.inf
                p = chi_square_tail(dof, statistic)
            if smallest >= MIN_EXPECTED:
                chi[row.code_id] = ChiSquare(row.code_id, statistic, dof, p)
    found = Significance(alpha, letters, tuple(c.value for c in tested_columns), excluded,
                         census, incomplete, pairs, chi)
    return Significance(alpha, letters, found.tested, excluded, census, incomplete, pairs, chi,
                        _notes(found, table, min_base, population, by_wave))


def _notes(found: Significance, table: FrequencyTable, min_base: int, population: int | None,
           by_wave: bool) -> tuple[str, ...]:
    level = f"{100 * (1 - found.alpha):.0f}%"
    notes = []
    if len(found.tested) >= 2:
        how = (f"Letters mark a percentage significantly higher ({level} confidence) than that"
               " of the column with that letter: column-proportions z-test, Holm-corrected"
               " across each row's pairs of columns")
        if table.weighted_by:
            how += ", on effective bases (weighted)"
        if population is not None:
            how += f", with the finite population correction (population {population})"
        if by_wave:
            how += "; waves compared as independent samples"
        notes.append(how + ".")
        notes.append(f"{CHI_MARK} The code's percentages differ across the columns (chi-square"
                     f" test, p < {found.alpha:g}); not computed where an expected count is"
                     f" under {MIN_EXPECTED:g}.")
    if found.excluded:
        notes.append(f"Columns with a base under {min_base} ({', '.join(found.excluded)}) are"
                     " not tested: differences involving them are indicative rather than"
                     " statistically significant.")
    if found.incomplete:
        uncoded = {c.value: c for c in table.columns}
        listed = ", ".join(f"{v} ({uncoded[v].uncoded} of {uncoded[v].base})"
                           for v in found.incomplete)
        notes.append("Columns with more than 5% of their answers not yet coded are not tested:"
                     f" {listed}; their"
                     " percentages count those answers under no code, so differences"
                     " involving them are indicative rather than statistically significant.")
    if found.census:
        notes.append(f"{', '.join(found.census)}: every member of the population (N ="
                     f" {population}) is in the base, so its percentages are actual values,"
                     " not estimates; no test applies to it.")
    if len(found.tested) < 2 and not found.census:
        notes.append(f"Fewer than two columns have a base of {min_base} or more with their"
                     " answers coded: no significance test; differences are indicative rather"
                     " than statistically significant.")
    elif len(found.tested) >= 2 and not found.any_significant:
        notes.append(f"No difference between columns is statistically significant at the"
                     f" {level} level: differences shown are indicative rather than"
                     " statistically significant.")
    return tuple(notes)
