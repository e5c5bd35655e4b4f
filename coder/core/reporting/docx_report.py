"""Render a `Report` as a Word document (python-docx, imported lazily); no UI, CLI or SQL."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

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
from coder.core.reporting.tables import table_grid, table_notes, waves_sentence
from coder.core.safe_files import atomic_output


def render_docx(report: Report, path: str | Path, *, charts: bool = True,
                protected: Iterable[str | Path] = ()) -> None:
    """Write the report as a .docx: a heading per question, theme paragraphs with quotes,
    a frequency table and a bar chart with its base caption.

    Args:
        report: The report.
        path: Where to write the document.
        charts: Include one bar chart per question.
        protected: Files it must not write over (see `coder.core.safe_files`).
    """
    from docx import Document
    from docx.shared import Pt, RGBColor

    doc = Document()
    # The document's properties say who wrote it, not the library that did the writing.
    props = doc.core_properties
    props.author = props.last_modified_by = _clean(report.author or "")
    props.title = _clean(report.title)
    props.comments = props.subject = props.keywords = ""
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.add_heading(_clean(report.title), level=0)
    meta = f"Coding: {report.layer}. Made {report.created}."
    covered = waves_sentence(report.waves) if report.waves else (
        f"Wave: {report.wave}." if report.wave else "")
    if covered:
        meta += f" {covered}"
    para = doc.add_paragraph()
    run = para.add_run(_clean(meta))
    run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    for section in report.sections:
        _section(doc, report, section, charts)
    with atomic_output(path, protected=protected) as tmp:
        doc.save(str(tmp))


def _section(doc: Any, report: Report, s: QuestionSection, charts: bool) -> None:
    from docx.shared import Inches, Pt, RGBColor

    table = s.table
    doc.add_heading(_clean(s.question_text), level=1)
    small = doc.add_paragraph().add_run(_clean(f"Question {s.question_id}"))
    small.italic = True
    for note in base_notes(table, report.base_label, s.routing_note):
        doc.add_paragraph(_clean(note), style="List Bullet")
    warn = caution(table)
    if warn:
        run = doc.add_paragraph().add_run(_clean(warn))
        run.bold = True
        run.font.color.rgb = RGBColor(0x9C, 0x5B, 0x00)
    for theme, rank, previous in ranked_themes(s.themes):
        before, label, after = theme_sentence(theme.row, table.base.answered, report.base_label,
                                              rank=rank, previous=previous,
                                              suppress_below=report.suppress_below)
        para = doc.add_paragraph()
        para.add_run(_clean(before))
        para.add_run(_clean(label)).bold = True
        para.add_run(_clean(after))
        for quote in theme.quotes:
            q = doc.add_paragraph(style="Quote")
            q.add_run(_clean(quote_line(quote)))
    if not s.themes:
        doc.add_paragraph("No answer has been coded with a code of this codeframe yet.")
    _table(doc, table, report.suppress_below)
    for note in table_notes(table):
        run = doc.add_paragraph().add_run(_clean(note))
        run.italic = True
        run.font.size = Pt(9)
    if charts and s.chart_rows:
        caption = chart_caption(s, report.base_label)
        png = bar_chart_png(s.chart_rows, caption)
        doc.add_picture(io.BytesIO(png), width=Inches(6.0))
        fig = doc.add_paragraph().add_run(_clean(caption))
        fig.italic = True
        fig.font.size = Pt(9)


def _table(doc: Any, table: FrequencyTable, suppress_below: int) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Inches

    grid_text = table_grid(table, suppress_below)
    head = list(grid_text.head)
    grid = doc.add_table(rows=1, cols=len(head))
    grid.style = "Table Grid"
    grid.autofit = False
    extra = len(head) - 3
    label_width = Inches(max(1.6, 6.3 - 1.1 - 0.9 * extra))
    widths = [label_width, Inches(0.55), Inches(0.55)] + [Inches(0.9)] * extra
    for cell, text in zip(grid.rows[0].cells, head, strict=True):
        cell.text = _clean(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for grid_row in grid_text.rows:
        values = list(grid_row.cells)
        cells = grid.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.text = _clean(text)
            if i:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if grid_row.is_net:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    # Word reads the cell widths, LibreOffice the grid columns: set both.
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    for row_cells in grid.rows:
        for cell, width in zip(row_cells.cells, widths, strict=True):
            cell.width = width


def _clean(text: str) -> str:
    """Drop characters XML 1.0 forbids (control characters from pasted answers)."""
    return drop_controls(text)
