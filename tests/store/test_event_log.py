"""The event log's stored form: compact for large actions, exact, and old entries still replay.

The codec's properties are pure (no database); the project tests run on both backends.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from coder.core.codeframe.model import Code, Codeframe
from coder.services import codeframes as ops
from coder.store import open_project
from coder.store.event_log import COMPRESS_OVER, decode_changes, encode_changes
from coder.store.protocol import ProjectStore
from coder.store.schema import migrations, split_sql

# -- the codec -----------------------------------------------------------------------------------

values = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False), st.text(max_size=12),
)
COLUMNS = ("a", "b", "c")


@st.composite
def changes(draw: st.DrawFn) -> dict:
    """A change as the store records it, now and then one the columnar form cannot hold."""
    table = draw(st.sampled_from(["codings", "codes"]))
    op = draw(st.sampled_from(["insert", "delete", "update"]))
    columns = draw(st.sampled_from([COLUMNS, ("b", "a", "c"), ("a", "b")]))
    before = {c: draw(values) for c in columns}
    after = {c: (draw(values) if draw(st.booleans()) else v) for c, v in before.items()}
    key_columns = draw(st.sampled_from([("a",), ("a", "b"), ("b",)]))
    row = after if op == "insert" else before
    key = {k: row[k] for k in key_columns}
    if draw(st.integers(0, 9)) == 0:  # a key that is not the row's (kept whole, still exact)
        key = {k: draw(values) for k in key_columns}
    if op == "insert":
        before = None
    elif op == "delete":
        after = None
    return {"table": table, "op": op, "key": key, "before": before, "after": after}


@settings(max_examples=300, deadline=None)
@given(st.lists(changes(), max_size=40), st.booleans())
def test_changes_read_back_exactly_as_the_first_form_held_them(batch: list, big: bool) -> None:
    if big:  # repeat to pass the size above which the form is compressed
        batch = batch * (COMPRESS_OVER // max(1, len(json.dumps(batch))) + 1)
    first_form = json.dumps(batch)
    stored = encode_changes(batch)
    assert isinstance(stored, bytes) or len(stored) <= COMPRESS_OVER  # small stays text
    # Same values, same types (1, 1.0 and true differ), same order of changes and of columns.
    assert json.dumps(decode_changes(stored)) == json.dumps(json.loads(first_form))
    assert decode_changes(first_form) == json.loads(first_form)  # the first form still reads


def test_an_update_stores_its_row_once_and_only_the_changed_values() -> None:
    before = {"answer_id": 1, "code_id": "c1", "coder_id": 2, "created_at": "t",
              "needs_recoding": 0}
    change = {"table": "codings", "op": "update",
              "key": {"answer_id": 1, "code_id": "c1", "coder_id": 2},
              "before": before, "after": {**before, "needs_recoding": 1}}
    stored = encode_changes([change])
    assert isinstance(stored, str)  # a small action stays readable text
    group = json.loads(stored)["groups"][0]
    assert group["changed"] == ["needs_recoding"] and group["rows"] == [[1, "c1", 2, "t", 0, 1]]
    assert decode_changes(stored) == [change]


# -- in a project --------------------------------------------------------------------------------


def _project_with_codings(store: ProjectStore, answers: int) -> ProjectStore:
    frame = Codeframe("f", "Frame", (Code("fees", "f", "Fees", 1), Code("cost", "f", "Cost", 2)))
    with store.transaction() as conn:  # set-up: a question with answers, coded by two coders
        conn.execute("INSERT INTO waves (name, created_at) VALUES ('1', 't')")
        conn.execute("INSERT INTO questions (id, text, kind, position) VALUES"
                     " ('q1', 'Why?', 'open', 0)")
        for coder in ("ann", "bob"):
            conn.execute("INSERT INTO coders (name, kind, created_at) VALUES (?, 'human', 't')",
                         (coder,))
        conn.executemany("INSERT INTO respondents (external_id) VALUES (?)",
                         [(f"R{i}",) for i in range(answers)])
        conn.executemany(
            "INSERT INTO answers (respondent_id, question_id, wave_id, raw_text, text)"
            " VALUES (?, 'q1', 1, ?, ?)", [(i + 1, f"answer {i}", f"answer {i}")
                                           for i in range(answers)])
    store.add_codeframe(frame, "setup", questions=["q1"])
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO codings (answer_id, code_id, coder_id, created_at, needs_recoding)"
            " VALUES (?, ?, ?, ?, ?)",
            [(i + 1, c, coder_id, f"2025-01-{1 + i % 28:02d}", int(i % 3 == 0))
             for i in range(answers) for coder_id in (1, 2)
             for c in (("fees", "cost") if i % 7 == 0 else ("fees",))])
    return store


def _state(store: ProjectStore) -> dict[str, list[tuple]]:
    return {t: [tuple(r) for r in store.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3")]
            for t in ("codings", "codes")}


def _stored_size(store: ProjectStore, event_id: int) -> tuple[str, int]:
    """How the event's changes are kept, and their size on disk: a compressed blob on SQLite;
    text on PostgreSQL, which compresses large values itself (TOAST)."""
    if store.dialect.name == "sqlite":
        query = "SELECT typeof(changes), length(changes) FROM events WHERE id = ?"
    else:
        query = "SELECT pg_typeof(changes)::text, pg_column_size(changes) FROM events WHERE id = ?"
    kind, size = store.conn.execute(query, (event_id,)).fetchone()
    return str(kind), int(size)


def test_a_large_merge_is_stored_compactly_and_undoes_and_redoes_exactly(
        new_store: Callable[[], ProjectStore]) -> None:
    store = _project_with_codings(new_store(), 3000)
    start = _state(store)
    change = ops.merge_codes(store, ["Fees"], "Cost", coder="lead", frame="f")
    assert change.codings_moved == 6000
    merged = _state(store)
    event = store.events(limit=1, with_changes=True)[0]
    kind, size = _stored_size(store, event.id)
    first_form = len(json.dumps(list(event.changes)))
    assert kind == ("blob" if store.dialect.name == "sqlite" else "text")
    assert size * 20 < first_form  # 20 times smaller, at least

    assert ops.undo(store, "lead") is not None
    assert _state(store) == start
    assert ops.redo(store, "lead") is not None
    assert _state(store) == merged
    assert ops.undo(store, "lead") is not None
    assert _state(store) == start


def test_events_in_the_first_form_still_undo_and_redo_after_an_upgrade(
        tmp_path: Path, location_of: Callable[[Path], str]) -> None:
    """The old file upgraded in place, or moved to the server (`coder db copy` upgrades it and
    copies its log as it is): either way its first-form events replay."""
    path = tmp_path / "old.coder"
    conn = sqlite3.connect(path)
    for number, _, sql in migrations()[:4]:  # as coder left projects before sessions
        for statement in split_sql(sql):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    first_form = json.dumps([
        {"table": "settings", "op": "insert", "key": {"key": "colour"}, "before": None,
         "after": {"key": "colour", "value": '"blue"'}},
        {"table": "settings", "op": "update", "key": {"key": "size"},
         "before": {"key": "size", "value": "1"}, "after": {"key": "size", "value": "2"}},
    ])
    conn.execute("INSERT INTO settings (key, value) VALUES ('colour', '\"blue\"'), ('size', '2')")
    conn.execute(
        "INSERT INTO events (at, coder, kind, action, summary, undoable, changes)"
        " VALUES ('2024-01-01T00:00:00.000Z', 'ana', 'do', 'settings.set', 'set colour', 1, ?)",
        (first_form,))
    conn.execute("INSERT INTO history_stack (event_id, coder, stack, seq) VALUES (1, 'ana',"
                 " 'undo', 1)")
    conn.commit()
    conn.close()
    location = location_of(path)
    with open_project(location) as store:
        assert store.event(1).changes == tuple(json.loads(first_form))
        undone = store.undo("ana")
        assert undone is not None and undone.summary == "set colour"
        assert (store.setting("colour"), store.setting("size")) == (None, 1)
    with open_project(location) as store:
        assert store.redo("ana") is not None
        assert (store.setting("colour"), store.setting("size")) == ("blue", 2)
