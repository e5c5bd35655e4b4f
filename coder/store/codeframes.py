"""Store methods for codeframes: save/load frames, apply planned edits that carry codings."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from coder.core.codeframe.codings import (
    CodingChange,
    plan_codes,
    plan_coding_moves,
    plan_recode,
)
from coder.core.codeframe.lookup import keys_to_assign
from coder.core.codeframe.model import Code, Codeframe
from coder.core.codeframe.ops import FramePlan, frame_changes
from coder.core.errors import EditConflict, NotInProject, ProjectError
from coder.core.types import Coding
from coder.store.actions import Action, now
from coder.store.base import StoreBase
from coder.store.changes import TABLE_KEYS, Batch, Change, Row, batches
from coder.store.dialect import Connection
from coder.store.event_log import no_cycle_collection

_CODE_COLUMNS = (
    "id",
    "codeframe_id",
    "parent_id",
    "label",
    "output_code",
    "definition",
    "include_note",
    "exclude_note",
    "examples",
    "colour",
    "status",
    "codable",
    "position",
    "merged_into",
    "shortcut",
)


def code_row(code: Code) -> dict[str, Any]:
    row = asdict(code)
    row["examples"] = json.dumps(list(code.examples), ensure_ascii=False)
    row["codable"] = int(code.codable)
    return {k: row[k] for k in _CODE_COLUMNS}


def _code(row: Sequence[Any]) -> Code:
    values = dict(zip(_CODE_COLUMNS, row, strict=True))
    values["examples"] = tuple(json.loads(values["examples"]))
    values["codable"] = bool(values["codable"])
    return Code(**values)


class CodeframeMixin(StoreBase):
    """Codeframes and their codes."""

    def codeframes(self) -> list[Codeframe]:
        return [
            self.codeframe(fid)
            for (fid,) in self.conn.execute("SELECT id FROM codeframes ORDER BY name")
        ]

    def codeframe(self, id_or_name: str) -> Codeframe:
        row = self.conn.execute(
            "SELECT id, name, description FROM codeframes WHERE id = ? OR name = ?",
            (id_or_name, id_or_name),
        ).fetchone()
        if row is None:
            names = (
                ", ".join(r[0] for r in self.conn.execute("SELECT name FROM codeframes")) or "none"
            )
            raise NotInProject(f'no codeframe "{id_or_name}" in this project (codeframes: {names})')
        codes = [
            _code(r)
            for r in self.conn.execute(
                f"SELECT {', '.join(_CODE_COLUMNS)} FROM codes WHERE codeframe_id = ?", (row[0],)
            )
        ]
        questions = tuple(
            r[0]
            for r in self.conn.execute(
                "SELECT id FROM questions WHERE codeframe_id = ? ORDER BY position", (row[0],)
            )
        )
        return Codeframe(row[0], row[1], tuple(codes), row[2], questions)

    def codeframe_for(self, question_id: str) -> Codeframe | None:
        """The question's active codeframe, or None when it has none yet."""
        row = self.conn.execute(
            "SELECT codeframe_id FROM questions WHERE id = ?", (question_id,)
        ).fetchone()
        if row is None:
            raise NotInProject(f'no question "{question_id}" in this project')
        return None if row[0] is None else self.codeframe(row[0])

    def code_names(self, answer_id: int, code_ids: Sequence[str]) -> dict[str, str]:
        """Each of `code_ids` in the answer's question's codeframe as people name it ("101
        High school fees"), read in one statement (a coding action names its codes).

        Raises:
            NotInProject: If there is no such answer.
        """
        ids = list(dict.fromkeys(code_ids))
        marks = ", ".join("?" for _ in ids) or "NULL"
        rows = self.conn.execute(
            "SELECT k.id, k.output_code, k.label FROM answers a"
            " LEFT JOIN questions q ON q.id = a.question_id"
            f" LEFT JOIN codes k ON k.codeframe_id = q.codeframe_id AND k.id IN ({marks})"
            " WHERE a.id = ?",
            [*ids, answer_id],
        ).fetchall()
        if not rows:
            raise NotInProject(f"no answer {answer_id}")
        return {code: f"{number} {label}" for code, number, label in rows if code is not None}

    def add_codeframe(
        self, frame: Codeframe, coder: str | None, *, questions: Sequence[str] = (),
        carry: Mapping[str, str] | None = None,
    ) -> int:
        """Add a whole frame (e.g. from a YAML file) and make it active for `questions`.

        Codes without a key take free ones (the keys they are stored with for good). `carry`
        (code id of another frame -> code id of this one) moves those codings to this frame's
        codes in the same action, as a merge does. Returns the codings carried.
        """
        frame.validate()
        keys = keys_to_assign(frame)
        if keys:
            frame = frame.replacing(replace(frame.code(i), shortcut=k) for i, k in keys.items())
        if self.conn.execute(
            "SELECT 1 FROM codeframes WHERE id = ? OR name = ?", (frame.id, frame.name)
        ).fetchone():
            raise ProjectError(f'a codeframe "{frame.name}" is already in this project')
        serves = list(dict.fromkeys([*frame.questions, *questions]))
        known = {r[0] for r in self.conn.execute("SELECT id FROM questions")}
        missing = [q for q in serves if q not in known]
        if missing:
            raise ProjectError(
                f'codeframe "{frame.name}" names unknown questions: {", ".join(missing)}'
            )
        with self.action(
            "codeframe.add_frame", coder, f'add codeframe "{frame.name}" ({len(frame.codes)} codes)'
        ) as act:
            act.insert(
                "codeframes", {"id": frame.id, "name": frame.name, "description": frame.description}
            )
            for code in _parents_first(frame.codes):
                act.insert("codes", code_row(code))
            for qid in serves:
                act.update("questions", {"id": qid}, {"codeframe_id": frame.id})
            return _carry(act, carry or {}, serves)

    def set_active_codeframe(
        self, question_id: str, frame_id: str | None, coder: str | None, *,
        carry: Mapping[str, str] | None = None,
    ) -> int:
        """Make `frame_id` the question's codeframe; `carry` as in `add_codeframe`."""
        with self.action("codeframe.activate", coder, f"codeframe for {question_id} set") as act:
            act.update("questions", {"id": question_id}, {"codeframe_id": frame_id})
            return _carry(act, carry or {}, [question_id])

    def coding_counts(self, frame_id: str) -> dict[str, int]:
        """code id -> number of codings (all coders) of the frame's codes."""
        return {
            cid: int(n)
            for cid, n in self.conn.execute(
                "SELECT c.code_id, count(*) FROM codings c JOIN codes k ON k.id = c.code_id"
                " WHERE k.codeframe_id = ? GROUP BY c.code_id",
                (frame_id,),
            )
        }

    def apply_frame_plan(
        self, plan: FramePlan, coder: str | None, *, split_rule: Mapping[str, str] | None = None
    ) -> int:
        """Apply a planned codeframe edit as one undoable action; returns codings moved.

        Merges carry codings from each source to its target (an answer a coder coded with both
        keeps one coding). Splits move each coding of the split code whose answer matches a rule
        (new code id -> lower-case text fragment) and mark the rest "needs recoding".

        The codings to move are read and worked out before the write lock is taken, so the
        lock is held only to write them; if another connection wrote in between, they are
        worked out again under the lock.
        """
        planned_at = self.write_version()
        moves = _plan_codings(self.conn, plan, split_rule or {})
        with self.action(f"codeframe.{plan.action}", coder, plan.summary) as act:
            if self.write_version() != planned_at:
                moves = _plan_codings(act.conn, plan, split_rule or {})
            # The version check: the plan was made on `plan.before`; if the frame's codes are
            # not that any more, another window or coder edited it meanwhile.
            changed = frame_changes(plan.before, self.codeframe(plan.before.id))
            if changed:
                raise EditConflict(
                    f'codeframe "{plan.before.name}" was changed by someone else since it was'
                    f" loaded ({'; '.join(changed[:3])}); nothing was changed: look at it again"
                    " and redo the edit")
            for code in _parents_first(plan.added):
                act.insert("codes", code_row(code))
            for code in plan.changed:
                row = code_row(code)
                act.update("codes", {"id": code.id}, {k: v for k, v in row.items() if k != "id"})
            act.write(moves.batches)
            act.details = {"codings_moved": moves.moved, "action": plan.action}
        return moves.moved


