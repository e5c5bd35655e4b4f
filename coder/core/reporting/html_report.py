"""Render a `Report` as one self-contained HTML file (inline CSS and SVG charts); no UI or SQL."""

from __future__ import annotations

import html

from coder.core.printable import drop_controls
from coder.core.reporting.charts import bar_chart_svg
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


def escape(text: str) -> str:
    """HTML-escaped text without control characters (they are not allowed in HTML)."""
    return html.escape(drop_controls(text))


_CSS = """
body { font-family: "Segoe UI", Arial, sans-serif; max-width: 52rem; margin: 2rem auto;
       padding: 0 1rem; color: #1b1b1b; line-height: 1.45; }
h1 { font-size: 1.7rem; border-bottom: 3px solid #1F5A96; padding-bottom: .3rem; }
h2 { font-size: 1.25rem; margin-top: 2.5rem; color: #1F5A96; }
.qid, .meta, .caption { color: #555; font-size: .9rem; }
ul.base { font-size: .9rem; color: #333; }
.caution { background: #FFF4CE; border-left: 4px solid #C98F00; padding: .5rem .8rem; }
blockquote { margin: .3rem 0 .8rem 1.2rem; padding-left: .8rem; border-left: 3px solid #C7D5E6;
             color: #333; font-style: italic; }
blockquote.starred { border-left-color: #1F5A96; }
table { border-collapse: collapse; margin: 1rem 0 .3rem; font-size: .9rem; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .6rem; }
th { text-align: left; background: #F0F4F9; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.net td { font-weight: 600; }
td:first-child { min-width: 16rem; }
figure { margin: 1rem 0; } figure img, figure svg { max-width: 100%; height: auto; }
"""


def render_html(report: Report, *, charts: bool = True) -> str:
    """The report as a self-contained HTML page; every piece of text is HTML-escaped.

    Args:
        report: The report.
        charts: Embed one bar chart per question (inline SVG).

    Returns:
        The HTML document.
    """
    meta = f"Coding: {report.layer}. Made {report.created}."
    covered = waves_sentence(report.waves) if report.waves else (
        f"Wave: {report.wave}." if report.wave else "")
    if covered:
        meta += f" {covered}"
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(report.title)}</title>",
        *([f'<meta name="author" content="{escape(report.author)}">'] if report.author else []),
        f"<style>{_CSS}</style>", "</head>", "<body>",
        f"<h1>{escape(report.title)}</h1>", f'<p class="meta">{escape(meta)}</p>',
    ]
    for section in report.sections:
        parts += _section(report, section, charts)
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _section(report: Report, s: QuestionSection, charts: bool) -> list[str]:
    table = s.table
    out = [f'<section id="{escape(s.question_id)}">', f"<h2>{escape(s.question_text)}</h2>",
           f'<p class="qid">Question {escape(s.question_id)}</p>', '<ul class="base">']
    out += [f"<li>{escape(n)}</li>" for n in base_notes(table, report.base_label, s.routing_note)]
    out.append("</ul>")
    warn = caution(table)
    if warn:
        out.append(f'<p class="caution">{escape(warn)}</p>')
    for theme, rank, previous in ranked_themes(s.themes):
        before, label, after = theme_sentence(theme.row, table.base.answered, report.base_label,
                                              rank=rank, previous=previous,
                                              suppress_below=report.suppress_below)
        out.append(f"<p>{escape(before)}<strong>{escape(label)}</strong>{escape(after)}</p>")
        for quote in theme.quotes:
            cls = ' class="starred"' if quote.starred else ""
            out.append(f"<blockquote{cls}>{escape(quote_line(quote))}</blockquote>")
    if not s.themes:
        out.append("<p>No answer has been coded with a code of this codeframe yet.</p>")
    out += _table(table, report.suppress_below)
    if charts and s.chart_rows:
        caption = chart_caption(s, report.base_label)
        out += ["<figure>", bar_chart_svg(s.chart_rows, caption),
                f'<figcaption class="caption">{escape(caption)}</figcaption>', "</figure>"]
    out.append("</section>")
    return out


def _table(table: FrequencyTable, suppress_below: int) -> list[str]:
    grid = table_grid(table, suppress_below)
    head = ["<th>Code</th>"] + [f'<th class="num">{escape(h)}</th>' for h in grid.head[1:]]
    out = ["<table>", "<thead><tr>" + "".join(head) + "</tr></thead>", "<tbody>"]
    for row in grid.rows:
        cls = ' class="net"' if row.is_net else ""
        cells = [f"<td>{escape(row.cells[0])}</td>"]
        cells += [f'<td class="num">{escape(c)}</td>' for c in row.cells[1:]]
        out.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    out += [f'<p class="caption">{escape(note)}</p>' for note in grid.notes]
    return out
