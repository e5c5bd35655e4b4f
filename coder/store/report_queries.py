"""Store reads for reports and exports: a layer's codings, coded answers, starred quotes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from coder.store.base import StoreBase


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


class ReportQueriesMixin(StoreBase):
    """Read-only queries used by `coder.services.reports`."""

    def codings_by_coder(self, question_id: str) -> dict[int, int]:
        """coder id -> number of codings that coder made on the question's answers."""
        return {int(k): int(n) for k, n in self.conn.execute(
            "SELECT c.coder_id, count(*) FROM codings c JOIN answers a ON a.id = c.answer_id"
            " WHERE a.question_id = ? GROUP BY c.coder_id", (question_id,))}

    def layer_codes(self, question_id: str, coder_ids: Sequence[int],
                    wave_id: int | None = None) -> dict[int, set[str]]:
        """answer id -> the codes any of `coder_ids` applied (their union) on the question."""
        if not coder_ids:
            return {}
        sql = (f"SELECT c.answer_id, c.code_id FROM codings c JOIN answers a ON a.id = c.answer_id"
               f" WHERE a.question_id = ? AND c.coder_id IN ({_marks(coder_ids)})")
        params: list[Any] = [question_id, *coder_ids]
        if wave_id is not None:
            sql += " AND a.wave_id = ?"
            params.append(wave_id)
        result: dict[int, set[str]] = {}
        for answer_id, code_id in self.conn.execute(sql, params):
            result.setdefault(int(answer_id), set()).add(str(code_id))
        return result

    def layer_coded_answers(self, question_id: str, coder_ids: Sequence[int]) -> set[int]:
        """Answers of the question that any of `coder_ids` marked as coded (codes or none)."""
        if not coder_ids:
            return set()
        return {int(r[0]) for r in self.conn.execute(
            "SELECT s.answer_id FROM answer_status s JOIN answers a ON a.id = s.answer_id"
            f" WHERE a.question_id = ? AND s.coded_at IS NOT NULL"
            f" AND s.coder_id IN ({_marks(coder_ids)})", [question_id, *coder_ids])}

    def starred_answers(self, question_id: str) -> dict[str, list[int]]:
        """code id -> answers starred as quotes for that code, first starred first."""
        result: dict[str, list[int]] = {}
        for code_id, answer_id in self.conn.execute(
                "SELECT s.code_id, s.answer_id FROM starred_quotes s JOIN answers a"
                " ON a.id = s.answer_id WHERE a.question_id = ? ORDER BY s.at, s.answer_id",
                (question_id,)):
            result.setdefault(str(code_id), []).append(int(answer_id))
        return result
