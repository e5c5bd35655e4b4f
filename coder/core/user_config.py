"""The user's config folder and who is acting: one rule for the CLI and the coding app.

Reads `config.toml` (TOML) from `$XDG_CONFIG_HOME/coder` or `~/.config/coder`; no UI or CLI
library here.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from coder.core.errors import CoderError


class ConfigError(CoderError):
    """A config or key file cannot be read; the message names the file and the entry."""

    exit_code = 2


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_CONFIG_HOME/coder`, else `~/.config/coder`."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "coder"


def read_toml(path: Path) -> dict[str, object]:
    """The TOML file's table.

    Raises:
        ConfigError: If the file cannot be read or is not valid TOML.
    """
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None


def configured_coder(path: Path | None = None,
                     env: Mapping[str, str] | None = None) -> str | None:
    """The `coder` name in the config file (`path`, default `config.toml`), or None.

    A missing default file is fine; a missing file named explicitly is an error.

    Raises:
        ConfigError: If the file cannot be read, or `coder` is not a name in quotes.
    """
    config_file = path or config_dir(env) / "config.toml"
    if path is None and not config_file.exists():
        return None
    value = read_toml(config_file).get("coder")
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{config_file}: coder must be a name in quotes")
    return value.strip() if isinstance(value, str) and value.strip() else None


def coder_name(option: str | None, configured: str | None,
               env: Mapping[str, str] | None = None) -> str | None:
    """Who is acting: `--coder`, else `$CODER_NAME`, else the config file's `coder`.

    None when none is set: the app then asks, the CLI takes the login name.
    """
    env = os.environ if env is None else env
    for value in (option, env.get("CODER_NAME"), configured):
        if value and value.strip():
            return value.strip()
    return None
