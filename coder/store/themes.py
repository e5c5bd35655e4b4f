"""Store methods for theme discovery: the embedding cache and stored theme runs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from coder.core.errors import NotInProject, ProjectError
from coder.core.themes.stored import StoredTheme, StoredThemeRun, ThemeAssignment
from coder.store.actions import now
from coder.store.base import StoreBase

_SQL_VARS = 900  # stay under SQLite's bound-parameter limit


class ThemesMixin(StoreBase):
    """The embedding cache (implements core.embedding.EmbeddingCache) and theme runs."""

    # -- embedding cache -------------------------------------------------------------------------

    def get_many(self, model_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), _SQL_VARS):
            chunk = list(keys[start : start + _SQL_VARS])
            marks = ", ".join("?" for _ in chunk)
            for key, dim, blob in self.conn.execute(
                f"SELECT text_key, dim, vector FROM embeddings WHERE model = ?"
                f" AND text_key IN ({marks})",
                [model_id, *chunk],
            ):
                found[key] = np.frombuffer(blob, dtype="<f4", count=dim).copy()
        return found

    def put_many(self, model_id: str, items: Mapping[str, np.ndarray]) -> None:
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO embeddings (model, text_key, dim, vector) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (model, text_key)"
                " DO UPDATE SET dim = excluded.dim, vector = excluded.vector",
                [
                    (model_id, k, int(v.shape[0]), np.asarray(v, dtype="<f4").tobytes())
                    for k, v in items.items()
                ],
            )

    def cached_embedding_count(self, model_id: str | None = None) -> int:
        sql, params = "SELECT count(*) FROM embeddings", []
        if model_id is not None:
            sql += " WHERE model = ?"
            params.append(model_id)
        return int(self.conn.execute(sql, params).fetchone()[0])

    # -- runs ----------------------------------------------------------------------------------

    def save_theme_run(
        self,
        *,
        question_id: str,
        wave_id: int | None,
        coder: str | None,
        model: str,
        params: Mapping[str, Any],
        n_non_substantive: int,
        seconds: float,
        themes: Sequence[StoredTheme],
        assignments: Sequence[ThemeAssignment],
    ) -> int:
        """Store a finished run in one transaction; returns its id."""
        with self.transaction() as conn:
            n_other = sum(1 for a in assignments if a.theme_id == -1)
            run_id = int(
                conn.execute(
                    "INSERT INTO theme_runs (question_id, wave_id, created_at, coder, model,"
                    " params,"
                    " n_answers, n_non_substantive, n_other, seconds) VALUES (?,?,?,?,?,?,?,?,?,?)"
                    " RETURNING id",
                    (
                        question_id,
                        wave_id,
                        now(),
                        coder,
                        model,
                        json.dumps(dict(params)),
                        len(assignments),
                        n_non_substantive,
                        n_other,
                        seconds,
                    ),
                ).fetchall()[0][0]
            )
            conn.executemany(
                "INSERT INTO themes (run_id, theme_id, label, keywords, size, share, quotes,"
                " parent_id, description) VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (
                        run_id,
                        t.theme_id,
                        t.label,
                        json.dumps(list(t.keywords)),
                        t.size,
                        t.share,
                        json.dumps(list(t.quote_answer_ids)),
                        t.parent_id,
                        t.description,
                    )
                    for t in themes
                ],
            )
            conn.executemany(
                "INSERT INTO theme_assignments (run_id, answer_id, theme_id, confidence,"
                " nearest_theme) VALUES (?,?,?,?,?)",
                [
                    (run_id, a.answer_id, a.theme_id, float(a.confidence), a.nearest_theme)
                    for a in assignments
                ],
            )
            self.log_event(
                "themes.run",
                coder,
                f"theme run {run_id} on {question_id}: {len(themes)} themes, {n_other} other",
                {"run_id": run_id},
            )
        return run_id

    def theme_runs(self, question_id: str | None = None) -> list[StoredThemeRun]:
        sql = (
            "SELECT r.id, r.question_id, r.wave_id, r.created_at, r.coder, r.model, r.params,"
            " r.n_answers, r.n_non_substantive, r.n_other,"
            " (SELECT count(*) FROM themes t WHERE t.run_id = r.id AND t.parent_id IS NULL),"
            " r.seconds FROM theme_runs r"
        )
        params: list[Any] = []
        if question_id is not None:
            sql += " WHERE r.question_id = ?"
            params.append(question_id)
        return [
            StoredThemeRun(
                id=row[0],
                question_id=row[1],
                wave_id=row[2],
                created_at=row[3],
                coder=row[4],
                model=row[5],
                params=json.loads(row[6]),
                n_answers=row[7],
                n_non_substantive=row[8],
                n_other=row[9],
                n_themes=row[10],
                seconds=row[11],
            )
            for row in self.conn.execute(sql + " ORDER BY r.id", params)
        ]

    def theme_run(self, run_id: int) -> StoredThemeRun:
        for run in self.theme_runs():
            if run.id == run_id:
                return run
        raise NotInProject(f"no theme run {run_id} in this project")

    def latest_theme_run(self, question_id: str) -> StoredThemeRun | None:
        runs = self.theme_runs(question_id)
        return runs[-1] if runs else None

    def themes(self, run_id: int) -> list[StoredTheme]:
        return [
            StoredTheme(
                r, t, label, tuple(json.loads(k)), size, share, tuple(json.loads(q)), parent,
                description,
            )
            for r, t, label, k, size, share, q, parent, description in self.conn.execute(
                "SELECT run_id, theme_id, label, keywords, size, share, quotes, parent_id,"
                " description"
                " FROM themes WHERE run_id = ? ORDER BY parent_id IS NOT NULL, size DESC,"
                " theme_id",
                (run_id,),
            )
        ]

    def theme_assignments(self, run_id: int) -> dict[int, ThemeAssignment]:
        return {
            a: ThemeAssignment(a, t, c, n)
            for a, t, c, n in self.conn.execute(
                "SELECT answer_id, theme_id, confidence, nearest_theme FROM theme_assignments"
                " WHERE run_id = ?",
                (run_id,),
            )
        }

    def rename_theme(self, run_id: int, theme_id: int, label: str, coder: str | None) -> None:
        with self.action("themes.rename", coder, f'rename theme {theme_id} to "{label}"') as act:
            act.update("themes", {"run_id": run_id, "theme_id": theme_id}, {"label": label})

    def merge_themes(
        self, run_id: int, source_ids: Sequence[int], target_id: int, coder: str | None
    ) -> None:
        """Fold themes into `target_id` within a run: sizes add up, answers move (undoable)."""
        with self.action(
            "themes.merge",
            coder,
            f"merge themes {', '.join(map(str, source_ids))} into {target_id}",
        ) as act:
            target = act.get("themes", {"run_id": run_id, "theme_id": target_id})
            if target is None:
                raise ProjectError(f"no theme {target_id} in run {run_id}")
            size, share = target["size"], target["share"]
            quotes = json.loads(target["quotes"])
            for sid in source_ids:
                source = act.get("themes", {"run_id": run_id, "theme_id": sid})
                if source is None or sid == target_id:
                    raise ProjectError(f"no other theme {sid} in run {run_id}")
                size += source["size"]
                share += source["share"]
                quotes += [q for q in json.loads(source["quotes"]) if q not in quotes]
                for (answer_id,) in act.conn.execute(
                    "SELECT answer_id FROM theme_assignments WHERE run_id = ? AND theme_id = ?",
                    (run_id, sid),
                ).fetchall():
                    act.update(
                        "theme_assignments",
                        {"run_id": run_id, "answer_id": answer_id},
                        {"theme_id": target_id},
                    )
                for (answer_id,) in act.conn.execute(
                    "SELECT answer_id FROM theme_assignments WHERE run_id = ? AND"
                    " nearest_theme = ?",
                    (run_id, sid),
                ).fetchall():
                    act.update(
                        "theme_assignments",
                        {"run_id": run_id, "answer_id": answer_id},
                        {"nearest_theme": target_id},
                    )
                act.delete("themes", {"run_id": run_id, "theme_id": sid})
            act.update(
                "themes",
                {"run_id": run_id, "theme_id": target_id},
                {"size": size, "share": share, "quotes": json.dumps(quotes[:5])},
            )
