"""Codeframe entries as read from any file, and the one place they become a checked frame.

Shared by the YAML and table readers; no UI, no store, no SQL.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from coder.core.codeframe.model import (
    Code,
    Codeframe,
    CodeframeError,
    derived_id,
)

Where = Callable[[str], str]


@dataclass
class Entry:
    """One code as read from a file, before parents and ids are resolved."""

    where: Where
    at: str = ""
    code: int | None = None
    label: str = ""
    id: str | None = None
    nested_parent: int | None = None
    parent_ref: int | str | None = None
    merged_ref: int | str | None = None
    codable: bool | None = None
    fields: dict[str, Any] = field(default_factory=dict)


def suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _line_key(problem: str) -> int:
    found = re.search(r", (?:line|row) (\d+)", problem)
    return int(found.group(1)) if found else 0


# -- building a frame from entries (shared by YAML and tables) ----------------------------------


def build_frame(
    source: str,
    name: str,
    frame_id: str | None,
    description: str,
    questions: Sequence[str],
    entries: list[Entry],
    problems: list[str],
) -> Codeframe:
    fid = frame_id or derived_id("codeframe", name)
    numbers: dict[int, int] = {}
    for i, e in enumerate(entries):
        if e.code is None:
            continue
        if e.code in numbers:
            first = entries[numbers[e.code]]
            problems.append(
                f'{e.where("code")}: {e.code} is already used by "{first.label}" ({first.at})'
            )
        else:
            numbers[e.code] = i
    ids = [e.id or derived_id(name, e.code) for e in entries]
    seen_ids: dict[str, int] = {}
    for i, e in enumerate(entries):
        if e.id is not None and e.id in seen_ids:
            problems.append(f"{e.where('id')}: id {e.id} is used twice")
        seen_ids.setdefault(ids[i], i)

    def resolve(ref: int | str, where: str, what: str) -> int | None:
        if isinstance(ref, int):
            if ref in numbers:
                return numbers[ref]
        else:
            if ref in seen_ids:
                return seen_ids[ref]
            hits = [j for j, x in enumerate(entries) if x.label.casefold() == ref.casefold()]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                problems.append(f'{where}: {what} "{ref}" matches several labels; use its code')
                return None
        problems.append(f'{where}: unknown {what} "{ref}"')
        return None

    parents: list[int | None] = []
    for e in entries:
        parent = e.nested_parent
        if e.parent_ref is not None:
            found = resolve(e.parent_ref, e.where("parent"), "parent")
            if e.nested_parent is not None and found is not None and found != e.nested_parent:
                problems.append(
                    f"{e.where('parent')}: the code is nested under "
                    f'"{entries[e.nested_parent].label}"; remove "parent" or move the code'
                )
            parent = found if found is not None else parent
        parents.append(parent)
    merged: list[int | None] = [
        resolve(e.merged_ref, e.where("merged_into"), "code") if e.merged_ref is not None else None
        for e in entries
    ]
    reported: set[int] = set()
    for i in range(len(entries)):
        chain: list[int] = []
        j: int | None = i
        while j is not None and j not in chain:
            chain.append(j)
            j = parents[j]
        if j is not None and not reported.intersection(chain[chain.index(j) :]):
            loop = chain[chain.index(j) :]
            reported.update(loop)
            names = " -> ".join(f'"{entries[k].label}"' for k in [*loop, j])
            problems.append(f"{entries[j].where('parent')}: codes form a cycle: {names}")
    labels: dict[tuple[int | None, str], int] = {}
    for i, e in enumerate(entries):
        key = (parents[i], e.label.casefold())
        if e.label and e.fields.get("status") != "retired":
            if key in labels:
                other = entries[labels[key]]
                problems.append(
                    f'{e.where("label")}: "{e.label}" is also the label of code {other.code} '
                    "under the same parent"
                )
            labels.setdefault(key, i)
    if problems:
        raise CodeframeError(sorted(problems, key=_line_key))
    has_children = {p for p in parents if p is not None}
    positions: dict[int | None, int] = {}
    codes: list[Code] = []
    for i, e in enumerate(entries):
        pos = positions.get(parents[i], 0)
        positions[parents[i]] = pos + 1
        parent_index, merged_index = parents[i], merged[i]
        codes.append(
            Code(
                id=ids[i],
                codeframe_id=fid,
                label=e.label,
                output_code=e.code if e.code is not None else 0,
                parent_id=ids[parent_index] if parent_index is not None else None,
                codable=e.codable if e.codable is not None else i not in has_children,
                position=pos,
                merged_into=ids[merged_index] if merged_index is not None else None,
                **e.fields,
            )
        )
    frame = Codeframe(fid, name, tuple(codes), description, tuple(questions))
    issues = frame.problems()
    if issues:
        raise CodeframeError([f"{source}: {p}" for p in issues])
    return frame
