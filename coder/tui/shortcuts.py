"""Which key applies which code on the coding screen, and fuzzy code search; no Textual here."""

from __future__ import annotations

from collections.abc import Sequence

from coder.core.codeframe import Code, Codeframe

#: Keys for codes in codeframe order: digits first, then upper-case letters (shift+letter).
SHORTCUT_KEYS: tuple[str, ...] = tuple("1234567890") + tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def code_shortcuts(frame: Codeframe | None) -> dict[str, Code]:
    """Shortcut key -> code, for the frame's codable, active codes in tree order."""
    if frame is None:
        return {}
    return dict(zip(SHORTCUT_KEYS, frame.codable_codes(), strict=False))


def search_codes(frame: Codeframe | None, query: str, limit: int = 12) -> list[Code]:
    """Codable codes best matching `query` (fuzzy on label, output code and definition)."""
    if frame is None:
        return []
    codes: Sequence[Code] = frame.codable_codes()
    query = query.strip()
    if not query:
        return list(codes[:limit])
    if query.isdigit():
        exact = [c for c in codes if str(c.output_code) == query]
        if exact:
            return exact
    from rapidfuzz import fuzz, process, utils

    choices = {c.id: f"{c.output_code} {frame.path_label(c.id)} {c.definition}" for c in codes}
    found = process.extract(query, choices, scorer=fuzz.WRatio, processor=utils.default_process,
                            limit=limit, score_cutoff=50)
    by_id = {c.id: c for c in codes}
    return [by_id[key] for _, _, key in found]
