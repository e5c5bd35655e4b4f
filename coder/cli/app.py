"""CLI command `coder open`: start the coding app on a project (imports Textual only when run)."""

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
    """Open PROJECT in the coding app: overview, coding, themes, codeframe, quotes.

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


COMMANDS = [open_]
