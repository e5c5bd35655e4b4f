"""Undo and redo across schema upgrades: actions recorded by an older coder still replay.

On both backends, as projects reach them. Schema 3 is from before the server backend: such a
project reaches a server only as a file copied there (`coder db copy`, which upgrades it on the
way), so on PostgreSQL the schema-3 tests replay its old events after that copy. A project on
a server is never older than the schema the server backend came with; its upgrade in place
from there, with data in it, is tested on both backends below.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from coder.core.embedding import cache_key
from coder.core.errors import ProjectError
from coder.store import open_project
from coder.store.changes import Change
from coder.store.dialect import POSTGRESQL, SQLITE
from coder.store.event_log import encode_changes
from coder.store.protocol import ProjectStore
from coder.store.replay import upgrade
from coder.store.schema import SCHEMA_VERSION, after_migration, columns_at, migrations, split_sql

CODED_AT = "2024-05-01T09:00:00.000Z"
DECIDED_AT = "2024-05-02T10:00:00.000Z"
ANN, BOB, LAYER = 1, 2, 3  # coder ids: two coders and the adjudicated layer


def _insert(table: str, row: dict) -> dict:
    key = {"codings": ("answer_id", "code_id", "coder_id"),
           "answer_status": ("answer_id", "coder_id"), "adjudications": ("answer_id",)}[table]
    return {"table": table, "op": "insert", "key": {k: row[k] for k in key}, "before": None,
            "after": row}


def schema3_project(path: Path) -> Path:
    """A project as coder left it at schema 3: answer 1 coded by ann, coded differently by
    bob, then adjudicated by rita; each action's event written as schema 3 wrote it (whole rows
    of that schema, in the first, JSON-list form) and on its coder's undo stack."""
    conn = sqlite3.connect(path)
    for number, _, sql in migrations()[:3]:
        for statement in split_sql(sql):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.executescript(f"""
        INSERT INTO waves (name, created_at) VALUES ('2024', '{CODED_AT}');
        INSERT INTO respondents (external_id) VALUES ('R1');
        INSERT INTO questions (id, text, kind, codeframe_id) VALUES ('q1', 'Why?', 'open', NULL);
        INSERT INTO answers (respondent_id, question_id, wave_id, raw_text, text)
            VALUES (1, 'q1', 1, 'bus fares', 'bus fares');
        INSERT INTO codeframes (id, name) VALUES ('f', 'frame');
        INSERT INTO codes (id, codeframe_id, label, output_code) VALUES
            ('fees', 'f', 'Fees', 101), ('travel', 'f', 'Travel', 201);
        UPDATE questions SET codeframe_id = 'f';
        INSERT INTO coders (name, kind, created_at) VALUES ('ann', 'human', '{CODED_AT}'),
            ('bob', 'human', '{CODED_AT}'), ('adjudicated', 'adjudicated', '{CODED_AT}');
    """)
    rows = {
        "ann": [("codings", {"answer_id": 1, "code_id": "fees", "coder_id": ANN,
                             "created_at": CODED_AT, "needs_recoding": 0}),
                ("answer_status", {"answer_id": 1, "coder_id": ANN, "coded_at": CODED_AT,
                                   "memo": "", "flagged": 0})],
        "bob": [("codings", {"answer_id": 1, "code_id": "travel", "coder_id": BOB,
                             "created_at": CODED_AT, "needs_recoding": 0}),
                ("answer_status", {"answer_id": 1, "coder_id": BOB, "coded_at": CODED_AT,
                                   "memo": "", "flagged": 0})],
        "rita": [("codings", {"answer_id": 1, "code_id": "travel", "coder_id": LAYER,
                              "created_at": DECIDED_AT, "needs_recoding": 0}),
                 ("answer_status", {"answer_id": 1, "coder_id": LAYER, "coded_at": DECIDED_AT,
                                    "memo": "", "flagged": 0}),
                 ("adjudications", {"answer_id": 1, "reviewer": "rita", "at": DECIDED_AT})],
    }
    for who, summary in (("ann", "coded answer 1"), ("bob", "coded answer 1"),
                         ("rita", "adjudicated answer 1: 201")):
        for table, row in rows[who]:
            conn.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES"
                         f" ({', '.join('?' for _ in row)})", list(row.values()))
        action = "qa.adjudicate" if who == "rita" else "coding.set"
        cur = conn.execute(
            "INSERT INTO events (at, coder, kind, action, summary, undoable, changes, details)"
            " VALUES (?, ?, 'do', ?, ?, 1, ?, '{}')",
            (CODED_AT, who, action, summary, json.dumps([_insert(t, r) for t, r in rows[who]])))
        conn.execute("INSERT INTO history_stack (event_id, coder, stack, seq) VALUES"
                     " (?, ?, 'undo', ?)", (cur.lastrowid, who, cur.lastrowid))
    conn.commit()
    conn.close()
    return path


