"""Config and key files and the coder identity order."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.tui.config import AppConfig, ConfigError, load_config, load_keymap, resolve_coder_name


def test_coder_name_comes_from_option_then_env_then_config() -> None:
    config = AppConfig(coder="from-config")
    assert resolve_coder_name("alice", config, {"CODER_NAME": "bob"}) == "alice"
    assert resolve_coder_name(None, config, {"CODER_NAME": "bob"}) == "bob"
    assert resolve_coder_name(None, config, {}) == "from-config"
    assert resolve_coder_name("  ", AppConfig(), {}) is None  # the app asks


def test_config_and_key_files(tmp_path: Path) -> None:
    (tmp_path / "coder").mkdir()
    (tmp_path / "coder" / "config.toml").write_text('coder = "dana"\n')
    (tmp_path / "coder" / "keys.toml").write_text(
        '[keys]\n"coding.next" = "down, j"\n"app.undo" = ["ctrl+z", "ctrl+u"]\n')
    config = load_config(env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert config.coder == "dana"
    assert config.keymap == {"coding.next": "down,j", "app.undo": "ctrl+z,ctrl+u"}
    assert load_config(env={"XDG_CONFIG_HOME": str(tmp_path / "none")}) == AppConfig()


def test_bad_key_file_names_the_file_and_entry(tmp_path: Path) -> None:
    bad = tmp_path / "keys.toml"
    bad.write_text('"coding.next" = 3\n')
    with pytest.raises(ConfigError, match=r'keys.toml: "coding.next" must be keys'):
        load_keymap(bad)
    bad.write_text("[keys\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_keymap(bad)
