"""Naming codes (one resolver for every front end), the filter language, shortcut keys,
suggestions, codes drafted from themes and who is acting; all pure core functions."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.core.codeframe.files import load_codeframe
from coder.core.codeframe.lookup import (
    best_code,
    code_shortcuts,
    find_codable_codes,
    find_code,
    search_codes,
)
from coder.core.codeframe.model import Codeframe, CodeframeError
from coder.core.coding.filters import FilterError, FilterQuery, parse_filter
from coder.core.themes.drafts import definition_from_keywords, draft_code, plan_promote
from coder.core.user_config import ConfigError, coder_name, configured_coder

REPO = Path(__file__).resolve().parents[2]
Q2_FRAME = REPO / "codeframes" / "q2_barriers.yaml"


@pytest.fixture(scope="module")
def frame() -> Codeframe:
    return load_codeframe(Q2_FRAME)


def test_a_code_is_found_by_number_label_path_id_or_agreement_key(frame: Codeframe) -> None:
    fees = frame.by_output_code(101)
    for ref in (101, "101", " high SCHOOL fees ", "Cost and funding > High school fees",
                "101 High school fees", fees.id):
        assert find_code(frame, ref) == fees
    with pytest.raises(CodeframeError, match='no code "101 Disputes over who pays"'):
        find_code(frame, "101 Disputes over who pays")  # number and label disagree
    with pytest.raises(CodeframeError, match="has no code 555"):
        find_code(frame, "555")


def test_codes_to_apply_are_codable_and_listed_once(frame: Codeframe) -> None:
    found = find_codable_codes(frame, ["201", "No suitable local schools", "", "101"])
    assert [c.output_code for c in found] == [201, 101]
    with pytest.raises(CodeframeError, match="is a net"):
        find_codable_codes(frame, ["200"])


def test_filter_language() -> None:
    query = parse_filter('is:uncoded code:"High school fees" region="North West" theme:3 cost')
    assert query == FilterQuery(text="cost", code="High school fees", uncoded=True,
                                attribute=("region", "North West"), theme=3)
    assert parse_filter(query.describe()) == query
    with pytest.raises(FilterError, match="is:uncoded, is:flagged, is:changed, is:sample or is:assigned"):
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


def test_codes_drafted_from_themes(frame: Codeframe) -> None:
    assert definition_from_keywords(["fees", "cost", "budget"]) == \
        "Answers about fees, cost or budget."
    draft = draft_code("  ", ("refuse", "history", "reason", "more"), 4, ["A quote"])
    assert (draft.label, draft.examples) == ("refuse, history, reason", ("A quote",))
    plan = plan_promote(frame, [draft, draft_code("Transport", ("bus",), 5, [])])
    assert [c.label for c in plan.added] == ["refuse, history, reason", "Transport"]
    assert plan.after.by_label("Transport")[0].definition == "Answers about bus."
    with pytest.raises(CodeframeError):
        plan_promote(frame, [draft_code("Cost and funding", (), 1, [])])


def test_who_is_acting_option_then_environment_then_config_file(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    assert configured_coder(env=env) is None  # no file: fine
    (tmp_path / "coder").mkdir()
    (tmp_path / "coder" / "config.toml").write_text('coder = " dana "\n')
    configured = configured_coder(env=env)
    assert configured == "dana"
    assert coder_name("alice", configured, {"CODER_NAME": "bob"}) == "alice"
    assert coder_name(None, configured, {"CODER_NAME": "bob"}) == "bob"
    assert coder_name(" ", configured, {}) == "dana"
    assert coder_name(None, None, {}) is None
    (tmp_path / "coder" / "config.toml").write_text("coder = 3\n")
    with pytest.raises(ConfigError, match="coder must be a name in quotes"):
        configured_coder(env=env)


def test_search_ranks_label_and_number_above_definitions(frame: Codeframe) -> None:
    # 102's definition mentions delays; 301's label is about them
    assert [c.output_code for c in search_codes(frame, "delays")] == [301, 102]
    assert [c.output_code for c in search_codes(frame, "DELAYS")] == [301, 102]
    assert search_codes(frame, "ehcp")[0].output_code == 301  # case-insensitive
    assert search_codes(frame, "hsf")[0].output_code == 101  # initials of "High school fees"
    assert search_codes(frame, "refusng")[0].output_code == 202  # a typo still finds it
    assert [c.output_code for c in search_codes(frame, "10")] == [101, 102]


def test_search_matches_words_of_the_label_by_prefix(frame: Codeframe) -> None:
    from coder.core.codeframe.ops import plan_add

    slow = plan_add(frame, "Slow SEND processes", parent_id=frame.by_output_code(300).id,  # type: ignore[union-attr]
                    output_code=305).after
    assert search_codes(slow, "send")[0].label == "Slow SEND processes"
    assert search_codes(slow, "slow send")[0].label == "Slow SEND processes"
    assert best_code(slow, "send").output_code == 305  # type: ignore[union-attr]


def test_enter_applies_only_a_clear_winner(frame: Codeframe) -> None:
    assert best_code(frame, "delays").output_code == 301  # type: ignore[union-attr]
    assert best_code(frame, "101").output_code == 101  # type: ignore[union-attr]
    assert best_code(frame, "schools") is None  # 201, 202 and 304 all name schools
    assert best_code(frame, "cost") is None  # only notes and the net "Cost and funding"
    assert best_code(frame, "zzzz") is None
