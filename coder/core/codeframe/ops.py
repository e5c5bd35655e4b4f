"""Planned codeframe edits (add, edit, move, merge, split, retire, restore); pure, no I/O or SQL.

Each planner checks an edit against a `Codeframe` and returns a `FramePlan` the store applies in
one transaction. Must not depend on the store, the CLI or the TUI.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from coder.core.codeframe.lookup import keys_to_assign
from coder.core.codeframe.model import (
    SHORTCUT_KEYS,
    Code,
    Codeframe,
    CodeframeError,
    normalise_colour,
)

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
        "shortcut",
    }
)


@dataclass(frozen=True)
class FramePlan:
    """A checked edit of a codeframe, ready to be applied in one store transaction.

    Attributes:
        action: "merge", "split", "move", "edit", "add", "retire" or "restore".
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
    # Codes the edit brings into use take free keys; every other code keeps the key it has.
    touched = {c.id for c in real} | {c.id for c in added}
    keys = {i: k for i, k in keys_to_assign(after).items() if i in touched} \
        if touched and not after.problems() else {}
    if keys:
        added = [replace(c, shortcut=keys[c.id]) if c.id in keys else c for c in added]
        new_ids = {c.id for c in added}
        for code in after.codes:
            if code.id in keys and code.id not in new_ids:
                updates[code.id] = replace(updates.get(code.id, code), shortcut=keys[code.id])
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
    if "shortcut" in changes:
        changes["shortcut"] = _key(code, changes["shortcut"])
    if changes.get("status") == "retired" and frame.is_net(code.id):
        raise CodeframeError(f'"{code.label}" is a net: retire it with everything under it')
    new = replace(code, **changes)  # type: ignore[arg-type]
    return _finish("edit", _edit_summary(code, new), frame, [new])


def _key(code: Code, value: object) -> str | None:
    """A key as typed ("3", "b", "" or None to free it), checked."""
    text = "" if value is None else str(value).strip().upper()
    if not text:
        return None
    if text not in SHORTCUT_KEYS:
        raise CodeframeError(f'"{code.label}": key "{value}" is not one of 1-9, 0 or A-Z')
    return text


def _edit_summary(old: Code, new: Code) -> str:
    """What an edit did, naming old and new values: 'Rename "Fees" -> "School fees"'."""
    if old.label != new.label and all(
        getattr(old, f) == getattr(new, f) for f in _EDITABLE - {"label"}
    ):
        return f'Rename "{old.label}" -> "{new.label}"'
    parts = []
    if old.label != new.label:
        parts.append(f'label -> "{new.label}"')
    if old.output_code != new.output_code:
        parts.append(f"number {old.output_code} -> {new.output_code}")
    if old.shortcut != new.shortcut:
        parts.append(f"key {old.shortcut or 'none'} -> {new.shortcut or 'none'}")
    if old.status != new.status:
        parts.append(f"{old.status} -> {new.status}")
    others = sorted(f.replace("_", " ") for f in _EDITABLE - {
        "label", "output_code", "shortcut", "status"} if getattr(old, f) != getattr(new, f))
    parts.extend(others)
    detail = f" ({', '.join(parts)})" if parts else ""
    return f'Edit {old.output_code} "{old.label}"{detail}'


def plan_free_keys(frame: Codeframe, code_ids: Sequence[str] | None = None) -> FramePlan:
    """Plan freeing the keys of retired codes (default: every retired code), for new codes.

    Raises:
        CodeframeError: If a code named is in use (its key is freed by editing it) or no
            retired code holds a key.
    """
    if code_ids is None:
        codes = [c for c in frame.codes if not c.is_active and c.shortcut is not None]
    else:
        codes = [frame.code(i) for i in code_ids]
    in_use = [c for c in codes if c.is_active]
    if in_use:
        raise CodeframeError(f'"{in_use[0].label}" is in use: edit its key instead')
    codes = [c for c in codes if c.shortcut is not None]
    if not codes:
        raise CodeframeError("no retired code holds a key")
    keys = ", ".join(str(c.shortcut) for c in codes)
    return _finish("edit", f"Free key{'s' if len(codes) > 1 else ''} {keys} of retired codes",
                   frame, [replace(c, shortcut=None) for c in codes])


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


def plan_restore(frame: Codeframe, code_id: str) -> FramePlan:
    """Plan bringing a retired code back into use, with the codes retired under it.

    A code that was merged is restored empty: its codings stay with the code it was merged
    into (undo the merge to take them back), and its `merged_into` link is cleared. Codes
    under it that were merged elsewhere stay retired.

    Raises:
        CodeframeError: If the code is unknown or not retired, its net is still retired, or
            its label is now used by an active sibling.
    """
    code = frame.code(code_id)
    if code.is_active:
        raise CodeframeError(f'"{code.label}" is not retired')
    if code.parent_id is not None and not frame.code(code.parent_id).is_active:
        net = frame.code(code.parent_id).label
        raise CodeframeError(f'cannot restore "{code.label}": restore its net "{net}" first')
    changed = [replace(code, status="active", merged_into=None)]
    for kid in frame.descendants(code.id):
        if not kid.is_active and kid.merged_into is None:
            changed.append(replace(kid, status="active"))
    summary = f'Restore "{code.label}"'
    if code.merged_into is not None:
        summary += f' (its codings stay with "{frame.current(code.id).label}")'
    return _finish("restore", summary, frame, changed)


def frame_changes(loaded: Codeframe, stored: Codeframe) -> list[str]:
    """What differs in `stored` from `loaded` (the same frame read earlier), code by code, e.g.
    'code 101 "Fees" renamed to "Cost"'; empty when nothing did (the version check of edits)."""
    before = {c.id: c for c in loaded.codes}
    after = {c.id: c for c in stored.codes}
    found = []
    for code_id, now in after.items():
        was = before.get(code_id)
        if was is None:
            found.append(f'code {now.output_code} "{now.label}" added')
        elif was != now:
            if was.label != now.label:
                found.append(f'code {was.output_code} "{was.label}" renamed to "{now.label}"')
            else:
                fields = [name for name in ("output_code", "definition", "include_note",
                                            "exclude_note", "examples", "status", "parent_id",
                                            "position", "codable", "colour", "merged_into")
                          if getattr(was, name) != getattr(now, name)]
                found.append(f'code {was.output_code} "{was.label}" changed'
                             f" ({', '.join(f.replace('_', ' ') for f in fields) or 'edited'})")
    found += [f'code {c.output_code} "{c.label}" removed' for i, c in before.items()
              if i not in after]
    return found
