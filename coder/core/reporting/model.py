"""The report as data (sections, themes, quotes, tables) and its wording; no UI, CLI or SQL."""

from __future__ import annotations

from dataclasses import dataclass

from coder.core.reporting.frequencies import FrequencyRow, FrequencyTable
from coder.core.reporting.quotes import Quote


@dataclass(frozen=True)
class Theme:
    """A code (or net) with at least one respondent, and the quotes chosen for it."""

    row: FrequencyRow
    quotes: tuple[Quote, ...] = ()


@dataclass(frozen=True)
class QuestionSection:
    """Everything a report says about one question."""

    question_id: str
    question_text: str
    routing_note: str | None
    table: FrequencyTable
    themes: tuple[Theme, ...]
    chart_rows: tuple[FrequencyRow, ...] = ()
    withheld_starred: int = 0  # starred answers left out: they may still identify someone


@dataclass(frozen=True)
class Report:
    """A whole report; the renderers (Markdown, HTML, DOCX) only lay it out.

    Attributes:
        title: Report title.
        layer: Whose codings were counted, e.g. "adjudicated codes".
        base_label: Who the base is, e.g. "responding authorities".
        sections: One per question.
        created: Date the report was made (ISO).
        wave: The waves reported, as text (e.g. "2025, 2026"), or None when the project
            has no waves.
        include_ids: Whether quotes carry respondent IDs (only when asked for explicitly).
        waves: The waves the report covers, oldest first.
    """

    title: str
    layer: str
    base_label: str
    sections: tuple[QuestionSection, ...]
    created: str
    wave: str | None = None
    include_ids: bool = False
    waves: tuple[str, ...] = ()


def pct_text(pct: float) -> str:
    """A percentage as shown in reports: whole numbers, "<1%" for small non-zero shares."""
    if 0 < pct < 0.5:
        return "<1%"
    return f"{pct:.0f}%"


def prominence(pct: float) -> str:
    """The opening words of a theme paragraph, graded by the share of the base."""
    if pct >= 40:
        return "A prominent theme is"
    if pct >= 20:
        return "A common theme is"
    if pct >= 10:
        return "Another theme is"
    return "A less frequent theme is"


def theme_sentence(row: FrequencyRow, base: int, base_label: str) -> tuple[str, str, str]:
    """A theme paragraph as (before, label, after) so each format can set the label in bold.

    Example: ("A prominent theme is ", "High school fees", " (n=20, 41% of responding
    authorities).").
    """
    lead = prominence(row.pct) if row.depth == 0 else "Within this,"
    before = f"{lead} "
    after = f" (n={row.n}, {pct_text(row.pct)} of {base_label})."
    return before, row.label, after


def base_caption(table: FrequencyTable, base_label: str) -> str:
    """The chart and table caption, e.g. "Base: all responding authorities (n=49)"."""
    return f"Base: all {base_label} (n={table.base.answered})"


def base_notes(table: FrequencyTable, base_label: str, routing_note: str | None) -> list[str]:
    """Lines describing the base: asked, answered, non-substantive, blank, uncoded."""
    b = table.base
    notes = []
    if b.asked is not None:
        asked = f"Asked: {b.asked}" + (f" ({routing_note})" if routing_note else "")
        notes.append(asked)
    notes.append(f"Answered: {b.answered} {base_label}")
    if b.non_substantive:
        notes.append(f"Non-substantive answers (e.g. \"don't know\", \"n/a\"), not in the base:"
                     f" {b.non_substantive}")
    if b.blank:
        notes.append(f"Left blank: {b.blank}")
    if b.uncoded:
        notes.append(f"Not yet coded (in the base, counted under no code): {b.uncoded}")
    notes.append("Several codes may apply to one answer, so percentages may add up to more than"
                 " 100%; a net counts each respondent once.")
    return notes


def caution(table: FrequencyTable) -> str | None:
    """The question's warnings (small base, unresolved or stale coding), or None."""
    notes = []
    b = table.base
    if b.unresolved:
        notes.append(f"Caution: {b.unresolved} {_answers(b.unresolved)} unresolved"
                     " disagreements (listed in the question's disagreement queue for"
                     " adjudication); they are in the base with no code.")
    if b.stale:
        notes.append(f"Caution: {b.stale} adjudicated {_answers(b.stale)} been re-coded since"
                     " the adjudication (listed in the question's disagreement queue);"
                     " the adjudicated codes are counted.")
    if table.small_base:
        notes.append(f"Caution: small base (n={table.base.answered}, under {table.min_base});"
                     " treat percentages as indicative.")
    small = table.small_columns()
    if small:
        notes.append(f"Columns marked * have a base under {table.min_base}: "
                     + ", ".join(small) + ".")
    return " ".join(notes) or None


def _answers(n: int) -> str:
    return "answer has" if n == 1 else "answers have"


def row_label(row: FrequencyRow) -> str:
    """A table row label: nets marked "NET", codes under a net indented."""
    prefix = "\u00a0\u00a0\u00a0\u00a0" * row.depth
    return f"{prefix}{'NET: ' if row.is_net else ''}{row.label}"


def column_heading(value: str, base: int, min_base: int) -> str:
    """A breakdown column heading with its base, starred when the base is small."""
    star = "*" if base < min_base else ""
    return f"{value}{star} (n={base})"


def quote_line(quote: Quote) -> str:
    """The text shown for a quote; the respondent ID is appended only when the report has IDs."""
    suffix = f" (respondent {quote.respondent})" if quote.respondent else ""
    return f"\u201c{quote.text}\u201d{suffix}"
