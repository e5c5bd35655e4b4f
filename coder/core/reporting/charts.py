"""Bar charts of code frequencies; no UI or SQL.

`bar_chart_svg` draws the chart as SVG text (for HTML reports: sharp at any zoom, its words
real text that screen readers and search find, and no plotting library to load);
`bar_chart_png` draws the same chart as PNG bytes with matplotlib (Agg, imported lazily) for
formats that need an image file (Markdown, Word). `load_png_charts_meanwhile` loads matplotlib
(a third of a second of CPU) in a background thread while a caller waits on other work.
"""

from __future__ import annotations

import contextlib
import io
import textwrap
import threading
from collections.abc import Sequence
from html import escape

from coder.core.reporting.frequencies import FrequencyRow
from coder.core.reporting.model import pct_text

MAX_BARS = 15
_BAR = "#1F5A96"
_NET = "#7A9CC6"


def load_png_charts_meanwhile() -> threading.Thread:
    """Start loading what `bar_chart_png` draws with in a background thread, for a caller about
    to wait on other work (a report counted by a database server, which releases the
    interpreter while it waits); join the thread before drawing. A failure to load is left for
    `bar_chart_png` to meet and report."""
    thread = threading.Thread(target=_load_plotting, name="load-png-charts", daemon=True)
    thread.start()
    return thread


def _load_plotting() -> None:
    with contextlib.suppress(Exception):
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.backends import backend_agg  # noqa: F401
        from matplotlib.figure import Figure  # noqa: F401


def bar_chart_png(rows: Sequence[FrequencyRow], caption: str, *, title: str | None = None,
                  dpi: int = 150) -> bytes:
    """A horizontal bar chart (percent of base) with the base caption under it.

    Args:
        rows: Rows to plot, top to bottom (at most `MAX_BARS` are drawn).
        caption: E.g. "Base: all responding authorities (n=49)".
        title: Optional title above the bars.
        dpi: Resolution of the PNG.

    Returns:
        The PNG file's bytes.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    shown = list(rows)[:MAX_BARS]
    labels = [textwrap.shorten(("NET: " if r.is_net else "") + r.label, 60, placeholder="…")
              for r in shown]
    labels = ["\n".join(textwrap.wrap(label, 34)) or " " for label in labels]
    height = 1.0 + 0.42 * max(len(shown), 1) + 0.25 * sum(label.count("\n") for label in labels)
    fig = Figure(figsize=(7.0, height), dpi=dpi)
    ax = fig.add_subplot(111)
    positions = list(range(len(shown)))[::-1]
    values = [r.pct for r in shown]
    colours = [_NET if r.is_net else _BAR for r in shown]
    ax.barh(positions, values, color=colours, height=0.65)
    ax.set_yticks(positions, labels, fontsize=8)
    top = max([*values, 1.0])
    ax.set_xlim(0, min(100.0, top * 1.18 + 2))
    for y, r in zip(positions, shown, strict=True):
        ax.text(r.pct + top * 0.01, y, f"{pct_text(r.pct)} ({r.n})", va="center", fontsize=7.5)
    ax.set_xlabel("% of base", fontsize=8)
    ax.tick_params(axis="x", labelsize=7.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(textwrap.shorten(title, 90, placeholder="…"), fontsize=9, loc="left")
    fig.text(0.01, 0.01, caption, fontsize=7.5, ha="left", va="bottom", color="#333333")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


#: Layout of the SVG chart, in CSS pixels.
_SVG_WIDTH = 700
_SVG_LABEL_WIDTH = 250
_SVG_LINE = 14
_SVG_ROW_GAP = 10
_SVG_AXIS = 34
_SVG_TOP = 8


def _axis_ticks(xmax: float) -> list[int]:
    """Whole-percent ticks from 0 to at most `xmax`, four or five of them."""
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50) if xmax / s <= 5)
    return list(range(0, int(xmax) + 1, step))


def bar_chart_svg(rows: Sequence[FrequencyRow], caption: str, *, title: str | None = None) -> str:
    """The bar chart of `bar_chart_png` as an inline SVG element (percent of base).

    Args:
        rows: Rows to plot, top to bottom (at most `MAX_BARS` are drawn).
        caption: E.g. "Base: all responding authorities (n=49)"; the chart's accessible name.
        title: Optional title above the bars.

    Returns:
        `<svg ...>...</svg>`, every text escaped.
    """
    shown = list(rows)[:MAX_BARS]
    labels = [textwrap.shorten(("NET: " if r.is_net else "") + r.label, 60, placeholder="…")
              for r in shown]
    wrapped = [textwrap.wrap(label, 34) or [" "] for label in labels]
    top = max([*(r.pct for r in shown), 1.0])
    xmax = min(100.0, top * 1.18 + 2)
    left = _SVG_LABEL_WIDTH + 10
    plot = _SVG_WIDTH - left - 70  # room for the value after the longest bar
    out: list[str] = []
    y = _SVG_TOP
    if title:
        short = textwrap.shorten(title, 90, placeholder="…")
        out.append(f'<text x="0" y="{y + 12}" font-size="13" font-weight="bold">'
                   f"{escape(short)}</text>")
        y += 24
    plot_top = y
    for row, lines in zip(shown, wrapped, strict=True):
        height = max(len(lines) * _SVG_LINE, 18)
        middle = y + height / 2
        first = middle - (len(lines) - 1) * _SVG_LINE / 2
        spans = "".join(f'<tspan x="{_SVG_LABEL_WIDTH}" y="{first + i * _SVG_LINE:.1f}">'
                        f"{escape(line)}</tspan>" for i, line in enumerate(lines))
        out.append(f'<text text-anchor="end" dominant-baseline="middle" font-size="12">{spans}'
                   "</text>")
        width = plot * row.pct / xmax
        colour = _NET if row.is_net else _BAR
        out.append(f'<rect x="{left}" y="{middle - 8:.1f}" width="{width:.1f}" height="16" '
                   f'fill="{colour}"/>')
        out.append(f'<text x="{left + width + 4:.1f}" y="{middle:.1f}" '
                   f'dominant-baseline="middle" font-size="11">'
                   f"{escape(pct_text(row.pct))} ({row.n})</text>")
        y += height + _SVG_ROW_GAP
    axis_y = y
    out.append(f'<line x1="{left}" y1="{plot_top - 4}" x2="{left}" y2="{axis_y}" '
               'stroke="#555555"/>')
    out.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + plot}" y2="{axis_y}" '
               'stroke="#555555"/>')
    for tick in _axis_ticks(xmax):
        x = left + plot * tick / xmax
        out.append(f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 4}" '
                   'stroke="#555555"/>')
        out.append(f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle" font-size="11">'
                   f"{tick}</text>")
    out.append(f'<text x="{left + plot / 2:.1f}" y="{axis_y + 30}" text-anchor="middle" '
               'font-size="11">% of base</text>')
    total = axis_y + _SVG_AXIS
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(caption)}" '
            f'width="{_SVG_WIDTH}" height="{total:.0f}" viewBox="0 0 {_SVG_WIDTH} {total:.0f}" '
            'font-family="sans-serif" fill="#222222">'
            f"<title>{escape(caption)}</title>" + "".join(out) + "</svg>")
