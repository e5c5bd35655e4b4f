"""Store methods for coders, codings, per-answer status (done, memo, flag) and answer lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from coder.core.coding.filters import AnswerFilter
from coder.core.coding.text_search import fold
from coder.core.errors import NotInProject, ProjectError
from coder.core.types import Coder, CoderKind, Coding
from coder.store.actions import Action, now
from coder.store.base import StoreBase
from coder.store.changes import TABLE_KEYS, Change, Row, batches
from coder.store.dialect import Connection

#: Answers looked up per statement when reading many at once.
_IDS_PER_READ = 900

__all__ = ["AnswerFilter", "CodingMixin"]


class CodingMixin(StoreBase):
    """Coders and their codings."""

    def coder(self, name: str, *, create: bool = True, kind: CoderKind = CoderKind.HUMAN) -> Coder:
        """The coder called `name`, created on first use."""
        name = name.strip()
        if not name:
            raise ProjectError("a coder needs a name")
        row = self.conn.execute(
            "SELECT id, name, kind FROM coders WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            if not create:
                raise NotInProject(f'no coder "{name}" in this project')
            with self.transaction() as conn:
                # Another window may have added the same coder since the read above: an upsert
                # keeps one coder, and only the connection that added it logs the arrival.
                added = conn.execute(
                    "INSERT INTO coders (name, kind, created_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (name) DO NOTHING",
                    (name, str(kind), now()),
                ).rowcount
                if added:
                    self.log_event(
                        "coder.add", name, f"coder {name} ({kind}) joined", {"kind": str(kind)}
                    )
            row = self.conn.execute(
                "SELECT id, name, kind FROM coders WHERE name = ?", (name,)
            ).fetchone()
        return Coder(row[0], row[1], CoderKind(row[2]))

    def coders(self) -> list[Coder]:
        return [
            Coder(i, n, CoderKind(k))
            for i, n, k in self.conn.execute("SELECT id, name, kind FROM coders ORDER BY id")
        ]

    # -- codings -------------------------------------------------------------------------------

    def codes_of(self, answer_id: int, coder_id: int) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT code_id FROM codings WHERE answer_id = ? AND coder_id = ?"
                " ORDER BY created_at",
                (answer_id, coder_id),
            )
        ]

    def codings_of_answer(self, answer_id: int) -> list[Coding]:
        return [
            Coding(a, c, k, t, bool(n))
            for a, c, k, t, n in self.conn.execute(
                "SELECT answer_id, code_id, coder_id, created_at, needs_recoding FROM codings"
                " WHERE answer_id = ? ORDER BY coder_id, created_at",
                (answer_id,),
            )
        ]

    def codings(
        self,
        *,
        question_id: str | None = None,
        coder_id: int | None = None,
        code_ids: Iterable[str] | None = None,
    ) -> list[Coding]:
        sql = (
            "SELECT c.answer_id, c.code_id, c.coder_id, c.created_at, c.needs_recoding"
            " FROM codings c JOIN answers a ON a.id = c.answer_id WHERE 1 = 1"
        )
        params: list[Any] = []
        if question_id is not None:
            sql += " AND a.question_id = ?"
            params.append(question_id)
        if coder_id is not None:
            sql += " AND c.coder_id = ?"
            params.append(coder_id)
        if code_ids is not None:
            ids = list(code_ids)
            sql += f" AND c.code_id IN ({', '.join('?' for _ in ids)})"
            params.extend(ids)
        return [
            Coding(a, c, k, t, bool(n))
            for a, c, k, t, n in self.conn.execute(
                sql + " ORDER BY c.answer_id, c.coder_id, c.created_at", params
            )
        ]

    def coded_answers(self, question_id: str) -> dict[int, set[int]]:
        """coder id -> the answers of `question_id` that coder has coded (with or without codes)."""
        result: dict[int, set[int]] = {}
        for coder_id, answer_id in self.conn.execute(
            "SELECT s.coder_id, s.answer_id FROM answer_status s JOIN answers a"
            " ON a.id = s.answer_id WHERE a.question_id = ? AND s.coded_at IS NOT NULL",
            (question_id,),
        ):
            result.setdefault(coder_id, set()).add(answer_id)
        return result

    def set_codes(
        self, answer_id: int, coder: Coder, code_ids: Sequence[str], *, summary: str | None = None
    ) -> bool:
        """Make `code_ids` the coder's codes for the answer, as one undoable action.

        Returns True when anything changed. An empty list records "coded, no code applies".
        """
        with self.action("coding.set", coder.name, summary or f"coded answer {answer_id}") as act:
            self._replace_codes(act, answer_id, coder.id, code_ids)
            changed = bool(act.changes)
        return changed

    def toggle_code(self, answer_id: int, coder: Coder, code_id: str, *,
                    code_name: str | None = None) -> bool:
        """Add the code if the coder has not applied it, else remove it; True when now applied.

        The coder's current codes are read inside the write transaction, so a change made by
        another window meanwhile (e.g. while this one waited for the lock) is never lost.
        `code_name` ("201 No suitable local schools") names the code in the history.
        """
        with self.action("coding.set", coder.name, f"coded answer {answer_id}") as act:
            current = self.codes_of(answer_id, coder.id)
            applied = code_id not in current
            new = [*current, code_id] if applied else [c for c in current if c != code_id]
            act.summary = (f"{'added' if applied else 'removed'} {code_name or 'code'}"
                           f" on answer {answer_id}")
            self._replace_codes(act, answer_id, coder.id, new, current=current)
        return applied

    def replace_codings(
        self,
        decisions: Sequence[tuple[int, int, Sequence[str]]],
        actor: str | None,
        summary: str,
        *,
        action: str = "coding.import",
        details: dict[str, Any] | None = None,
    ) -> tuple[int, int, int]:
        """Set many coders' codes on many answers as one undoable action of `actor`.

        Each decision is (answer id, coder id, code ids): those become that coder's codes on
        that answer (an empty list: coded, no code applies). A coder's answer already coded with
        exactly those codes is left untouched, so re-importing the same file changes nothing
        (and leaves adjudications based on those codings current).

        The codings and statuses of all the decisions are read in a few statements and the
        changes written in batches, so an import of thousands of answers costs a few dozen
        statements, not several per answer (which a database server answers one round trip at a
        time).

        Returns:
            (answers changed, codings added, codings removed).
        """
        changed = added = removed = 0
        with self.action(action, actor, summary) as act:
            act.details = dict(details or {})
            pairs = [(int(a), int(c)) for a, c, _ in decisions]
            if len(set(pairs)) != len(pairs):  # one coder's answer twice: each sees the last
                for answer_id, coder_id, code_ids in decisions:
                    wanted = set(code_ids)
                    current = set(self.codes_of(answer_id, coder_id))
                    if current == wanted and self.status(answer_id, coder_id)["coded_at"]:
                        continue
                    self._replace_codes(act, answer_id, coder_id, code_ids)
                    changed += 1
                    added += len(wanted - current)
                    removed += len(current - wanted)
                return changed, added, removed
            codings, statuses = _rows_of_pairs(act.conn, pairs)
            new_coding = self.dialect.column_defaults(act.conn, "codings")
            new_status = self.dialect.column_defaults(act.conn, "answer_status")
            stamp = now()
            deletes: list[Change] = []
            inserts: list[Change] = []
            marks: list[Change] = []
            for (answer_id, coder_id), (_a, _c, code_ids) in zip(pairs, decisions, strict=True):
                chosen = list(dict.fromkeys(code_ids))
                held = codings.get((answer_id, coder_id), {})
                status = statuses.get((answer_id, coder_id))
                if set(held) == set(chosen) and status is not None and status["coded_at"]:
                    continue
                for code_id, row in held.items():
                    if code_id not in chosen:
                        deletes.append(Change("codings", "delete", _key(row), row, None))
                for code_id in chosen:
                    if code_id not in held:
                        row = {**new_coding, "answer_id": answer_id, "code_id": code_id,
                               "coder_id": coder_id, "created_at": stamp}
                        inserts.append(Change("codings", "insert", _key(row), None, row))
                key = {"answer_id": answer_id, "coder_id": coder_id}
                if status is None:
                    after = {**new_status, **key, "coded_at": stamp}
                    marks.append(Change("answer_status", "insert", key, None, after))
                elif status["coded_at"] != stamp:
                    after = {**status, "coded_at": stamp}
                    marks.append(Change("answer_status", "update", key, status, after))
                changed += 1
                added += len(set(chosen) - set(held))
                removed += len(set(held) - set(chosen))
            # Grouped by kind, so each kind is one batch; every pair appears once, so no change
            # depends on another's order.
            act.write(batches([*deletes, *inserts, *sorted(marks, key=lambda c: c.op)]))
        return changed, added, removed

    def change_codes(self, answer_id: int, coder: Coder, *, add: Sequence[str] = (),
                     remove: Sequence[str] = (), summary: str | None = None) -> bool:
        """Add and remove some of the coder's codes on the answer, as one undoable action.

        The other codes the coder applied stay. The coder's current codes are read inside the
        write transaction (as in `toggle_code`). Returns True when a code was added or removed.
        """
        with self.action("coding.set", coder.name, summary or f"coded answer {answer_id}") as act:
            current = self.codes_of(answer_id, coder.id)
            dropped = set(remove)
            new = [c for c in current if c not in dropped]
            new += [c for c in dict.fromkeys(add) if c not in current and c not in dropped]
            self._replace_codes(act, answer_id, coder.id, new, current=current)
            changed = set(new) != set(current)
        return changed

    def _replace_codes(
        self, act: Action, answer_id: int, coder_id: int, code_ids: Sequence[str], *,
        current: Sequence[str] | None = None,
    ) -> None:
        """Make `code_ids` the coder's codes on the answer; `current` is what the caller just
        read of them in this transaction (saves reading them again)."""
        wanted = list(dict.fromkeys(code_ids))
        held = set(self.codes_of(answer_id, coder_id) if current is None else current)
        stamp = now()
        for code_id in held - set(wanted):
            act.delete(
                "codings", {"answer_id": answer_id, "code_id": code_id, "coder_id": coder_id}
            )
        for code_id in wanted:
            if code_id not in held:
                act.insert(
                    "codings",
                    {
                        "answer_id": answer_id,
                        "code_id": code_id,
                        "coder_id": coder_id,
                        "created_at": stamp,
                    },
                )
        self._touch_status(act, answer_id, coder_id, coded_at=stamp)

    def set_memo(self, answer_id: int, coder: Coder, memo: str) -> None:
        with self.action("coding.memo", coder.name, f"memo on answer {answer_id}") as act:
            self._touch_status(act, answer_id, coder.id, memo=memo)

    def set_flag(self, answer_id: int, coder: Coder, flagged: bool) -> None:
        verb = "flagged" if flagged else "unflagged"
        with self.action("coding.flag", coder.name, f"{verb} answer {answer_id}") as act:
            self._touch_status(act, answer_id, coder.id, flagged=int(flagged))

    def status(self, answer_id: int, coder_id: int) -> dict[str, Any]:
        row = self.conn.execute(
            "SELECT coded_at, memo, flagged FROM answer_status"
            " WHERE answer_id = ? AND coder_id = ?",
            (answer_id, coder_id),
        ).fetchone()
        if row is None:
            return {"coded_at": None, "memo": "", "flagged": False}
        return {"coded_at": row[0], "memo": row[1], "flagged": bool(row[2])}

    def _touch_status(self, act: Any, answer_id: int, coder_id: int, **values: Any) -> None:
        key = {"answer_id": answer_id, "coder_id": coder_id}
        before = act.get("answer_status", key)
        if before is None:
            act.insert("answer_status", {**key, **values})
        else:
            act.update("answer_status", key, values, before=before)

    # -- answer lists --------------------------------------------------------------------------

    def answer_ids(
        self, question_id: str, coder_id: int | None = None, filters: AnswerFilter | None = None
    ) -> list[int]:
        """Ids of the question's answers passing `filters`, in import order."""
        f = filters or AnswerFilter()
        sql = " FROM answers a WHERE a.question_id = ?"
        params: list[Any] = [question_id]
        if not f.include_non_substantive:
            sql += " AND a.non_substantive IS NULL"
        else:
            sql += " AND (a.non_substantive IS NULL OR a.non_substantive != 'blank')"
        if f.wave_id is not None:
            sql += " AND a.wave_id = ?"
            params.append(f.wave_id)
        if f.code_id is not None:
            sql += " AND EXISTS (SELECT 1 FROM codings c WHERE c.answer_id = a.id AND c.code_id = ?"
            params.append(f.code_id)
            if coder_id is not None:
                sql += " AND c.coder_id = ?"
                params.append(coder_id)
            sql += ")"
        if f.uncoded and coder_id is not None:
            sql += (
                " AND NOT EXISTS (SELECT 1 FROM answer_status s WHERE s.answer_id = a.id"
                " AND s.coder_id = ? AND s.coded_at IS NOT NULL)"
            )
            params.append(coder_id)
        if f.flagged:
            sql += (
                " AND EXISTS (SELECT 1 FROM answer_status s WHERE s.answer_id = a.id"
                " AND s.flagged != 0"
            )
            if coder_id is not None:
                sql += " AND s.coder_id = ?"
                params.append(coder_id)
            sql += ")"
        if f.changed:
            # Re-imported with another text at or after the moment it was coded.
            sql += (
                " AND a.text_changed_at IS NOT NULL AND EXISTS (SELECT 1 FROM answer_status s"
                " WHERE s.answer_id = a.id AND s.coded_at IS NOT NULL"
                " AND s.coded_at <= a.text_changed_at"
            )
            if coder_id is not None:
                sql += " AND s.coder_id = ?"
                params.append(coder_id)
            sql += ")"
        if f.attribute is not None:
            sql += (
                " AND EXISTS (SELECT 1 FROM respondent_attributes r WHERE r.respondent_id ="
                " a.respondent_id AND r.wave_id = a.wave_id"
                f" AND {self.dialect.json_text('r.attributes')} = ?)"
            )
            params.extend(f.attribute)
        if f.theme is not None:
            sql += (
                " AND EXISTS (SELECT 1 FROM theme_assignments t WHERE t.answer_id = a.id"
                " AND t.run_id = ? AND t.theme_id = ?)"
            )
            params.extend(f.theme)
        if f.text:
            # Case folded as the app's in-memory index folds it (Unicode, "ß" -> "ss"): the
            # database's lower() decides for ASCII texts, where the two agree; the few others
            # are folded here.
            # (A folded phrase found in an ASCII-lowered text is in the folded text too: only
            # the texts beyond ASCII it is not found in come back, to fold.)
            needle = fold(f.text)
            hit, other = self.dialect.lower_contains("a.text"), self.dialect.not_ascii("a.text")
            rows = self.conn.execute(
                f"SELECT a.id, CASE WHEN {hit} THEN NULL ELSE a.text END{sql}"
                f" AND ({hit} OR {other}) ORDER BY a.id", [needle, *params, needle])
            ids = [aid for aid, text in rows if text is None or needle in fold(text)]
        else:
            ids = [r[0] for r in self.conn.execute(f"SELECT a.id{sql} ORDER BY a.id", params)]
        if f.answer_ids is not None:
            ids = [i for i in ids if i in f.answer_ids]
        return ids

    def changed_since_coded(self, answer_id: int, coder_id: int) -> bool:
        """True when a re-import changed the answer's text at or after the coder coded it."""
        return self.conn.execute(
            "SELECT 1 FROM answers a JOIN answer_status s ON s.answer_id = a.id"
            " WHERE a.id = ? AND s.coder_id = ? AND s.coded_at IS NOT NULL"
            " AND a.text_changed_at IS NOT NULL AND s.coded_at <= a.text_changed_at",
            (answer_id, coder_id)).fetchone() is not None

    def coded_count(self, question_id: str, coder_id: int | None = None) -> int:
        sql = (
            "SELECT count(DISTINCT s.answer_id) FROM answer_status s JOIN answers a ON"
            " a.id = s.answer_id WHERE a.question_id = ? AND s.coded_at IS NOT NULL"
        )
        params: list[Any] = [question_id]
        if coder_id is not None:
            sql += " AND s.coder_id = ?"
            params.append(coder_id)
        return int(self.conn.execute(sql, params).fetchone()[0])


