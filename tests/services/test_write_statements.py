"""A coding action is short under the project's write lock: few statements (each a round trip to
a PostgreSQL server, while every other coder waits), one read before it, and undo still exact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from coder.services.coding import apply_codes, remove_codes, toggle_code
from coder.services.project import Project
from tests.services.conftest import Q2, code_of

#: Statements a coding action may make while it holds the write lock (BEGIN and the lock,
#: read the codes, write the coding and the answer's status, the event, the undo stack, COMMIT
#: with the NOTIFY); SQLite also resets its busy timeout once the lock is taken.
UNDER_LOCK = {"postgresql": 9, "sqlite": 10}
#: Statements before the lock (naming the codes for the history; SQLite sets how long BEGIN
#: waits).
BEFORE_LOCK = {"postgresql": 1, "sqlite": 2}


def _statements(project: Project, act: Callable[[], Any]) -> tuple[int, int]:
    """(before the lock, under it) for one action."""
    seen: list[str] = []
    execute = project.conn.execute

    def counting(sql: str, parameters: Any = (), /) -> Any:
        seen.append(sql)
        return execute(sql, parameters)

    project.conn.execute = counting  # type: ignore[method-assign]
    try:
        act()
    finally:
        del project.conn.execute
    begins = [i for i, sql in enumerate(seen) if sql.lstrip().upper().startswith("BEGIN")]
    assert len(begins) == 1, seen  # one transaction
    return begins[0], len(seen) - begins[0]


def test_a_coding_action_makes_few_statements_under_the_lock(project: Project) -> None:
    alice = project.coder("alice")
    fees, distance = code_of(project, 101), code_of(project, 102)
    first, second = project.answer_ids(Q2)[:2]
    apply_codes(project, first, alice, [fees])  # the session starts: once per window
    actions = {
        "first code on an answer": lambda: apply_codes(project, second, alice, [fees]),
        "a second code": lambda: apply_codes(project, second, alice, [distance]),
        "a code taken off": lambda: remove_codes(project, second, alice, [fees]),
        "a key toggling a code": lambda: toggle_code(project, second, alice, fees,
                                                     code_name="101 Fees"),
    }
    for name, act in actions.items():
        before, under = _statements(project, act)
        assert under <= UNDER_LOCK[project.dialect.name], f"{name}: {under} under the lock"
        assert before <= BEFORE_LOCK[project.dialect.name], f"{name}: {before} before the lock"
    assert sorted(project.codes_of(second, alice.id)) == sorted([fees, distance])
    for _ in actions:  # each action undoes exactly, newest first
        assert project.undo("alice") is not None
    assert project.codes_of(second, alice.id) == []
    assert project.status(second, alice.id)["coded_at"] is None
    assert project.redo("alice") is not None
    assert project.codes_of(second, alice.id) == [fees]
    apply_codes(project, second, alice, [distance])  # a new action: nothing left to redo
    assert project.can_redo("alice") is None
