"""Reports and data exports of the same project are the same files on SQLite and PostgreSQL.

The two-wave project of tests/services/waves_fixture.py is built on each backend the way a team
builds it (import, code, a second coder, an adjudication, a starred quote, model suggestions);
then every report format and every export format, with the options that change what is read
(wave, breakdown, weight, layer, layout, attributes, quotes), is written from each and compared
file by file.
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path
from typing import Any

import pyreadstat
import pytest

from coder.core.embedding import DEFAULT_MODEL_ID, HashingEmbedder, cache_key
from coder.core.reporting.model import Report
from coder.core.types import CoderKind
from coder.services.exports import export_data, export_qdpx, export_quote_bank
from coder.services.importing import import_survey
from coder.services.reports import build_report, write_report
from coder.store import open_project
from coder.store.protocol import ProjectStore
from tests.services.waves_fixture import QUESTION, WAVE_2025, build_two_waves, write_wave

REPORTS: list[dict[str, Any]] = [
    {},
    {"by": "wave", "min_base": 1},
    {"wave": "2025", "by": "region", "weight": "wt", "min_base": 1},
    {"wave": "2026", "quotes_per_code": 0},
    {"layer": "coder:bob", "wave": "2025"},
    {"layer": "model:tagger", "wave": "all"},
    {"layer": "all", "include_ids": True, "suppress_below": 2},
]
EXPORTS: list[dict[str, Any]] = [
    {"fmt": "csv", "attributes": ["region", "wt"]},
    {"fmt": "xlsx", "wave": "2025"},
    {"fmt": "sav", "attributes": ["region", "wt"], "wave": "all"},
    {"fmt": "csv", "layout": "concatenated", "layer": "all", "include_ids": False},
]


def _team_work(store: ProjectStore, folder: Path) -> None:
    """What a team adds to the coded waves: bob double-codes 2025 (agreeing on W02 in another
    order, disagreeing on W03 and W05), lee adjudicates W03, alice stars W04 under Cost and
    recodes W10, a model suggests codes for 2026; then wave 2025 is imported again with W03's
    answer and W05's region changed (rows updated in place, as a team's corrected file does)."""
    external = {r.id: r.external_id for r in store.respondents()}
    answers = {(external[a.respondent_id], wave.name): a.id for wave in store.waves()
               for a in store.answers(QUESTION, wave_id=wave.id)}
    bob = store.coder("bob")
    for ext, codes in [("W01", ["c1"]), ("W02", ["c2", "c1"]), ("W03", ["c1"]), ("W04", ["c1"]),
                       ("W05", ["c1"]), ("W08", ["c1"]), ("W09", []), ("W10", ["c2"])]:
        store.set_codes(answers[(ext, "2025")], bob, codes)
    store.adjudicate(answers[("W03", "2025")], ["c2"], "lee")
    alice = store.coder("alice")
    store.star_quote("c1", answers[("W04", "2025")], alice)
    store.set_codes(answers[("W10", "2025")], alice, ["c2", "c1"])
    tagger = store.coder("tagger", kind=CoderKind.MODEL)
    for ext, codes in [("W01", ["c1"]), ("W02", ["c1", "c2"]), ("W03", ["c2"])]:
        store.set_codes(answers[(ext, "2026")], tagger, codes)
    rows = [list(row) for row in WAVE_2025]
    rows[2][3] = "no staff to support them, and no money either"
    rows[4][1] = "North"
    import_survey(store, write_wave(folder / "w2025_corrected.csv",
                                    [tuple(row) for row in rows]),  # type: ignore[misc]
                  wave="2025", id_column="resp_id", open_columns=[QUESTION], coder="test")


def _write_all(store: ProjectStore, folder: Path) -> tuple[list[Report], list[Path]]:
    """Every report (and its files) and export of the project `store`, written into `folder`.

    Every report is written as html; the first also as md (with its chart) and docx: the
    renderers are pure functions of the report, which is compared whole.
    """
    folder.mkdir()
    reports = [build_report(store, **options) for options in REPORTS]
    written: list[Path] = []
    for n, report in enumerate(reports):
        for fmt in ("html", "md", "docx") if n == 0 else ("html",):
            written += write_report(report, fmt, folder / f"report{n}.{fmt}")
    for n, options in enumerate(EXPORTS):
        fmt = options["fmt"]
        rest = {k: v for k, v in options.items() if k != "fmt"}
        written += export_data(store, fmt, folder / f"codes{n}.{fmt}", **rest).files
    written.append(export_quote_bank(store, folder / "quotes.csv", layer="all"))
    written.append(export_qdpx(store, folder / "project.qdpx", wave="all"))
    written.append(export_qdpx(store, folder / "coders.qdpx", wave="all", layer="all"))
    return reports, sorted(written)


def _zip_members(path: Path) -> dict[str, bytes]:
    """The members of a docx, xlsx or qdpx, less the package's creation time."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()
                if name != "docProps/core.xml"}


