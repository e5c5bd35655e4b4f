"""Each answer's embedding cache key is stored with its text, kept right when the text changes,
filled in for projects made before it was stored, and used by reports to find cached vectors."""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from coder.core.codeframe.model import Code, Codeframe
from coder.core.embedding import DEFAULT_MODEL_ID, HashingEmbedder, cache_key
from coder.services.importing import import_survey
from coder.services.reports import report_quotes
from coder.store.protocol import ProjectStore
from coder.store.schema import after_migration, migrations

TEXTS = ["Fees are too high for  families", "The panel refused the placement again",
         "Transport costs rose sharply this year", "Staff capacity is the main barrier",
         "Caf\u00e9 staff said the distance was too far", "Funding arrives too late to plan"]
FRAME = Codeframe("f", "Barriers", (Code(id="c1", codeframe_id="f", label="Cost", output_code=1),
                                    Code(id="c2", codeframe_id="f", label="Other",
                                         output_code=2)))


def write_wave(path: Path, texts: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["resp_id", "q1"])
        out.writerows([f"R{i:03d}", text] for i, text in enumerate(texts))
    return path


def stored_keys(store: object) -> dict[str, str | None]:
    conn = store.conn  # type: ignore[attr-defined]
    return {text: key for text, key in conn.execute("SELECT text, embedding_key FROM answers")}


def make(new_store: Callable[[], ProjectStore], tmp_path: Path) -> ProjectStore:
    """The six answers imported, coded by ann, in a new project on the test's backend."""
    store = new_store()
    import_survey(store, write_wave(tmp_path / "w.csv", TEXTS), wave="2025",
                  id_column="resp_id", open_columns=["q1"], coder="lead")
    store.add_codeframe(FRAME, "lead", questions=["q1"])
    ann = store.coder("ann")
    store.replace_codings([(a.id, ann.id, ["c1"]) for a in store.answers("q1")], "ann",
                          "code all")
    return store


def cache_every_answer(store: object) -> None:
    texts = {cache_key(a.text): a.text for a in store.answers("q1")}  # type: ignore[attr-defined]
    vectors = HashingEmbedder().embed(list(texts.values()))
    store.put_many(DEFAULT_MODEL_ID, dict(zip(texts, vectors, strict=True)))  # type: ignore[attr-defined]


def test_an_import_stores_each_answers_key_and_a_changed_text_gets_its_new_key(
        new_store: Callable[[], ProjectStore], tmp_path: Path) -> None:
    store = make(new_store, tmp_path)
    assert stored_keys(store) == {a.text: cache_key(a.text) for a in store.answers("q1")}
    changed = [*TEXTS[:-1], "Funding now arrives on time but is too small"]
    _, result = import_survey(store, write_wave(tmp_path / "w2.csv", changed),
                              wave="2025", id_column="resp_id", open_columns=["q1"],
                              coder="lead")
    assert result.answers_changed == 1
    keys = stored_keys(store)
    assert keys == {a.text: cache_key(a.text) for a in store.answers("q1")}
    assert keys["Funding now arrives on time but is too small"] == cache_key(
        "Funding now arrives on time but is too small")
    assert cache_key(TEXTS[-1]) not in keys.values()


def test_a_report_does_not_use_the_old_texts_embedding_after_a_change(
        new_store: Callable[[], ProjectStore], tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    store = make(new_store, tmp_path)
    cache_every_answer(store)
    with caplog.at_level(logging.INFO, logger="coder.services.reports"):
        report_quotes(store, "q1")
    assert "cached" in caplog.text and "TF-IDF" not in caplog.text
    caplog.clear()
    import_survey(store, write_wave(tmp_path / "w2.csv", [*TEXTS[:-1], "A new answer"]),
                  wave="2025", id_column="resp_id", open_columns=["q1"], coder="lead")
    with caplog.at_level(logging.INFO, logger="coder.services.reports"):
        report_quotes(store, "q1")
    assert "TF-IDF" in caplog.text  # the new text has no cached embedding yet


def test_projects_made_before_keys_were_stored_get_them_on_upgrade_or_when_read(
        new_store: Callable[[], ProjectStore], tmp_path: Path) -> None:
    store = make(new_store, tmp_path)
    cache_every_answer(store)
    expected = report_quotes(store, "q1")
    store.conn.execute("UPDATE answers SET embedding_key = NULL")
    assert set(stored_keys(store).values()) == {None}
    # A report computes keys it does not find, and picks the same quotes.
    assert report_quotes(store, "q1") == expected
    name = next(n for _, n, _ in migrations() if n.endswith("_answer_embedding_keys.sql"))
    store.conn.execute("BEGIN")
    after_migration(name, store.conn)
    store.conn.execute("COMMIT")
    assert stored_keys(store) == {a.text: cache_key(a.text) for a in store.answers("q1")}
    assert report_quotes(store, "q1") == expected


@pytest.mark.parametrize("probe", [2, 2000], ids=["missing after the first few",
                                                  "missing among the first few"])
def test_one_missing_vector_anywhere_means_tfidf_quotes(
        new_store: Callable[[], ProjectStore], tmp_path: Path,
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, probe: int) -> None:
    """The vectors are looked up a few first (in key order), then all: an answer without one,
    early or late in that order, leaves every quote to TF-IDF, as with no vectors at all."""
    import coder.services.report_vectors as report_vectors

    monkeypatch.setattr(report_vectors, "_EMBEDDING_PROBE", probe)
    store = make(new_store, tmp_path)
    tfidf = report_quotes(store, "q1")
    cache_every_answer(store)
    cached = report_quotes(store, "q1")
    last = max(cache_key(t) for t in TEXTS)
    store.conn.execute("DELETE FROM embeddings WHERE text_key = ?", (last,))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="coder.services.reports"):
        assert report_quotes(store, "q1") == tfidf
    assert "TF-IDF" in caplog.text and "cached sentence" not in caplog.text
    assert cached != tfidf  # the vectors do change the choice here: the test can tell
