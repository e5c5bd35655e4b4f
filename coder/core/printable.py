"""Keep control characters out of documents and terminals.

Answers pasted from other systems can hold NULs, escape sequences (ESC [ ... m recolours or
rewrites a terminal) and other control characters. The raw text is kept in the project; what
reports and the terminal show goes through these functions.
"""

from __future__ import annotations

import re

# C0 controls but tab, newline and carriage return; DEL; C1 controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# For a terminal also carriage return, and the bidirectional overrides that reorder what is shown.
_TERMINAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def drop_controls(text: str) -> str:
    """`text` without control characters (tab, newline and carriage return are kept)."""
    return _CONTROLS.sub("", text)


def for_terminal(text: str) -> str:
    """`text` with every control character shown as an escape (`\\x1b`, `\\u202e`); newline and
    tab kept. Use it for user-supplied text in messages printed to a terminal."""
    return _TERMINAL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
