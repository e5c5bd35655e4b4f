"""Config and key files, coder identity order, the filter language and code shortcuts."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.core.code_lookup import code_shortcuts, search_codes
from coder.core.codeframe_files import load_codeframe
from coder.core.filters import FilterError, FilterQuery, parse_filter
from coder.tui.config import AppConfig, ConfigError, load_config, load_keymap, resolve_coder_name

REPO = Path(__file__).resolve().parents[2]


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


def test_filter_language() -> None:
    query = parse_filter('is:uncoded code:"High school fees" region="North West" theme:3 cost')
    assert query == FilterQuery(text="cost", code="High school fees", uncoded=True,
                                attribute=("region", "North West"), theme=3)
    assert parse_filter(query.describe()) == query
    with pytest.raises(FilterError, match="is:uncoded or is:flagged"):
        parse_filter("is:done")


def test_filter_resolves_codes_by_number_or_label() -> None:
    frame = load_codeframe(REPO / "codeframes" / "q2_barriers.yaml")
    fees = frame.by_output_code(101)
    assert parse_filter("code:101").to_answer_filter(frame, None).code_id == fees.id
    assert parse_filter("code:'high school fees'").to_answer_filter(frame, None).code_id == fees.id
    with pytest.raises(FilterError, match="no code"):
        parse_filter("code:555").to_answer_filter(frame, None)
    with pytest.raises(FilterError, match="run theme discovery"):
        parse_filter("theme:1").to_answer_filter(frame, None)


def test_shortcuts_follow_the_frame_order_and_skip_nets() -> None:
    frame = load_codeframe(REPO / "codeframes" / "q2_barriers.yaml")
    keys = {key: code.output_code for key, code in code_shortcuts(frame).items()}
    assert keys == {"1": 101, "2": 102, "3": 201, "4": 202, "5": 301, "6": 302, "7": 303,
                    "8": 304, "9": 997, "0": 998, "A": 999}
    assert search_codes(frame, "refusing")[0].output_code == 202
    assert search_codes(frame, "304")[0].output_code == 304
