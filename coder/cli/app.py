"""CLI commands `coder open` (the coding app in this terminal) and `coder serve` (the same app in
a browser, through textual-serve); Textual is imported only when run."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("open")
@click.argument("project", type=click.Path(dir_okay=False))
@click.option("--coder", "coder_name", default=None,
              help="Who is coding (recorded on every coding); default $CODER_NAME, then"
                   " `coder` in ~/.config/coder/config.toml, else the app asks.")
@click.option("--blind", is_flag=True,
              help="Hide other coders' codes (independent double-coding for QA).")
@click.option("--question", "question_id", default=None,
              help="Go straight to coding this question (default: the overview).")
@click.option("--keys", "keys_file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Key file (TOML, binding id = \"keys\"); default ~/.config/coder/keys.toml.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True),
              default=None, help="Config file; default ~/.config/coder/config.toml.")
def open_(project: str, coder_name: str | None, blind: bool, question_id: str | None,
          keys_file: str | None, config_file: str | None) -> None:
    """Open PROJECT (a file, or postgresql://USER@HOST/DB) in the coding app: overview,
    coding, themes, codeframe, quotes.

    Keys: ? lists them all; ctrl+p searches every command; ctrl+z / ctrl+y undo and redo
    (they survive a restart); ctrl+q quits.
    """
    from coder.tui.app import build_app
    from coder.tui.config import load_config, resolve_coder_name

    config = load_config(Path(config_file) if config_file else None,
                         Path(keys_file) if keys_file else None)
    app = build_app(project, resolve_coder_name(coder_name, config), blind=blind,
                    config=config, question_id=question_id)
    if app.store.upgrade is not None:
        click.echo(f"note: {app.store.upgrade}", err=True)
    try:
        app.run()
    finally:
        app.store.close()
    if app.return_code:
        raise SystemExit(app.return_code)


_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@click.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Where to listen; another address exposes the app (and the project) to"
                   " everyone who can reach it.")
@click.option("--coder", "coder_name", default=None,
              help="Code as this person in every browser window (default: each window asks).")
@click.option("--blind", is_flag=True, help="Hide other coders' codes.")
@click.option("--question", "question_id", default=None,
              help="Go straight to coding this question.")
def serve(project: str, port: int, host: str, coder_name: str | None, blind: bool,
          question_id: str | None) -> None:
    """Serve the coding app on PROJECT to a web browser (http://127.0.0.1:8000 by default).

    Each browser window runs its own copy of the app, as `coder open` would, so undo and the
    coder's name are per window. Stop with ctrl+c.
    """
    import shlex
    import sys

    from coder.cli.main import open_store
    from coder.services.project import is_url

    location = project if is_url(project) else str(Path(project).resolve())
    with open_store(location) as store:  # a clear error now, not in every browser window
        name = store.path.name
    if host not in _LOCAL_HOSTS:
        click.echo(f"warning: listening on {host}: anyone who can reach it can read and change"
                   " this project (there is no login)", err=True)
    parts = [sys.executable, "-m", "coder", "open", location]
    if coder_name:
        parts += ["--coder", coder_name]
    if blind:
        parts.append("--blind")
    if question_id:
        parts += ["--question", question_id]
    from textual_serve.server import Server

    shown = "localhost" if host in _LOCAL_HOSTS else host
    Server(shlex.join(parts), host=host, port=port, title=f"coder: {name}",
           public_url=f"http://{shown}:{port}").serve()


COMMANDS = [open_, serve]
