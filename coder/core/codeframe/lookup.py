"""Finding codes by what people type: number, label, path, "101 Label" key, or a search ranked
label first; and the coding app's shortcut keys, kept with each code. Pure: no UI, CLI library
or store.

One resolver for every front end: the CLI's code arguments, the app's `code:` filter and the
adjudication of final codes all name codes through `find_code`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from coder.core.codeframe.model import SHORTCUT_KEYS, Code, Codeframe, CodeframeError
from coder.core.errors import NotInProject

__all__ = ["SHORTCUT_KEYS", "CodeRef", "best_code", "code_key", "code_shortcuts",
           "find_codable_codes", "find_code", "keys_to_assign", "search_codes"]

_KEY = re.compile(r"^(\d+)\s+(.+)$")

CodeRef = str | int


def code_key(output_code: int, label: str) -> str:
    """The name of a code in agreement tables and reports: "101 High school fees" (unique, as
    output codes are unique within a codeframe)."""
    return f"{output_code} {label}"


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


def keys_to_assign(frame: Codeframe) -> dict[str, str]:
    """Keys for the codable codes in use that have none: code id -> the first free key.

    A key is free when no code of the frame holds it, retired codes included (a retired code
    keeps its key until someone frees it, so restoring it brings its key back). Codes take free
    keys in tree order; past 36 codes the rest have none.
    """
    taken = {c.shortcut for c in frame.codes if c.shortcut is not None}
    free = [k for k in SHORTCUT_KEYS if k not in taken]
    wanting = [c for c in frame.codable_codes() if c.shortcut is None]
    return {c.id: key for c, key in zip(wanting, free, strict=False)}


def code_shortcuts(frame: Codeframe | None) -> dict[str, Code]:
    """Shortcut key -> code, for the frame's codable codes in use, in key order.

    Keys are stored with the codes; a code without one (a frame never saved in a project)
    shows the key it would be given.
    """
    if frame is None:
        return {}
    provisional = keys_to_assign(frame)
    keyed: dict[str, Code] = {}
    for code in frame.codable_codes():
        key = code.shortcut or provisional.get(code.id)
        if key is not None:
            keyed.setdefault(key, code)
    return {k: keyed[k] for k in SHORTCUT_KEYS if k in keyed}


# -- search ----------------------------------------------------------------------------------

#: How a code matches a search, best first.
_EXACT, _LABEL_PREFIX, _LABEL_WORDS, _ACRONYM, _PATH_WORDS, _NOTES, _FUZZY = range(7)
_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _all_prefixes(wanted: Sequence[str], words: Sequence[str]) -> bool:
    return bool(wanted) and all(any(w.startswith(q) for w in words) for q in wanted)


def _tier(frame: Codeframe, code: Code, query: str, wanted: list[str]) -> int | None:
    label = code.label.strip().casefold()
    if query in (label, str(code.output_code)):
        return _EXACT
    if label.startswith(query) or str(code.output_code).startswith(query):
        return _LABEL_PREFIX
    words = _words(code.label)
    if _all_prefixes(wanted, words):
        return _LABEL_WORDS
    compact = "".join(wanted)
    if len(compact) >= 2 and "".join(w[0] for w in words).startswith(compact):
        return _ACRONYM
    if code.parent_id and _all_prefixes(wanted, _words(frame.path_label(code.id, " "))):
        return _PATH_WORDS
    notes = " ".join((code.definition, code.include_note, " ".join(code.examples)))
    if _all_prefixes(wanted, _words(notes)):
        return _NOTES
    return None


def _ranked(frame: Codeframe, query: str) -> list[tuple[int, Code]]:
    codes = frame.codable_codes()
    query = " ".join(query.split()).casefold()
    wanted = _words(query)
    ranked = []
    for order, code in enumerate(codes):
        tier = _tier(frame, code, query, wanted)
        if tier is not None:
            ranked.append((tier, order, code))
    if not ranked and len(query) >= 3:
        from rapidfuzz import fuzz, process, utils

        labels = {c.id: c.label for c in codes}
        found = process.extract(query, labels, scorer=fuzz.WRatio,
                                processor=utils.default_process, limit=None, score_cutoff=75)
        position = {c.id: i for i, c in enumerate(codes)}
        by_id = {c.id: c for c in codes}
        ranked = [(_FUZZY, -int(score) * 1000 + position[key], by_id[key])
                  for _, score, key in found]
    ranked.sort(key=lambda t: (t[0], t[1]))
    return [(tier, code) for tier, _, code in ranked]


def search_codes(frame: Codeframe | None, query: str, limit: int = 12) -> list[Code]:
    """Codable codes matching `query`, best first.

    Case-insensitive. Ranked: the exact label or number; labels or numbers starting with the
    query; labels with a word starting with each query word ("send" finds "Slow SEND
    processes"); labels whose initials spell it ("ehcp"); labels of the code's nets; then the
    definition, include note and examples. Nothing matching that way: close spellings of
    labels (typos).
    """
    if frame is None:
        return []
    if not query.strip():
        return list(frame.codable_codes()[:limit])
    return [code for _, code in _ranked(frame, query)[:limit]]


def best_code(frame: Codeframe | None, query: str) -> Code | None:
    """The one code `query` clearly means, or None when it is ambiguous or matches nothing.

    Clear: the only code with this exact number or label; else the only code whose number or
    label matches at all (notes and net labels matching too do not count against it); else
    the only match of any kind.
    """
    if frame is None or not query.strip():
        return None
    ranked = _ranked(frame, query)
    exact = [code for tier, code in ranked if tier == _EXACT]
    on_label = [code for tier, code in ranked if tier <= _ACRONYM]
    for candidates in (exact, on_label, [code for _, code in ranked]):
        if candidates:
            return candidates[0] if len(candidates) == 1 else None
    return None
