"""Store methods for QA: double-coding samples, coding tables for agreement, adjudication.

Part of the store (the only layer that speaks SQL); imports no UI or CLI library.

Code keys: agreement tables and reports name a code by ``"<output code> <label>"`` (e.g.
``"101 High school fees"``): readable in JSON and CSV, and unique because output codes are
unique within a codeframe.

The adjudicated layer is the codings of the coder called ``adjudicated`` (kind
``adjudicated``). An adjudication records, per coder, the ``coded_at`` of that coder's coding
of the answer when the reviewer decided (its *basis*). The rules that use these rows (when an
adjudication is stale, which answers are queued) are pure functions in `coder.core.coding.layers`;
this module reads the rows they need and writes decisions.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from coder.core.agreement import CodingTable, draw_double_coding_sample
from coder.core.codeframe.lookup import code_key
from coder.core.coding.layers import (
    Adjudication,
    Disagreement,
    code_sets,
    disagreement_queue,
    is_stale,
)
from coder.core.coding.types import QASample, SampleProgress
from coder.core.errors import NotInProject, ProjectError, Remedy
from coder.core.types import ADJUDICATED_CODER, Coder, CoderKind
from coder.store.actions import Action, now
from coder.store.base import StoreBase

if TYPE_CHECKING:
    from coder.core.codeframe.model import Codeframe
    from coder.core.types import Answer, Question

__all__ = ["ADJUDICATED_CODER", "Adjudication", "Disagreement", "QAMixin", "QASample",
           "SampleProgress", "code_key"]


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


class QAMixin(StoreBase):
    """Double-coding samples, agreement tables and the adjudicated layer."""

    if TYPE_CHECKING:  # provided by the sibling mixins of SQLiteStore
        def question(self, question_id: str) -> Question: ...
        def answer(self, answer_id: int) -> Answer: ...
        def coder(self, name: str, *, create: bool = True,
                  kind: CoderKind = CoderKind.HUMAN) -> Coder: ...
        def coders(self) -> list[Coder]: ...
        def codes_of(self, answer_id: int, coder_id: int) -> list[str]: ...
        def codeframe_for(self, question_id: str) -> Codeframe | None: ...
        def _touch_status(self, act: Any, answer_id: int, coder_id: int,
                          **values: Any) -> None: ...

    # -- samples -------------------------------------------------------------------------------

    def create_qa_sample(self, question_id: str, share: float, coders: Sequence[str], *,
                         seed: int | None = None, actor: str | None = None,
                         wave_id: int | None = None) -> QASample:
        """Draw a seeded sample of the question's substantive answers for every coder.

        One undoable action (by `actor`): a `qa_samples` row and one `qa_assignments` row per
        answer and coder. Coders are created (kind human) when new.

        Args:
            question_id: The question.
            share: Fraction of its substantive answers to double-code, in (0, 1].
            coders: Coders who each code the whole sample (at least 2 for agreement).
            seed: Seed of the draw (recorded); None picks one at random.
            actor: Who made the plan (recorded in the log).
            wave_id: Only this wave's answers.

        Raises:
            ProjectError: Unknown question, no substantive answers, bad share or coders.
        """
        self.question(question_id)
        names = [c.strip() for c in coders if c.strip()]
        if len(names) < 2:
            raise ProjectError("double-coding needs at least 2 coders",
                               remedy=Remedy(option="coders", example="A,B"))
        if len(set(names)) != len(names):
            raise ProjectError("the same coder is listed twice")
        if not 0 < share <= 1:
            raise ProjectError(f"share must be above 0 and at most 1, got {share}")
        people = [self.coder(n) for n in names]
        if any(p.kind == CoderKind.ADJUDICATED for p in people):
            raise ProjectError(f'"{ADJUDICATED_CODER}" is the adjudicated layer, not a coder')
        sql = "SELECT id FROM answers WHERE question_id = ? AND non_substantive IS NULL"
        params: list[Any] = [question_id]
        if wave_id is not None:
            sql += " AND wave_id = ?"
            params.append(wave_id)
        pool = [int(r[0]) for r in self.conn.execute(sql + " ORDER BY id", params)]
        if not pool:
            raise ProjectError(f'question "{question_id}" has no substantive answers to sample')
        used_seed = secrets.randbelow(2**31) if seed is None else int(seed)
        drawn = draw_double_coding_sample(pool, share, names, used_seed)
        chosen = drawn[names[0]]
        with self.action("qa.sample", actor,
                         f"double-coding sample of {len(chosen)} answers of {question_id}"
                         f" for {', '.join(names)}") as act:
            row = act.insert("qa_samples", {
                "question_id": question_id, "created_at": now(), "share": float(share),
                "seed": used_seed, "coders": json.dumps(names)})
            for person in people:
                for answer_id in chosen:
                    act.insert("qa_assignments", {"sample_id": row["id"], "answer_id": answer_id,
                                                  "coder_id": person.id})
            act.details = {"sample_id": row["id"], "seed": used_seed, "n_answers": len(chosen)}
        return self.qa_sample(int(row["id"]))

    def qa_sample(self, sample_id: int) -> QASample:
        """The sample with this id.

        Raises:
            ProjectError: No such sample.
        """
        found = self.qa_samples(sample_id=sample_id)
        if not found:
            raise NotInProject(f"no double-coding sample {sample_id} in this project")
        return found[0]

    def qa_samples(self, question_id: str | None = None, *,
                   sample_id: int | None = None) -> list[QASample]:
        """Samples (of one question, or all), oldest first."""
        sql = ("SELECT s.id, s.question_id, s.created_at, s.share, s.seed, s.coders,"
               " (SELECT count(DISTINCT answer_id) FROM qa_assignments q WHERE q.sample_id = s.id)"
               " FROM qa_samples s WHERE 1 = 1")
        params: list[Any] = []
        if question_id is not None:
            sql += " AND s.question_id = ?"
            params.append(question_id)
        if sample_id is not None:
            sql += " AND s.id = ?"
            params.append(sample_id)
        return [QASample(int(i), q, at, float(sh), int(sd), tuple(json.loads(cs)), int(n))
                for i, q, at, sh, sd, cs, n in self.conn.execute(sql + " ORDER BY s.id", params)]

    def sample_answers(self, sample_id: int) -> list[int]:
        """The sample's answer ids, in answer order."""
        return [int(r[0]) for r in self.conn.execute(
            "SELECT DISTINCT answer_id FROM qa_assignments WHERE sample_id = ? ORDER BY answer_id",
            (sample_id,))]

    def qa_progress(self, sample_id: int) -> list[SampleProgress]:
        """Per coder of the sample: answers assigned and answers coded (codes or none)."""
        self.qa_sample(sample_id)
        return [SampleProgress(name, int(assigned), int(coded or 0)) for name, assigned, coded in
                self.conn.execute(
                    "SELECT c.name, count(*), count(s.coded_at) FROM qa_assignments q"
                    " JOIN coders c ON c.id = q.coder_id LEFT JOIN answer_status s"
                    " ON s.answer_id = q.answer_id AND s.coder_id = q.coder_id"
                    " WHERE q.sample_id = ? GROUP BY q.coder_id, c.name ORDER BY q.coder_id",
                    (sample_id,))]

    def sample_answer_ids(self, coder_id: int, question_id: str | None = None) -> frozenset[int]:
        """Answers assigned to the coder by any sample (of one question): the blind-mode list."""
        sql = "SELECT q.answer_id FROM qa_assignments q"
        params: list[Any] = [coder_id]
        if question_id is not None:
            sql += " JOIN qa_samples s ON s.id = q.sample_id WHERE q.coder_id = ?"
            sql += " AND s.question_id = ?"
            params.append(question_id)
        else:
            sql += " WHERE q.coder_id = ?"
        return frozenset(int(r[0]) for r in self.conn.execute(sql, params))

    # -- coding tables -------------------------------------------------------------------------

    def code_keys(self, question_id: str) -> dict[str, str]:
        """code id -> key ("101 High school fees") for the question's codable codes, in order,
        then for every other code applied to its answers (retired, merged, nets)."""
        frame = self.codeframe_for(question_id)
        keys: dict[str, str] = {}
        if frame is not None:
            keys = {c.id: code_key(c.output_code, c.label) for c in frame.codable_codes()}
        for cid, output_code, label in self.conn.execute(
                "SELECT DISTINCT k.id, k.output_code, k.label FROM codings c"
                " JOIN answers a ON a.id = c.answer_id JOIN codes k ON k.id = c.code_id"
                " WHERE a.question_id = ? ORDER BY k.output_code", (question_id,)):
            keys.setdefault(cid, code_key(output_code, label))
        return keys

    def agreement_coders(self, question_id: str, *, humans_only: bool = False) -> list[Coder]:
        """Coders (human and model, never the adjudicated layer) who coded the question."""
        kinds = ["human"] if humans_only else ["human", "model"]
        return [Coder(i, n, CoderKind(k)) for i, n, k in self.conn.execute(
            "SELECT c.id, c.name, c.kind FROM coders c WHERE c.kind IN"
            f" ({_marks(kinds)}) AND EXISTS (SELECT 1 FROM answer_status s JOIN answers a"
            " ON a.id = s.answer_id WHERE s.coder_id = c.id AND a.question_id = ?"
            " AND s.coded_at IS NOT NULL) ORDER BY c.id", [*kinds, question_id])]

    def _named_coders(self, names: Sequence[str]) -> list[Coder]:
        found = {c.name: c for c in self.coders()}
        missing = [n for n in names if n not in found]
        if missing:
            known = ", ".join(found) or "none"
            raise NotInProject(f"no coder {', '.join(missing)} in this project (coders: {known})")
        return [found[n] for n in names]

    def coding_table(self, question_id: str, coders: Sequence[str] | None = None,
                     answer_ids: Sequence[int] | None = None) -> CodingTable:
        """Who coded which of the question's answers with which codes, for agreement.

        One query over answer_status (coded, with or without codes) and codings (a coding
        also counts as coded), straight into arrays. Codes are named by :func:`code_key`.

        Args:
            question_id: The question.
            coders: Coder names in column order; default every human and model coder who
                coded the question (never the adjudicated layer).
            answer_ids: Only these answers (e.g. a double-coding sample).
        """
        people = (self._named_coders(coders) if coders is not None
                  else self.agreement_coders(question_id))
        keys = self.code_keys(question_id)
        names = {p.id: p.name for p in people}
        code_names = tuple(dict.fromkeys(keys.values()))
        ids = list(names)
        rows = self.conn.execute(
            "SELECT s.answer_id, s.coder_id, NULL FROM answer_status s JOIN answers a"
            " ON a.id = s.answer_id WHERE a.question_id = ? AND s.coded_at IS NOT NULL"
            f" AND s.coder_id IN ({_marks(ids)})"
            " UNION ALL SELECT c.answer_id, c.coder_id, c.code_id FROM codings c JOIN answers a"
            f" ON a.id = c.answer_id WHERE a.question_id = ? AND c.coder_id IN ({_marks(ids)})",
            [question_id, *ids, question_id, *ids]).fetchall() if ids else []
        marks = [(int(a), names[c], None if k is None else keys[k]) for a, c, k in rows]
        return CodingTable.from_marks(marks, tuple(names.values()), code_names, answer_ids)

    # -- adjudication --------------------------------------------------------------------------

    def adjudicated_coder(self) -> Coder:
        """The coder holding the adjudicated layer (created on first use)."""
        return self.coder(ADJUDICATED_CODER, kind=CoderKind.ADJUDICATED)

    def _basis(self, answer_id: int, exclude: int) -> dict[str, str]:
        return {str(c): str(at) for c, at in self.conn.execute(
            "SELECT s.coder_id, s.coded_at FROM answer_status s JOIN coders c ON c.id = s.coder_id"
            " WHERE s.answer_id = ? AND s.coded_at IS NOT NULL AND c.kind != 'adjudicated'"
            " AND s.coder_id != ?", (answer_id, exclude))}

    def adjudicate(self, answer_id: int, code_ids: Sequence[str], reviewer: str) -> None:
        """Settle the answer's final codes: one undoable action by `reviewer`.

        Writes the adjudicated coder's codings (empty = coded, no code applies), marks the
        answer coded in that layer and records the reviewer, time and basis.

        Raises:
            ProjectError: Unknown answer, a code not in the question's codeframe, no reviewer.
        """
        reviewer = reviewer.strip()
        if not reviewer:
            raise ProjectError("an adjudication needs the reviewer's name")
        answer = self.answer(answer_id)
        frame = self.codeframe_for(answer.question_id)
        wanted = list(dict.fromkeys(code_ids))
        unknown = [c for c in wanted if frame is None or c not in frame]
        if unknown:
            raise ProjectError(f"code {', '.join(unknown)} is not in the codeframe of"
                               f" {answer.question_id}")
        layer = self.adjudicated_coder()
        basis = json.dumps(self._basis(answer_id, layer.id), sort_keys=True)
        labels = ", ".join(str(frame.code(c).output_code) for c in wanted) if frame else ""
        with self.action("qa.adjudicate", reviewer,
                         f"adjudicated answer {answer_id}: {labels or 'no code'}") as act:
            stamp = now()
            current = set(self.codes_of(answer_id, layer.id))
            for code_id in current - set(wanted):
                act.delete("codings", {"answer_id": answer_id, "code_id": code_id,
                                       "coder_id": layer.id})
            for code_id in wanted:
                if code_id not in current:
                    act.insert("codings", {"answer_id": answer_id, "code_id": code_id,
                                           "coder_id": layer.id, "created_at": stamp})
            self._touch_status(act, answer_id, layer.id, coded_at=stamp)
            _put(act, "adjudications", {"answer_id": answer_id},
                 {"reviewer": reviewer, "at": stamp, "basis": basis})
            act.details = {"answer_id": answer_id, "code_ids": wanted, "reviewer": reviewer}

    def _adjudications(self, question_id: str | None, answer_id: int | None = None
                       ) -> dict[int, Adjudication]:
        """The adjudications of the question (or of one answer), by answer, in answer order."""
        sql = ("SELECT j.answer_id, j.reviewer, j.at, j.basis FROM adjudications j"
               " JOIN answers a ON a.id = j.answer_id WHERE 1 = 1")
        params: list[Any] = []
        if question_id is not None:
            sql += " AND a.question_id = ?"
            params.append(question_id)
        if answer_id is not None:
            sql += " AND j.answer_id = ?"
            params.append(answer_id)
        found = self.conn.execute(sql + " ORDER BY j.answer_id", params).fetchall()
        if not found:
            return {}
        current: dict[int, dict[str, str]] = {}
        status_sql = ("SELECT s.answer_id, s.coder_id, s.coded_at FROM answer_status s"
                      " JOIN coders c ON c.id = s.coder_id JOIN answers a ON a.id = s.answer_id"
                      " WHERE s.coded_at IS NOT NULL AND c.kind != 'adjudicated'"
                      " AND s.answer_id IN (SELECT answer_id FROM adjudications)")
        status_params: list[Any] = []
        if question_id is not None:
            status_sql += " AND a.question_id = ?"
            status_params.append(question_id)
        for aid, coder_id, at in self.conn.execute(status_sql, status_params):
            current.setdefault(int(aid), {})[str(coder_id)] = str(at)
        layer = self.adjudicated_coder()
        codes: dict[int, list[str]] = {}
        if answer_id is not None:
            codes[answer_id] = self.codes_of(answer_id, layer.id)
        else:
            codes_sql = ("SELECT c.answer_id, c.code_id FROM codings c JOIN answers a"
                         " ON a.id = c.answer_id WHERE c.coder_id = ?")
            codes_params: list[Any] = [layer.id]
            if question_id is not None:
                codes_sql += " AND a.question_id = ?"
                codes_params.append(question_id)
            for aid, code_id in self.conn.execute(codes_sql + " ORDER BY c.created_at",
                                                  codes_params):
                codes.setdefault(int(aid), []).append(str(code_id))
        return {int(aid): Adjudication(int(aid), reviewer, at, tuple(codes.get(int(aid), ())),
                                       is_stale(at, json.loads(basis), current.get(int(aid), {})))
                for aid, reviewer, at, basis in found}

    def adjudication(self, answer_id: int) -> Adjudication | None:
        """The answer's adjudication with its codes, or None when not adjudicated."""
        return self._adjudications(None, answer_id).get(answer_id)

    def stale_adjudications(self, question_id: str) -> list[int]:
        """Adjudicated answers of the question that a coder has re-coded (or newly coded or
        un-coded) since the adjudication: their final codes need another look."""
        return [aid for aid, found in self._adjudications(question_id).items() if found.stale]

    def disagreements(self, question_id: str, sample_id: int | None = None, *,
                      coders: Sequence[str] | None = None,
                      include_settled: bool = False) -> list[Disagreement]:
        """The adjudication queue: answers coded by 2+ coders whose code sets differ.

        The rule is `coder.core.coding.layers.disagreement_queue`; this reads the codings
        it compares.

        Args:
            question_id: The question.
            sample_id: Only this double-coding sample's answers (and by default its coders).
            coders: Whose codings to compare; default the sample's coders, else every human
                coder who coded the question (the model's suggestions are compared only when
                named here).
            include_settled: Also list answers adjudicated since their last re-coding.

        Returns:
            Not yet adjudicated, or adjudicated but stale, answers (in answer order).
        """
        answer_ids: list[int] | None = None
        if sample_id is not None:
            sample = self.qa_sample(sample_id)
            if sample.question_id != question_id:
                raise ProjectError(f"sample {sample_id} is of question {sample.question_id}")
            answer_ids = self.sample_answers(sample_id)
            coders = coders if coders is not None else sample.coders
        names = list(coders) if coders is not None else [
            c.name for c in self.agreement_coders(question_id, humans_only=True)]
        people = self._named_coders(names)
        if len(people) < 2:
            return []
        by_id = {p.id: p.name for p in people}
        ids = list(by_id)
        sets = code_sets(
            (int(aid), by_id[int(coder_id)], None if code_id is None else str(code_id))
            for aid, coder_id, code_id in self.conn.execute(
                "SELECT s.answer_id, s.coder_id, c.code_id FROM answer_status s"
                " JOIN answers a ON a.id = s.answer_id LEFT JOIN codings c"
                " ON c.answer_id = s.answer_id AND c.coder_id = s.coder_id"
                " WHERE a.question_id = ? AND s.coded_at IS NOT NULL"
                f" AND s.coder_id IN ({_marks(ids)})", [question_id, *ids]))
        found = disagreement_queue(
            sets, [p.name for p in people], self._adjudications(question_id),
            answer_ids=None if answer_ids is None else set(answer_ids),
            code_order=list(self.code_keys(question_id)), include_settled=include_settled)
        texts = self._texts([d.answer_id for d in found])
        return [replace(d, text=texts.get(d.answer_id, "")) for d in found]

    def _texts(self, answer_ids: Sequence[int]) -> dict[int, str]:
        texts: dict[int, str] = {}
        for start in range(0, len(answer_ids), 900):
            chunk = list(answer_ids[start:start + 900])
            texts.update((int(i), t) for i, t in self.conn.execute(
                f"SELECT id, text FROM answers WHERE id IN ({_marks(chunk)})", chunk))
        return texts


def _put(act: Action, table: str, key: dict[str, Any], values: dict[str, Any]) -> None:
    if act.get(table, key) is None:
        act.insert(table, {**key, **values})
    else:
        act.update(table, key, values)
