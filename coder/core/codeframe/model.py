"""Codeframe domain model and validation (edits are planned in codeframe_ops); no I/O, UI or SQL."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from coder.core.errors import CoderError

Status = Literal["active", "retired", "draft"]
STATUSES: tuple[str, ...] = ("active", "retired", "draft")

#: Keys a code can have in the coding app: digits first, then upper-case letters (shift+letter).
SHORTCUT_KEYS: tuple[str, ...] = tuple("1234567890") + tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

#: Namespace for ids derived from names, so reloading the same file gives the same ids.
ID_NAMESPACE = uuid.UUID("5b0e7f3c-2d0f-5a55-9c1e-6f7d8c3a4b21")

_COLOUR = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")


class CodeframeError(CoderError):
    """A codeframe, a codeframe file or a planned edit is invalid.

    Attributes:
        problems: One human-readable message per problem, each naming the code (and, for
            files, the file, line and field).
    """

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems: list[str] = [problems] if isinstance(problems, str) else list(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = f"{len(self.problems)} problems:\n" + "\n".join(
                f"  - {p}" for p in self.problems
            )
        super().__init__(message)


class CodeframeFileError(CodeframeError):
    """A codeframe file cannot be used (each problem names the file and where in it): bad
    input, so the CLI exits with code 2."""

    exit_code = 2


def normalise_colour(colour: str | None) -> str | None:
    """Return `colour` as upper-case `#RRGGBB`, expanding `#RGB`; None or "" gives None.

    Raises:
        ValueError: If the value is not a hex colour.
    """
    if colour is None or not colour.strip():
        return None
    text = colour.strip()
    if not _COLOUR.match(text):
        raise ValueError(f'"{colour}" is not a colour like "#1F77B4"')
    if len(text) == 4:
        text = "#" + "".join(ch * 2 for ch in text[1:])
    return text.upper()


def derived_id(*parts: object) -> str:
    """A stable uuid5 string from `parts` (e.g. frame name and output code)."""
    return str(uuid.uuid5(ID_NAMESPACE, "\x1f".join(str(p) for p in parts)))


def next_free_code(used: set[int], parent_code: int | None, sibling_codes: Iterable[int]) -> int:
    """Numbering rule for new codes: the next free number in the parent's block of 100.

    Args:
        used: Output codes already taken in the frame.
        parent_code: The parent's output code, or None for a top-level code.
        sibling_codes: Output codes of the new code's siblings.

    Returns:
        For a top-level code the next multiple of 100 above every used code; under a parent,
        one more than the parent and its siblings while that stays inside the parent's block;
        otherwise one more than the largest used code.
    """
    top = max(used, default=0)
    if parent_code is None:
        block = (top // 100 + 1) * 100
        return block if block not in used else top + 1
    candidate = max([parent_code, *sibling_codes]) + 1
    block_end = (parent_code // 100 + 1) * 100
    while candidate in used and candidate < block_end:
        candidate += 1
    return candidate if candidate not in used and candidate < block_end else top + 1


@dataclass(frozen=True)
class Code:
    """One code or net; the fields map one-to-one onto the store's `codes` table."""

    id: str
    codeframe_id: str
    label: str
    output_code: int
    parent_id: str | None = None
    definition: str = ""
    include_note: str = ""
    exclude_note: str = ""
    examples: tuple[str, ...] = ()
    colour: str | None = None
    status: Status = "active"
    codable: bool = True
    position: int = 0
    merged_into: str | None = None
    shortcut: str | None = None  # the coding app's key, kept for the life of the frame

    @property
    def is_active(self) -> bool:
        """True unless the code is retired (draft codes can still be used)."""
        return self.status != "retired"


