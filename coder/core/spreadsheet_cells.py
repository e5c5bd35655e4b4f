"""Text cells that a spreadsheet never runs as formulas (OWASP's CSV-injection advice); pure.

Every CSV or XLSX file a user may open in a spreadsheet writes its text cells through
`neutralise_cell`; readers of the project's own files take the mark off with `restore_cell`.
"""

from __future__ import annotations

from typing import Any

#: A cell starting with one of these is read by spreadsheets as a formula (or a DDE command).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """Text starting with = + - @ tab or CR gets a leading apostrophe, so it stays text;
    other values are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def restore_cell(text: str) -> str:
    """Undo `neutralise_cell` on a cell read back from a file the project wrote."""
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text
