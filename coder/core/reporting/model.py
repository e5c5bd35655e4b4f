"""The report as data (sections, themes, quotes, tables) and its wording; no UI, CLI or SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

from coder.core.reporting.frequencies import DEFAULT_MIN_BASE, FrequencyRow, FrequencyTable
from coder.core.reporting.quotes import Quote

#: The title of a report when neither `--title` nor the project setting report.title gives one.
DEFAULT_TITLE = "Open answers: what respondents said"


@dataclass(frozen=True)
class ReportOptions:
    """What a report covers and how it reads; the CLI fills it, the services and renderers read it.

    Attributes:
        question_ids: Questions to report; empty for every open question with a codeframe.
        layer: Whose codes count (see `coder.services.reports.resolve_layer`); None to choose.
        by: Respondent attribute to break frequencies down by (e.g. "region"), or "wave" for a
            trend table; breakdowns carry significance marks.
        wave: Waves to report (see `coder.services.waves.resolve_waves`); None for every wave
            with coding.
        min_base: Bases below this get a caution (and breakdown columns are not tested).
        quotes_per_code: Quotes under each code (starred first, then representative).
        include_ids: Show the respondent ID after each quote (never by default).
        title: Report title; None for the project setting report.title, else `DEFAULT_TITLE`.
        base_label: Who the base is, e.g. "responding authorities"; None for the project
            setting report.base_label.
        author: The document's author; None for the project setting report.author, else the
            coder writing the report.
        coder: Who is writing the report.
        suppress_below: Counts under this (and their percentages) are shown as "*" in tables
            and themes; 0 shows every count.
        weight: Numeric respondent attribute to weight percentages by; None for unweighted.
        population: The population size, when known (finite population correction).
    """

    question_ids: Sequence[str] = ()
    layer: str | None = None
    by: str | None = None
    wave: str | None = None
    min_base: int = DEFAULT_MIN_BASE
    quotes_per_code: int = 3
    include_ids: bool = False
    title: str | None = None
    base_label: str | None = None
    author: str | None = None
    coder: str | None = None
    suppress_below: int = 0
    weight: str | None = None
    population: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "question_ids", tuple(self.question_ids or ()))


class ReportOverrides(TypedDict, total=False):
    """`ReportOptions` fields given as keywords (a shorthand for scripts and tests)."""

    question_ids: Sequence[str]
    layer: str | None
    by: str | None
    wave: str | None
    min_base: int
    quotes_per_code: int
    include_ids: bool
    title: str | None
    base_label: str | None
    author: str | None
    coder: str | None
    suppress_below: int
    weight: str | None
    population: int | None


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
        author: The document's author, or None.
        suppress_below: Counts under this are shown as "*" (0: none suppressed).
    """

    title: str
    layer: str
    base_label: str
    sections: tuple[QuestionSection, ...]
    created: str
    wave: str | None = None
    include_ids: bool = False
    waves: tuple[str, ...] = ()
    author: str | None = None
    suppress_below: int = 0


def pct_text(pct: float) -> str:
    """A percentage as shown in reports: whole numbers, "<1%" for small non-zero shares."""
    if 0 < pct < 0.5:
        return "<1%"
    return f"{pct:.0f}%"


_ORDINALS = ("most common", "second most common", "third most common")


def rank_lead(rank: int, row: FrequencyRow, previous: FrequencyRow | None) -> str:
    """The opening words of a theme paragraph, by the theme's rank among the top-level themes
    (never by its percentage, so the top theme always reads as the top one)."""
    if row.depth > 0:
        return "Within this,"
    if previous is not None and previous.n == row.n:
        return "Equally common was"
    if rank < len(_ORDINALS):
        return f"The {_ORDINALS[rank]} theme was"
    return "Also mentioned was"


def count_text(n: int, suppress_below: int) -> str:
    """A count as printed: "*" when it is under the suppression threshold (and not zero)."""
    return "*" if 0 < n < suppress_below else str(n)


def share_text(n: int, pct: float, suppress_below: int) -> str:
    """A percentage as printed, "*" when its count is suppressed."""
    return "*" if 0 < n < suppress_below else pct_text(pct)


def theme_sentence(row: FrequencyRow, base: int, base_label: str, *, rank: int = 0,
                   previous: FrequencyRow | None = None,
                   suppress_below: int = 0) -> tuple[str, str, str]:
    """A theme paragraph as (before, label, after) so each format can set the label in bold.

    Example: ("The most common theme was ", "High school fees", ", mentioned by 20 responding
    authorities (41%).").
    """
    before = f"{rank_lead(rank, row, previous)} "
    who = base_label if row.depth == 0 else ""
    verb = ", mentioned by" if row.depth == 0 else " was mentioned by"
    if 0 < row.n < suppress_below:
        return before, row.label, f"{verb} fewer than {suppress_below} {base_label}."
    count = f"{row.n} {who}".rstrip()
    return before, row.label, f"{verb} {count} ({pct_text(row.pct)})."


def base_caption(table: FrequencyTable, base_label: str) -> str:
    """The base of every percentage, e.g. "Base: all responding authorities (n=49)"."""
    return f"Base: all {base_label} (n={table.base.answered})"


def base_notes(table: FrequencyTable, base_label: str, routing_note: str | None) -> list[str]:
    """Lines describing the base, printed once per question: who was asked, the base itself,
    then what is outside it (non-substantive, blank) and what is not coded yet."""
    b = table.base
    notes = []
    if routing_note or b.asked is not None:
        asked = "Asked: " + (f"{b.asked} " if b.asked is not None else "") + \
            (f"({routing_note})" if routing_note and b.asked is not None else routing_note or "")
        notes.append(asked.strip())
    notes.append(base_caption(table, base_label))
    if b.non_substantive:
        notes.append(f"Non-substantive answers (e.g. \"don't know\", \"n/a\") not in the base:"
                     f" {b.non_substantive} (an answer a coder gave a code counts in the base)")
    if b.blank:
        notes.append(f"Left blank: {b.blank}")
    if b.uncoded:
        notes.append(f"Not yet coded (in the base, counted under no code): {b.uncoded}")
    notes.append("Several codes may apply to one answer, so percentages may add up to more than"
                 " 100%; a net counts each respondent once.")
    return notes


#: A question with at least this share of its base not coded yet gets a caution in words.
UNCODED_CAUTION = 0.2


def caution(table: FrequencyTable) -> str | None:
    """The question's warnings (not fully coded, small base, unresolved or stale coding)."""
    notes = []
    b = table.base
    if b.answered and b.uncoded / b.answered >= UNCODED_CAUTION:
        coded = b.answered - b.uncoded
        notes.append(f"Caution: only {coded} of the {b.answered} answers"
                     f" ({pct_text(100.0 * coded / b.answered)}) have been coded so far."
                     " Uncoded answers are in the base with no code, so every share below is"
                     " lower than it will be once coding is finished.")
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


def ranked_themes(themes: Sequence[Theme]) -> list[tuple[Theme, int, FrequencyRow | None]]:
    """Each theme with its rank among the top-level themes and the top-level theme before it."""
    out: list[tuple[Theme, int, FrequencyRow | None]] = []
    rank, previous = -1, None
    for theme in themes:
        if theme.row.depth == 0:
            rank += 1
            out.append((theme, rank, previous))
            previous = theme.row
        else:
            out.append((theme, rank, None))
    return out


def chart_caption(section: QuestionSection, base_label: str) -> str:
    """The chart's caption: what it shows (its base is stated once, above)."""
    return f"Figure: {section.question_id}, share of {base_label} giving each theme"


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
