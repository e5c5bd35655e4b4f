"""CLI commands on a project's database as a whole: `coder db copy`."""

from __future__ import annotations

import time

import click


@click.group()
def db() -> None:
    """The project's database as a whole (copy a project between SQLite and PostgreSQL)."""


@db.command("copy")
@click.argument("source", metavar="SRC")
@click.argument("target", metavar="DST")
def db_copy(source: str, target: str) -> None:
    """Copy the whole project SRC to DST, a new file or an empty PostgreSQL database; either
    may be a file or postgresql://USER@HOST/DB (password from PGPASSWORD or ~/.pgpass).

    Everything is copied (answers, codeframes, codings, the event log and undo history, themes,
    the embeddings cache, QA, assignments, settings) and each table's rows are counted on both
    sides. DST is never written over: a copy into a project that holds anything is refused.

    \b
    coder db copy survey.coder postgresql://ann@db.example/survey
    coder db copy postgresql://ann@db.example/survey archive.coder
    """
    from coder.cli.main import progress
    from coder.services.db_copy import copy_project

    started = time.perf_counter()
    with progress("copying") as bar:
        report = copy_project(source, target, bar)
    seconds = time.perf_counter() - started
    width = max(len(t) for t, _a, _b in report.rows)
    for table, rows, copied in report.rows:
        click.echo(f"  {table:<{width}}  {rows:>9}  {'ok' if rows == copied else copied}")
    click.echo(f"copied {report.source} to {report.target}: {report.total} rows in"
               f" {len(report.rows)} tables, counts verified ({seconds:.1f} s)")


COMMANDS = [db]
