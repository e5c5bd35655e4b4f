"""Settings of the coding app: who is coding, remapped keys; reads TOML, imports no Textual."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coder.core.user_config import ConfigError, coder_name, config_dir, configured_coder, read_toml

__all__ = ["AppConfig", "ConfigError", "config_dir", "load_config", "load_keymap",
           "resolve_coder_name"]


@dataclass(frozen=True)
class AppConfig:
    """What the app needs besides the project.

    Attributes:
        coder: Default coder name (config key `coder`), or None to ask.
        keymap: Binding id -> comma-separated keys, overriding the defaults.
        embedder: "sentence-transformers" (the bundled model), "hashing" (fast, for tests), or
            any object with the core Embedder interface; default `$CODER_APP_EMBEDDER`, else
            the bundled model. Theme discovery and code suggestions use it.
        record_key_timings: Keep per-key timings (for the benchmark).
        suggestions: Learn and show suggested codes on the coding screen (off: the benchmark
            measures the keys without the suggestion model fitting beside them).
        suggestion_process_from: Answers from which a question's suggestions are built and
            refitted in a child process of lower priority (below, in a thread: quicker to start,
            and the work is too small to slow the keys).
        busy_wait: Seconds a key's change waits, on the UI thread, while another user or window
            is writing, before it is queued to be saved when the project is free.
        save_wait: Seconds a queued change waits for the project before it is dropped (the
            coder is told it was not saved).
        live_poll: Seconds between looks for what other windows and coders wrote.
    """

    coder: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    embedder: Any = field(
        default_factory=lambda: os.environ.get("CODER_APP_EMBEDDER", "sentence-transformers"))
    record_key_timings: bool = False
    suggestions: bool = True
    suggestion_process_from: int = 5000
    busy_wait: float = 0.5
    save_wait: float = 120.0
    live_poll: float = 1.0

    def make_embedder(self) -> Any:
        """The embedder theme discovery uses; the model itself loads on first use."""
        if not isinstance(self.embedder, str):
            return self.embedder
        from coder.core.embedding import HashingEmbedder, SentenceTransformerEmbedder

        if self.embedder == "hashing":
            return HashingEmbedder()
        if self.embedder == "sentence-transformers":
            return SentenceTransformerEmbedder()
        raise ConfigError(f'unknown embedder "{self.embedder}"')


def load_keymap(path: Path) -> dict[str, str]:
    """Read a key file: `binding_id = "keys"` pairs, at top level or under `[keys]`.

    Example::

        [keys]
        "coding.next" = "down,j"
        "app.undo" = "ctrl+z"
    """
    data = read_toml(path)
    table = data.get("keys", data)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [keys] must be a table of binding id = \"keys\"")
    keymap: dict[str, str] = {}
    for binding_id, keys in table.items():
        if isinstance(keys, list) and all(isinstance(k, str) for k in keys):
            keys = ",".join(keys)
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigError(f'{path}: "{binding_id}" must be keys like "ctrl+z" or "down,j"')
        keymap[str(binding_id)] = keys.replace(" ", "")
    return keymap


def load_config(path: Path | None = None, keys_path: Path | None = None,
                env: Mapping[str, str] | None = None) -> AppConfig:
    """Read `config.toml` (key `coder`) and the key file (`keys.toml` or `keys_path`).

    Missing default files are fine; a missing file named explicitly is an error.
    """
    folder = config_dir(env)
    coder = configured_coder(path, env)
    keys_file = keys_path or folder / "keys.toml"
    keymap = load_keymap(keys_file) if keys_path is not None or keys_file.exists() else {}
    return AppConfig(coder=coder, keymap=keymap)


def resolve_coder_name(option: str | None, config: AppConfig,
                       env: Mapping[str, str] | None = None) -> str | None:
    """`--coder`, else `$CODER_NAME`, else the config file; None means ask at start."""
    return coder_name(option, config.coder, env)