def _carry(act: Action, carry: Mapping[str, str], questions: Sequence[str]) -> int:
    """Move the codings of the questions' answers of each code in `carry` to its target,
    within the open action (a codeframe serving other questions keeps theirs)."""
    if not carry or not questions:
        return 0
    codes = list(dict.fromkeys([*carry, *carry.values()]))
    rows = act.conn.execute(
        "SELECT c.answer_id, c.code_id, c.coder_id, c.created_at, c.needs_recoding"
        " FROM codings c JOIN answers a ON a.id = c.answer_id"
        f" WHERE c.code_id IN ({', '.join('?' for _ in codes)})"
        f" AND a.question_id IN ({', '.join('?' for _ in questions)})",
        [*codes, *questions]).fetchall()
    planned = plan_recode(carry.items(), [Coding(a, k, c, t, bool(n)) for a, k, c, t, n in rows])
    act.write(batches([_coding_change(c) for c in planned.changes]))
    act.details = {**act.details, "codings_carried": planned.moved}
    return planned.moved


def _parents_first(codes: Sequence[Code]) -> list[Code]:
    ids = {c.id for c in codes}
    placed: set[str] = set()
    ordered: list[Code] = []
    pending = list(codes)
    while pending:
        rest = []
        for c in pending:
            if c.parent_id is None or c.parent_id not in ids or c.parent_id in placed:
                ordered.append(c)
                placed.add(c.id)
            else:
                rest.append(c)
        if len(rest) == len(pending):
            raise ProjectError("codeframe has a cycle")
        pending = rest
    return ordered


