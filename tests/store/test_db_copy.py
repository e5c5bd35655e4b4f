"""`coder db copy`: a whole project from SQLite to PostgreSQL and back, row for row, counts
verified; never into a project that holds anything."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from postgres_server import PostgresCluster

from coder.cli import cli
from coder.core.codeframe.files import load_codeframe
from coder.core.embedding import HashingEmbedder
from coder.core.errors import ProjectError
from coder.services.allocation import assign_share
from coder.services.codeframes import merge_codes
from coder.services.coding import apply_codes
from coder.services.db_copy import copy_project
from coder.services.importing import import_survey
from coder.services.themes import run_themes
from coder.store import create_project, open_project
from coder.store.copy import row_counts, table_shapes
from coder.store.event_log import decode_changes

REPO = Path(__file__).resolve().parents[2]
DEMO_CSV = REPO / "data" / "demo_survey.csv"
Q2 = "q2_barriers"


@pytest.fixture(scope="module")
def rich_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with rows in every table: survey, codeframe, codings by three coders, memos,
    flags, a starred quote, a merge, themes and their embeddings, a QA sample, an adjudication,
    an assignment, settings, a large (compressed) event and undo history."""
    path = tmp_path_factory.mktemp("copy") / "rich.coder"
    with create_project(path) as store:
        import_survey(store, DEMO_CSV, wave="2025", coder="setup")
        store.add_codeframe(load_codeframe(REPO / "codeframes" / "q2_barriers.yaml"), "setup",
                            questions=[Q2])
        frame = store.codeframe_for(Q2)
        assert frame is not None
        codes = [c.id for c in frame.codes if c.codable and c.status == "active"]
        answers = store.answer_ids(Q2)
        coders = {name: store.coder(name) for name in ("alice", "bob", "carol")}
        for name, coder in coders.items():
            for i, answer_id in enumerate(answers[:60]):
                apply_codes(store, answer_id, coder, [codes[(i + len(name)) % len(codes)]])
        store.set_memo(answers[0], coders["alice"], "unclear: ask the team")
        store.set_flag(answers[1], coders["bob"], True)
        store.star_quote(codes[0], answers[0], coders["alice"])
        merge_codes(store, [codes[-1]], codes[-2], coder="alice")
        store.set_setting("big", ["x" * 40] * 500, "alice")  # compressed in SQLite
        run_themes(store, Q2, coder="alice", embedder=HashingEmbedder())
        store.create_qa_sample(Q2, 0.2, ["alice", "bob"], seed=1)
        store.adjudicate(answers[2], [codes[0]], "carol")
        assign_share(store, Q2, "dave", 0.25, actor="setup")
        store.undo("alice")  # a redo entry too
        store.set_setting("report.title", "Barriers", "bob")
    empty = [t for t, n in _counts(path).items() if n == 0]
    assert empty == [], f"the rich project leaves tables empty: {empty}"
    return path


def _counts(location: str | Path) -> dict[str, int]:
    with open_project(location) as store:
        return row_counts(store)


def _sqlite_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {t.name: conn.execute(
            f"SELECT {', '.join(t.columns)} FROM {t.name} ORDER BY {', '.join(t.key)}").fetchall()
            for t in table_shapes()}
    finally:
        conn.close()


def _postgres_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(url) as conn:
        return {t.name: conn.execute(
            f"SELECT {', '.join(t.columns)} FROM {t.name} ORDER BY {', '.join(t.key)}").fetchall()
            for t in table_shapes()}


