"""The coding session lists the same answers for a text filter in the first seconds (from the
store, before the in-memory index is built) as afterwards (from the index), on both databases,
whatever the case of accented, German or Greek letters."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from coder.services.coding import CodingSession, text_index_at
from coder.services.importing import import_survey
from coder.services.project import open_project, open_workspace
from coder.store import create_project

Q = "comment"
TEXTS = ["L'ÉCOLE est fermée", "une école du village", "Ecole sans accent",
         "Die Straße ist gesperrt", "STRASSE gesperrt", "ΣΟΦΟΣ", "σοφος", "nothing here"]


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    source = tmp_path / "survey.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", Q])
        writer.writerows([f"r{i}", text] for i, text in enumerate(TEXTS))
    if request.param == "sqlite":
        where = str(tmp_path / "p.coder")
        store = create_project(where)
    else:
        from coder.store.postgres import PostgresStore

        where = str(request.getfixturevalue("pg_cluster").new_database())
        store = PostgresStore.create(where)
    with store:
        import_survey(store, source, wave="2025", coder="setup", open_columns=[Q])
    yield where


def test_a_text_filter_lists_the_same_answers_before_and_after_the_index(location: str
                                                                        ) -> None:
    with open_project(location) as project:
        text_of = {a.id: a.text for a in project.answers(Q)}
        session = CodingSession(open_workspace(project, "alice"), Q)
        assert session.text_index is None
        before = {p: session.filter_text(p) for p in ("ÉCOLE", "straße", "STRASSE", "σοφοσ")}
        session.text_index = text_index_at(location, Q)
        after = {p: session.filter_text(p) for p in before}
        project.end_sessions()
    assert before == after
    assert {text_of[a] for a in before["ÉCOLE"]} == {"L'ÉCOLE est fermée",
                                                     "une école du village"}
    assert {text_of[a] for a in before["straße"]} == {"Die Straße ist gesperrt",
                                                      "STRASSE gesperrt"}
    assert {text_of[a] for a in before["σοφοσ"]} == {"ΣΟΦΟΣ", "σοφος"}
