"""Stand-alone file mode and the text-level runner: CSV contract, blanks, cache reuse."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from coder.core.embedding import HashingEmbedder, InMemoryEmbeddingCache
from coder.core.errors import InputError
from coder.core.themes.run import discover_themes, discover_themes_in_file


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_file_of_five_rows_gives_one_assignment_per_row_in_order(tmp_path: Path) -> None:
    answers = [
        "Fees are too expensive",
        "",
        "The cost is too high for our budget",
        "Selection criteria exclude children",
        "  ",
    ]
    src = write_csv(
        tmp_path / "in.csv", [{"id": str(100 + i), "TEXT": a} for i, a in enumerate(answers)]
    )
    out, themes_out = tmp_path / "assign.csv", tmp_path / "themes.csv"
    run = discover_themes_in_file(
        src, "TEXT", output=out, themes_output=themes_out, embedder=HashingEmbedder()
    )
    rows = read_csv(out)
    assert list(rows[0]) == ["row", "theme_id", "theme_label"]
    assert [r["row"] for r in rows] == ["0", "1", "2", "3", "4"]
    assert rows[1]["theme_id"] == "-1" and rows[4]["theme_id"] == "-1"
    assert run.n_non_substantive == 2 and run.n_substantive == 3
    ids = {int(t.id): t.label for t in run.themes}
    for r in rows:
        tid = int(r["theme_id"])
        assert tid == -1 or r["theme_label"] == ids[tid]
    themes = read_csv(themes_out)
    assert list(themes[0]) == [
        "theme_id",
        "label",
        "description",
        "keywords",
        "size",
        "share",
        "quote_1",
        "quote_2",
        "quote_3",
        "quote_4",
        "quote_5",
    ]
    assert sum(int(t["size"]) for t in themes) + run.n_other == 3
    for t in themes:
        members = {answers[int(r["row"])].strip() for r in rows if r["theme_id"] == t["theme_id"]}
        quotes = [t[f"quote_{i}"] for i in range(1, 6) if t[f"quote_{i}"]]
        assert quotes and set(quotes) <= members


def test_missing_column_error_names_file_and_column(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "survey.csv", [{"answer": "x"}])
    with pytest.raises(InputError) as err:
        discover_themes_in_file(src, "TEXT", output=tmp_path / "a.csv", embedder=HashingEmbedder())
    assert "survey.csv" in str(err.value) and '"TEXT"' in str(err.value)
    assert '"answer"' in str(err.value)
    with pytest.raises(InputError, match="not found"):
        discover_themes_in_file(
            tmp_path / "nope.csv", "TEXT", output=tmp_path / "a.csv", embedder=HashingEmbedder()
        )


def test_all_blank_answers_give_no_themes(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "blank.csv", [{"TEXT": t} for t in ["", " ", "-", "..."]])
    run = discover_themes_in_file(
        src,
        "TEXT",
        output=tmp_path / "a.csv",
        themes_output=tmp_path / "t.csv",
        embedder=HashingEmbedder(),
    )
    assert run.themes == [] and run.n_non_substantive == 4
    assert [r["theme_id"] for r in read_csv(tmp_path / "a.csv")] == ["-1"] * 4
    assert read_csv(tmp_path / "t.csv") == []


def test_second_run_hits_the_cache_and_flagged_answers_are_left_out() -> None:
    texts = [
        "More staff on wards",
        "more staff needed",
        "Parking is awful",
        "Nothing",
        "Parking costs too much",
        "Need more nurses and staff",
    ] * 3
    flagged = [t == "Nothing" for t in texts]
    emb, cache = HashingEmbedder(), InMemoryEmbeddingCache()
    first = discover_themes(texts, embedder=emb, cache=cache, non_substantive=flagged)
    embedded = emb.texts_embedded
    assert embedded >= 5  # the distinct substantive answers, then the label phrases
    second = discover_themes(texts, embedder=emb, cache=cache, non_substantive=flagged)
    assert emb.texts_embedded == embedded
    np.testing.assert_array_equal(first.labels, second.labels)
    assert first.n_non_substantive == 3 and first.n_substantive == 15
    assert np.all(first.labels[np.array(flagged)] == -1)
    assert sum(t.size for t in first.themes) + first.n_other == 15