def _same_file(sqlite_file: Path, postgres_file: Path, names: tuple[str, str]) -> None:
    suffix = sqlite_file.suffix
    if suffix == ".sav":  # the file header holds the time it was written
        left, left_meta = pyreadstat.read_sav(str(sqlite_file))
        right, right_meta = pyreadstat.read_sav(str(postgres_file))
        assert left.equals(right), sqlite_file.name
        for field in ("column_names", "column_names_to_labels", "variable_value_labels",
                      "readstat_variable_types", "variable_measure", "missing_ranges"):
            assert getattr(left_meta, field) == getattr(right_meta, field), field
    elif suffix in (".docx", ".xlsx", ".qdpx"):
        left_members = _zip_members(sqlite_file)
        right_members = _zip_members(postgres_file)
        assert sorted(left_members) == sorted(right_members), sqlite_file.name
        for name, content in left_members.items():
            # The REFI-QDA file names the project: the file's name, or the database's.
            other = right_members[name].replace(names[1].encode(), names[0].encode())
            assert content == other, f"{sqlite_file.name}: {name}"
    else:
        assert sqlite_file.read_bytes() == postgres_file.read_bytes(), sqlite_file.name


def test_reports_and_exports_are_the_same_files_on_both_backends(
        tmp_path: Path, pg_cluster: Any) -> None:
    sqlite_project = build_two_waves(tmp_path, str(tmp_path / "waves.coder"))
    postgres_project = build_two_waves(tmp_path, pg_cluster.new_database())
    with open_project(sqlite_project) as sqlite, open_project(postgres_project) as postgres:
        for store in (sqlite, postgres):
            _team_work(store, tmp_path)
        names = ("waves", postgres.path.stem)
        sqlite_reports, from_sqlite = _write_all(sqlite, tmp_path / "sqlite")
        postgres_reports, from_postgres = _write_all(postgres, tmp_path / "postgresql")
    for options, left, right in zip(REPORTS, sqlite_reports, postgres_reports, strict=True):
        assert left == right, options
    assert [p.relative_to(tmp_path / "sqlite") for p in from_sqlite] == \
        [p.relative_to(tmp_path / "postgresql") for p in from_postgres]
    assert {p.suffix for p in from_sqlite} == {".html", ".md", ".png", ".docx", ".csv", ".xlsx",
                                               ".sav", ".qdpx"}
    for left_file, right_file in zip(from_sqlite, from_postgres, strict=True):
        _same_file(left_file, right_file, names)


def test_quotes_from_cached_embeddings_are_the_same_on_both_backends(
        tmp_path: Path, pg_cluster: Any, caplog: pytest.LogCaptureFixture) -> None:
    """With every answer's embedding cached (as theme runs leave them), the quotes are chosen
    from the stored vectors, read back from each database."""
    locations = [build_two_waves(tmp_path, str(tmp_path / "waves.coder")),
                 build_two_waves(tmp_path, pg_cluster.new_database())]
    reports = []
    for location in locations:
        with open_project(location) as store:
            _team_work(store, tmp_path)
            texts = {cache_key(a.text): a.text for a in store.answers(QUESTION)}
            vectors = HashingEmbedder().embed(list(texts.values()))
            store.put_many(DEFAULT_MODEL_ID, dict(zip(texts, vectors, strict=True)))
            caplog.clear()
            with caplog.at_level(logging.INFO, logger="coder.services.reports"):
                reports.append([build_report(store, **options) for options in REPORTS
                                if options.get("quotes_per_code", 3)])
            used = [r.getMessage() for r in caplog.records if "quotes for" in r.getMessage()]
            assert used and all("cached" in message for message in used), used
    assert reports[0] == reports[1]
    assert any(theme.quotes for report in reports[0] for theme in report.sections[0].themes)
