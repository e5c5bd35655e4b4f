"""Store queries the coding app needs: visible-row batches, starred quotes, theme suggestions.

Part of the store (the only layer that speaks SQL); imports no UI or CLI library.
"""

from __future__ import annotations

from collections.abc import Sequence

from coder.core.coding.types import AnswerRow
from coder.core.errors import ProjectError
from coder.core.types import Coder
from coder.store.actions import now
from coder.store.base import StoreBase
from coder.store.dialect import SEPARATOR

_SQL_VARS = 900  # stay under SQLite's bound-parameter limit


class AppQueriesMixin(StoreBase):
    """Batch reads for the coding app and the starred-quotes table."""

    def answer_rows(self, answer_ids: Sequence[int], coder_id: int) -> dict[int, AnswerRow]:
        """Text, coded/flagged status and the coder's codes of each answer, in one query."""
        rows: dict[int, AnswerRow] = {}
        ids = list(dict.fromkeys(answer_ids))
        for start in range(0, len(ids), _SQL_VARS):
            chunk = ids[start:start + _SQL_VARS]
            marks = ", ".join("?" for _ in chunk)
            for aid, text, non_sub, coded, flagged, memo, codes in self.conn.execute(
                    "SELECT a.id, a.text, a.non_substantive, s.coded_at IS NOT NULL,"
                    " coalesce(s.flagged, 0), coalesce(s.memo, '') != '',"
                    f" (SELECT {self.dialect.string_agg('c.code_id')} FROM codings c"
                    "  WHERE c.answer_id = a.id AND c.coder_id = ?)"
                    " FROM answers a LEFT JOIN answer_status s"
                    " ON s.answer_id = a.id AND s.coder_id = ?"
                    f" WHERE a.id IN ({marks})", [coder_id, coder_id, *chunk]):
                rows[aid] = AnswerRow(aid, text, non_sub, bool(coded), bool(flagged),
                                      tuple(codes.split(SEPARATOR)) if codes else (), bool(memo))
        return rows

    def answer_texts(self, question_id: str) -> list[tuple[int, str]]:
        """(answer id, normalised text) of every answer of the question, in import order."""
        return [(int(aid), str(text)) for aid, text in self.conn.execute(
            "SELECT id, text FROM answers WHERE question_id = ? ORDER BY id", (question_id,))]

    def wave_respondents(self, wave_id: int) -> list[tuple[int, str]]:
        """(id, external id) of the respondents with an answer in the wave, in import order."""
        return [(int(rid), str(ext)) for rid, ext in self.conn.execute(
            "SELECT r.id, r.external_id FROM respondents r WHERE EXISTS (SELECT 1 FROM answers a"
            " WHERE a.respondent_id = r.id AND a.wave_id = ?) ORDER BY r.id", (wave_id,))]

    def respondents_answer_ids(self, respondent_ids: Sequence[int],
                               wave_id: int) -> dict[int, dict[str, int]]:
        """For each respondent, {question id: answer id} of their answers in the wave."""
        found: dict[int, dict[str, int]] = {rid: {} for rid in respondent_ids}
        ids = list(dict.fromkeys(respondent_ids))
        for start in range(0, len(ids), _SQL_VARS):
            chunk = ids[start:start + _SQL_VARS]
            marks = ", ".join("?" for _ in chunk)
            for rid, qid, aid in self.conn.execute(
                    "SELECT respondent_id, question_id, id FROM answers WHERE wave_id = ?"
                    f" AND respondent_id IN ({marks})", [wave_id, *chunk]):
                found[int(rid)][str(qid)] = int(aid)
        return found

    def coded_answer_ids(self, question_id: str, coder_id: int) -> set[int]:
        """The answers of `question_id` the coder has coded (with or without codes)."""
        return {r[0] for r in self.conn.execute(
            "SELECT s.answer_id FROM answer_status s JOIN answers a ON a.id = s.answer_id"
            " WHERE a.question_id = ? AND s.coder_id = ? AND s.coded_at IS NOT NULL",
            (question_id, coder_id))}

    def flagged_answer_ids(self, question_id: str, coder_id: int) -> set[int]:
        """The answers of `question_id` the coder has flagged for review."""
        return {r[0] for r in self.conn.execute(
            "SELECT s.answer_id FROM answer_status s JOIN answers a ON a.id = s.answer_id"
            " WHERE a.question_id = ? AND s.coder_id = ? AND s.flagged != 0",
            (question_id, coder_id))}

    def answers_with_code(self, code_id: str, coder_id: int | None = None) -> list[int]:
        """Ids of the answers coded with `code_id` (by the coder, or by anyone), in order."""
        sql = "SELECT DISTINCT answer_id FROM codings WHERE code_id = ?"
        params: list[object] = [code_id]
        if coder_id is not None:
            sql += " AND coder_id = ?"
            params.append(coder_id)
        return [r[0] for r in self.conn.execute(sql + " ORDER BY answer_id", params)]

    def answer_theme(self, answer_id: int, run_id: int) -> int | None:
        """The theme an answer was placed in by a theme run (-1 = other), or None."""
        row = self.conn.execute(
            "SELECT theme_id FROM theme_assignments WHERE run_id = ? AND answer_id = ?",
            (run_id, answer_id)).fetchone()
        return None if row is None else int(row[0])

    def codes_in_theme(self, run_id: int, theme_id: int,
                       coder_id: int | None = None) -> list[tuple[str, int]]:
        """(code id, answers) for codes applied to the theme's answers, most used first."""
        sql = ("SELECT c.code_id, count(DISTINCT c.answer_id) FROM codings c JOIN"
               " theme_assignments t ON t.answer_id = c.answer_id WHERE t.run_id = ?"
               " AND t.theme_id = ?")
        params: list[object] = [run_id, theme_id]
        if coder_id is not None:
            sql += " AND c.coder_id = ?"
            params.append(coder_id)
        sql += " GROUP BY c.code_id ORDER BY count(DISTINCT c.answer_id) DESC, c.code_id"
        return [(cid, int(n)) for cid, n in self.conn.execute(sql, params)]

    # -- starred quotes --------------------------------------------------------------------------

    def starred_quotes(self, code_id: str) -> list[int]:
        """Answer ids starred as quotes for `code_id`, in the order they were starred."""
        return [r[0] for r in self.conn.execute(
            "SELECT answer_id FROM starred_quotes WHERE code_id = ? ORDER BY at, answer_id",
            (code_id,))]

    def star_quote(self, code_id: str, answer_id: int, coder: Coder) -> bool:
        """Star an answer as a report quote for a code (undoable); False if already starred."""
        if self.conn.execute("SELECT 1 FROM codes WHERE id = ?", (code_id,)).fetchone() is None:
            raise ProjectError(f"no code {code_id} in this project")
        with self.action("quotes.star", coder.name,
                         f"starred answer {answer_id} as a quote") as act:
            key = {"code_id": code_id, "answer_id": answer_id}
            if act.get("starred_quotes", key) is not None:
                return False
            act.insert("starred_quotes", {**key, "coder_id": coder.id, "at": now()})
        return True

    def unstar_quote(self, code_id: str, answer_id: int, coder: Coder) -> bool:
        """Remove a starred quote (undoable); False if it was not starred."""
        with self.action("quotes.unstar", coder.name,
                         f"unstarred answer {answer_id} as a quote") as act:
            removed = act.delete("starred_quotes", {"code_id": code_id, "answer_id": answer_id})
        return removed is not None
