"""Which codes to suggest for an answer from its theme; pure, no UI, CLI library or store.

An answer's theme (from the latest theme run) hints at its codes: the codes most applied to the
other answers of that theme, else the codes named like the theme.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from coder.core.codeframe.model import Code, Codeframe

#: How many codes are suggested at most.
MAX_SUGGESTIONS = 3


def suggest_codes(frame: Codeframe | None, theme_label: str,
                  codes_in_theme: Sequence[tuple[str, int]], applied: Collection[str],
                  limit: int = MAX_SUGGESTIONS) -> list[Code]:
    """Codes to suggest for an answer of a theme, best first.

    Args:
        frame: The question's codeframe (no frame: nothing to suggest).
        theme_label: The theme's label; codes with that label are the fallback.
        codes_in_theme: (code id, answers of the theme coded with it), most used first.
        applied: Codes the coder has already applied to the answer (never suggested).
        limit: Most codes returned.

    Returns:
        Active, codable codes of the frame, at most `limit`.
    """
    if frame is None:
        return []
    suggested: list[Code] = []
    for code_id, _count in codes_in_theme:
        code = frame.get(code_id)
        if code is not None and code.is_active and code.codable and code_id not in applied:
            suggested.append(code)
        if len(suggested) == limit:
            break
    if not suggested:
        suggested = [c for c in frame.by_label(theme_label)
                     if c.codable and c.is_active and c.id not in applied][:limit]
    return suggested
