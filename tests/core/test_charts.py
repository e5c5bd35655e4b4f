"""Bar charts of a question's codes: the inline SVG of HTML reports and the PNG of the others."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

from coder.core.reporting.charts import MAX_BARS, bar_chart_png, bar_chart_svg
from coder.core.reporting.frequencies import FrequencyRow

SVG = "{http://www.w3.org/2000/svg}"


def _row(code: str, label: str, n: int, pct: float, *, net: bool = False) -> FrequencyRow:
    return FrequencyRow(code, label, 1, 0, net, n, pct)


ROWS = [_row("n1", "Costs and funding", 30, 61.2, net=True),
        _row("c1", "High school fees", 20, 40.8),
        _row("c2", 'Distance <from> "home" & family', 11, 22.4),
        _row("c3", "Other", 1, 0.3)]


def test_svg_bars_are_proportional_and_labelled() -> None:
    svg = bar_chart_svg(ROWS, "Base: all responding authorities (n=49)")
    root = ET.fromstring(svg)  # well-formed XML, every text escaped
    assert root.get("aria-label") == "Base: all responding authorities (n=49)"
    widths = [float(r.get("width", "0")) for r in root.iter(f"{SVG}rect")]
    assert len(widths) == 4
    # Each bar's width is its percentage on one scale: 61.2 : 40.8 : 22.4 : 0.3.
    assert abs(widths[1] / widths[0] - 40.8 / 61.2) < 0.01
    assert abs(widths[2] / widths[0] - 22.4 / 61.2) < 0.01
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "NET: Costs and funding" in texts and 'Distance <from> "home" & family' in texts
    assert "61% (30)" in texts and "<1% (1)" in texts
    assert "% of base" in texts


def test_svg_draws_at_most_the_chart_rows_and_wraps_long_labels() -> None:
    many = [_row(f"c{i}", f"Code number {i} with a label long enough to need two lines", i, i)
            for i in range(MAX_BARS + 5)]
    root = ET.fromstring(bar_chart_svg(many, "Base: all (n=99)", title="Barriers"))
    assert len(list(root.iter(f"{SVG}rect"))) == MAX_BARS
    assert any(len(list(t.iter(f"{SVG}tspan"))) == 2 for t in root.iter(f"{SVG}text"))
    assert "Barriers" in ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_html_chart_needs_no_plotting_library() -> None:
    code = ("import sys\n"
            "from coder.core.reporting.charts import bar_chart_svg\n"
            "from coder.core.reporting.frequencies import FrequencyRow\n"
            "bar_chart_svg([FrequencyRow('c', 'Cost', 1, 0, False, 3, 30.0)], 'Base (n=10)')\n"
            "print('matplotlib' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_png_chart_still_drawn_for_files_that_need_an_image() -> None:
    png = bar_chart_png(ROWS, "Base: all responding authorities (n=49)")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


def test_png_charts_load_in_the_background_and_draw_the_same() -> None:
    """`coder report` loads matplotlib while the report is counted: after the thread, the
    library is there, and the chart is the one drawn without it."""
    code = (
        "import hashlib, sys\n"
        "from coder.core.reporting.charts import bar_chart_png, load_png_charts_meanwhile\n"
        "from coder.core.reporting.frequencies import FrequencyRow\n"
        "if sys.argv[1] == 'ahead':\n"
        "    loading = load_png_charts_meanwhile()\n"
        "    assert loading.daemon\n"
        "    loading.join()\n"
        "    assert 'matplotlib.figure' in sys.modules\n"
        "else:\n"
        "    assert 'matplotlib' not in sys.modules\n"
        "rows = [FrequencyRow('c1', 'High school fees', 1, 0, False, 20, 40.8)]\n"
        "print(hashlib.sha256(bar_chart_png(rows, 'Base (n=49)')).hexdigest())\n")
    drawn = [subprocess.run([sys.executable, "-c", code, when], capture_output=True, text=True,
                            check=True).stdout for when in ("ahead", "when drawn")]
    assert drawn[0] == drawn[1] and len(drawn[0].strip()) == 64
