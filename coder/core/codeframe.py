"""Codeframe domain model, validation and pure planning of edits; no I/O, no UI, no SQL."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from coder.core.errors import CoderError

Status = Literal["active", "retired", "draft"]
STATUSES: tuple[str, ...] = ("active", "retired", "draft")

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


# -- planned edits ----------------------------------------------------------------------------

_EDITABLE = frozenset(
    {
        "label",
        "output_code",
        "definition",
        "include_note",
        "exclude_note",
        "examples",
        "colour",
        "status",
        "codable",
    }
)


@dataclass(frozen=True)
class FramePlan:
    """A checked edit of a codeframe, ready to be applied in one store transaction.

    Attributes:
        action: "merge", "split", "move", "edit", "add" or "retire".
        summary: One line for the undo history, e.g. 'Merge "A", "B" into "C"'.
        before: The frame as it was.
        after: The frame after the edit (validated).
        changed: New values of existing codes whose row changes.
        added: Codes to insert.
        recode: (from_code_id, to_code_id) pairs: move every coding of the first code to the
            second (drop it where the same coder already has the second on that answer).
        review_code_ids: Codes whose existing codings a person should recode (after a split).
    """

    action: str
    summary: str
    before: Codeframe
    after: Codeframe
    changed: tuple[Code, ...] = ()
    added: tuple[Code, ...] = ()
    recode: tuple[tuple[str, str], ...] = ()
    review_code_ids: tuple[str, ...] = ()


def _finish(
    action: str,
    summary: str,
    frame: Codeframe,
    changed: Iterable[Code],
    added: Sequence[Code] = (),
    **extra: tuple[tuple[str, str], ...] | tuple[str, ...],
) -> FramePlan:
    updates: dict[str, Code] = {}
    for c in changed:
        updates[c.id] = c
    real = tuple(c for c in updates.values() if frame.code(c.id) != c)
    after = frame.replacing(real, added)
    found = after.problems()
    if found:
        raise CodeframeError([f"cannot {action}: {p}" for p in found])
    return FramePlan(action, summary, frame, after, real, tuple(added), **extra)  # type: ignore[arg-type]


def _placed(siblings: Sequence[Code], *, under: Code | None = None) -> list[Code]:
    """Siblings renumbered 0..n-1 in the given order, moved under `under` if given."""
    if under is None:
        return [replace(c, position=i) for i, c in enumerate(siblings)]
    return [replace(c, position=i, parent_id=under.id) for i, c in enumerate(siblings)]


def plan_merge(frame: Codeframe, source_ids: Sequence[str], target_id: str) -> FramePlan:
    """Plan merging codes into `target_id`: their codings, children and examples move to it.

    The sources are retired with `merged_into` set (their output codes stay reserved so older
    exports still read); children of a merged net move under the target.

    Raises:
        CodeframeError: If a code is unknown, a source is the target or already retired, the
            target is retired or lies under a source, or codable codes would merge into a net
            that cannot be coded.
    """
    target = frame.code(target_id)
    sources = [frame.code(i) for i in dict.fromkeys(source_ids)]
    if not sources:
        raise CodeframeError("choose at least one code to merge")
    if any(s.id == target.id for s in sources):
        raise CodeframeError(f'cannot merge "{target.label}" into itself')
    if not target.is_active:
        raise CodeframeError(f'cannot merge into "{target.label}": it is retired')
    for s in sources:
        if not s.is_active:
            raise CodeframeError(f'"{s.label}" is retired already')
        if target.id in {d.id for d in frame.descendants(s.id)}:
            raise CodeframeError(
                f'cannot merge net "{s.label}" into its own descendant "{target.label}"'
            )
    if not target.codable and any(s.codable for s in sources):
        raise CodeframeError(
            f'"{target.label}" is a net that cannot be coded; merge into a codable code'
        )
    source_set = {s.id for s in sources}
    moved = [kid for s in sources for kid in frame.children(s.id) if kid.id not in source_set]
    kids = [k for k in frame.children(target.id) if k.id not in source_set] + moved
    examples = list(target.examples)
    for s in sources:
        examples.extend(e for e in s.examples if e not in examples)
    changed = [replace(s, status="retired", merged_into=target.id) for s in sources]
    changed += _placed(kids, under=target)
    changed.append(replace(target, examples=tuple(examples)))
    names = ", ".join(f'"{s.label}"' for s in sources)
    return _finish(
        "merge",
        f'Merge {names} into "{target.label}"',
        frame,
        changed,
        recode=tuple((s.id, target.id) for s in sources),
    )


def plan_split(
    frame: Codeframe,
    code_id: str,
    new_labels: Sequence[str],
    *,
    new_ids: Sequence[str] | None = None,
) -> FramePlan:
    """Plan splitting a code into new, finer codes placed under it (it becomes their net).

    The original keeps its codings and stays codable, and is listed in `review_code_ids` so
    its answers can be recoded into the new codes; nothing is lost if no one does.

    Args:
        frame: The codeframe.
        code_id: The code to split; it must not already be a net.
        new_labels: Two or more labels for the new codes.
        new_ids: Ids for the new codes (default: random uuid4).

    Raises:
        CodeframeError: If the code is unknown, retired or a net, or the labels are fewer
            than two, empty or repeated.
    """
    code = frame.code(code_id)
    labels = [label.strip() for label in new_labels]
    if not code.is_active:
        raise CodeframeError(f'cannot split "{code.label}": it is retired')
    if any(k.is_active for k in frame.children(code.id)):
        raise CodeframeError(f'"{code.label}" is a net; split one of its codes instead')
    if len(labels) < 2:
        raise CodeframeError(f'split "{code.label}" into at least two new codes')
    if any(not label for label in labels):
        raise CodeframeError("a new code needs a label")
    if len({label.casefold() for label in labels}) != len(labels):
        raise CodeframeError("the new codes must have different labels")
    ids = list(new_ids) if new_ids is not None else [str(uuid.uuid4()) for _ in labels]
    if len(ids) != len(labels):
        raise CodeframeError("give one id per new code")
    work = frame
    added: list[Code] = []
    for i, (label, new_id) in enumerate(zip(labels, ids, strict=True)):
        new = Code(
            id=new_id,
            codeframe_id=frame.id,
            label=label,
            output_code=work.next_output_code(code.id),
            parent_id=code.id,
            colour=code.colour,
            status="active",
            codable=True,
            position=len(frame.children(code.id)) + i,
        )
        added.append(new)
        work = work.replacing((), (new,))
    shown = ", ".join(f'"{label}"' for label in labels)
    return _finish(
        "split",
        f'Split "{code.label}" into {shown}',
        frame,
        (),
        added,
        review_code_ids=(code.id,),
    )


def plan_move(
    frame: Codeframe, code_id: str, new_parent_id: str | None, position: int | None = None
) -> FramePlan:
    """Plan moving a code (with everything under it) to a new parent and/or position.

    Args:
        frame: The codeframe.
        code_id: The code to move.
        new_parent_id: The new parent; None for top level.
        position: Index among the new siblings; None for last.

    Raises:
        CodeframeError: If a code is unknown, the move would make a cycle, or the new parent
            is retired.
    """
    code = frame.code(code_id)
    if new_parent_id is not None:
        parent = frame.code(new_parent_id)
        if parent.id == code.id:
            raise CodeframeError(f'cannot move "{code.label}" under itself')
        if parent.id in {d.id for d in frame.descendants(code.id)}:
            raise CodeframeError(
                f'cannot move "{code.label}" under its own descendant "{parent.label}"'
            )
        if not parent.is_active:
            raise CodeframeError(f'cannot move "{code.label}" under retired "{parent.label}"')
    old = [c for c in frame.children(code.parent_id) if c.id != code.id]
    new = [c for c in frame.children(new_parent_id) if c.id != code.id]
    at = len(new) if position is None else max(0, min(position, len(new)))
    new.insert(at, replace(code, parent_id=new_parent_id))
    changed = _placed(old) + _placed(new)
    where = f'"{frame.code(new_parent_id).label}"' if new_parent_id else "the top level"
    return _finish("move", f'Move "{code.label}" to {where}', frame, changed)


def plan_edit(frame: Codeframe, code_id: str, **changes: object) -> FramePlan:
    """Plan changing a code's fields (label, output_code, definition, notes, colour, ...).

    Raises:
        CodeframeError: On an unknown field, a bad colour, or a result that does not
            validate (e.g. an output code already in use).
    """
    code = frame.code(code_id)
    unknown = sorted(set(changes) - _EDITABLE)
    if unknown:
        raise CodeframeError(f"cannot edit {', '.join(unknown)}; editable: {sorted(_EDITABLE)}")
    if "colour" in changes:
        try:
            changes["colour"] = normalise_colour(changes["colour"])  # type: ignore[arg-type]
        except ValueError as exc:
            raise CodeframeError(f'"{code.label}": {exc}') from None
    if "examples" in changes:
        changes["examples"] = tuple(changes["examples"])  # type: ignore[arg-type]
    if changes.get("status") == "retired" and frame.is_net(code.id):
        raise CodeframeError(f'"{code.label}" is a net: retire it with everything under it')
    new = replace(code, **changes)  # type: ignore[arg-type]
    what = "Rename" if set(changes) == {"label"} else "Edit"
    return _finish("edit", f'{what} "{code.label}"', frame, [new])


def plan_add(
    frame: Codeframe,
    label: str,
    *,
    parent_id: str | None = None,
    output_code: int | None = None,
    position: int | None = None,
    code_id: str | None = None,
    **fields: object,
) -> FramePlan:
    """Plan adding a code; numbering defaults to the next free code in the parent's block.

    Raises:
        CodeframeError: If the parent is unknown or retired, or the new code does not
            validate (empty or repeated label, output code in use, bad colour).
    """
    if parent_id is not None and not frame.code(parent_id).is_active:
        raise CodeframeError(f'cannot add under retired "{frame.code(parent_id).label}"')
    if "colour" in fields:
        try:
            fields["colour"] = normalise_colour(fields["colour"])  # type: ignore[arg-type]
        except ValueError as exc:
            raise CodeframeError(f'"{label}": {exc}') from None
    if "examples" in fields:
        fields["examples"] = tuple(fields["examples"])  # type: ignore[arg-type]
    unknown = sorted(set(fields) - _EDITABLE)
    if unknown:
        raise CodeframeError(f"unknown code fields: {', '.join(unknown)}")
    siblings = list(frame.children(parent_id))
    at = len(siblings) if position is None else max(0, min(position, len(siblings)))
    new = Code(
        id=code_id or str(uuid.uuid4()),
        codeframe_id=frame.id,
        label=label.strip(),
        output_code=frame.next_output_code(parent_id) if output_code is None else output_code,
        parent_id=parent_id,
        **fields,  # type: ignore[arg-type]
    )
    siblings.insert(at, new)
    placed = _placed(siblings)
    new_placed = next(c for c in placed if c.id == new.id)
    changed = [c for c in placed if c.id != new.id]
    return _finish("add", f'Add "{new.label}"', frame, changed, [new_placed])


def plan_retire(frame: Codeframe, code_id: str) -> FramePlan:
    """Plan retiring a code and everything under it; codings are kept, the codes are hidden.

    Raises:
        CodeframeError: If the code is unknown or already retired.
    """
    code = frame.code(code_id)
    if not code.is_active:
        raise CodeframeError(f'"{code.label}" is retired already')
    subtree = [code, *frame.descendants(code.id)]
    changed = [replace(c, status="retired") for c in subtree if c.is_active]
    return _finish("retire", f'Retire "{code.label}"', frame, changed)
