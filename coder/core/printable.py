"""Keep control characters out of documents, terminals and error messages; depends on nothing.

Answers and files from other systems can hold NULs, terminal escape sequences (ESC [ ... m
recolours or rewrites a terminal) and other control characters. The raw text is kept in the
project (less NULs, which PostgreSQL cannot store); what reports, messages and the terminal
show goes through these functions.
"""

from __future__ import annotations

import re

# C0 controls but tab, line feed and carriage return; DEL; C1.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A terminal escape sequence (ESC [ ... final byte), removed whole.
ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
# What a terminal must not receive from user text: controls (C0, DEL, C1) and the
# bidirectional marks and overrides that can reorder a line.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNPRINTABLE_BUT_LINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def drop_controls(text: str) -> str:
    """`text` without escape sequences and control characters (tab and line breaks kept): for
    documents (HTML, Markdown and DOCX, whose XML forbids most controls)."""
    return CONTROL_CHARACTER.sub("", ANSI_ESCAPE.sub("", text))


def printable(text: str, *, limit: int | None = None, keep_lines: bool = False) -> str:
    """`text` safe to show on a terminal: control characters escaped (ESC as ``\\x1b``).

    Args:
        text: Any text, typically read from a user's file.
        limit: If given, keep at most this many characters of `text` and mark the cut with "...".
        keep_lines: Keep line feeds and tabs (for messages of several lines).
    """
    if limit is not None and len(text) > limit:
        text = text[:limit] + "..."
    pattern = _UNPRINTABLE_BUT_LINES if keep_lines else _UNPRINTABLE
    return pattern.sub(lambda m: _NAMED_ESCAPES.get(m.group(), _escape(m.group())), text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def quoted(text: str, *, limit: int = 60) -> str:
    """User text for an error message: in double quotes, escaped and cut to `limit` characters."""
    return f'"{printable(text, limit=limit)}"'


def for_terminal(text: str) -> str:
    """A message of one or more lines for the terminal: controls escaped, lines kept."""
    return printable(text, keep_lines=True)
