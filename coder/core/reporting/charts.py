"""Bar charts of code frequencies as PNG bytes (matplotlib, Agg, imported lazily); no UI or SQL."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

from coder.core.reporting.frequencies import FrequencyRow
from coder.core.reporting.model import pct_text

MAX_BARS = 15
_BAR = "#1F5A96"
_NET = "#7A9CC6"


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