def state(store: ProjectStore) -> dict[str, list[tuple]]:
    return {t: [tuple(r) for r in store.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3")]
            for t in ("codings", "answer_status", "adjudications")}


def test_an_adjudication_and_a_coding_made_at_schema_3_undo_and_redo_after_the_upgrade(
        tmp_path: Path, location_of: Callable[[Path], str]) -> None:
    path = schema3_project(tmp_path / "old.coder")
    location = location_of(path)
    with open_project(location) as store:
        if store.dialect.name == "sqlite":  # upgraded on opening (on a server: by the copy)
            assert store.upgrade is not None and store.upgrade.from_version == 3
        assert store.schema_version == SCHEMA_VERSION
        assert store.event(3).schema_version is None  # written before versions were recorded
        upgraded = state(store)
        assert upgraded["adjudications"] == [(1, "rita", DECIDED_AT, "{}")]  # basis added since

        assert store.undo("rita").summary == "adjudicated answer 1: 201"
        assert store.adjudication(1) is None
        assert store.undo("ann").summary == "coded answer 1"
        assert store.codes_of(1, ANN) == [] and store.status(1, ANN)["coded_at"] is None
        undone = state(store)
        assert undone["codings"] == [(1, "travel", BOB, CODED_AT, 0)]  # bob's is untouched
        assert store.events(limit=1)[0].schema_version == SCHEMA_VERSION

    with open_project(location) as store:  # the redo stacks survive a restart
        assert store.redo("ann") is not None and store.redo("rita") is not None
        assert state(store) == upgraded
        found = store.adjudication(1)
        assert found is not None and found.code_ids == ("travel",)
        assert store.undo("rita") is not None  # the old event replays again
        assert state(store)["adjudications"] == []
        assert store.redo("rita") is not None
        assert state(store) == upgraded


def test_a_later_change_to_an_old_actions_rows_still_refuses_the_undo(
        tmp_path: Path, location_of: Callable[[Path], str]) -> None:
    path = schema3_project(tmp_path / "old.coder")
    with open_project(location_of(path)) as store:
        store.adjudicate(1, ["fees"], "sam")  # a second reviewer decides again, at schema 6
        before = state(store)
        with pytest.raises(ProjectError, match="was changed by a later action"):
            store.undo("rita")
        assert state(store) == before  # all or nothing


def test_a_column_added_since_keeps_its_value_when_an_old_update_is_undone(
        tmp_path: Path, location_of: Callable[[Path], str]) -> None:
    path = schema3_project(tmp_path / "old.coder")
    conn = sqlite3.connect(path)  # rita's schema-3 re-decision: an update of the whole row
    old = {"answer_id": 1, "reviewer": "rita", "at": DECIDED_AT}
    new = {"answer_id": 1, "reviewer": "rita", "at": "2024-05-03T08:00:00.000Z"}
    conn.execute("UPDATE adjudications SET at = ?", (new["at"],))
    cur = conn.execute(
        "INSERT INTO events (at, coder, kind, action, summary, undoable, changes, details)"
        " VALUES (?, 'rita', 'do', 'qa.adjudicate', 'adjudicated again', 1, ?, '{}')",
        (new["at"], json.dumps([{"table": "adjudications", "op": "update",
                                 "key": {"answer_id": 1}, "before": old, "after": new}])))
    conn.execute("INSERT INTO history_stack (event_id, coder, stack, seq) VALUES"
                 " (?, 'rita', 'undo', 99)", (cur.lastrowid,))
    conn.commit()
    conn.close()
    with open_project(location_of(path)) as store:
        store.conn.execute("UPDATE adjudications SET basis = '{\"1\": \"x\"}'")  # set since
        assert store.undo("rita").summary == "adjudicated again"
        assert state(store)["adjudications"] == [(1, "rita", DECIDED_AT, '{"1": "x"}')]
        assert store.redo("rita") is not None
        assert state(store)["adjudications"] == [(1, "rita", new["at"], '{"1": "x"}')]


# -- a server project from the first schema the server backend had ---------------------------

#: The oldest schema a project on a server can have: the server backend came with it.
FIRST_SERVER_SCHEMA = next(n for n, name, _ in migrations() if name.endswith("_event_schema.sql"))


class OldProject:
    """A project as an older coder made it on either backend: its first `version` migrations
    applied as that backend applies them (translated for PostgreSQL), rows written directly."""

    def __init__(self, backend: str, location: str, version: int) -> None:
        self.location = location
        self.open = True
        self.dialect = SQLITE if backend == "sqlite" else POSTGRESQL
        if backend == "sqlite":
            self.conn: Any = sqlite3.connect(location)
        else:
            import psycopg

            self.conn = psycopg.connect(location)
            self.conn.execute("CREATE TABLE coder_schema (version INTEGER NOT NULL)")
            self.conn.execute("INSERT INTO coder_schema (version) VALUES (0)")
        for number, name, sql in migrations()[:version]:
            for statement in split_sql(sql):
                for translated in self.dialect.ddl(statement):
                    self.conn.execute(translated)
            after_migration(name, self)
            if backend == "sqlite":
                self.conn.execute(f"PRAGMA user_version = {number}")
            else:
                self.conn.execute("UPDATE coder_schema SET version = %s", (number,))

    def execute(self, sql: str, parameters: tuple[Any, ...] = ()) -> Any:
        if not parameters:  # taken as written, as the store's connections do
            return self.conn.execute(sql)
        return self.conn.execute(self.dialect.sql(sql), parameters)

    def executemany(self, sql: str, parameters: Any) -> None:
        for row in parameters:
            self.execute(sql, row)

    def row(self, table: str, columns: tuple[str, ...], where: str) -> dict[str, Any]:
        """One row as a dict of `columns` (the image an event of that schema held)."""
        values = self.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {where}"
                              ).fetchone()
        return dict(zip(columns, values, strict=True))

    def record(self, coder: str, action: str, summary: str, changes: list[dict[str, Any]],
               version: int) -> None:
        """Log an action as that coder wrote it (at `version`), on the coder's undo stack."""
        (event_id,) = self.execute(
            "INSERT INTO events (at, coder, kind, action, summary, undoable, changes, details,"
            " schema_version) VALUES (?, ?, 'do', ?, ?, 1, ?, '{}', ?) RETURNING id",
            (CODED_AT, coder, action, summary,
             encode_changes(changes, compress=self.dialect.compress_events), version),
        ).fetchone()
        self.execute("INSERT INTO history_stack (event_id, coder, stack, seq) VALUES"
                     " (?, ?, 'undo', ?)", (event_id, coder, event_id))

    def close(self) -> None:
        if self.open:
            self.conn.commit()
            self.conn.close()
            self.open = False


