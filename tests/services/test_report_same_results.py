"""The fast report path gives exactly the tables and quotes of the straightforward one.

`reference_section` below is the plain way to build a report section (one record per answer
from `store.answers`, the final layer read row by row and settled by
`coder.core.coding.layers.final_layer`, each code's candidates filtered from every answer and
passed to `choose_quotes`, which vectorises them afresh). The project mixes what a report must
get right: three waves, weights, a small breakdown group, two coders who disagree, adjudicated
and stale answers, a model coder, nets, starred quotes, duplicate and blank answers, names to
redact, answers of every length; with and without cached embeddings.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from coder.core.codeframe.model import Code, Codeframe
from coder.core.coding.layers import code_sets, final_layer
from coder.core.embedding import DEFAULT_MODEL_ID, HashingEmbedder, cache_key
from coder.core.reporting.frequencies import FinalCoding, RespondentAnswer, compute_frequencies
from coder.core.reporting.quotes import Quote, QuoteCandidate, choose_quotes
from coder.core.reporting.significance import compare_columns
from coder.core.reporting.tables import BY_WAVE
from coder.core.types import Answer, CoderKind
from coder.services.reports import (
    FINAL,
    Layer,
    _asked_values,
    _scope,
    build_report,
    redactor_for,
)
from coder.services.waves import WaveScope, weight_value
from coder.store import create_project, open_project
from coder.store.sqlite import SQLiteStore

QUESTION = "barriers"
FRAME = "frame-golden"
WORDS = ["placement", "fees", "cost", "the", "distance", "school", "and", "refused", "delay",
         "of", "funding", "panel", "staff", "transport", "is", "capacity", "a", "too", "high",
         "Tom Hughes", "Kestrelworth", "ring 01632 960 123", "x", "I"]
CODES = (
    Code(id="g_money", codeframe_id=FRAME, label="Money", output_code=90, position=1,
         codable=False),
    Code(id="g_fees", codeframe_id=FRAME, label="Fees", output_code=1, parent_id="g_money",
         position=1),
    Code(id="g_funding", codeframe_id=FRAME, label="Funding", output_code=2,
         parent_id="g_money", position=2),
    Code(id="g_staff", codeframe_id=FRAME, label="Staff", output_code=3, position=2),
    Code(id="g_place", codeframe_id=FRAME, label="Placement", output_code=4, position=3),
    Code(id="g_travel", codeframe_id=FRAME, label="Travel", output_code=5, position=4),
)
CODABLE = ["g_fees", "g_funding", "g_staff", "g_place", "g_travel"]


def _text(rng: random.Random, earlier: list[str]) -> str:
    roll = rng.random()
    if roll < 0.05:
        return ""
    if roll < 0.09:
        return "Don't know"
    if roll < 0.19 and earlier:
        return rng.choice(earlier).upper() if rng.random() < 0.3 else rng.choice(earlier)
    return " ".join(rng.choices(WORDS, k=rng.randint(1, 40)))


def build_project(folder: Path, *, embeddings: bool) -> Path:
    path = folder / "golden.coder"
    with create_project(path) as store:
        fill(store, folder, embeddings=embeddings)
    return path


def fill(store: Any, folder: Path, *, embeddings: bool) -> None:
    """Import the three waves into `store`, code them and (if asked) cache embeddings."""
    from coder.services.importing import import_survey

    rng = random.Random(11)
    earlier: list[str] = []
    for w, wave in enumerate(("2024", "2025", "2026")):
        survey = folder / f"w{wave}.csv"
        with survey.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(["resp_id", "region", "wt", "contact_name", QUESTION])
            for i in range(380 + 40 * w):
                text = _text(rng, earlier)
                earlier.append(text)
                region = "E" if i % 37 == 0 else rng.choice("ABCD")
                out.writerow([f"R{i:04d}", region, f"{rng.uniform(0.2, 3.0):.3f}",
                              rng.choice(["Ann Lee", "Raj Patel", ""]), text])
        import_survey(store, survey, wave=wave, id_column="resp_id",
                      open_columns=[QUESTION], coder="setup")
        if w == 0:
            store.add_codeframe(Codeframe(FRAME, "Barriers", CODES), "setup",
                                questions=[QUESTION])
    _code(store, rng)
    if embeddings:
        texts = {cache_key(a.text): a.text for a in store.answers(QUESTION)}
        vectors = HashingEmbedder().embed(list(texts.values()))
        store.put_many(DEFAULT_MODEL_ID, dict(zip(texts, vectors, strict=True)))


def _code(store: Any, rng: random.Random) -> None:
    alice, bob = store.coder("alice"), store.coder("bob")
    model = store.coder("m", kind=CoderKind.MODEL)
    answers = store.answers(QUESTION, substantive_only=True)
    decisions: list[tuple[int, int, list[str]]] = []
    for a in answers:
        if rng.random() < 0.93:
            codes = rng.sample(CODABLE, rng.randint(0, 3))
            decisions.append((a.id, alice.id, codes))
            if rng.random() < 0.3:
                other = codes if rng.random() < 0.6 else rng.sample(CODABLE, rng.randint(0, 2))
                decisions.append((a.id, bob.id, other))
        if rng.random() < 0.4:
            decisions.append((a.id, model.id, rng.sample(CODABLE, 1)))
    store.replace_codings(decisions, "setup", "golden codings")
    both = [a for a, c, _ in decisions if c == bob.id]
    for answer_id in both[:25]:
        store.adjudicate(answer_id, rng.sample(CODABLE, rng.randint(0, 2)), "rev")
    for answer_id in both[:6]:  # re-coded after adjudication: stale
        store.set_codes(answer_id, alice, ["g_travel"])
    for code_id, picks in (("g_fees", 3), ("g_staff", 1), ("g_travel", 4)):
        coded = store.answers_with_code(code_id, alice.id)
        for answer_id in coded[5:5 + picks]:
            store.star_quote(code_id, answer_id, alice)


# -- the straightforward path ------------------------------------------------------------------


def _reference_final_layer(store: Any, question_id: str,
                           wave_id: int | None) -> dict[int, FinalCoding]:
    wave = " AND a.wave_id = ?" if wave_id is not None else ""
    params: list[Any] = [question_id, *([wave_id] if wave_id is not None else [])]
    rows = store.conn.execute(
        "SELECT s.answer_id, s.coder_id, c.kind, NULL FROM answer_status s"
        " JOIN coders c ON c.id = s.coder_id JOIN answers a ON a.id = s.answer_id"
        f" WHERE a.question_id = ?{wave} AND s.coded_at IS NOT NULL AND c.kind != 'model'"
        " UNION ALL SELECT k.answer_id, k.coder_id, c.kind, k.code_id FROM codings k"
        " JOIN coders c ON c.id = k.coder_id JOIN answers a ON a.id = k.answer_id"
        f" WHERE a.question_id = ?{wave} AND c.kind != 'model'", params * 2).fetchall()
    marks = [(int(a), int(c), kind, None if k is None else str(k)) for a, c, kind, k in rows]
    human = code_sets((a, c, k) for a, c, kind, k in marks if kind != "adjudicated")
    layer = code_sets((a, kind, k) for a, _c, kind, k in marks if kind == "adjudicated")
    judged = {a: by_kind["adjudicated"] for a, by_kind in layer.items()}
    stale = set(store.stale_adjudications(question_id)) if judged else set()
    return final_layer(human, judged, stale)


def _reference_gather(store: Any, question: Any, layer: Layer, scope: WaveScope,
                      by: str | None, weight: str | None,
                      ) -> tuple[list[RespondentAnswer], dict[int, Answer]]:
    asked_values = _asked_values(store, question)
    records, answers = [], {}
    for wave_id, wave_name in scope.each():
        people = scope.people(store, wave_id)
        final = (_reference_final_layer(store, question.id, wave_id) if layer.name == FINAL
                 else None)
        codes: Mapping[int, AbstractSet[str]]
        if final is not None:
            codes = {aid: f.code_ids for aid, f in final.items()}
            coded: AbstractSet[int] = set(final)
        else:
            codes = store.layer_codes(question.id, layer.coder_ids, wave_id)
            coded = store.layer_coded_answers(question.id, layer.coder_ids)
        for answer in store.answers(question.id, wave_id=wave_id):
            person = people.get(answer.respondent_id)
            attributes = person.attributes if person else {}
            status = ("answered" if answer.is_substantive else "blank" if answer.is_blank
                      else "non_substantive")
            if status == "blank" and asked_values is not None and question.routing and (
                    attributes.get(question.routing.column) or "") not in asked_values:
                status = "not_asked"
            settled = final.get(answer.id) if final is not None else None
            group = (wave_name if by == BY_WAVE else attributes.get(by)) if by else None
            w = (weight_value(attributes.get(weight), weight, "", wave_name)
                 if weight is not None and status == "answered" else 1.0)
            answers[answer.id] = answer
            records.append(RespondentAnswer(
                answer.respondent_id, status, frozenset(codes.get(answer.id, ())),
                answer.id in coded, group,
                unresolved=settled is not None and settled.status == "unresolved",
                stale=settled is not None and settled.status == "stale",
                wave=wave_name, weight=w, answer_id=answer.id))
    return records, answers


def _reference_vectors(store: Any, answers: list[Answer]) -> dict[int, np.ndarray] | None:
    keys = {a.id: cache_key(a.text) for a in answers}
    found = store.get_many(DEFAULT_MODEL_ID, list(set(keys.values())))
    if len(found) < len(set(keys.values())):
        return None
    return {aid: found[key] for aid, key in keys.items()}


def reference_section(store: Any, *, wave: str | None = None, layer: str | None = None,
                      by: str | None = None, weight: str | None = None,
                      quotes_per_code: int = 3, include_ids: bool = False,
                      ) -> tuple[Any, dict[str, list[Quote]]]:
    """(frequency table, code id -> quotes) as the straightforward path makes them."""
    questions, chosen, scope = _scope(store, None, wave, layer)
    question = questions[0]
    frame = store.codeframe(question.codeframe_id or "")
    records, answers = _reference_gather(store, question, chosen, scope, by, weight)
    table = compute_frequencies(question.id, frame, records,
                                routing_known=question.routing is not None, breakdown_by=by,
                                group_order=scope.names if by == BY_WAVE else None,
                                weighted_by=weight)
    if by is not None:
        table = replace(table, significance=compare_columns(table, by_wave=by == BY_WAVE))
    substantive = {r.answer_id: r for r in records if r.status == "answered"}
    coded_answers = [a for a in answers.values() if a.id in substantive]
    vectors = _reference_vectors(store, coded_answers) if quotes_per_code else None
    redactor = redactor_for(store)
    starred = store.starred_answers(question.id)
    externals = {r.id: r.external_id for r in store.respondents()}
    quotes: dict[str, list[Quote]] = {}
    used: set[int] = set()
    for row in table.rows:
        if row.n == 0 or row.depth > 1 or row.is_net or quotes_per_code == 0:
            continue
        starred_ids = set(starred.get(row.code_id, ()))
        candidates = [QuoteCandidate(a.id, a.text, a.id in starred_ids) for a in coded_answers
                      if a.id not in used and row.code_id in substantive[a.id].code_ids]
        candidates.sort(key=lambda c: (not c.starred, c.answer_id))
        picked = choose_quotes(candidates, quotes_per_code, embeddings=vectors,
                               redactor=redactor)
        if include_ids:
            picked = [replace(q, respondent=externals.get(answers[q.source].respondent_id))
                      for q in picked]
        used |= {q.source for q in picked}
        if picked:
            quotes[row.code_id] = picked
    return table, quotes


# -- the comparison ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    return {flag: build_project(tmp_path_factory.mktemp(f"golden{int(flag)}"), embeddings=flag)
            for flag in (False, True)}


CASES = [
    {"wave": "all", "by": "region", "weight": "wt"},
    {"wave": "all", "by": "wave", "weight": "wt"},
    {"wave": "2025,2026", "by": "region"},
    {},
    {"wave": "all", "layer": "coder:bob", "include_ids": True},
    {"wave": "all", "layer": "adjudicated", "quotes_per_code": 5},
    {"wave": "2024", "layer": "all", "quotes_per_code": 1},
]
#: Tables of the final layer without quotes or weights: counted in SQL per combination when
#: every coded answer has one coder.
COUNTED = [
    {"wave": "all", "by": "region", "quotes_per_code": 0},
    {"wave": "all", "by": "wave", "quotes_per_code": 0},
    {"quotes_per_code": 0},
    {"wave": "2025,2026", "by": "contact_name", "quotes_per_code": 0, "include_ids": True},
]
#: Tables of one coder's, the adjudicated, a model's or every coder's layer without quotes or
#: weights: counted in SQL per combination whoever coded.
LAYERED = [
    {"wave": "all", "layer": "coder:bob", "by": "region", "quotes_per_code": 0},
    {"wave": "all", "layer": "adjudicated", "quotes_per_code": 0},
    {"wave": "2025,2026", "layer": "model:m", "by": "wave", "quotes_per_code": 0},
    {"wave": "all", "layer": "all", "by": "contact_name", "quotes_per_code": 0},
]


def _same_tables(store: Any, cases: list[dict[str, Any]]) -> None:
    for case in cases:
        expected_table, expected_quotes = reference_section(store, **case)
        section = build_report(store, **case).sections[0]
        assert section.table == expected_table, case
        assert {t.row.code_id: list(t.quotes) for t in section.themes
                if t.quotes} == expected_quotes
        assert expected_table.base.answered > 100


def _single_coder(store: Any) -> None:
    """Keep alice's codings and the model's only: one human coder per answer, nothing
    adjudicated (a model coder never settles an answer)."""
    keep = (store.coder("alice").id, store.coder("m", kind=CoderKind.MODEL).id)
    with store.transaction() as conn:
        for table in ("codings", "answer_status"):
            conn.execute(f"DELETE FROM {table} WHERE coder_id NOT IN (?, ?)", keep)
        conn.execute("DELETE FROM adjudications")


@pytest.mark.parametrize("cached", [False, True], ids=["tfidf", "embeddings"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items())
                         or "defaults")
def test_report_tables_and_quotes_match_the_straightforward_path(
        projects: dict[bool, Path], cached: bool, case: dict[str, Any]) -> None:
    with open_project(projects[cached]) as store:
        assert isinstance(store, SQLiteStore)
        expected_table, expected_quotes = reference_section(store, **case)
        report = build_report(store, **case)
    section = report.sections[0]
    assert section.table == expected_table
    got = {t.row.code_id: list(t.quotes) for t in section.themes if t.quotes}
    assert got == expected_quotes
    # the comparison has teeth: quotes, starred quotes, nets, significance and redaction occur
    assert sum(len(q) for q in got.values()) >= 3
    if case.get("by") == "region":
        assert expected_table.significance is not None
        assert "E" in expected_table.significance.excluded


def test_the_project_exercises_what_the_comparison_is_for(projects: dict[bool, Path]) -> None:
    with open_project(projects[False]) as store:
        assert isinstance(store, SQLiteStore)
        final = _reference_final_layer(store, QUESTION, None)
        statuses = {f.status for f in final.values()}
        assert statuses == {"adjudicated", "stale", "agreed", "single", "unresolved"}
        table, quotes = reference_section(store, wave="all", by="region", weight="wt")
    assert any(q.starred for qs in quotes.values() for q in qs)
    assert any("[" in q.text for qs in quotes.values() for q in qs)  # something redacted
    assert table.significance is not None and table.significance.any_significant is not None


def test_final_layer_matches_the_rule_on_every_row(projects: dict[bool, Path],
                                                   tmp_path: Path) -> None:
    """Including codings with no coded mark (they count as coded), which the app never writes
    but an older project or a hand-edited file may hold."""
    import shutil

    path = tmp_path / "loose.coder"
    shutil.copyfile(projects[False], path)
    with open_project(path) as store:
        assert isinstance(store, SQLiteStore)
        answers = store.answers(QUESTION, substantive_only=True)
        alice, bob = store.coder("alice"), store.coder("bob")
        judge = store.adjudicated_coder()
        with store.conn:
            for answer, coder, code in ((answers[0], bob, "g_fees"), (answers[0], bob, "g_staff"),
                                        (answers[1], judge, "g_place"),
                                        (answers[2], alice, "g_fees")):
                store.conn.execute("INSERT OR IGNORE INTO codings (answer_id, code_id, coder_id,"
                                   " created_at) VALUES (?, ?, ?, '2026-01-01T00:00:00Z')",
                                   (answer.id, code, coder.id))
            store.conn.execute("UPDATE answer_status SET coded_at = NULL WHERE answer_id = ?"
                               " AND coder_id = ?", (answers[2].id, alice.id))
        for wave in (None, *(w.id for w in store.waves())):
            assert store.final_layer(QUESTION, wave) == _reference_final_layer(store, QUESTION,
                                                                               wave)
        assert store.final_layer(QUESTION)[answers[1].id].status in {"adjudicated", "stale"}


def test_one_coder_per_answer_matches_the_rule(projects: dict[bool, Path],
                                               tmp_path: Path) -> None:
    """The common project: one coder per answer, nothing adjudicated (read without grouping
    answer by answer), then with a coding that has no coded mark (found by counting)."""
    import shutil

    path = tmp_path / "single.coder"
    shutil.copyfile(projects[False], path)
    with open_project(path) as store:
        assert isinstance(store, SQLiteStore)
        alice = store.coder("alice")
        waves = [w.id for w in store.waves()]
        # two coders and adjudications: the answers cannot be counted per combination
        assert all(store.final_layer_counts(QUESTION, w) is None for w in waves)
        _same_tables(store, COUNTED)
        _single_coder(store)
        assert all(store.final_layer_counts(QUESTION, w) is not None for w in waves)
        _same_tables(store, COUNTED)
        final = store.final_layer(QUESTION)
        assert final == _reference_final_layer(store, QUESTION, None)
        assert {f.status for f in final.values()} == {"single"}
        uncoded = next(a for a in store.answers(QUESTION, substantive_only=True)
                       if a.id not in final)
        with store.conn:
            store.conn.execute("INSERT INTO codings (answer_id, code_id, coder_id, created_at)"
                               " VALUES (?, 'g_staff', ?, '2026-01-01T00:00:00Z')",
                               (uncoded.id, alice.id))
        for wave in (None, *(w.id for w in store.waves())):
            assert store.final_layer(QUESTION, wave) == _reference_final_layer(store, QUESTION,
                                                                               wave)
        assert store.final_layer(QUESTION)[uncoded.id].code_ids == {"g_staff"}
        # a coding without a coded mark: that wave is read answer by answer, the others not
        assert store.final_layer_counts(QUESTION, uncoded.wave_id) is None
        assert any(store.final_layer_counts(QUESTION, w) is not None for w in waves)
        _same_tables(store, COUNTED)
        for case in CASES[:3]:
            expected_table, expected_quotes = reference_section(store, **case)
            section = build_report(store, **case).sections[0]
            assert section.table == expected_table
            assert {t.row.code_id: list(t.quotes) for t in section.themes
                    if t.quotes} == expected_quotes


def test_a_layers_counts_are_its_answers_grouped(projects: dict[bool, Path]) -> None:
    """`layer_counts` against the layer read answer by answer (codes given by several coders
    once, a coded mark without codes coded), and reports of such layers as the reference."""
    with open_project(projects[False]) as store:
        assert isinstance(store, SQLiteStore)
        _same_layer_counts(store)
        _same_tables(store, LAYERED)


def _same_layer_counts(store: Any) -> None:
    from collections import Counter

    coders = [c.id for c in store.coders()]
    bob = store.coder("bob").id
    # some code was given to one answer by two coders: the union counts it once
    assert store.conn.execute("SELECT 1 FROM codings GROUP BY answer_id, code_id"
                              " HAVING count(*) > 1").fetchone() is not None
    for coder_ids in ([bob], coders, []):
        coded = store.layer_coded_answers(QUESTION, coder_ids)
        for wave in store.waves():
            codes = store.layer_codes(QUESTION, coder_ids, wave.id)
            expected = Counter((row[2], row[0] in coded, frozenset(codes.get(row[0], ())),
                                row[5]) for row in store.report_answers(
                                    QUESTION, wave.id, ["region"], texts=False))
            got: Counter[tuple[Any, ...]] = Counter()
            for reason, is_coded, code_ids, region, n in store.layer_counts(
                    QUESTION, coder_ids, wave.id, ["region"]):
                got[(reason, is_coded, code_ids, region)] += n
            assert got == expected
        if coder_ids:
            assert coded, coder_ids


def test_redaction_list_is_the_one_every_respondents_attributes_give(tmp_path: Path) -> None:
    """Name columns read column by column give the terms that every respondent's merged
    attributes (latest wave first) give; a project with none reads no attributes per person."""
    from coder.core.reporting.anonymise import RedactionList, terms_from_attributes
    from coder.services.importing import import_survey
    from coder.services.reports import redaction_for

    schools = ["Ashdown Primary", "Brook Lane Academy", "Castle Hill School", "Dove Infants",
               "Elm Tree College", "Fairfield Juniors", "Glebe Primary", "Hazel Academy",
               "Ivy Court School", "Juniper Primary", "Kings Mead", "Larch Academy"]
    path = tmp_path / "names.coder"
    with create_project(path) as store:
        for w, wave in enumerate(("2025", "2026")):
            survey = tmp_path / f"{wave}.csv"
            with survey.open("w", newline="", encoding="utf-8") as handle:
                out = csv.writer(handle)
                out.writerow(["resp_id", "school_name", "region", "q1"])
                for i, school in enumerate(schools):
                    keep = w == 0 or i % 3  # some leave the school blank in the later wave
                    out.writerow([f"R{i:03d}", school.upper() if w and keep else
                                  school if keep else "", "north" if i % 2 else "south",
                                  f"answer {i} about {school}"])
            import_survey(store, survey, wave=wave, id_column="resp_id", open_columns=["q1"],
                          coder="lead")
        people = store.respondents()
        expected = RedactionList().with_terms(terms_from_attributes(
            (r.attributes for r in people), known_authorities=False))
        redaction, ids = redaction_for(store)
        assert redaction == expected and len(redaction.terms) == len(schools)
        assert sorted(ids) == sorted(r.external_id for r in people)
        with store.conn:
            store.conn.execute("UPDATE respondent_attributes SET attributes ="
                               " json_remove(attributes, '$.school_name')")
        assert redaction_for(store)[0] == RedactionList()


def test_the_same_on_postgresql(tmp_path: Path, pg_cluster: Any) -> None:
    """The fast path's SQL (answers with their attributes, the final layer grouped in the
    database, the attribute checks) as PostgreSQL runs it."""
    from coder.store.postgres import PostgresStore

    with PostgresStore.create(pg_cluster.new_database()) as store:
        fill(store, tmp_path, embeddings=False)
    with PostgresStore.open(store.url) as store:
        for wave in (None, *(w.id for w in store.waves())):
            assert store.final_layer(QUESTION, wave) == _reference_final_layer(store, QUESTION,
                                                                               wave)
        for case in CASES[:3]:
            expected_table, expected_quotes = reference_section(store, **case)
            section = build_report(store, **case).sections[0]
            assert section.table == expected_table
            assert {t.row.code_id: list(t.quotes) for t in section.themes
                    if t.quotes} == expected_quotes
        _same_tables(store, COUNTED)
        _same_layer_counts(store)
        _same_tables(store, LAYERED)
        _single_coder(store)
        assert all(store.final_layer_counts(QUESTION, w.id) is not None for w in store.waves())
        _same_tables(store, COUNTED)
        # a coding by a coder without a coded mark on the answer: that wave answer by answer
        final = store.final_layer(QUESTION)
        uncoded = next(a for a in store.answers(QUESTION, substantive_only=True)
                       if a.id not in final)
        marked = next(a for a in store.answers(QUESTION, substantive_only=True)
                      if a.id in final and a.wave_id != uncoded.wave_id)
        with store.transaction() as conn:
            conn.execute("INSERT INTO codings (answer_id, code_id, coder_id, created_at) VALUES"
                         " (?, 'g_staff', ?, '2026-01-01T00:00:00Z')",
                         (uncoded.id, store.coder("alice").id))
            conn.execute("INSERT INTO codings (answer_id, code_id, coder_id, created_at) VALUES"
                         " (?, 'g_staff', ?, '2026-01-01T00:00:00Z')",
                         (marked.id, store.coder("bob").id))
        assert {w.id for w in store.waves()
                if store.final_layer_counts(QUESTION, w.id) is None} == {uncoded.wave_id,
                                                                          marked.wave_id}
        _same_tables(store, COUNTED)
