"""Row changes of user actions: the images recorded for undo, and writing many at once.

Part of the store (the only layer that speaks SQL). A `Change` is one row inserted, updated or
deleted, with the whole row before and after; an action's changes are what its event records
(see `coder.store.event_log` for how they are stored) and what undo and redo replay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Primary key columns of every table a user action may change (and undo may restore).
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "settings": ("key",),
    "codeframes": ("id",),
    "questions": ("id",),
    "codes": ("id",),
    "codings": ("answer_id", "code_id", "coder_id"),
    "answer_status": ("answer_id", "coder_id"),
    "starred_quotes": ("code_id", "answer_id"),
    "themes": ("run_id", "theme_id"),
    "theme_assignments": ("run_id", "answer_id"),
    "qa_samples": ("id",),
    "qa_assignments": ("sample_id", "answer_id", "coder_id"),
    "adjudications": ("answer_id",),
    "work_assignments": ("id",),
    "work_assigned_answers": ("assignment_id", "answer_id"),
}

Row = dict[str, Any]


@dataclass
class Change:
    """One row-level change inside an action: enough to undo or redo it."""

    table: str
    op: str  # "insert" | "update" | "delete"
    key: Row
    before: Row | None
    after: Row | None

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "op": self.op,
            "key": self.key,
            "before": self.before,
            "after": self.after,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        return cls(data["table"], data["op"], dict(data["key"]), data["before"], data["after"])

    def inverse(self) -> Change:
        op = {"insert": "delete", "delete": "insert", "update": "update"}[self.op]
        return Change(self.table, op, self.key, self.after, self.before)


@dataclass(frozen=True)
class Batch:
    """Row changes of one kind written by one statement (executemany)."""

    sql: str
    params: list[list[Any]]
    changes: list[Change]


def batches(changes: Sequence[Change]) -> list[Batch]:
    """Group consecutive changes of one kind, with their statements and parameters."""
    batches: list[Batch] = []
    start = 0
    while start < len(changes):
        first = changes[start]
        end = start + 1
        while (
            end < len(changes)
            and changes[end].op == first.op
            and changes[end].table == first.table
            and _columns(changes[end]) == _columns(first)
        ):
            end += 1
        batch = list(changes[start:end])
        keys = list(first.key)
        where = " AND ".join(f"{k} = ?" for k in keys)
        if first.op == "delete":
            sql = f"DELETE FROM {first.table} WHERE {where}"
            params = [[c.key[k] for k in keys] for c in batch]
        elif first.op == "insert":
            columns = list(first.after or {})
            sql = (
                f"INSERT INTO {first.table} ({', '.join(columns)})"
                f" VALUES ({', '.join('?' for _ in columns)})"
            )
            params = [[(c.after or {})[k] for k in columns] for c in batch]
        else:
            columns = [k for k in first.after or {} if k not in keys]
            sql = f"UPDATE {first.table} SET {', '.join(f'{k} = ?' for k in columns)} WHERE {where}"
            params = [
                [*((c.after or {})[k] for k in columns), *(c.key[k] for k in keys)] for c in batch
            ]
        batches.append(Batch(sql, params, batch))
        start = end
    return batches


def _columns(change: Change) -> tuple[str, ...]:
    image = change.after if change.after is not None else change.before
    return (*change.key, *(image or {}))
