"""A frequency table laid out as heading and cells, the same for every report format: breakdown
columns with significance letters, trend columns by wave with the latest change, weight notes;
and the sentence saying which waves a report covers. Pure: no UI, CLI, store or SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coder.core.reporting.frequencies import FrequencyRow, FrequencyTable
from coder.core.reporting.significance import CHI_MARK

#: The breakdown name that means "by wave" (a trend table) rather than a respondent attribute.
BY_WAVE = "wave"
UP, DOWN = "\u25b2", "\u25bc"


@dataclass(frozen=True)
class GridRow:
    """One table row as text cells (the label first)."""

    cells: tuple[str, ...]
    is_net: bool


@dataclass(frozen=True)
class TableGrid:
    """A frequency table as the renderers print it: heading, rows, notes under it."""

    head: tuple[str, ...]
    rows: tuple[GridRow, ...]
    notes: tuple[str, ...]


def pct_cell(pct: float) -> str:
    """A percentage as shown in tables: whole numbers, "<1%" for small non-zero shares."""
    if 0 < pct < 0.5:
        return "<1%"
    return f"{pct:.0f}%"


def change_cell(points: float, mark: str = "") -> str:
    """A change in percentage points, signed: "+8 pts", "-3 pts", "0 pts"."""
    rounded = round(points)
    text = f"{rounded:+d} pts" if rounded else "0 pts"
    return f"{text} {mark}" if mark else text


def waves_sentence(waves: Sequence[str]) -> str:
    """Which waves a report or export covers, as a sentence ("" when the project has none)."""
    if not waves:
        return ""
    if len(waves) == 1:
        return f"Wave: {waves[0]}."
    return (f"Waves: {', '.join(waves[:-1])} and {waves[-1]} (answers pooled: a respondent"
            " counts once in each wave they answered).")


def _heading(value: str, base: int, min_base: int) -> str:
    star = "*" if base < min_base else ""
    return f"{value}{star} (n={base})"


def _label(row: FrequencyRow, chi: str) -> str:
    prefix = "\u00a0\u00a0\u00a0\u00a0" * row.depth
    label = f"{prefix}{'NET: ' if row.is_net else ''}{row.label}"
    return f"{label} {chi}" if chi else label


def _suppressed(n: int, suppress_below: int) -> bool:
    return 0 < n < suppress_below


def table_grid(table: FrequencyTable, suppress_below: int = 0) -> TableGrid:
    """Lay a frequency table out: Code, n, %, then per breakdown column its % (and, by wave, n
    and the change between the last two waves), with significance letters where tested.

    A count under `suppress_below` (not zero) is shown as "*", with its percentage and any
    change it is part of.
    """
    sig = table.significance
    trend = table.breakdown_by == BY_WAVE
    cols = table.columns
    head = ["Code", "n", "% (weighted)" if table.weighted_by else "%"]
    for c in cols:
        heading = _heading(c.value, c.base, table.min_base)
        if sig is not None:
            heading += f" [{sig.letters[c.value]}]"
        if trend:
            head.append(f"{c.value} n")
        head.append(f"{heading} %")
    if trend and len(cols) >= 2:
        head.append(f"Change {cols[-2].value} to {cols[-1].value}")
    rows = []
    for row in table.rows:
        chi = sig.row_mark(row.code_id) if sig is not None else ""
        hidden = _suppressed(row.n, suppress_below)
        cells = [_label(row, chi), "*" if hidden else str(row.n),
                 "*" if hidden else pct_cell(row.pct)]
        for c in cols:
            mark = sig.mark(row.code_id, c.value) if sig is not None else ""
            n = c.n(row.code_id)
            if trend:
                cells.append("*" if _suppressed(n, suppress_below) else str(n))
            cells.append("*" if _suppressed(n, suppress_below)
                         else f"{pct_cell(c.pct(row.code_id))} {mark}".rstrip())
        if trend and len(cols) >= 2 and any(
                _suppressed(c.n(row.code_id), suppress_below) for c in cols[-2:]):
            cells.append("*")
        elif trend and len(cols) >= 2:
            before, last = cols[-2], cols[-1]
            points = last.pct(row.code_id) - before.pct(row.code_id)
            test = sig.pair(row.code_id, before.value, last.value) if sig is not None else None
            arrow = ""
            if test is not None and sig is not None and test.significant(sig.alpha):
                arrow = UP if test.higher == last.value else DOWN
            cells.append(change_cell(points, arrow))
        rows.append(GridRow(tuple(cells), row.is_net))
    return TableGrid(tuple(head), tuple(rows), table_notes(table))


def table_notes(table: FrequencyTable) -> tuple[str, ...]:
    """What the reader needs under the table: weights, the trend's change, significance."""
    notes = []
    if table.weighted_by:
        effective = table.base.effective
        notes.append(f"Percentages are weighted by {table.weighted_by}; n and the bases are"
                     " respondents (unweighted)"
                     + (f"; effective base {effective:.0f}." if effective is not None else "."))
    if table.breakdown_by == BY_WAVE and len(table.columns) >= 2:
        before, last = table.columns[-2].value, table.columns[-1].value
        text = (f"Change: percentage points from {before} to {last}, each of its own wave's"
                " base.")
        if table.significance is not None:
            text += f" {UP}/{DOWN}: the change is statistically significant (see below)."
        notes.append(text)
    if table.significance is not None:
        notes += table.significance.notes
    elif table.columns:
        notes.append("No significance test was run on this table.")
    return tuple(notes)


__all__ = ["BY_WAVE", "CHI_MARK", "GridRow", "TableGrid", "table_grid", "waves_sentence"]
