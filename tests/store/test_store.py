"""The project store: migrations, all-or-nothing import, idempotence, waves, the event log, undo."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from coder.core.codeframe.model import Code, Codeframe
from coder.core.errors import Cancelled, InputError, ProjectError
from coder.core.progress import Progress
from coder.services.importing import import_survey
from coder.store import create_project, open_project
from coder.store.schema import SCHEMA_VERSION, migrations, split_sql

CSV = """la_code,region,placed,barriers,overcome
LA01,North,Yes,Fees at independent schools are far too high for our budget,More funding from DfE please
LA02,North,No,,Better guidance on placements for LAC
LA03,London & South,Yes,N/A,Nothing really comes to mind at all
LA04,London & South,Yes,Schools are reluctant to take children with complex needs,Training for school staff on trauma
LA05,East & Midlands,Yes,Fees at independent schools are far too high for our budget,Joint commissioning with health partners
"""


@pytest.fixture()
def survey(tmp_path: Path) -> Path:
    path = tmp_path / "survey.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


@pytest.fixture()
def store(new_store):
    """A new, empty project on each backend."""
    return new_store()


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table of a project file, read past any lock (for 'nothing changed'
    assertions)."""
    conn = sqlite3.connect(path)
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    result = {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    conn.close()
    return result


def snapshot_of(store) -> dict[str, list[tuple]]:
    """Every row of every table of an open project on either backend."""
    if store.dialect.name == "sqlite":
        listing = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    else:
        listing = ("SELECT table_name FROM information_schema.tables"
                   " WHERE table_schema = current_schema()")
    tables = [r[0] for r in store.conn.execute(listing).fetchall()]
    return {t: sorted((tuple(r) for r in store.conn.execute(f"SELECT * FROM {t}").fetchall()),
                      key=repr) for t in tables}


def test_new_project_is_wal_with_foreign_keys(tmp_path: Path) -> None:
    store = create_project(tmp_path / "p.coder")
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.schema_version == SCHEMA_VERSION
    store.close()


def test_project_from_older_schema_opens_and_upgrades(tmp_path: Path, survey: Path) -> None:
    path = tmp_path / "old.coder"
    conn = sqlite3.connect(path)
    number, _, sql = migrations()[0]
    for statement in split_sql(sql):
        conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {number}")
    conn.execute("INSERT INTO waves (name, created_at) VALUES ('2024', '2024-01-01T00:00:00Z')")
    conn.commit()
    conn.close()
    with open_project(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert [w.name for w in s.waves()] == ["2024"]
        import_survey(s, survey, wave="2025")  # the upgraded project is fully usable
        s.conn.execute("SELECT count(*) FROM theme_runs").fetchone()
    assert (tmp_path / "old.coder.v1.bak").exists()  # the user's file before the upgrade is kept


def test_an_empty_database_is_not_opened_as_a_new_project(tmp_path: Path) -> None:
    path = tmp_path / "empty.coder"
    sqlite3.connect(path).close()  # an empty SQLite file: version 0, no tables
    with pytest.raises(ProjectError, match="not a coder project"):
        open_project(path)  # only create (coder init) makes projects
    assert path.stat().st_size == 0


def test_newer_or_foreign_files_are_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.coder"
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(ProjectError, match="made by a newer version"):
        open_project(newer)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(ProjectError, match="not a coder project"):
        open_project(other)
    with pytest.raises(ProjectError, match="no such project"):
        open_project(tmp_path / "missing.coder")


def test_import_writes_answers_flags_and_one_event(store, survey: Path) -> None:
    plan, result = import_survey(store, survey, wave="2025", coder="ana")
    assert (result.respondents_added, result.answers_added) == (5, 10)
    stats = {s.question.id: s for s in store.question_stats()}
    barriers = stats["barriers"]
    assert (
        barriers.n_answers,
        barriers.n_blank,
        barriers.n_non_substantive,
        barriers.n_duplicates,
    ) == (4, 1, 1, 1)
    answers = store.answers("barriers")
    assert answers[4].duplicate_of == answers[0].id
    assert barriers.question.routing_note == 'asked if placed = "Yes"'
    events = store.events()
    assert [(e.action, e.coder) for e in events] == [("survey.import", "ana")]
    assert events[0].details["answers_added"] == 10
    respondent = store.respondent(answers[1].respondent_id)
    assert respondent.external_id == "LA02" and respondent.attributes["region"] == "North"


def test_reimport_is_idempotent_and_keeps_codings(store, survey: Path, tmp_path: Path) -> None:
    import_survey(store, survey, wave="2025")
    frame = Codeframe("f", "Barriers", (Code("c1", "f", "Cost", 1),), questions=("barriers",))
    store.add_codeframe(frame, "ana")
    ana = store.coder("ana")
    first = store.answers("barriers")[0]
    store.set_codes(first.id, ana, ["c1"])
    before = snapshot_of(store)
    _, again = import_survey(store, survey, wave="2025")
    assert (again.answers_added, again.answers_changed, again.answers_unchanged) == (0, 0, 10)
    after = snapshot_of(store)
    assert {t: rows for t, rows in after.items() if t != "events"} == {
        t: rows for t, rows in before.items() if t != "events"
    }
    assert store.codes_of(first.id, ana.id) == ["c1"]


def test_wave_append_adds_answers_and_flags_duplicates_across_waves(
    store, survey: Path, tmp_path: Path
) -> None:
    import_survey(store, survey, wave="2025")
    later = tmp_path / "wave2.csv"
    later.write_text(
        "la_code,region,placed,barriers,overcome\n"
        "LA01,North,Yes,Transport to schools far from home,More funding\n"
        "LA09,North,Yes,fees at independent schools are far too high for our budget,x y z w\n",
        encoding="utf-8",
    )
    _, result = import_survey(store, later, wave="2026")
    assert (result.respondents_added, result.answers_added) == (1, 4)
    assert [w.name for w in store.waves()] == ["2025", "2026"]
    wave2 = store.answers("barriers", wave_id=store.wave_id("2026"))
    assert wave2[0].text == "Transport to schools far from home"
    assert wave2[1].duplicate_of == store.answers("barriers")[0].id  # case-insensitive repeat
    assert len(store.answers("barriers")) == 7


def test_failed_import_leaves_project_exactly_as_before(
    store, survey: Path, tmp_path: Path
) -> None:
    import_survey(store, survey, wave="2025")
    before = snapshot_of(store)
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV.replace("LA04,", "LA01,"), encoding="utf-8")
    with pytest.raises(InputError, match='duplicate respondent ID "LA01"'):
        import_survey(store, bad, wave="2026", id_column="la_code")
    assert snapshot_of(store) == before


def test_cancelled_import_writes_nothing(store, survey: Path, tmp_path: Path) -> None:
    before = snapshot_of(store)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        import_survey(store, survey, wave="2025", progress=Progress(cancel=cancel))
    assert snapshot_of(store) == before


def test_changed_answer_on_reimport_keeps_codings(store, survey: Path, tmp_path: Path) -> None:
    import_survey(store, survey, wave="2025")
    frame = Codeframe("f", "Barriers", (Code("c1", "f", "Cost", 1),), questions=("barriers",))
    store.add_codeframe(frame, "ana")
    ana = store.coder("ana")
    first = store.answers("barriers")[0]
    store.set_codes(first.id, ana, ["c1"])
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(
        CSV.replace("far too high for our budget,More", "far too high,More"), encoding="utf-8"
    )
    _, result = import_survey(store, fixed, wave="2025")
    assert (result.answers_changed, result.answers_changed_coded) == (1, 1)
    assert store.answer(first.id).text == "Fees at independent schools are far too high"
    assert store.codes_of(first.id, ana.id) == ["c1"]


def test_every_action_is_logged_undone_and_redone_after_restart(
    store, survey: Path
) -> None:
    path = store.location
    store.close()
    with open_project(path) as s:
        import_survey(s, survey, wave="2025")
        s.add_codeframe(
            Codeframe(
                "f",
                "B",
                (Code("c1", "f", "Cost", 1), Code("c2", "f", "Needs", 2)),
                questions=("barriers",),
            ),
            "ana",
        )
        ana = s.coder("ana")
        answer_id = s.answers("barriers")[0].id
        s.set_codes(answer_id, ana, ["c1", "c2"])
        s.set_memo(answer_id, ana, "mentions both")
    with open_project(path) as s:
        ana = s.coder("ana")
        assert s.undo("ana").action == "coding.memo"
        assert s.status(answer_id, ana.id)["memo"] == ""
        assert s.undo("ana").action == "coding.set"
        assert s.codes_of(answer_id, ana.id) == []
    with open_project(path) as s:
        assert s.redo("ana").action == "coding.set"
        assert sorted(s.codes_of(answer_id, ana.id)) == ["c1", "c2"]
        kinds = [e.kind for e in s.events(limit=4)]
        assert kinds == ["redo", "undo", "undo", "do"]
        s.set_flag(answer_id, ana, True)  # a new action clears the redo stack
        assert s.can_redo("ana") is None


def test_undo_is_per_coder_and_refuses_to_clobber_later_work(store, survey: Path) -> None:
    import_survey(store, survey, wave="2025")
    store.add_codeframe(
        Codeframe("f", "B", (Code("c1", "f", "Cost", 1),), questions=("barriers",)), "ana"
    )
    ana, ben = store.coder("ana"), store.coder("ben")
    answer_id = store.answers("barriers")[0].id
    store.set_codes(answer_id, ana, ["c1"])
    store.set_codes(answer_id, ben, ["c1"])
    assert store.undo("ana") is not None  # undoes ana's coding, not ben's later one
    assert store.codes_of(answer_id, ben.id) == ["c1"]
    assert store.codes_of(answer_id, ana.id) == []
    store.set_memo(answer_id, ana, "x")
    store.set_memo(answer_id, ana, "y")
    # Rewrite the memo behind undo's back: undoing "y" must not silently overwrite it.
    with store.action("coding.memo", "ben", "ben edits ana's memo") as act:
        act.update("answer_status", {"answer_id": answer_id, "coder_id": ana.id}, {"memo": "z"})
    with pytest.raises(ProjectError, match="changed by a later action"):
        store.undo("ana")


def test_event_log_is_append_only(store, survey: Path) -> None:
    import_survey(store, survey, wave="2025")
    with pytest.raises(store.driver_errors, match="append-only"):
        store.conn.execute("UPDATE events SET summary = 'x'")
    with pytest.raises(store.driver_errors, match="append-only"):
        store.conn.execute("DELETE FROM events")


def test_codings_need_existing_answers_and_codes(store, survey: Path) -> None:
    import_survey(store, survey, wave="2025")
    ana = store.coder("ana")
    with pytest.raises(store.integrity_errors):
        store.set_codes(store.answers("barriers")[0].id, ana, ["no-such-code"])
    assert store.codings() == []  # the failed action left nothing behind
