"""Import a survey export into a project: read, plan (core), write in one transaction (store)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from coder.core.normalise import DEFAULT_NON_SUBSTANTIVE, NonSubstantiveRules
from coder.core.progress import NO_PROGRESS, Progress
from coder.core.survey.files import read_survey
from coder.core.survey.importing import ImportPlan, plan_import
from coder.store.protocol import ProjectStore
from coder.store.survey import ImportResult

DEFAULT_WAVE = "1"


def non_substantive_rules(store: ProjectStore) -> NonSubstantiveRules:
    """The project's non-substantive list (setting "non_substantive"), or the default list."""
    return NonSubstantiveRules.from_phrases(
        store.setting("non_substantive", DEFAULT_NON_SUBSTANTIVE)
    )


def import_survey(
    store: ProjectStore,
    path: str | Path,
    *,
    wave: str | None = None,
    id_column: str | None = None,
    open_columns: Sequence[str] | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    coder: str | None = None,
    progress: Progress = NO_PROGRESS,
) -> tuple[ImportPlan, ImportResult]:
    """Import `path` into the project; raises InputError (nothing written) on bad input.

    `encoding` forces the text encoding of a CSV or .sav file (default: detected); the plan's
    notes say how the file was read and what was cleaned.
    """
    table = read_survey(path, sheet=sheet, encoding=encoding)
    plan = plan_import(
        table, id_column=id_column, open_columns=open_columns, rules=non_substantive_rules(store)
    )
    digest = table.sha256 or hashlib.sha256(Path(path).read_bytes()).hexdigest()
    if wave is None:
        waves = store.waves()
        wave = waves[-1].name if waves else DEFAULT_WAVE
    result = store.apply_import(plan, wave=wave, coder=coder, file_sha256=digest,
                                progress=progress)
    return plan, result