def _key(row: Row) -> Row:
    return {k: row[k] for k in TABLE_KEYS["codings"]}


def _rows_of_pairs(
    conn: Connection, pairs: Sequence[tuple[int, int]]
) -> tuple[dict[tuple[int, int], dict[str, Row]], dict[tuple[int, int], Row]]:
    """The codings (by code, in the order applied) and the status row of each (answer, coder)."""
    by_coder: dict[int, list[int]] = {}
    for answer_id, coder_id in pairs:
        by_coder.setdefault(coder_id, []).append(answer_id)
    codings: dict[tuple[int, int], dict[str, Row]] = {}
    statuses: dict[tuple[int, int], Row] = {}
    for coder_id, answer_ids in by_coder.items():
        for start in range(0, len(answer_ids), _IDS_PER_READ):
            chunk = answer_ids[start:start + _IDS_PER_READ]
            marks = ", ".join("?" for _ in chunk)
            cur = conn.execute(
                f"SELECT * FROM codings WHERE coder_id = ? AND answer_id IN ({marks})"
                " ORDER BY created_at", [coder_id, *chunk])
            names = [d[0] for d in cur.description]
            for values in cur.fetchall():
                row = dict(zip(names, values, strict=True))
                codings.setdefault((row["answer_id"], coder_id), {})[row["code_id"]] = row
            cur = conn.execute(
                f"SELECT * FROM answer_status WHERE coder_id = ? AND answer_id IN ({marks})",
                [coder_id, *chunk])
            names = [d[0] for d in cur.description]
            for values in cur.fetchall():
                row = dict(zip(names, values, strict=True))
                statuses[(row["answer_id"], coder_id)] = row
    return codings, statuses
