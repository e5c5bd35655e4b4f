"""Render a `Report` as Markdown (charts as PNG files beside it); no UI, CLI or SQL."""

from __future__ import annotations

import re
from pathlib import Path

from coder.core.printable import drop_controls
from coder.core.reporting.charts import bar_chart_png
from coder.core.reporting.frequencies import FrequencyTable
from coder.core.reporting.model import (
    QuestionSection,
    Report,
    base_notes,
    caution,
    chart_caption,
    quote_line,
    ranked_themes,
    theme_sentence,
)
from coder.core.reporting.tables import table_grid, waves_sentence
from coder.core.safe_files import write_bytes_atomic

_SPECIAL = re.compile(r"([\\`*_\[\]|~<>])")
# "&" starts an HTML entity only when a name and ";" follow ("&amp;"); elsewhere it is literal.
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LEADING = re.compile(r"^(\s*)([#+-]|\d+\.)")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")


def md_escape(text: str) -> str:
    """Escape text so Markdown shows it literally: no emphasis, links, HTML or table breaks,
    no control characters; backslash escapes only, so the source reads as plain text too."""
    text = _SPECIAL.sub(r"\\\1", _SPACES.sub(" ", drop_controls(text)))
    text = _ENTITY.sub(r"\\&", text)
    return _LEADING.sub(_escape_leading, text)


def _escape_leading(match: re.Match[str]) -> str:
    mark = match.group(2)
    escaped = mark[:-1] + "\\." if mark.endswith(".") else "\\" + mark
    return match.group(1) + escaped


def render_markdown(report: Report, chart_dir: Path | None = None,
                    chart_prefix: str = "") -> str:
    """The report as Markdown.

    Args:
        report: The report.
        chart_dir: Folder to write one PNG chart per question into; None for no charts.
        chart_prefix: Path prefix used in the image links (e.g. "report_files/").

    Returns:
        The Markdown text.
    """
    out = [f"# {md_escape(report.title)}", ""]
    if report.author:
        out += [f"Prepared by {md_escape(report.author)}.", ""]
    meta = f"Coding: {md_escape(report.layer)}. Made {report.created}."
    covered = waves_sentence(report.waves) if report.waves else (
        f"Wave: {report.wave}." if report.wave else "")
    if covered:
        meta += f" {md_escape(covered)}"
    out += [meta, ""]
    for number, section in enumerate(report.sections, start=1):
        out += _section(report, section, number, chart_dir, chart_prefix)
    return "\n".join(out).rstrip() + "\n"


def _section(report: Report, s: QuestionSection, number: int, chart_dir: Path | None,
             chart_prefix: str) -> list[str]:
    table = s.table
    out = [f"## {md_escape(s.question_text)}", "", f"*Question {md_escape(s.question_id)}*", ""]
    out += [f"- {md_escape(n)}" for n in base_notes(table, report.base_label, s.routing_note)]
    out.append("")
    warn = caution(table)
    if warn:
        out += [f"> **{md_escape(warn)}**", ""]
    for theme, rank, previous in ranked_themes(s.themes):
        before, label, after = theme_sentence(theme.row, table.base.answered, report.base_label,
                                              rank=rank, previous=previous,
                                              suppress_below=report.suppress_below)
        out += [f"{md_escape(before)}**{md_escape(label)}**{md_escape(after)}", ""]
        for quote in theme.quotes:
            out += [f"> {md_escape(quote_line(quote))}", ""]
    if not s.themes:
        out += ["No answer has been coded with a code of this codeframe yet.", ""]
    out += _table(table, report.suppress_below)
    if chart_dir is not None and s.chart_rows:
        chart_dir.mkdir(parents=True, exist_ok=True)
        name = f"chart_{number:02d}.png"
        caption = chart_caption(s, report.base_label)
        write_bytes_atomic(chart_dir / name, bar_chart_png(s.chart_rows, caption))
        out += [f"![{md_escape(caption)}]({chart_prefix}{name})", "",
                f"*{md_escape(caption)}*", ""]
    return out


def _table(table: FrequencyTable, suppress_below: int) -> list[str]:
    grid = table_grid(table, suppress_below)
    lines = ["| " + " | ".join(md_escape(h) for h in grid.head) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(grid.head) - 1)) + "|"]
    for row in grid.rows:
        lines.append("| " + " | ".join(md_escape(c) for c in row.cells) + " |")
    lines.append("")
    lines += [f"*{md_escape(note)}*\n" for note in grid.notes]
    return lines
