"""How the row changes of an action are stored in the event log: compactly, old entries still read.

An event's `changes` value is one of three forms, told apart by how it is stored:

- TEXT starting with "[": the first form, a JSON list of changes, each
  {"table", "op", "key", "before", "after"} with whole rows. Still read, no longer written.
- TEXT starting with "{": the columnar form (`"format": 2`). Changes of one table, op and
  shape form a group that names its columns once and holds each change as an array: an insert
  its new row, a delete its old row, an update its old row followed by the new values of only
  the columns it changed. The key is not repeated: the group names its key columns, read from
  the row. `order` lists runs of [group, count], so the changes come back in their order.
- BLOB: the columnar form's JSON compressed with zlib, for actions too large to keep as text.

Decoding gives back exactly the list of change objects the first form held, so undo, redo and
every reader of `Event.changes` behave the same whatever the form. A change the columnar form
cannot represent exactly is kept whole in a group of its own. Pure data; no SQL here.
"""

from __future__ import annotations

import gc
import json
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

COLUMNAR = 2
#: Encoded changes longer than this are compressed (small actions stay readable text).
COMPRESS_OVER = 8192
_ZLIB_LEVEL = 6

ChangeJSON = Mapping[str, Any]  # {"table", "op", "key", "before", "after"}
_GroupKey = tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]
_WHOLE: _GroupKey = ("", "whole", (), (), ())
_MISSING = object()


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small containers.

    A large action builds hundreds of thousands of lists and dicts, none of them in cycles; the
    collector would rescan them over and over, doubling the time (and the write lock's).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def encode_changes(changes: Sequence[ChangeJSON], *, compress: bool = True) -> str | bytes:
    """The stored form of an action's changes (see the module docstring).

    With `compress` false the columnar text is kept whatever its size (for a database that
    compresses large values itself, as PostgreSQL does).
    """
    with no_cycle_collection():
        return _encode(changes, compress)


def decode_changes(stored: str | bytes) -> list[dict[str, Any]]:
    """The changes of an event as change objects, whichever form they were stored in.

    Raises:
        ValueError: If the value is none of the known forms.
    """
    with no_cycle_collection():
        return _decode(stored)


def stored_for(stored: str | bytes, *, compress: bool) -> str | bytes:
    """An event's stored changes as a database that does (`compress`) or does not compress them
    keeps them: the same text, compressed or not, as `encode_changes` would have stored it."""
    if isinstance(stored, bytes) and not compress:
        return zlib.decompress(stored).decode("ascii")
    if (isinstance(stored, str) and compress and stored.startswith("{")
            and len(stored) > COMPRESS_OVER):
        return zlib.compress(stored.encode("ascii"), _ZLIB_LEVEL)
    return stored


def _encode(changes: Sequence[ChangeJSON], compress: bool = True) -> str | bytes:
    groups: list[dict[str, Any]] = []
    index: dict[_GroupKey, int] = {}
    order: list[list[int]] = []
    for change in changes:
        shape, values = _columnar(change)
        group = index.get(shape)
        if group is None:
            group = index[shape] = len(groups)
            table, op, columns, key, changed = shape
            groups.append(
                {"table": table, "op": op, "columns": list(columns), "key": list(key),
                 "changed": list(changed), "rows": []}
            )
        groups[group]["rows"].append(values)
        if order and order[-1][0] == group:
            order[-1][1] += 1
        else:
            order.append([group, 1])
    text = json.dumps({"format": COLUMNAR, "groups": groups, "order": order},
                      separators=(",", ":"))
    if len(text) <= COMPRESS_OVER or not compress:
        return text
    return zlib.compress(text.encode("ascii"), _ZLIB_LEVEL)


def _decode(stored: str | bytes) -> list[dict[str, Any]]:
    text = zlib.decompress(stored).decode("ascii") if isinstance(stored, bytes) else stored
    data = json.loads(text)
    if isinstance(data, list):
        return data
    if not isinstance(data, dict) or data.get("format") != COLUMNAR:
        raise ValueError(f"unknown event changes format: {str(data)[:60]}")
    rows = [_expand(group) for group in data["groups"]]
    return [next(rows[group]) for group, count in data["order"] for _ in range(count)]


def _columnar(change: ChangeJSON) -> tuple[_GroupKey, Any]:
    """The change's group and its array, or the whole-change group when not exact."""
    table, op, key = change["table"], change["op"], change["key"]
    before, after = change["before"], change["after"]
    row, other = (after, before) if op == "insert" else (before, after)
    if not (isinstance(row, dict) and isinstance(key, dict) and _holds_key(row, key)):
        return _WHOLE, dict(change)
    if op in ("insert", "delete") and other is None:
        return (table, op, tuple(row), tuple(key), ()), list(row.values())
    if op == "update" and isinstance(after, dict) and list(after) == list(row):
        changed = tuple(
            c for c, old, new in zip(row, row.values(), after.values(), strict=True)
            if not _same(old, new)
        )
        return (table, op, tuple(row), tuple(key), changed), [
            *row.values(), *(after[c] for c in changed)]
    return _WHOLE, dict(change)


def _holds_key(row: Mapping[str, Any], key: Mapping[str, Any]) -> bool:
    """Whether the key can be read back from the row exactly."""
    for column, wanted in key.items():
        found = row.get(column, _MISSING)
        if found is not wanted and (
            type(found) is not type(wanted) or type(wanted) is float or found != wanted
        ):
            return False
    return True


def _same(old: Any, new: Any) -> bool:
    """Surely stored alike: equal and of one type (1, 1.0 and True are equal in Python).

    Floats count as changed unless they are the same object (0.0 == -0.0): storing a value
    that did not change costs a few bytes, never exactness.
    """
    return old is new or (type(old) is type(new) and type(old) is not float and old == new)


def _expand(group: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    table, op, columns = group["table"], group["op"], group["columns"]
    if op == "whole":
        yield from group["rows"]
        return
    width = len(columns)
    key_at = [(k, columns.index(k)) for k in group["key"]]
    changed = group["changed"]
    for values in group["rows"]:
        # zip stops at the columns: an update's array goes on with the changed values
        row = dict(zip(columns, values, strict=False))
        key = {k: values[i] for k, i in key_at}
        if op == "insert":
            yield {"table": table, "op": op, "key": key, "before": None, "after": row}
        elif op == "delete":
            yield {"table": table, "op": op, "key": key, "before": row, "after": None}
        else:
            after = row.copy()
            after.update(zip(changed, values[width:], strict=True))
            yield {"table": table, "op": op, "key": key, "before": row, "after": after}