@dataclass
class _Moves:
    """Row changes to the codings planned for a frame edit, in the order they apply."""

    changes: list[Change] = field(default_factory=list)
    moved: int = 0
    batches: list[Batch] = field(default_factory=list)


def _plan_codings(conn: Connection, plan: FramePlan, rule: Mapping[str, str]) -> _Moves:
    """Work out the coding changes of `plan` from the project as it is now (reads only).

    The rules are `coder.core.codeframe.codings.plan_coding_moves`'s; this reads what they need.
    """
    codings: list[Coding] = []
    for code_id in plan_codes(plan, rule):
        rows = conn.execute(
            "SELECT answer_id, code_id, coder_id, created_at, needs_recoding FROM codings"
            " WHERE code_id = ?",
            (code_id,),
        ).fetchall()
        with no_cycle_collection():
            codings.extend(Coding(a, k, c, t, bool(n)) for a, k, c, t, n in rows)
    reviewed = set(plan.review_code_ids)
    texts: dict[int, str] = {}
    for code_id in [*plan.review_code_ids, *(s for s, t in plan.recode if t in reviewed)]:
        texts.update(
            conn.execute(
                "SELECT a.id, a.text FROM answers a JOIN codings c ON c.answer_id = a.id"
                " WHERE c.code_id = ?",
                (code_id,),
            ).fetchall()
        )
    with no_cycle_collection():  # many small objects, none in cycles
        planned = plan_coding_moves(plan, codings, texts, rule, now())
        changes = [_coding_change(c) for c in planned.changes]
        return _Moves(changes, planned.moved, batches(changes))


def _coding_change(change: CodingChange) -> Change:
    before = None if change.before is None else _coding_row(change.before)
    after = None if change.after is None else _coding_row(change.after)
    image = after if before is None else before
    assert image is not None
    return Change("codings", change.op, _coding_key(image), before, after)


def _coding_row(coding: Coding) -> Row:
    return {
        "answer_id": coding.answer_id,
        "code_id": coding.code_id,
        "coder_id": coding.coder_id,
        "created_at": coding.created_at,
        "needs_recoding": int(coding.needs_recoding),
    }


def _coding_key(row: Row) -> Row:
    return {k: row[k] for k in TABLE_KEYS["codings"]}