@dataclass(frozen=True)
class Codeframe:
    """A tree of codes; `questions` lists the question ids the frame serves.

    `codes` is kept in tree order (depth first, siblings by position). Construction does not
    validate: call `validate()` (loaders and planners do).
    """

    id: str
    name: str
    codes: tuple[Code, ...] = ()
    description: str = ""
    questions: tuple[str, ...] = ()
    _by_id: dict[str, Code] = field(init=False, repr=False, compare=False, hash=False)
    _children: dict[str | None, tuple[Code, ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        by_id = {c.id: c for c in self.codes}
        grouped: dict[str | None, list[Code]] = {}
        for c in self.codes:
            grouped.setdefault(c.parent_id, []).append(c)
        children = {
            k: tuple(sorted(v, key=lambda c: (c.position, c.output_code)))
            for k, v in grouped.items()
        }
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_children", children)
        # Codes are kept in tree order so that equal trees compare equal however built.
        ordered = [c for _, c in self.walk()]
        if len(ordered) != len(self.codes) or any(
            a is not b for a, b in zip(ordered, self.codes, strict=True)
        ):
            reached = {id(c) for c in ordered}
            ordered += [c for c in self.codes if id(c) not in reached]
            object.__setattr__(self, "codes", tuple(ordered))

    # -- lookup -------------------------------------------------------------------------------

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._by_id

    def __len__(self) -> int:
        return len(self.codes)

    def get(self, code_id: str) -> Code | None:
        """The code with this id, or None."""
        return self._by_id.get(code_id)

    def code(self, code_id: str) -> Code:
        """The code with this id.

        Raises:
            CodeframeError: If the frame has no such code.
        """
        found = self._by_id.get(code_id)
        if found is None:
            raise CodeframeError(f'codeframe "{self.name}" has no code with id {code_id}')
        return found

    def by_output_code(self, output_code: int) -> Code | None:
        """The code with this numeric output code, or None."""
        for c in self.codes:
            if c.output_code == output_code:
                return c
        return None

    def by_label(self, label: str) -> list[Code]:
        """Codes whose label matches `label` ignoring case and surrounding spaces."""
        key = label.strip().casefold()
        return [c for c in self.codes if c.label.strip().casefold() == key]

    # -- tree ---------------------------------------------------------------------------------

    def children(self, code_id: str | None) -> tuple[Code, ...]:
        """Direct children of `code_id` (None: the roots), in sibling order."""
        return self._children.get(code_id, ())

    def roots(self) -> tuple[Code, ...]:
        """Top-level codes and nets, in order."""
        return self.children(None)

    def is_net(self, code_id: str) -> bool:
        """True if the code has children."""
        return bool(self._children.get(code_id))

    def path(self, code_id: str) -> tuple[Code, ...]:
        """The code and its ancestors, root first.

        Raises:
            CodeframeError: If the id is unknown or the parents form a cycle.
        """
        chain: list[Code] = []
        seen: set[str] = set()
        current: str | None = code_id
        while current is not None:
            if current in seen:
                raise CodeframeError(f'codes form a cycle through "{self.code(current).label}"')
            seen.add(current)
            node = self.code(current)
            chain.append(node)
            current = node.parent_id
        return tuple(reversed(chain))

    def path_label(self, code_id: str, sep: str = " > ") -> str:
        """Labels from root to the code, e.g. "Funding > Cost of post-19 provision"."""
        return sep.join(c.label for c in self.path(code_id))

    def descendants(self, code_id: str) -> tuple[Code, ...]:
        """All codes below `code_id`, depth first in sibling order (not the code itself)."""
        out: list[Code] = []
        stack = list(reversed(self.children(code_id)))
        seen: set[str] = {code_id}
        while stack:
            node = stack.pop()
            if node.id in seen:  # a cycle; validate() reports it
                continue
            seen.add(node.id)
            out.append(node)
            stack.extend(reversed(self.children(node.id)))
        return tuple(out)

    def walk(self) -> Iterator[tuple[int, Code]]:
        """Every code reachable from the roots as (depth, code), depth first, in order."""
        stack: list[tuple[int, Code]] = [(0, c) for c in reversed(self.roots())]
        while stack:
            depth, node = stack.pop()
            yield depth, node
            stack.extend((depth + 1, c) for c in reversed(self.children(node.id)))

    def codable_codes(self) -> tuple[Code, ...]:
        """Codes a coder may apply now: codable and not retired, in tree order."""
        return tuple(c for _, c in self.walk() if c.codable and c.is_active)

    # -- numbering ----------------------------------------------------------------------------

    def next_output_code(self, parent_id: str | None = None) -> int:
        """The next free output code, in the parent's block when there is room.

        Under a net numbered 100 with children 101-103 this gives 104; for a new top-level
        code it gives the next free multiple of 100. Falls back to one more than the largest
        code when the block is full.
        """
        used = {c.output_code for c in self.codes}
        if parent_id is None:
            return next_free_code(used, None, ())
        siblings = [c.output_code for c in self.children(parent_id)]
        return next_free_code(used, self.code(parent_id).output_code, siblings)

    # -- validation ---------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """Every problem with the frame as a message naming the code; empty if valid."""
        out: list[str] = []
        if not self.name.strip():
            out.append("the codeframe has no name")
        seen_ids: set[str] = set()
        by_number: dict[int, Code] = {}
        by_key: dict[str, Code] = {}
        for c in self.codes:
            who = f'code {c.output_code} "{c.label}"'
            if c.id in seen_ids:
                out.append(f"{who}: id {c.id} is used by more than one code")
            seen_ids.add(c.id)
            if not c.label.strip():
                out.append(f"code {c.output_code}: label is empty")
            if c.codeframe_id != self.id:
                out.append(f"{who}: belongs to codeframe {c.codeframe_id}, not {self.id}")
            if not isinstance(c.output_code, int) or isinstance(c.output_code, bool):
                out.append(f"{who}: output code must be a whole number")
            elif c.output_code < 0:
                out.append(f"{who}: output code must not be negative")
            elif c.output_code in by_number:
                other = by_number[c.output_code]
                out.append(f'{who}: output code {c.output_code} is also used by "{other.label}"')
            else:
                by_number[c.output_code] = c
            if c.shortcut is not None:
                if c.shortcut not in SHORTCUT_KEYS:
                    out.append(f'{who}: key "{c.shortcut}" is not one of 1-9, 0 or A-Z')
                elif c.shortcut in by_key:
                    other = by_key[c.shortcut]
                    out.append(f'{who}: key {c.shortcut} is also the key of code'
                               f' {other.output_code} "{other.label}"')
                else:
                    by_key[c.shortcut] = c
            if c.status not in STATUSES:
                out.append(f'{who}: status "{c.status}" is not one of {", ".join(STATUSES)}')
            if c.colour is not None and not _COLOUR.match(c.colour):
                out.append(f'{who}: colour "{c.colour}" is not like "#1F77B4"')
            if c.parent_id is not None and c.parent_id not in self._by_id:
                out.append(f"{who}: unknown parent {c.parent_id}")
            if c.merged_into is not None:
                if c.merged_into == c.id:
                    out.append(f"{who}: merged into itself")
                elif c.merged_into not in self._by_id:
                    out.append(f"{who}: merged into unknown code {c.merged_into}")
                elif c.status != "retired":
                    out.append(f"{who}: merged into another code but not retired")
        out.extend(self._cycle_problems())
        for parent_id, kids in self._children.items():
            labels: dict[str, Code] = {}
            parent = self._by_id.get(parent_id) if parent_id else None
            for kid in kids:
                if parent is not None and not parent.is_active and kid.is_active:
                    out.append(
                        f'code {kid.output_code} "{kid.label}": {kid.status} code under '
                        f'retired net "{parent.label}"'
                    )
                if not kid.is_active:
                    continue
                key = kid.label.strip().casefold()
                if key in labels:
                    out.append(
                        f'code {kid.output_code} "{kid.label}": same label as code '
                        f"{labels[key].output_code} under the same parent"
                    )
                labels[key] = kid
        return out

    def _cycle_problems(self) -> list[str]:
        out: list[str] = []
        reported: set[str] = set()
        for c in self.codes:
            seen: list[str] = []
            current: str | None = c.id
            while current is not None and current in self._by_id:
                if current in seen:
                    loop = seen[seen.index(current) :]
                    if not reported.intersection(loop):
                        names = " -> ".join(f'"{self._by_id[i].label}"' for i in [*loop, current])
                        out.append(f"codes form a cycle: {names}")
                        reported.update(loop)
                    break
                seen.append(current)
                current = self._by_id[current].parent_id
        return out

    def validate(self) -> Codeframe:
        """Check the frame and return it.

        Raises:
            CodeframeError: Listing every problem (duplicate output codes, unknown parents,
                cycles, bad colours or statuses, ...).
        """
        found = self.problems()
        if found:
            raise CodeframeError([f'codeframe "{self.name}": {p}' for p in found])
        return self

    # -- building -----------------------------------------------------------------------------

    def with_codes(self, codes: Iterable[Code]) -> Codeframe:
        """A copy of the frame holding `codes` instead (not validated)."""
        return replace(self, codes=tuple(codes))

    def replacing(self, changed: Iterable[Code], added: Iterable[Code] = ()) -> Codeframe:
        """A copy with codes of the same id swapped for `changed` and `added` appended."""
        updates = {c.id: c for c in changed}
        kept = tuple(updates.get(c.id, c) for c in self.codes)
        return replace(self, codes=kept + tuple(added))

    def current(self, code_id: str) -> Code:
        """The code that now carries `code_id`'s codings, following merges to the end."""
        node = self.code(code_id)
        seen = {node.id}
        while node.merged_into is not None and node.merged_into in self._by_id:
            node = self._by_id[node.merged_into]
            if node.id in seen:
                break
            seen.add(node.id)
        return node
