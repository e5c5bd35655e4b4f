"""Copying a whole project to another database: a SQLite file to a PostgreSQL server (a team
moving to a server) or back (an archive, or work offline). Must not depend on click or textual.
"""

from __future__ import annotations

from pathlib import Path

from coder.core.errors import ProjectError
from coder.core.progress import Progress
from coder.store import open_project, safe_location
from coder.store.copy import CopyReport, copy_rows, open_target

__all__ = ["CopyReport", "copy_project"]


def copy_project(source: str | Path, target: str | Path,
                 progress: Progress | None = None) -> CopyReport:
    """Copy every table of the project at `source` (answers, codeframes, codings, the event log
    and undo history, themes, the embeddings cache, QA, assignments, settings) to `target`, a
    new file or an empty PostgreSQL database, then count each table on both sides.

    The source is read from one snapshot, so coders may keep working in it; the target is
    written in one transaction (all or nothing). Either may be a path or a URL.

    Raises:
        ProjectError: The source cannot be opened, the target holds anything, or the copy
            failed (the target then holds nothing).
        Cancelled: If `progress` is cancelled; nothing was copied.
    """
    if str(source) == str(target):
        raise ProjectError(f"{safe_location(source)}: a project cannot be copied onto itself")
    with open_project(source) as src, open_target(target) as dst:
        dst.busy_wait = src.busy_wait
        report = copy_rows(src, dst, progress or Progress())
    if not report.verified:  # pragma: no cover - one transaction: all rows or none
        wrong = [f"{t} ({a} -> {b})" for t, a, b in report.rows if a != b]
        raise ProjectError(f"{safe_location(target)}: the copy's counts differ: {wrong}")
    return report
