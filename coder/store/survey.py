"""Store methods for survey data: waves, respondents, questions, answers, and import."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from coder.core.embedding import cache_key
from coder.core.errors import NotInProject
from coder.core.normalise import duplicate_links
from coder.core.progress import NO_PROGRESS, Progress
from coder.core.survey.types import ImportPlan, ImportResult, QuestionStats
from coder.core.types import Answer, Question, QuestionKind, Respondent, Routing, Wave
from coder.store.actions import now
from coder.store.base import StoreBase

_CHUNK = 5000


def storable_raw_text(raw_text: str) -> str:
    """An answer's raw text as the project keeps it: as read, but for NUL characters, which a
    PostgreSQL text cannot hold (dropped on both backends, so a project reads the same on
    either, moves between them, and a file imported again matches what it stored)."""
    return raw_text.replace("\x00", "")


def _question(row: Sequence[Any]) -> Question:
    qid, text, kind, position, routing, value_labels, codeframe_id = row
    r = json.loads(routing) if routing else None
    return Question(
        qid,
        text,
        QuestionKind(kind),
        position,
        Routing(r["column"], tuple(r["values"])) if r else None,
        json.loads(value_labels),
        codeframe_id,
    )


_ANSWER_COLUMNS = (
    "id, respondent_id, question_id, wave_id, raw_text, text, non_substantive, duplicate_of"
)


class SurveyMixin(StoreBase):
    """Waves, respondents, questions and answers."""

    # -- reads ---------------------------------------------------------------------------------

    def waves(self) -> list[Wave]:
        return [
            Wave(*r)
            for r in self.conn.execute("SELECT id, name, created_at FROM waves ORDER BY id")
        ]

    def wave_id(self, name: str) -> int:
        row = self.conn.execute("SELECT id FROM waves WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotInProject(f'no wave "{name}" in this project')
        return int(row[0])

    def questions(self, *, open_only: bool = False) -> list[Question]:
        sql = "SELECT id, text, kind, position, routing, value_labels, codeframe_id FROM questions"
        if open_only:
            sql += " WHERE kind != 'closed'"
        return [_question(r) for r in self.conn.execute(sql + " ORDER BY position, id")]

    def question(self, question_id: str) -> Question:
        row = self.conn.execute(
            "SELECT id, text, kind, position, routing, value_labels, codeframe_id FROM questions"
            " WHERE id = ?",
            (question_id,),
        ).fetchone()
        if row is None:
            known = ", ".join(q.id for q in self.questions(open_only=True)) or "none"
            raise NotInProject(
                f'no question "{question_id}" in this project (open questions: {known})'
            )
        return _question(row)

    def answers(
        self, question_id: str, *, wave_id: int | None = None, substantive_only: bool = False
    ) -> list[Answer]:
        sql = f"SELECT {_ANSWER_COLUMNS} FROM answers WHERE question_id = ?"
        params: list[Any] = [question_id]
        if wave_id is not None:
            sql += " AND wave_id = ?"
            params.append(wave_id)
        if substantive_only:
            sql += " AND non_substantive IS NULL"
        return [Answer(*r) for r in self.conn.execute(sql + " ORDER BY id", params)]

    def respondent_answers(self, respondent_id: int) -> list[Answer]:
        """Every answer the respondent gave, all questions and waves (by wave, then question)."""
        sql = (f"SELECT {', '.join('a.' + c.strip() for c in _ANSWER_COLUMNS.split(','))}"
               " FROM answers a JOIN questions q ON q.id = a.question_id"
               " WHERE a.respondent_id = ? ORDER BY a.wave_id, q.position, a.id")
        return [Answer(*r) for r in self.conn.execute(sql, (respondent_id,))]

    def answer(self, answer_id: int) -> Answer:
        row = self.conn.execute(
            f"SELECT {_ANSWER_COLUMNS} FROM answers WHERE id = ?", (answer_id,)
        ).fetchone()
        if row is None:
            raise NotInProject(f"no answer {answer_id}")
        return Answer(*row)

    def respondent(self, respondent_id: int, wave_id: int | None = None) -> Respondent:
        row = self.conn.execute(
            "SELECT id, external_id FROM respondents WHERE id = ?", (respondent_id,)
        ).fetchone()
        if row is None:
            raise NotInProject(f"no respondent {respondent_id}")
        sql = "SELECT attributes FROM respondent_attributes WHERE respondent_id = ?"
        params: list[Any] = [respondent_id]
        if wave_id is not None:
            sql += " AND wave_id = ?"
            params.append(wave_id)
        attributes: dict[str, str] = {}
        for (encoded,) in self.conn.execute(sql + " ORDER BY wave_id", params):
            attributes.update(json.loads(encoded))
        return Respondent(row[0], row[1], attributes)

    def respondents(self, wave_id: int | None = None) -> list[Respondent]:
        """Every respondent with attributes (the latest wave's value wins unless `wave_id`)."""
        attributes: dict[int, dict[str, str]] = {}
        sql = "SELECT respondent_id, attributes FROM respondent_attributes"
        params: list[Any] = []
        if wave_id is not None:
            sql += " WHERE wave_id = ?"
            params.append(wave_id)
        for rid, encoded in self.conn.execute(sql + " ORDER BY wave_id", params):
            attributes.setdefault(rid, {}).update(json.loads(encoded))
        rows = self.conn.execute("SELECT id, external_id FROM respondents ORDER BY id")
        return [
            Respondent(rid, ext, attributes.get(rid, {}))
            for rid, ext in rows
            if wave_id is None or rid in attributes
        ]

    def question_stats(self, wave_id: int | None = None) -> list[QuestionStats]:
        where = "" if wave_id is None else " AND wave_id = ?"
        params = [] if wave_id is None else [wave_id]
        counts = {
            qid: rest
            for qid, *rest in self.conn.execute(
                "SELECT question_id, count(*),"
                " count(CASE WHEN non_substantive IS NULL OR non_substantive != 'blank'"
                " THEN 1 END),"
                " count(CASE WHEN non_substantive = 'blank' THEN 1 END),"
                " count(CASE WHEN non_substantive != 'blank' THEN 1 END),"
                f" count(duplicate_of) FROM answers WHERE 1 = 1{where}"
                " GROUP BY question_id",
                params,
            )
        }
        return [
            QuestionStats(q, *(int(v or 0) for v in counts.get(q.id, (0, 0, 0, 0, 0))))
            for q in self.questions(open_only=True)
        ]

    def counts(self) -> dict[str, int]:
        one = lambda sql: int(self.conn.execute(sql).fetchone()[0])  # noqa: E731
        return {
            "waves": one("SELECT count(*) FROM waves"),
            "respondents": one("SELECT count(*) FROM respondents"),
            "questions": one("SELECT count(*) FROM questions WHERE kind != 'closed'"),
            "answers": one("SELECT count(*) FROM answers WHERE non_substantive IS NULL"
                " OR non_substantive != 'blank'"),
            "codings": one("SELECT count(*) FROM codings"),
            "events": one("SELECT count(*) FROM events"),
        }

    # -- import --------------------------------------------------------------------------------

    def apply_import(
        self,
        plan: ImportPlan,
        *,
        wave: str,
        coder: str | None,
        file_sha256: str,
        progress: Progress = NO_PROGRESS,
    ) -> ImportResult:
        """Write an import plan in one transaction: all of it, or (on error/cancel) nothing."""
        total = len(plan.respondents) + len(plan.answers)
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            progress.step(done, total)

        with self.transaction() as conn:
            row = conn.execute("SELECT id FROM waves WHERE name = ?", (wave,)).fetchone()
            wave_id = (
                int(row[0])
                if row
                else int(
                    conn.execute(
                        "INSERT INTO waves (name, created_at) VALUES (?, ?) RETURNING id",
                        (wave, now()),
                    ).fetchall()[0][0]
                )
            )

            known_questions = {r[0] for r in conn.execute("SELECT id FROM questions")}
            added_questions = []
            for q in plan.questions:
                routing = (
                    json.dumps({"column": q.routing.column, "values": list(q.routing.values)})
                    if q.routing
                    else None
                )
                if q.id in known_questions:
                    conn.execute(
                        "UPDATE questions SET routing = coalesce(routing, ?),"
                        " text = CASE WHEN text = id THEN ? ELSE text END WHERE id = ?",
                        (routing, q.text, q.id),
                    )
                else:
                    added_questions.append(q.id)
                    conn.execute(
                        "INSERT INTO questions (id, text, kind, position, routing, value_labels)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            q.id,
                            q.text,
                            str(q.kind),
                            q.position,
                            routing,
                            json.dumps(q.value_labels),
                        ),
                    )

            before = int(conn.execute("SELECT count(*) FROM respondents").fetchone()[0])
            ids = [r[0] for r in plan.respondents]
            for start in range(0, len(ids), _CHUNK):
                conn.executemany(
                    "INSERT INTO respondents (external_id) VALUES (?)"
                    " ON CONFLICT (external_id) DO NOTHING",
                    [(i,) for i in ids[start : start + _CHUNK]],
                )
                tick(len(ids[start : start + _CHUNK]))
            respondents_added = (
                int(conn.execute("SELECT count(*) FROM respondents").fetchone()[0]) - before
            )
            rid = dict(conn.execute("SELECT external_id, id FROM respondents"))
            conn.executemany(
                "INSERT INTO respondent_attributes (respondent_id, wave_id, attributes)"
                " VALUES (?, ?, ?) ON CONFLICT (respondent_id, wave_id)"
                " DO UPDATE SET attributes = excluded.attributes",
                [
                    (rid[ext], wave_id, json.dumps(attrs, ensure_ascii=False))
                    for ext, attrs in plan.respondents
                ],
            )

            existing = {
                (r, q): (aid, raw)
                for aid, r, q, raw in conn.execute(
                    "SELECT id, respondent_id, question_id, raw_text FROM answers"
                    " WHERE wave_id = ?",
                    (wave_id,),
                )
            }
            coded = {r[0] for r in conn.execute(
                "SELECT answer_id FROM codings UNION"
                " SELECT answer_id FROM answer_status WHERE coded_at IS NOT NULL")}
            inserts, updates, unchanged, changed_coded = [], [], 0, 0
            for a in plan.answers:
                key = (rid[a.respondent_external_id], a.question_id)
                old = existing.get(key)
                raw = storable_raw_text(a.raw_text)
                if old is None:
                    inserts.append((key[0], a.question_id, wave_id, raw, a.text,
                                    a.non_substantive, cache_key(a.text)))
                elif storable_raw_text(old[1]) == raw:
                    unchanged += 1
                else:
                    updates.append((raw, a.text, a.non_substantive, cache_key(a.text),
                                    old[0]))
                    changed_coded += old[0] in coded
            for start in range(0, len(inserts), _CHUNK):
                conn.executemany(
                    "INSERT INTO answers (respondent_id, question_id, wave_id, raw_text, text,"
                    " non_substantive, embedding_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    inserts[start : start + _CHUNK],
                )
                tick(len(inserts[start : start + _CHUNK]))
            # Marked with the time, so an answer coded before this moment reads as changed
            # since it was coded (the `is:changed` filter) until someone codes it again.
            stamp = now()
            conn.executemany(
                "UPDATE answers SET raw_text = ?, text = ?, non_substantive = ?,"
                " embedding_key = ?, text_changed_at = ? WHERE id = ?",
                [(raw, text, reason, key, stamp, aid) for raw, text, reason, key, aid in updates],
            )
            tick(len(updates) + unchanged)
            for qid in plan.open_question_ids:
                self._refresh_duplicates(qid)

            details = {
                "source": plan.source,
                "sha256": file_sha256,
                "wave": wave,
                "id_column": plan.id_column,
                "open_questions": plan.open_question_ids,
                "respondents_added": respondents_added,
                "answers_added": len(inserts),
                "answers_changed": len(updates),
                "answers_changed_coded": changed_coded,
                "answers_unchanged": unchanged,
            }
            event_id = self.log_event(
                "survey.import",
                coder,
                f"imported {plan.source} into wave {wave}: {len(inserts)} answers added,"
                f" {len(updates)} changed",
                details,
            )
        return ImportResult(
            wave,
            respondents_added,
            len(inserts),
            len(updates),
            changed_coded,
            unchanged,
            tuple(added_questions),
            event_id,
        )

    def _refresh_duplicates(self, question_id: str) -> None:
        """Flag each answer repeating an earlier answer's text to the same question (any wave);
        which answers repeat which is `coder.core.normalise.duplicate_links`'s rule."""
        rows = self.conn.execute(
            "SELECT id, text, non_substantive = 'blank', duplicate_of FROM answers"
            " WHERE question_id = ? ORDER BY id",
            (question_id,),
        ).fetchall()
        links = duplicate_links((aid, text, bool(blank)) for aid, text, blank, _ in rows)
        changes = [(links[aid], aid) for aid, _, _, current in rows if links[aid] != current]
        self.conn.executemany("UPDATE answers SET duplicate_of = ? WHERE id = ?", changes)
