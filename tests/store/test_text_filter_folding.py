"""The store's text filter (what the coding app lists before its in-memory index is built)
folds case as the index does, with Unicode case folding, on both databases: "ÉCOLE" finds
"école", "STRASSE" finds "Straße", "ΣΟΦΟΣ" finds "σοφός"'s final sigma."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from coder.core.coding.filters import AnswerFilter
from coder.core.coding.text_search import TextIndex
from coder.services.importing import import_survey
from coder.store.protocol import ProjectStore

Q = "comment"
TEXTS = ["L'ÉCOLE est fermée", "une école du village", "Ecole sans accent",
         "Die Straße ist gesperrt", "STRASSE gesperrt", "strasse", "ΣΟΦΟΣ", "σοφος",
         "ﬁne weather", "FINE weather", "İstanbul trip", "nothing here"]
PHRASES = ["ÉCOLE", "école", "Ecole", "STRASSE", "straße", "STRAẞE", "σοφοσ", "ΣΟΦΟΣ",
           "fine", "ﬁ", "İstanbul", "istanbul", "i̇", "ß", "Mİ"]


@pytest.fixture
def store(new_store: Callable[[], ProjectStore], tmp_path: Path) -> ProjectStore:
    source = tmp_path / "survey.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", Q])
        writer.writerows([f"r{i}", text] for i, text in enumerate(TEXTS))
    project = new_store()
    import_survey(project, source, wave="2025", coder="setup", open_columns=[Q])
    return project


def test_the_stores_text_filter_matches_the_in_memory_index(store: ProjectStore) -> None:
    text_of = {a.id: a.text for a in store.answers(Q)}
    assert sorted(text_of.values()) == sorted(TEXTS)
    index = TextIndex(store.answer_texts(Q))
    everything = store.answer_ids(Q)
    for phrase in PHRASES:
        found = store.answer_ids(Q, None, AnswerFilter(text=phrase))
        assert found == index.matching(phrase, everything), phrase

    def texts(phrase: str) -> set[str]:
        return {text_of[a] for a in store.answer_ids(Q, None, AnswerFilter(text=phrase))}

    assert texts("ÉCOLE") == {"L'ÉCOLE est fermée", "une école du village"}
    assert texts("STRASSE") == {"Die Straße ist gesperrt", "STRASSE gesperrt", "strasse"}
    assert texts("ΣΟΦΟΣ") == {"ΣΟΦΟΣ", "σοφος"}
    assert texts("fine") == {"ﬁne weather", "FINE weather"}
