"""Hundreds of malformed survey files through `coder import` into a project that already holds a
good import: each ends in exit 0, or exit 2 with a one-line message naming the file; never a
traceback, and a failed import leaves the project exactly as it was."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from malformed_files import KINDS, corpus, good_project, import_case, project_dump

CASES = 320
SEED = 20260509


@pytest.fixture(scope="module")
def base_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return good_project(tmp_path_factory.mktemp("base"), seed=1)


def test_malformed_files_end_in_a_clean_import_or_a_clear_error(
    tmp_path: Path, base_project: Path
) -> None:
    base_dump = project_dump(base_project)
    files = tmp_path / "files"
    files.mkdir()
    statuses: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    problems = []
    started = time.perf_counter()
    for case in corpus(files, CASES, SEED):
        outcome = import_case(case, base_project, tmp_path / "p.coder", base_dump)
        statuses[outcome.status] += 1
        kinds[case.kind.split(" (")[0]] += 1
        if outcome.status not in ("clean", "clear error") or outcome.changed:
            problems.append(f"{case.kind} {case.path.name}: {outcome.status}, {outcome.detail}")
    assert not problems, "\n".join(problems[:20])
    assert sum(statuses.values()) == CASES >= 300
    # The corpus really is mostly damage, with some clean files among it.
    assert statuses["clear error"] > CASES / 2 and statuses["clean"] > 10
    assert len({k for k in kinds}) >= len(KINDS)
    assert time.perf_counter() - started < 120
