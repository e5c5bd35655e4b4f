"""The `coder` command group, shared options, error handling and exit codes.

Exit codes: 0 success; 1 an error the user can act on; 2 bad input file or bad usage (the message
names file, row and column); 3 project problem (missing, newer schema, action refused);
130 cancelled (Ctrl+C). Heavy libraries are imported inside commands so `coder --help` is fast.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from coder import __version__
from coder.core.errors import CoderError
from coder.core.printable import for_terminal

if TYPE_CHECKING:
    from coder.store import SQLiteStore

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES = """\b
Exit codes:
  0    success
  1    an error you can act on (message says what)
  2    bad input file or usage (message names file, row, column)
  3    project problem (missing, made by a newer version, action refused)
  130  cancelled
"""


def project_option(func: F) -> F:
    return click.option(
        "--project",
        "-p",
        "project",
        required=True,
        metavar="PROJECT",
        type=click.Path(dir_okay=False),
        help="The project file (created by `coder init`).",
    )(func)


def coder_option(func: F) -> F:
    return click.option(
        "--coder",
        "coder_name",
        envvar="CODER_NAME",
        default=None,
        help="Who is acting (recorded in the log); default $CODER_NAME or $USER.",
    )(func)


def resolve_coder(name: str | None) -> str:
    import getpass

    return (name or getpass.getuser() or "coder").strip()


@contextmanager
def opened(project: str) -> Iterator[SQLiteStore]:
    """The project, open for one command and closed after it.

    Every command, reading or writing, opens projects this way: a project from an older version
    of coder is upgraded on open (a copy is kept beside it), and this says so on stderr.
    """
    from coder.store import open_project

    store = open_project(project)
    try:
        if store.upgrade is not None:
            click.echo(f"note: {store.upgrade}", err=True)
        yield store
    finally:
        store.close()


@contextmanager
def progress(description: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr (hidden when not a terminal) as an on_progress callback."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
        console=_stderr_console(),
        disable=not sys.stderr.isatty(),
    )
    task = bar.add_task(description, total=None)
    with bar:
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


class CoderGroup(click.Group):
    """Turns CoderError into a one-line message and its exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CoderError as exc:
            click.echo(f"error: {for_terminal(str(exc))}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("cancelled", err=True)
            ctx.exit(130)


@click.group(
    cls=CoderGroup,
    epilog=EXIT_CODES,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="coder")
@click.option("-v", "--verbose", is_flag=True, help="Log what is happening to stderr.")
def cli(verbose: bool) -> None:
    """Code the free-text answers of surveys: themes, codeframes, coding, agreement, reports."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def _register() -> None:
    from coder.cli import app, codeframe, qa, report, survey, themes

    for module in (survey, themes, codeframe, report, qa, app):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="coder")
