"""Shortcut keys stay with their codes: adding codes, upgrading a project, retiring a code and
editing keys never move a key to another code without the user saying so."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from coder.core.codeframe.files import load_codeframe
from coder.core.codeframe.model import CodeframeError
from coder.core.codeframe.yaml_file import dump_codeframe_yaml, parse_codeframe_yaml
from coder.services import codeframes as frames
from coder.store import open_project
from coder.store.schema import migrations as _migrations
from coder.store.schema import split_sql as _split_sql
from coder.tui.app import build_app
from tests.tui.conftest import Q2_FRAME, code_id

Q2 = "q2_barriers"
SIZE = (120, 40)


def keys_of(project: Path) -> dict[str, int]:
    with open_project(project) as store:
        frame = store.codeframe_for(Q2)
        assert frame is not None
        return {c.shortcut: c.output_code for c in frame.codes if c.shortcut}


TODAYS_KEYS = {"1": 101, "2": 102, "3": 201, "4": 202, "5": 301, "6": 302, "7": 303, "8": 304,
               "9": 997, "0": 998, "A": 999}


@pytest.mark.asyncio
async def test_adding_a_code_leaves_key_3_on_the_code_it_was_on(demo_project: Path) -> None:
    assert keys_of(demo_project) == TODAYS_KEYS
    with open_project(demo_project) as store:
        added = frames.add_code(store, "Travel and transport costs", coder="setup",
                                frame=store.codeframe_for(Q2), parent="100", output_code=103)
    assert added.code.shortcut == "B"  # the first free key
    assert keys_of(demo_project) == {**TODAYS_KEYS, "B": 103}
    app = build_app(demo_project, "alice", question_id=Q2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "j", "B")
        await pilot.pause()
        first, second = app.screen.coding.answer_ids[:2]  # type: ignore[attr-defined]
    with open_project(demo_project) as store:
        alice = store.coder("alice", create=False)
        assert store.codes_of(first, alice.id) == [code_id(store, Q2, 201)]
        assert store.codes_of(second, alice.id) == [code_id(store, Q2, 103)]


def test_a_retired_code_keeps_its_key_until_freed_and_keys_can_be_edited(
        demo_project: Path) -> None:
    with open_project(demo_project) as store:
        frames.retire_code(store, 202, coder="setup", frame=store.codeframe_for(Q2))
        new = frames.add_code(store, "Transport", coder="setup", frame=store.codeframe_for(Q2),
                              parent="200")
        assert new.code.shortcut == "B"  # 4 stays reserved for the retired 202
        restored = frames.restore_code(store, 202, coder="setup", frame=store.codeframe_for(Q2))
        assert restored.code.shortcut == "4"
        frames.retire_code(store, 202, coder="setup", frame=store.codeframe_for(Q2))
        freed = frames.free_keys(store, coder="setup", frame=store.codeframe_for(Q2))
        assert freed.summary == "Free key 4 of retired codes"
        later = frames.add_code(store, "Later", coder="setup", frame=store.codeframe_for(Q2))
        assert later.code.shortcut == "4"
        moved = frames.edit_code(store, 101, coder="setup", frame=store.codeframe_for(Q2),
                                 shortcut="z")
        assert moved.code.shortcut == "Z"
        assert moved.summary == 'Edit 101 "High school fees" (key 1 -> Z)'
        with pytest.raises(CodeframeError, match="key 3 is also the key of code"):
            frames.edit_code(store, 101, coder="setup", frame=store.codeframe_for(Q2),
                             shortcut="3")
        frames.undo(store, "setup")  # the key edit is undone like any other
        frame = store.codeframe_for(Q2)
        assert frame is not None and frame.by_output_code(101).shortcut == "1"  # type: ignore[union-attr]


def test_keys_go_out_and_come_back_with_the_yaml_file(tmp_path: Path) -> None:
    frame = load_codeframe(Q2_FRAME)
    schools = frame.by_output_code(201)
    assert schools is not None
    text = dump_codeframe_yaml(frame.replacing([replace(schools, shortcut="7")]))
    assert "key: '7'" in text
    back = parse_codeframe_yaml(text, source="q2.yaml")
    assert back.by_output_code(201).shortcut == "7"  # type: ignore[union-attr]
    with pytest.raises(CodeframeError, match='field "key".*"%" is not a key'):
        parse_codeframe_yaml(text.replace("key: '7'", "key: '%'"), source="q2.yaml")


def test_an_upgraded_project_keeps_the_keys_its_coders_know(tmp_path: Path) -> None:
    """Before keys were stored they followed the codeframe's order; upgrading stores that."""
    migrations = _migrations()
    before = next(i for i, (_, name, _) in enumerate(migrations) if "code_keys" in name)
    path = tmp_path / "old.coder"
    conn = sqlite3.connect(path)
    for number, _, sql in migrations[:before]:
        for statement in _split_sql(sql):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    frame = load_codeframe(Q2_FRAME)
    conn.execute("INSERT INTO codeframes (id, name) VALUES (?, ?)", (frame.id, frame.name))
    for code in reversed(frame.codes):  # stored out of order: the tree order decides
        conn.execute("INSERT INTO codes (id, codeframe_id, parent_id, label, output_code,"
                     " codable, position, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (code.id, frame.id, code.parent_id, code.label, code.output_code,
                      int(code.codable), code.position, code.status))
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.commit()
    conn.close()
    with open_project(path) as store:
        upgraded = store.codeframe(frame.name)
        assert {c.shortcut: c.output_code for c in upgraded.codes if c.shortcut} == TODAYS_KEYS
