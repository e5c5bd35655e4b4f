"""Store methods for codeframes: save/load frames, apply planned edits that carry codings."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from coder.core.codeframe import Code, Codeframe, FramePlan
from coder.core.errors import ProjectError
from coder.store.base import Action, StoreBase, now

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
            raise ProjectError(f'no codeframe "{id_or_name}" in this project (codeframes: {names})')
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
            raise ProjectError(f'no question "{question_id}" in this project')
        return None if row[0] is None else self.codeframe(row[0])

    def add_codeframe(
        self, frame: Codeframe, coder: str | None, *, questions: Sequence[str] = ()
    ) -> None:
        """Add a whole frame (e.g. from a YAML file) and make it active for `questions`."""
        frame.validate()
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

    def set_active_codeframe(
        self, question_id: str, frame_id: str | None, coder: str | None
    ) -> None:
        with self.action("codeframe.activate", coder, f"codeframe for {question_id} set") as act:
            act.update("questions", {"id": question_id}, {"codeframe_id": frame_id})

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
        """
        moved = 0
        with self.action(f"codeframe.{plan.action}", coder, plan.summary) as act:
            for code in _parents_first(plan.added):
                act.insert("codes", code_row(code))
            for code in plan.changed:
                row = code_row(code)
                act.update("codes", {"id": code.id}, {k: v for k, v in row.items() if k != "id"})
            for source, target in plan.recode:
                moved += _move_codings(act, source, target)
            for code_id in plan.review_code_ids:
                moved += _split_codings(act, code_id, split_rule or {})
            act.details = {"codings_moved": moved, "action": plan.action}
        return moved


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


def _move_codings(act: Action, source: str, target: str) -> int:
    rows = act.conn.execute(
        "SELECT answer_id, coder_id, created_at, needs_recoding FROM codings WHERE code_id = ?",
        (source,),
    ).fetchall()
    for answer_id, coder_id, created_at, needs in rows:
        act.delete("codings", {"answer_id": answer_id, "code_id": source, "coder_id": coder_id})
        key = {"answer_id": answer_id, "code_id": target, "coder_id": coder_id}
        if act.get("codings", key) is None:
            act.insert("codings", {**key, "created_at": created_at, "needs_recoding": needs})
    return len(rows)


def _split_codings(act: Action, code_id: str, rule: Mapping[str, str]) -> int:
    rows = act.conn.execute(
        "SELECT c.answer_id, c.coder_id, c.created_at, a.text FROM codings c JOIN answers a"
        " ON a.id = c.answer_id WHERE c.code_id = ?",
        (code_id,),
    ).fetchall()
    stamp = now()
    for answer_id, coder_id, created_at, text in rows:
        lowered = text.casefold()
        targets = [
            new_id
            for new_id, fragment in rule.items()
            if fragment and fragment.casefold() in lowered
        ]
        key = {"answer_id": answer_id, "code_id": code_id, "coder_id": coder_id}
        if not targets:
            act.update("codings", key, {"needs_recoding": 1})
            continue
        act.delete("codings", key)
        for new_id in targets:
            new_key = {"answer_id": answer_id, "code_id": new_id, "coder_id": coder_id}
            if act.get("codings", new_key) is None:
                act.insert("codings", {**new_key, "created_at": stamp or created_at})
    return len(rows)
