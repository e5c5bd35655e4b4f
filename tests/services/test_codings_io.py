"""Importing and exporting codings through the service, with generated codings (hypothesis),
on both backends."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from project_copies import FreshCopies

from coder.services.codings_io import export_codings, import_codings
from coder.store import open_project
from tests.cli.test_cli_codings import codings_of
from tests.store.test_store import snapshot_of

Q2 = "q2_barriers"
ANSWERED = ("R01", "R02", "R03", "R04", "R08", "R09", "R10", "R11", "R12")
CODES = (101, 102, 201, 202, 301)
# per (respondent, coder): not coded (None), or the codes applied (empty: no code applies)
plans = st.dictionaries(
    st.tuples(st.sampled_from(ANSWERED), st.sampled_from(("ann", "bob"))),
    st.frozensets(st.sampled_from(CODES), max_size=3), min_size=1)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.core.test_report_project import build_project

    folder = tmp_path_factory.mktemp("codings_io")
    return build_project(folder, coders=())


#: Examples per backend: each fills two projects, imports twice, exports and undoes; on
#: PostgreSQL that is some 200 round trips to the server (half a second an example), so fewer.
EXAMPLES = {"sqlite": 25, "postgresql": 10}


def test_generated_codings_import_export_and_undo_exactly(
        template: Path, tmp_path: Path, fresh_copies: FreshCopies) -> None:
    @settings(max_examples=EXAMPLES[fresh_copies.backend], deadline=None)
    @given(plan=plans)
    def round_trip(plan: dict[tuple[str, str], frozenset[int]]) -> None:
        file = tmp_path / "plan.csv"
        with file.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["respondent_id", "question", "code", "coder"])
            for (respondent, coder), codes in plan.items():
                writer.writerows([(respondent, Q2, c, coder) for c in sorted(codes)] or
                                 [(respondent, Q2, "", coder)])
        expected = {(r, Q2, coder, c) for (r, coder), codes in plan.items()
                    for c in (sorted(codes) or [None])}
        first = fresh_copies(template, slot=0)
        with open_project(first) as store:
            before = snapshot_of(store)
            done = import_codings(store, file, actor="lead")
        assert done.answers == len(plan)
        assert codings_of(first) == expected
        out = tmp_path / "out.csv"
        out.unlink(missing_ok=True)  # the export never writes over a file
        with open_project(first) as store:
            exported = export_codings(store, out)
        second = fresh_copies(template, slot=1)
        with open_project(second) as store:
            import_codings(store, exported.path, actor="lead")
        assert codings_of(second) == expected
        with open_project(first) as store:
            assert store.undo("lead") is not None
            after = snapshot_of(store)
        kept = ("events", "history_stack", "sessions", "coders")  # the log records the undo
        assert {k: v for k, v in after.items() if k not in kept} == {
            k: v for k, v in before.items() if k not in kept}

    round_trip()
