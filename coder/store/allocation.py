"""Store methods for team work: plain work assignments (answers of a question given to one
coder) and who is coding which question now (the open sessions).

Part of the store (the only layer that speaks SQL); which answers an assignment takes (a share, a
range, a list of respondents) is decided by `coder.services.allocation`, not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from coder.core.coding.types import OpenWindow, WorkAssignment
from coder.core.errors import ProjectError
from coder.store import sessions
from coder.store.base import StoreBase, now

if TYPE_CHECKING:
    from coder.core.types import Coder, Question


class AllocationMixin(StoreBase):
    """Work assignments and the open sessions of a project."""

    if TYPE_CHECKING:
        def question(self, question_id: str) -> Question: ...
        def coder(self, name: str, *, create: bool = True) -> Coder: ...

    # -- work assignments ----------------------------------------------------------------------

    def add_work_assignment(self, question_id: str, coder_name: str, answer_ids: Sequence[int],
                            rule: str, actor: str | None) -> WorkAssignment:
        """Give `answer_ids` of the question to the coder, as one undoable action of `actor`.

        Raises:
            ProjectError: Unknown question, no answers, or an answer of another question.
        """
        self.question(question_id)
        wanted = sorted(set(answer_ids))
        if not wanted:
            raise ProjectError("the assignment takes no answers")
        others = self._foreign_answers(question_id, wanted)
        if others:
            raise ProjectError(f"answers {', '.join(map(str, others[:5]))} are not answers of"
                               f" {question_id}")
        person = self.coder(coder_name)
        with self.action("work.assign", actor,
                         f"assigned {len(wanted)} answers of {question_id} to {person.name}"
                         f" ({rule})") as act:
            row = act.insert("work_assignments", {"question_id": question_id,
                                                  "coder_id": person.id, "created_at": now(),
                                                  "rule": rule})
            for answer_id in wanted:
                act.insert("work_assigned_answers", {"assignment_id": row["id"],
                                                     "answer_id": answer_id})
            act.details = {"assignment_id": row["id"], "n_answers": len(wanted)}
        return self.work_assignment(int(row["id"]))

    def _foreign_answers(self, question_id: str, answer_ids: Sequence[int]) -> list[int]:
        found: set[int] = set()
        for start in range(0, len(answer_ids), 500):
            chunk = answer_ids[start:start + 500]
            found.update(int(r[0]) for r in self.conn.execute(
                f"SELECT id FROM answers WHERE question_id = ? AND id IN"
                f" ({', '.join('?' for _ in chunk)})", [question_id, *chunk]))
        return [a for a in answer_ids if a not in found]

    def work_assignment(self, assignment_id: int) -> WorkAssignment:
        """The assignment with this id.

        Raises:
            ProjectError: No such assignment.
        """
        found = self.work_assignments(assignment_id=assignment_id)
        if not found:
            raise ProjectError(f"no work assignment {assignment_id} in this project")
        return found[0]

    def work_assignments(self, question_id: str | None = None, *, coder_id: int | None = None,
                         assignment_id: int | None = None) -> list[WorkAssignment]:
        """Assignments (of one question, coder, or all), oldest first."""
        sql = ("SELECT w.id, w.question_id, c.name, w.created_at, w.rule,"
               " (SELECT count(*) FROM work_assigned_answers x WHERE x.assignment_id = w.id)"
               " FROM work_assignments w JOIN coders c ON c.id = w.coder_id WHERE 1 = 1")
        params: list[Any] = []
        for column, value in (("w.question_id", question_id), ("w.coder_id", coder_id),
                              ("w.id", assignment_id)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        return [WorkAssignment(int(i), q, name, at, rule, int(n))
                for i, q, name, at, rule, n in self.conn.execute(sql + " ORDER BY w.id", params)]

    def remove_work_assignment(self, assignment_id: int, actor: str | None) -> WorkAssignment:
        """Take the assignment back (its codings stay), as one undoable action of `actor`."""
        found = self.work_assignment(assignment_id)
        with self.action("work.unassign", actor,
                         f"removed work assignment {assignment_id} ({found.n_answers} answers of"
                         f" {found.question_id} for {found.coder})") as act:
            for (answer_id,) in self.conn.execute(
                    "SELECT answer_id FROM work_assigned_answers WHERE assignment_id = ?",
                    (assignment_id,)).fetchall():
                act.delete("work_assigned_answers", {"assignment_id": assignment_id,
                                                     "answer_id": answer_id})
            act.delete("work_assignments", {"id": assignment_id})
        return found

    def work_answer_ids(self, coder_id: int, question_id: str) -> frozenset[int]:
        """Answers of the question given to the coder by work assignments."""
        return frozenset(int(r[0]) for r in self.conn.execute(
            "SELECT x.answer_id FROM work_assigned_answers x JOIN work_assignments w"
            " ON w.id = x.assignment_id WHERE w.coder_id = ? AND w.question_id = ?",
            (coder_id, question_id)))

    def work_owners(self, question_id: str) -> dict[int, set[int]]:
        """answer id -> the coders it is given to by work assignments (answers given to none
        are absent)."""
        owners: dict[int, set[int]] = {}
        for answer_id, coder_id in self.conn.execute(
                "SELECT x.answer_id, w.coder_id FROM work_assigned_answers x JOIN work_assignments"
                " w ON w.id = x.assignment_id WHERE w.question_id = ?", (question_id,)):
            owners.setdefault(int(answer_id), set()).add(int(coder_id))
        return owners

    def answers_by_respondent(self, question_id: str) -> dict[str, list[int]]:
        """Respondent ID (as in the survey file) -> that respondent's answers to the question."""
        found: dict[str, list[int]] = {}
        for external_id, answer_id in self.conn.execute(
                "SELECT r.external_id, a.id FROM answers a JOIN respondents r"
                " ON r.id = a.respondent_id WHERE a.question_id = ? ORDER BY a.id",
                (question_id,)):
            found.setdefault(str(external_id), []).append(int(answer_id))
        return found

    # -- who is coding what --------------------------------------------------------------------

    def set_working_on(self, question_id: str | None) -> None:
        """Record which question this connection's sessions are coding (None: none)."""
        own = sorted(self._own_sessions)
        if not own:
            return
        with self.transaction() as conn:
            conn.execute(f"UPDATE sessions SET question_id = ?, last_seen = ? WHERE id IN"
                         f" ({', '.join('?' for _ in own)})", [question_id, now(), *own])

    def open_windows(self) -> list[OpenWindow]:
        """The sessions still open (heard from within `sessions.STALE_AFTER`), newest first."""
        moment = datetime.now(UTC)
        cutoff = (moment - sessions.STALE_AFTER).isoformat(timespec="milliseconds")
        found = []
        for sid, coder, label, host, question_id, last_seen in self.conn.execute(
                "SELECT id, coder, label, host, question_id, last_seen FROM sessions"
                " WHERE closed_at IS NULL AND last_seen >= ? ORDER BY last_seen DESC",
                (cutoff.replace("+00:00", "Z"),)):
            seen = datetime.fromisoformat(str(last_seen).replace("Z", "+00:00"))
            found.append(OpenWindow(int(sid), coder, label, host, question_id, last_seen,
                                    max(0.0, (moment - seen).total_seconds()),
                                    int(sid) in self._own_sessions))
        return found

    # -- what others wrote ---------------------------------------------------------------------

    def last_event_id(self) -> int:
        """The id of the latest logged event (0 when none)."""
        return int(self.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])

    def event_ids_after(self, event_id: int) -> list[int]:
        """Ids of the events logged after `event_id`, oldest first."""
        return [int(r[0]) for r in self.conn.execute(
            "SELECT id FROM events WHERE id > ? ORDER BY id", (event_id,))]
