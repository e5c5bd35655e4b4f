"""Store reads for reports and exports: a layer's codings, the final layer, starred quotes.

Part of the store (the only layer that speaks SQL); imports no UI or CLI library.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from coder.core.coding.layers import final_layer
from coder.core.reporting.frequencies import FinalCoding
from coder.store.dialect import SEPARATOR
from coder.store.qa import QAMixin

#: Keys read per statement: under SQLite's bound-parameter limit.
_SQL_VARS = 900
#: Stands for a coding outside an answer's one coded mark in `final_layer_counts`.
ORPHAN = "\x1e"


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


class ReportQueriesMixin(QAMixin):
    """Read-only queries used by `coder.services.reports`."""

    def coded_answers_by_coder(self, question_id: str) -> dict[int, int]:
        """coder id -> how many of the question's answers that coder has coded (an answer
        coded "no code applies" counts: it is a decision)."""
        return {int(k): int(n) for k, n in self.conn.execute(
            "SELECT s.coder_id, count(*) FROM answer_status s JOIN answers a ON a.id = s.answer_id"
            " WHERE a.question_id = ? AND s.coded_at IS NOT NULL GROUP BY s.coder_id",
            (question_id,))}

    def coders_who_coded(self, question_ids: Sequence[str]) -> set[int]:
        """Coders (ids) who coded an answer to one of the questions (codes or "no code
        applies"); each coder's look stops at a first coded answer (`coded_answers_by_coder`
        counts them all)."""
        if not question_ids:
            return set()
        # LIMIT 1: a subquery the planner keeps apart, run coder by coder and stopping at the
        # first row, rather than a join over every coded mark of the project.
        return {int(r[0]) for r in self.conn.execute(
            "SELECT c.id FROM coders c WHERE (SELECT 1 FROM answer_status s JOIN answers a"
            " ON a.id = s.answer_id WHERE s.coder_id = c.id AND s.coded_at IS NOT NULL"
            f" AND a.question_id IN ({_marks(question_ids)}) LIMIT 1) IS NOT NULL",
            list(question_ids))}

    def coded_waves(self, question_ids: Sequence[str], coder_ids: Sequence[int]) -> set[int]:
        """Waves (ids) in which any of `coder_ids` coded an answer to one of the questions."""
        if not question_ids or not coder_ids:
            return set()
        # Wave by wave, stopping at the first coded answer (not every coded mark read; LIMIT 1
        # keeps PostgreSQL from making it a join over them all).
        return {int(r[0]) for r in self.conn.execute(
            "SELECT w.id FROM waves w WHERE (SELECT 1 FROM answers a JOIN answer_status s"
            f" ON s.answer_id = a.id WHERE a.wave_id = w.id AND a.question_id IN"
            f" ({_marks(question_ids)}) AND s.coded_at IS NOT NULL"
            f" AND s.coder_id IN ({_marks(coder_ids)}) LIMIT 1) IS NOT NULL",
            [*question_ids, *coder_ids])}

    def attribute_values(self, wave_id: int | None,
                         names: Sequence[str]) -> dict[int, tuple[str | None, ...]]:
        """respondent id -> the values of attributes `names` in the wave (None where absent),
        for every respondent of the wave; read in SQL, without decoding whole attribute sets.
        Without a wave, the latest wave's value of each respondent wins."""
        picks = ", ".join(self.dialect.json_text("attributes") for _ in names)
        sql = f"SELECT respondent_id{', ' + picks if names else ''} FROM respondent_attributes"
        params: list[Any] = list(names)
        if wave_id is not None:
            sql += " WHERE wave_id = ?"
            params.append(wave_id)
        result: dict[int, tuple[str | None, ...]] = {}
        for rid, *values in self.conn.execute(sql + " ORDER BY wave_id", params):
            result[int(rid)] = tuple(None if v is None else str(v) for v in values)
        return result

    def latest_attribute_values(self, names: Sequence[str]) -> dict[str, list[str | None]]:
        """Each attribute in `names` -> every respondent's value (in respondent id order, None
        where the respondent has none), the latest wave with a value winning, as
        `respondents()` merges them; found in SQL, without decoding whole attribute sets."""
        if not names:
            return {}
        value = self.dialect.json_text("a.attributes")
        picks = ", ".join(
            f"(SELECT {value} FROM respondent_attributes a WHERE a.respondent_id = r.id"
            f" AND {value} IS NOT NULL ORDER BY a.wave_id DESC LIMIT 1)" for _ in names)
        rows = self.conn.execute(f"SELECT {picks} FROM respondents r ORDER BY r.id",
                                 [n for name in names for n in (name, name)]).fetchall()
        return {name: [None if v is None else str(v) for v in (row[i] for row in rows)]
                for i, name in enumerate(names)}

    def attribute_column(self, name: str, wave_ids: Sequence[int]) -> list[str | None]:
        """Attribute `name` of every respondent of the waves (None where absent), wave by wave
        in the order given; read in SQL, without decoding whole attribute sets."""
        if not wave_ids:
            return []
        by_wave: dict[int, list[str | None]] = {int(w): [] for w in wave_ids}
        for wave_id, value in self.conn.execute(
                f"SELECT wave_id, {self.dialect.json_text('attributes')} FROM"
                f" respondent_attributes WHERE wave_id IN ({_marks(wave_ids)})",
                [name, *wave_ids]):
            by_wave[int(wave_id)].append(None if value is None else str(value))
        return [v for values in by_wave.values() for v in values]

    def report_answers(self, question_id: str, wave_id: int, names: Sequence[str] = (), *,
                       texts: bool = True) -> list[tuple[Any, ...]]:
        """The question's answers in the wave, by id, each with what a report needs of it:
        (answer id, respondent id, non-substantive reason or None, text, embedding cache key
        (None where not stored yet), then the respondent's value of each attribute in `names`
        in that wave, None where absent). With `texts=False` the text and key are None (a
        table without quotes needs neither).

        One statement (the attributes read in SQL, without decoding whole attribute sets), and
        plain rows rather than `Answer` values: a report reads 100,000 and more.
        """
        picks = "".join(f", {self.dialect.json_text('r.attributes')}" for _ in names)
        text = "a.text, a.embedding_key" if texts else "NULL, NULL"
        join = _attributes_join(names)
        return self.conn.execute(
            f"SELECT a.id, a.respondent_id, a.non_substantive, {text}{picks} FROM answers a"
            f"{join} WHERE a.question_id = ? AND a.wave_id = ? ORDER BY a.id",
            [*names, question_id, wave_id]).fetchall()

    def cached_vectors(self, model_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """What `get_many` returns (text key -> cached embedding), read as one matrix.

        The vectors are rows of one float32 array made from the stored bytes at once, rather
        than an array per row: a report may need 100,000 of them.
        """
        found = self._cached_rows(model_id, keys)
        if not found:
            return {}
        dim = int(found[0][1])
        if any(int(d) != dim for _, d, _ in found):  # mixed lengths: one array each
            return {str(k): np.frombuffer(bytes(v), dtype="<f4", count=int(d)).copy()
                    for k, d, v in found}
        matrix = _matrix(found, dim)
        return {str(k): matrix[i] for i, (k, _, _) in enumerate(found)}

    def cached_matrix(self, model_id: str,
                      keys: Sequence[str]) -> tuple[list[str], np.ndarray] | None:
        """The cached embeddings among `keys` as (the keys found, a float32 matrix of their
        vectors in that order), or None when they are not all of one length (see
        `cached_vectors`)."""
        found = self._cached_rows(model_id, keys)
        dim = int(found[0][1]) if found else 0
        if any(int(d) != dim for _, d, _ in found):
            return None
        return [str(k) for k, _, _ in found], _matrix(found, dim)

    def _cached_rows(self, model_id: str, keys: Sequence[str]) -> list[tuple[str, int, bytes]]:
        if len(keys) > _SQL_VARS and 2 * len(keys) >= int(self.conn.execute(
                "SELECT count(*) FROM embeddings WHERE model = ?", [model_id]).fetchone()[0]):
            # Half the model's vectors or more (a report's question): one pass over them
            # beats looking each key up (about half the time at 100,000).
            wanted = set(keys)
            return [row for row in self.conn.execute(
                "SELECT text_key, dim, vector FROM embeddings WHERE model = ?",
                [model_id]).fetchall() if row[0] in wanted]
        found: list[tuple[str, int, bytes]] = []
        for start in range(0, len(keys), _SQL_VARS):
            chunk = list(keys[start:start + _SQL_VARS])
            found += self.conn.execute(
                "SELECT text_key, dim, vector FROM embeddings WHERE model = ?"
                f" AND text_key IN ({_marks(chunk)})", [model_id, *chunk]).fetchall()
        return found

    def has_attribute(self, name: str, wave_ids: Sequence[int]) -> bool:
        """Whether some respondent has attribute `name` in one of the waves (any wave when
        none given); stops at the first (`attribute_names` reads every attribute set)."""
        where = f" AND wave_id IN ({_marks(wave_ids)})" if wave_ids else ""
        return self.conn.execute(
            f"SELECT 1 FROM respondent_attributes WHERE {self.dialect.json_text('attributes')}"
            f" IS NOT NULL{where} LIMIT 1", [name, *wave_ids]).fetchone() is not None

    def external_ids(self) -> dict[int, str]:
        """respondent id -> respondent ID (as in the survey file)."""
        return {int(i): str(e) for i, e in self.conn.execute(
            "SELECT id, external_id FROM respondents")}

    def attribute_names(self, wave_ids: Sequence[int]) -> set[str]:
        """Every respondent attribute name used in the waves (all waves when none given)."""
        where = f" WHERE wave_id IN ({_marks(wave_ids)})" if wave_ids else ""
        return {str(r[0]) for r in self.conn.execute(
            "SELECT DISTINCT j.key FROM respondent_attributes,"
            f" {self.dialect.json_each('attributes')} j" + where,
            list(wave_ids))}

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

    def final_layer(self, question_id: str, wave_id: int | None = None) -> dict[int, FinalCoding]:
        """Each coded answer's codes in the "final" layer, with how they were settled.

        The rule is `coder.core.coding.layers.final_layer` (adjudicated, else agreed by every human
        coder, else the only coder's, else unresolved; stale adjudications flagged, see
        `QAMixin.stale_adjudications`); this reads the human and adjudicated codings it needs
        in a few queries, whatever the number of answers. Answers nobody has coded are absent.

        Args:
            question_id: The question.
            wave_id: Only this wave's answers.
        """
        wave = " AND a.wave_id = ?" if wave_id is not None else ""
        params: list[Any] = [question_id, *([wave_id] if wave_id is not None else [])]
        # One row per coder's coded answer, its codes joined in SQL: at 100,000 answers,
        # grouping codings row by row in Python is most of a report's time.
        rows = self.conn.execute(
            f"SELECT a.id, s.coder_id, c.kind, (SELECT {self.dialect.string_agg('k.code_id')}"
            " FROM codings k WHERE k.answer_id = a.id AND k.coder_id = s.coder_id)"
            " FROM answers a JOIN answer_status s ON s.answer_id = a.id"
            " JOIN coders c ON c.id = s.coder_id"
            f" WHERE a.question_id = ?{wave} AND s.coded_at IS NOT NULL AND c.kind != 'model'",
            params).fetchall()
        sets: dict[str | None, frozenset[str]] = {None: frozenset()}
        seen = 0  # codings read with their coded mark
        for joined, n in Counter(row[3] for row in rows).items():
            if joined is not None:
                sets[joined] = frozenset(joined.split(SEPARATOR))
                seen += n * len(sets[joined])
        human: dict[int, dict[int, frozenset[str]]] = {}
        judged: dict[int, frozenset[str]] = {}
        if all(row[2] != "adjudicated" for row in rows):  # most projects: no review yet
            human = {answer_id: {coder_id: sets[joined]}
                     for answer_id, coder_id, _, joined in rows}
        if len(human) < len(rows):  # an answer with several coders, or adjudicated
            human = {}
        for answer_id, coder_id, kind, joined in rows if not human else ():
            codes = sets[joined]
            if kind == "adjudicated":  # the adjudicated layer is one, whoever holds it
                judged[answer_id] = judged[answer_id] | codes if answer_id in judged else codes
            elif answer_id in human:
                human[answer_id][coder_id] = codes
            else:
                human[answer_id] = {coder_id: codes}
        # A coding without a coded mark counts as coded too (rare: read apart, when the
        # codings outnumber those read above; counting them is quicker than looking).
        every = self.conn.execute(
            "SELECT count(*) FROM answers a JOIN codings k ON k.answer_id = a.id"
            " JOIN coders c ON c.id = k.coder_id"
            f" WHERE a.question_id = ?{wave} AND c.kind != 'model'", params).fetchone()[0]
        orphans = [] if int(every) == seen else self.conn.execute(
            "SELECT a.id, k.coder_id, c.kind, k.code_id FROM answers a"
            " JOIN codings k ON k.answer_id = a.id JOIN coders c ON c.id = k.coder_id"
            " LEFT JOIN answer_status s ON s.answer_id = k.answer_id AND s.coder_id = k.coder_id"
            f" WHERE a.question_id = ?{wave} AND s.coded_at IS NULL AND c.kind != 'model'",
            params).fetchall()
        for answer_id, coder_id, kind, code_id in orphans:
            if kind == "adjudicated":
                judged[answer_id] = judged.get(answer_id, frozenset()) | {str(code_id)}
            else:
                by_coder = human.setdefault(answer_id, {})
                by_coder[coder_id] = by_coder.get(coder_id, frozenset()) | {str(code_id)}
        stale = set(self.stale_adjudications(question_id)) if judged else set()
        return final_layer(human, judged, stale)

    def final_layer_counts(self, question_id: str, wave_id: int,
                           names: Sequence[str] = ()) -> list[tuple[Any, ...]] | None:
        """The wave's answers counted per combination, when the "final" layer is each answer's
        only coder's codes: rows of (non-substantive reason or None, coded (bool), the final
        codes (a frozenset), then the respondent's value of each attribute in `names` in the
        wave (None where absent), how many answers), counted in SQL.

        None when the answers cannot be counted so (an answer with several human coders, an
        adjudicated answer, or a coding without a coded mark): read `final_layer` then. When
        rows are returned, they are what `final_layer` and `report_answers` give, answer by
        answer, grouped (every coded answer "single").
        """
        where = " WHERE a.question_id = ? AND a.wave_id = ?"
        models = [int(r[0]) for r in self.conn.execute(
            "SELECT id FROM coders WHERE kind = 'model'")]
        picks, columns, join = self._grouped_attributes(names)
        # Each answer's human codings joined, a coding by anyone but the answer's coded-mark
        # holder (or on an answer nobody marked coded) showing as ORPHAN: one pass over the
        # codings. An answer with two human coders comes twice (the totals tell).
        joined, joined_params, codes_join, join_params = self._joined_codes(
            models, question_id, wave_id)
        grouped = self.conn.execute(
            f"SELECT reason, kind, joined{columns}, count(*) FROM (SELECT"
            f" a.non_substantive AS reason, s.kind AS kind, {joined} AS joined{picks}"
            " FROM answers a LEFT JOIN (SELECT t.answer_id, t.coder_id, c.kind FROM"
            " answer_status t JOIN coders c ON c.id = t.coder_id WHERE t.coded_at IS NOT NULL"
            f" AND c.kind != 'model') s ON s.answer_id = a.id{codes_join}{join}{where}) g"
            f" GROUP BY reason, kind, joined{columns}",
            [*joined_params, *names, *join_params, question_id, wave_id]).fetchall()
        sets: dict[str | None, frozenset[str]] = {None: frozenset()}
        rows: list[tuple[Any, ...]] = []
        counted = 0
        for reason, kind, joined, *rest in grouped:
            if kind == "adjudicated" or (joined is not None and ORPHAN in joined):
                return None
            rows.append(_counted_row(sets, reason, kind is not None, joined, rest))
            counted += rows[-1][-1]
        answers = self.conn.execute(f"SELECT count(*) FROM answers a{where}",
                                    (question_id, wave_id)).fetchone()[0]
        return rows if counted == int(answers) else None

    def _joined_codes(self, models: Sequence[int], question_id: str,
                      wave_id: int) -> tuple[str, list[Any], str, list[Any]]:
        """How `final_layer_counts` joins an answer's human codes (answer `a`, its human coded
        mark `s`): (the column, its parameters, a join it needs, that join's parameters).

        Here a subquery per answer, which SQLite runs as one index lookup each; the column is
        the codes joined, ORPHAN standing for a coding by anyone but `s`'s coder.
        """
        not_model = f" AND k.coder_id NOT IN ({_marks(models)})" if models else ""
        mark = f"CASE WHEN k.coder_id = s.coder_id THEN k.code_id ELSE '{ORPHAN}' END"
        return (f"(SELECT {self.dialect.string_agg(mark)} FROM codings k"
                f" WHERE k.answer_id = a.id{not_model})", list(models), "", [])

    def layer_counts(self, question_id: str, coder_ids: Sequence[int], wave_id: int,
                     names: Sequence[str] = ()) -> list[tuple[Any, ...]]:
        """The wave's answers counted per combination in a layer of `coder_ids` (their codes'
        union, coded when any of them marked the answer coded), counted in SQL: rows as
        `final_layer_counts` gives them (reason, coded, codes, *attributes, how many), what
        `layer_codes`, `layer_coded_answers` and `report_answers` give answer by answer,
        grouped (one combination may come in several rows: the codes are joined unordered)."""
        where = " WHERE a.question_id = ? AND a.wave_id = ?"
        picks, columns, join = self._grouped_attributes(names)
        coders = _marks(coder_ids)
        coded = (f"CASE WHEN EXISTS (SELECT 1 FROM answer_status s WHERE s.answer_id = a.id"
                 f" AND s.coded_at IS NOT NULL AND s.coder_id IN ({coders})) THEN 1 ELSE 0 END"
                 if coder_ids else "0")
        joined = (f"(SELECT {self.dialect.string_agg('k.code_id')} FROM codings k"
                  f" WHERE k.answer_id = a.id AND k.coder_id IN ({coders}))"
                  if coder_ids else "NULL")
        grouped = self.conn.execute(
            f"SELECT reason, coded, joined{columns}, count(*) FROM (SELECT"
            f" a.non_substantive AS reason, {coded} AS coded, {joined} AS joined{picks}"
            f" FROM answers a{join}{where}) g GROUP BY reason, coded, joined{columns}",
            [*coder_ids, *coder_ids, *names, question_id, wave_id]).fetchall()
        sets: dict[str | None, frozenset[str]] = {None: frozenset()}
        rows: list[tuple[Any, ...]] = []
        for reason, is_coded, codes_joined, *rest in grouped:
            rows.append(_counted_row(sets, reason, bool(is_coded), codes_joined, rest))
        return rows

    def _grouped_attributes(self, names: Sequence[str]) -> tuple[str, str, str]:
        """For a count grouped by the attributes in `names`: (their columns picked as v0,
        v1, ..., the same names to group by, the join to the respondents' attributes)."""
        picks = "".join(f", {self.dialect.json_text('r.attributes')} AS v{i}"
                        for i in range(len(names)))
        return picks, "".join(f", v{i}" for i in range(len(names))), _attributes_join(names)

    def starred_answers(self, question_id: str) -> dict[str, list[int]]:
        """code id -> answers starred as quotes for that code, first starred first."""
        result: dict[str, list[int]] = {}
        for code_id, answer_id in self.conn.execute(
                "SELECT s.code_id, s.answer_id FROM starred_quotes s JOIN answers a"
                " ON a.id = s.answer_id WHERE a.question_id = ? ORDER BY s.at, s.answer_id",
                (question_id,)):
            result.setdefault(str(code_id), []).append(int(answer_id))
        return result


def _attributes_join(names: Sequence[str]) -> str:
    """The join of an answer `a` to its respondent's attributes in its wave (`r`), when
    attributes are read."""
    return (" LEFT JOIN respondent_attributes r ON r.respondent_id = a.respondent_id"
            " AND r.wave_id = a.wave_id") if names else ""


def _counted_row(sets: dict[str | None, frozenset[str]], reason: Any, coded: bool,
                 joined: str | None, rest: Sequence[Any]) -> tuple[Any, ...]:
    """A row of a per-combination count: (reason, coded, the codes as a set, *attribute
    values as text or None, how many). `sets` keeps one set per joined text (a code two
    coders gave comes twice in it: the set keeps it once)."""
    codes = sets.get(joined)
    if codes is None:
        codes = sets[joined] = frozenset(str(joined).split(SEPARATOR))
    return (reason, coded, codes, *(None if v is None else str(v) for v in rest[:-1]),
            int(rest[-1]))


def _matrix(found: Sequence[tuple[str, int, bytes]], dim: int) -> np.ndarray:
    """The stored vectors of `found` (all `dim` long) as the rows of one float32 matrix."""
    return np.frombuffer(b"".join(bytes(v[:4 * dim]) for _, _, v in found),
                         dtype="<f4").reshape(len(found), dim)