@pytest.fixture
def old_location(store_backend: str, tmp_path: Path,
                 request: pytest.FixtureRequest) -> Iterator[Callable[[int], OldProject]]:
    """`old_location(version)`: a new project at schema `version`, a file or a database on
    the test server (its `location`), to fill and close before opening it."""
    made: list[OldProject] = []

    def make(version: int) -> OldProject:
        if store_backend == "sqlite":
            location = str(tmp_path / f"old{len(made)}.coder")
        else:
            location = request.getfixturevalue("pg_cluster").new_database()
        made.append(OldProject(store_backend, location, version))
        return made[-1]

    yield make
    for project in made:
        project.close()


def test_a_project_from_the_first_server_schema_upgrades_in_place_and_its_actions_replay(
        old_location: Callable[[int], OldProject]) -> None:
    version = FIRST_SERVER_SCHEMA
    old = old_location(version)
    old.execute("INSERT INTO waves (name, created_at) VALUES ('2024', ?)", (CODED_AT,))
    old.execute("INSERT INTO respondents (external_id) VALUES ('R1')")
    old.execute("INSERT INTO questions (id, text, kind) VALUES ('q1', 'Why?', 'open')")
    old.execute("INSERT INTO answers (respondent_id, question_id, wave_id, raw_text, text)"
                " VALUES (1, 'q1', 1, 'Bus  fares', 'Bus  fares')")
    old.execute("INSERT INTO codeframes (id, name) VALUES ('f', 'frame')")
    old.executemany("INSERT INTO codes (id, codeframe_id, label, output_code, position)"
                    " VALUES (?, 'f', ?, ?, ?)",
                    [("fees", "Fees", 101, 0), ("travel", "Travel", 201, 1)])
    old.execute("UPDATE questions SET codeframe_id = 'f'")
    old.execute("INSERT INTO coders (name, kind, created_at) VALUES ('ann', 'human', ?)",
                (CODED_AT,))
    columns = columns_at(version)
    # ann codes answer 1, then renames the code she used: two actions, each its own event.
    coding = {"answer_id": 1, "code_id": "fees", "coder_id": 1, "created_at": CODED_AT,
              "needs_recoding": 0}
    status = {"answer_id": 1, "coder_id": 1, "coded_at": CODED_AT, "memo": "", "flagged": 0}
    assert set(coding) == set(columns["codings"]) and set(status) <= set(columns["answer_status"])
    old.execute("INSERT INTO codings (answer_id, code_id, coder_id, created_at, needs_recoding)"
                " VALUES (1, 'fees', 1, ?, 0)", (CODED_AT,))
    old.execute("INSERT INTO answer_status (answer_id, coder_id, coded_at, memo, flagged)"
                " VALUES (1, 1, ?, '', 0)", (CODED_AT,))
    status = old.row("answer_status", columns["answer_status"], "answer_id = 1")
    old.record("ann", "coding.set", "coded answer 1",
               [_insert("codings", coding), _insert("answer_status", status)], version)
    before = old.row("codes", columns["codes"], "id = 'fees'")
    old.execute("UPDATE codes SET label = 'Bus fares' WHERE id = 'fees'")
    after = old.row("codes", columns["codes"], "id = 'fees'")
    old.record("ann", "codeframe.rename", 'Rename "Fees" to "Bus fares"',
               [{"table": "codes", "op": "update", "key": {"id": "fees"}, "before": before,
                 "after": after}], version)
    old.close()

    with open_project(old.location) as store:
        assert store.schema_version == SCHEMA_VERSION
        frame = store.codeframe("f")
        # The upgrade's data steps ran on the project's rows: shortcut keys in tree order, the
        # answers' embedding keys.
        assert [(c.id, c.shortcut) for c in frame.codes] == [("fees", "1"), ("travel", "2")]
        (key,) = store.conn.execute("SELECT embedding_key FROM answers").fetchone()
        assert key == cache_key("Bus  fares")
        store.conn.execute("UPDATE codes SET shortcut = 'b' WHERE id = 'fees'")  # set since

        assert store.undo("ann").summary == 'Rename "Fees" to "Bus fares"'
        fees = store.codeframe("f").code("fees")
        assert (fees.label, fees.shortcut) == ("Fees", "b")  # the column added since is kept
        assert store.undo("ann").summary == "coded answer 1"
        assert store.codes_of(1, 1) == [] and store.status(1, 1)["coded_at"] is None
        assert store.redo("ann") is not None and store.redo("ann") is not None
        fees = store.codeframe("f").code("fees")
        assert (fees.label, fees.shortcut) == ("Bus fares", "b")
        assert store.codes_of(1, 1) == ["fees"]
        assert store.events(limit=1)[0].schema_version == SCHEMA_VERSION