def _comparable(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Events' changes decoded (SQLite compresses large ones, PostgreSQL keeps text)."""
    out = dict(rows)
    at = [t for t in table_shapes() if t.name == "events"][0].columns.index("changes")
    out["events"] = [(*r[:at], decode_changes(r[at]), *r[at + 1:]) for r in rows["events"]]
    return out


def test_round_trip_sqlite_postgres_sqlite_is_identical(
        rich_project: Path, pg_cluster: PostgresCluster, tmp_path: Path) -> None:
    url = pg_cluster.new_database()
    to_server = copy_project(rich_project, url)
    assert to_server.verified and to_server.total == sum(_counts(rich_project).values())
    assert {t for t, _a, _b in to_server.rows} == {t.name for t in table_shapes()}
    original = _sqlite_rows(rich_project)
    assert _comparable(_postgres_rows(url)) == _comparable(original)

    back = tmp_path / "back.coder"
    assert copy_project(url, back).verified
    assert _sqlite_rows(back) == original  # byte for byte, compressed events included
    at = [t for t in table_shapes() if t.name == "events"][0].columns.index("changes")
    assert any(isinstance(row[at], bytes) for row in original["events"])


def test_a_copy_works_on_as_the_original(rich_project: Path, pg_cluster: PostgresCluster,
                                         tmp_path: Path) -> None:
    url = pg_cluster.new_database()
    copy_project(rich_project, url)
    local = tmp_path / "local.coder"
    copy_project(url, local)
    for location in (url, local):
        with open_project(location) as store:
            redone = store.redo("alice")  # alice's undo history came along
            assert redone is not None and store.setting("big") is not None
            erin = store.coder("erin")  # new rows get new keys above the copied ones
            apply_codes(store, store.answer_ids(Q2)[70], erin,
                        [store.codeframe_for(Q2).codes[1].id])  # type: ignore[union-attr]
            assert erin.id == max(c.id for c in store.coders())
            assert store.events()[0].action == "coding.set"


def test_a_copy_to_postgresql_leaves_the_planner_knowing_its_rows(
        rich_project: Path, pg_cluster: PostgresCluster) -> None:
    """Statistics taken after the copy: the first report's plans count on the rows there are,
    not a guess for a table never analysed (which sorted a million codings on disk)."""
    url = pg_cluster.new_database()
    copy_project(rich_project, url)
    counts = _counts(url)
    with psycopg.connect(url) as conn:
        for table in ("answers", "answer_status", "codings", "events"):
            plan = conn.execute(f"EXPLAIN (FORMAT JSON) SELECT * FROM {table}").fetchone()[0]
            assert plan[0]["Plan"]["Plan Rows"] == counts[table] > 100, table


def test_raw_texts_with_nul_characters_copy_to_the_server(
        pg_cluster: PostgresCluster, tmp_path: Path) -> None:
    """A SQLite project may hold an answer's raw text with a NUL in it (imported before NULs were
    dropped from raw texts); PostgreSQL cannot store one: the copy drops it, nothing else."""
    project = tmp_path / "old.coder"
    with create_project(project) as store:
        import_survey(store, DEMO_CSV, wave="2025", coder="setup")
        answer = store.answers(Q2)[0]
    with sqlite3.connect(project) as conn:
        conn.execute("UPDATE answers SET raw_text = ? WHERE id = ?",
                     (answer.raw_text[:5] + "\x00" + answer.raw_text[5:], answer.id))
    conn.close()
    url = pg_cluster.new_database()
    assert copy_project(project, url).verified
    with open_project(project) as store:
        before = store.answers(Q2)
    with open_project(url) as store:
        assert store.answer(answer.id).raw_text == answer.raw_text
        assert [a for a in store.answers(Q2) if a.id != answer.id] == \
            [a for a in before if a.id != answer.id]


def test_the_target_is_never_written_over(rich_project: Path, pg_cluster: PostgresCluster,
                                          tmp_path: Path) -> None:
    url = pg_cluster.new_database()
    copy_project(rich_project, url)
    before = _counts(url)
    with pytest.raises(ProjectError, match="never writes over"):
        copy_project(rich_project, url)
    assert _counts(url) == before
    taken = tmp_path / "taken.coder"
    copy_project(url, taken)
    with pytest.raises(ProjectError, match="never writes over"):
        copy_project(url, taken)
    other = pg_cluster.new_database()  # another program's database
    with psycopg.connect(other, autocommit=True) as conn:
        conn.execute("CREATE TABLE payroll (id integer)")
    with pytest.raises(ProjectError, match="not a coder project"):
        copy_project(rich_project, other)
    with pytest.raises(ProjectError, match="onto itself"):
        copy_project(rich_project, rich_project)
    empty = pg_cluster.new_database()  # an empty project, as `coder init URL` makes it
    create_project(empty).close()
    assert copy_project(rich_project, empty).verified


def test_cli_copies_and_says_the_counts_were_verified(
        rich_project: Path, pg_cluster: PostgresCluster, tmp_path: Path) -> None:
    url = pg_cluster.new_database()
    result = CliRunner().invoke(cli, ["db", "copy", str(rich_project), url])
    assert result.exit_code == 0, result.output
    codings = _counts(rich_project)["codings"]
    assert "  codings " in result.output and f"{codings}  ok" in result.output
    assert "counts verified" in result.output and f"to {url}:" in result.output
    result = CliRunner().invoke(cli, ["db", "copy", str(rich_project), url])
    assert result.exit_code == 3 and "never writes over" in result.output
    result = CliRunner().invoke(cli, ["db", "copy", str(tmp_path / "missing.coder"),
                                      str(tmp_path / "new.coder")])
    assert result.exit_code == 3 and not (tmp_path / "new.coder").exists()
