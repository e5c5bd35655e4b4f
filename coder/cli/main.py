"""The `coder` command group, shared options, error handling and exit codes.

Exit codes: 0 success; 1 an error the user can act on; 2 bad input: a bad file (the message names
file, row and column), bad usage, or a code, respondent, question, answer, coder, wave, codeframe
or layer the project does not have (NotInProject, UnknownCode); 3 project problem (missing,
newer schema, action refused, busy); 130 cancelled (Ctrl+C). Heavy libraries are imported
inside commands so `coder --help` is fast.
Commands open projects with `open_store`, so a change waits a bounded time while another user
or window is writing, and says so.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from coder import __version__
from coder.cli.remedies import explain
from coder.core.errors import CoderError
from coder.core.printable import for_terminal
from coder.core.progress import Progress

if TYPE_CHECKING:
    from coder.services.project import Project

F = TypeVar("F", bound=Callable[..., Any])

#: Seconds a change waits for another user's or window's write (`--wait`, $CODER_BUSY_WAIT).
DEFAULT_BUSY_WAIT = 30.0
_BUSY_WAIT_KEY = "coder.busy_wait"

EXIT_CODES = """\b
Exit codes:
  0    success
  1    an error you can act on (message says what)
  2    bad input: a file (message names file, row, column), usage, or a
       code, respondent, question, coder, wave... the project does not have
  3    project problem (missing, made by a newer version, action refused,
       busy: another user or window kept writing for longer than --wait)
  130  cancelled
"""


#: What `-p/--project` takes, as every command's help says it.
PROJECT_HELP = ("The project: its file (created by `coder init`), or postgresql://USER@HOST/DB"
                " for a project on a server (password from PGPASSWORD or ~/.pgpass).")


def project_option(func: F) -> F:
    return click.option(
        "--project",
        "-p",
        "project",
        required=True,
        metavar="PROJECT",
        type=click.Path(dir_okay=False),
        help=PROJECT_HELP,
    )(func)


def coder_option(func: F) -> F:
    return click.option(
        "--coder",
        "coder_name",
        envvar="CODER_NAME",
        default=None,
        help="Who is acting (recorded in the log); default $CODER_NAME, then `coder` in"
        " ~/.config/coder/config.toml, then your login name.",
    )(func)


def open_store(project: str, *, create: bool = False) -> Project:
    """Open (or create) PROJECT for a command; use it as `with open_store(p) as store:`.

    Every command, reading or writing, opens projects this way; PROJECT is a file path or a
    PostgreSQL URL (`coder.store.open_project` tells them apart). A project from an older version
    of coder is upgraded on open (a copy is kept beside it), and this says so on stderr. Its
    changes wait up to `--wait` seconds while another user or window is writing, saying so once
    on stderr, then fail with ProjectBusy (exit code 3) with nothing changed.
    """
    from coder.services.project import create_project, open_project

    store = create_project(project) if create else open_project(project)
    if store.upgrade is not None:
        click.echo(f"note: {store.upgrade}", err=True)
    ctx = click.get_current_context(silent=True)
    store.busy_wait = ctx.meta.get(_BUSY_WAIT_KEY, DEFAULT_BUSY_WAIT) if ctx else DEFAULT_BUSY_WAIT
    store.on_busy = _waiting_notice(project)
    return store


def _waiting_notice(project: str) -> Callable[[float], None]:
    from coder.services.project import safe_location

    said = False
    shown = safe_location(project)

    def notice(waited: float) -> None:
        nonlocal said
        if not said:
            said = True
            click.echo(f"waiting for {shown}: another user or window is writing…", err=True)

    return notice


def resolve_coder(name: str | None) -> str:
    """Who is acting: `--coder` or $CODER_NAME, else `coder` in the config file that the app
    reads too (~/.config/coder/config.toml), else the login name."""
    import getpass

    from coder.core.user_config import coder_name, configured_coder

    return coder_name(name, configured_coder()) or (getpass.getuser() or "coder").strip()


@contextmanager
def progress(description: str) -> Iterator[Progress]:
    """A progress bar on stderr (hidden when not a terminal) for long work; Ctrl+C cancels."""
    from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    bar = Bar(
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

        def on_step(done: int, total: int, message: str) -> None:
            bar.update(task, completed=done, total=total,
                       description=f"{description}: {message}" if message else description)

        yield Progress(on_step, what=description)


def table_console() -> Any:
    """The console tables print on: the terminal's width on a terminal; piped or redirected,
    as wide as the data, so no column is cut or dropped."""
    from rich.console import Console

    if sys.stdout.isatty():
        return Console()
    return Console(width=100_000)


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


class CoderGroup(click.Group):
    """Turns CoderError into a one-line message and its exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CoderError as exc:
            click.echo(f"error: {for_terminal(explain(exc))}", err=True)
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
@click.option(
    "--wait",
    "busy_wait",
    type=click.FloatRange(min=0),
    default=DEFAULT_BUSY_WAIT,
    envvar="CODER_BUSY_WAIT",
    show_envvar=True,
    show_default=True,
    metavar="SECONDS",
    help="How long a change waits while another user or window is writing to the project.",
)
@click.option(
    "--device",
    type=click.Choice(["auto", "cpu", "cuda", "mps"]),
    default=None,
    envvar="CODER_DEVICE",
    show_envvar=True,
    help="Where embedding models run (themes, suggestions): auto (default) takes a GPU when"
    " there is one.",
)
@click.pass_context
def cli(ctx: click.Context, verbose: bool, busy_wait: float, device: str | None) -> None:
    """Code the free-text answers of surveys: themes, codeframes, coding, agreement, reports."""
    ctx.meta[_BUSY_WAIT_KEY] = busy_wait
    if device is not None:
        import os

        from coder.core.embedding import DEVICE_ENV

        os.environ[DEVICE_ENV] = device  # every embedder this command makes runs there
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def _register() -> None:
    from coder.cli import (
        allocation,
        app,
        codeframe,
        coding,
        codings,
        db,
        qa,
        report,
        suggest,
        survey,
        themes,
    )

    for module in (survey, themes, codeframe, coding, codings, suggest, report, qa, allocation,
                   app, db):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="coder")