def test_the_columns_of_each_schema_are_known() -> None:
    assert columns_at(3)["adjudications"] == ("answer_id", "reviewer", "at")
    assert columns_at(4)["adjudications"] == ("answer_id", "reviewer", "at", "basis")
    assert columns_at(SCHEMA_VERSION)["codings"] == (
        "answer_id", "code_id", "coder_id", "created_at", "needs_recoding")


def test_images_lose_dropped_columns_and_mark_added_ones_unknown() -> None:
    then = {"codes": ("id", "label", "colour")}
    now = {"codes": ("id", "label", "status")}  # colour dropped since, status added
    recorded = Change("codes", "update", {"id": "c1"},
                      {"id": "c1", "label": "Fees", "colour": "#f00"},
                      {"id": "c1", "label": "Costs", "colour": "#0f0"})
    (step,) = upgrade([recorded], then, now)
    assert step.change.before == {"id": "c1", "label": "Fees"}
    assert step.change.after == {"id": "c1", "label": "Costs"}
    assert step.unknown == {"status"}
    (inferred,) = upgrade([recorded], None, now)  # version not recorded: the image tells
    assert inferred == step
    (current,) = upgrade([recorded], {"codes": ("id", "label", "colour")},
                         {"codes": ("id", "label", "colour")})
    assert current.change is recorded and current.unknown == frozenset()
