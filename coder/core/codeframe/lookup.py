"""Finding codes by what people type: number, label, path, "101 Label" key, or a fuzzy search;
and the coding app's shortcut keys. Pure: no UI, CLI library or store.

One resolver for every front end: the CLI's code arguments, the app's `code:` filter and the
adjudication of final codes all name codes through `find_code`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from coder.core.codeframe.model import Code, Codeframe, CodeframeError
from coder.core.errors import NotInProject

#: Keys for codes in codeframe order: digits first, then upper-case letters (shift+letter).
SHORTCUT_KEYS: tuple[str, ...] = tuple("1234567890") + tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

_KEY = re.compile(r"^(\d+)\s+(.+)$")

CodeRef = str | int


class UnknownCode(CodeframeError, NotInProject):
    """A code the user named is not in the frame, or is not one that fits (a label matching
    several codes, a net where a code is applied): bad input, so the CLI exits with code 2."""

    exit_code = 2


def _describe(frame: Codeframe, code: Code) -> str:
    where = f" under {frame.path_label(code.parent_id)}" if code.parent_id else ""
    status = "" if code.status == "active" else f", {code.status}"
    return f'{code.output_code} "{code.label}"{where}{status}'


def find_code(frame: Codeframe, ref: CodeRef, *, retired: bool = False) -> Code:
    """The code `ref` names: its output code (101), id, label, "Net > Label" or "101 Label".

    Args:
        frame: The codeframe to look in.
        ref: Output code, id, label (case-insensitive), path of labels joined by ">", or the
            output code and label as agreement tables name codes ("101 High school fees").
        retired: When a label matches several codes, prefer retired ones (for restore)
            instead of codes in use.

    Raises:
        UnknownCode: If no code matches (naming close labels) or a label is ambiguous
            (listing every candidate with its number).
    """
    if isinstance(ref, int) or ref.strip().isdigit():
        number = int(ref)
        found = frame.by_output_code(number)
        if found is None:
            raise UnknownCode(f'codeframe "{frame.name}" has no code {number}')
        return found
    text = ref.strip()
    by_id = frame.get(text)
    if by_id is not None:
        return by_id
    matches = frame.by_label(text)
    if not matches and ">" in text:
        wanted = [p.strip().casefold() for p in text.split(">")]
        matches = [c for c in frame.codes
                   if [p.label.strip().casefold() for p in frame.path(c.id)] == wanted]
    keyed = _KEY.match(text)
    if not matches and keyed:
        numbered = frame.by_output_code(int(keyed.group(1)))
        if numbered is not None and \
                numbered.label.strip().casefold() == keyed.group(2).strip().casefold():
            matches = [numbered]
    if not matches:
        labels = {c.label.casefold(): c.label for c in frame.codes}
        close = difflib.get_close_matches(text.casefold(), list(labels), n=3)
        shown = ", ".join(f'"{labels[c]}"' for c in close)
        hint = f" (did you mean {shown}?)" if close else ""
        raise UnknownCode(f'codeframe "{frame.name}" has no code "{text}"{hint}')
    if len(matches) > 1:
        preferred = [c for c in matches if c.is_active != retired]
        matches = preferred or matches
    if len(matches) > 1:
        listed = "; ".join(_describe(frame, c) for c in matches)
        raise UnknownCode(f'"{text}" matches {len(matches)} codes: {listed}.'
                          " Use the number instead")
    return matches[0]


def find_codable_codes(frame: Codeframe, refs: Sequence[CodeRef]) -> list[Code]:
    """The codes `refs` name (see `find_code`), each one a coder can apply; duplicates once.

    Raises:
        UnknownCode: A reference matching no code or several, or naming a net.
    """
    found: dict[str, Code] = {}
    for ref in refs:
        if isinstance(ref, str) and not ref.strip():
            continue
        code = find_code(frame, ref)
        if not code.codable or frame.is_net(code.id):
            raise UnknownCode(f'"{code.output_code} {code.label}" is a net:'
                              " choose one of its codes")
        found.setdefault(code.id, code)
    return list(found.values())


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
