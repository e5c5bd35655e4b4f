"""Tests of the synthetic demo survey in data/: the files agree, routing, themes, determinism."""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[2] / "data"
COMMITTED = (
    "demo_survey.csv",
    "demo_survey_cp1252.csv",
    "demo_survey.xlsx",
    "demo_survey.sav",
    "demo_survey_wave2.csv",
    "demo_ground_truth.csv",
    "demo_ground_truth_wave2.csv",
    "demo_pii.csv",
    "demo_themes.json",
    "demo_questions.json",
    "demo_codings.csv",
)
# The column order and question wording other parts of the project rely on.
EXPECTED_COLUMNS = [
    "la_code",
    "authority_name",
    "region",
    "authority_type",
    "ofsted_rating",
    "q1_placed_independent",
    "q4_asye_participates",
    "q8_support_source",
    "q2_barriers",
    "q3_overcome",
    "q5_asye_effective",
    "q6_ld_priorities",
    "q7_iro_examples",
    "q9_two_year_olds",
    "q10_send_actions",
    "q8_other_specify",
]
QUESTION_TEXTS = {
    "q1_placed_independent": "In the last 12 months, has your authority placed any "
    "looked-after children in independent schools?",
    "q4_asye_participates": "Does your authority run the ASYE programme for newly qualified "
    "social workers?",
    "q2_barriers": "What barriers has your authority experienced to placing looked-after "
    "children in independent schools?",
    "q3_overcome": "What would help your authority overcome these barriers?",
    "q5_asye_effective": "In what ways has the ASYE programme been effective for newly "
    "qualified social workers?",
    "q6_ld_priorities": "What are your authority's learning and development priorities for "
    "social workers?",
    "q7_iro_examples": "Please give examples of how the Independent Reviewing Officer role is "
    "effective in your authority.",
    "q9_two_year_olds": "What difficulties has your authority had in delivering the funded "
    "early education offer for disadvantaged two-year-olds?",
    "q10_send_actions": "Which government actions would be most helpful for your SEND services?",
}
OPEN_IDS = [c for c in EXPECTED_COLUMNS[8:]]
OTHER = "Other (please specify)"


def _read_csv(name: str, **kwargs: Any) -> pd.DataFrame:
    # Survey answers such as "N/A" and "None" must stay text, not become missing values.
    return pd.read_csv(DATA / name, dtype=str, keep_default_na=False, **kwargs)


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    return runpy.run_path(str(DATA / "generate_demo.py"))


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return _read_csv("demo_survey.csv")


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    return _read_csv("demo_ground_truth.csv")


@pytest.fixture(scope="module")
def themes() -> dict[str, list[dict[str, Any]]]:
    return json.loads((DATA / "demo_themes.json").read_text(encoding="utf-8"))


def _non_substantive(demo: dict[str, Any]) -> dict[str, set[str]]:
    return {q: set(demo["OPEN_QUESTIONS"][q].non_substantive) for q in OPEN_IDS}


def test_committed_files_exist() -> None:
    missing = [name for name in COMMITTED if not (DATA / name).is_file()]
    assert not missing


def test_columns_ids_and_respondents(survey: pd.DataFrame) -> None:
    assert list(survey.columns) == EXPECTED_COLUMNS
    assert len(survey) == 152
    assert survey["la_code"].tolist() == [f"LA{i:03d}" for i in range(1, 153)]
    assert survey["authority_name"].is_unique
    assert set(survey["region"]) == {"North", "East & Midlands", "London & South"}
    assert survey["region"].value_counts().nunique() == 3  # uneven
    assert set(survey["authority_type"]) == {"county", "unitary"}
    assert set(survey["ofsted_rating"]) == {
        "Outstanding",
        "Good",
        "Requires improvement",
        "Inadequate",
    }


def test_csv_xlsx_sav_and_cp1252_hold_the_same_rows(survey: pd.DataFrame) -> None:
    import pyreadstat

    sheets = pd.read_excel(
        DATA / "demo_survey.xlsx", sheet_name=None, dtype=str, keep_default_na=False
    )
    assert list(sheets) == ["Responses", "Notes"]
    pd.testing.assert_frame_equal(sheets["Responses"], survey)

    sav, meta = pyreadstat.read_sav(str(DATA / "demo_survey.sav"), apply_value_formats=True)
    as_text = sav.astype(object).where(sav.notna(), "").astype(str)
    pd.testing.assert_frame_equal(as_text, survey, check_dtype=False)

    windows = _read_csv("demo_survey_cp1252.csv", encoding="cp1252")
    pd.testing.assert_frame_equal(windows, survey)


def test_sav_carries_question_texts_and_value_labels() -> None:
    import pyreadstat

    _, meta = pyreadstat.read_sav(str(DATA / "demo_survey.sav"), metadataonly=True)
    labels = meta.column_names_to_labels
    for column, text in QUESTION_TEXTS.items():
        assert labels[column] == text
    assert meta.variable_value_labels["q1_placed_independent"] == {1.0: "Yes", 2.0: "No"}
    assert meta.variable_value_labels["q4_asye_participates"] == {1.0: "Yes", 2.0: "No"}
    assert OTHER in meta.variable_value_labels["q8_support_source"].values()


def test_routing_is_respected_in_both_waves(survey: pd.DataFrame) -> None:
    for frame in (survey, _read_csv("demo_survey_wave2.csv")):
        not_asked_q5 = frame["q4_asye_participates"] != "Yes"
        assert not_asked_q5.any()
        assert (frame.loc[not_asked_q5, "q5_asye_effective"] == "").all()
        not_other = frame["q8_support_source"] != OTHER
        assert (frame.loc[not_other, "q8_other_specify"] == "").all()
        assert (frame.loc[~not_other, "q8_other_specify"] != "").any()


def test_each_question_has_five_to_nine_uneven_themes(
    themes: dict[str, list[dict[str, Any]]],
) -> None:
    assert sorted(themes) == sorted(OPEN_IDS)
    for question_id, items in themes.items():
        assert 5 <= len(items) <= 9, question_id
        keys = [t["key"] for t in items]
        assert len(set(keys)) == len(keys)
        for item in items:
            assert set(item) == {"key", "label", "definition", "share"}
            assert 2 <= len(item["label"].split()) <= 5, item["label"]
            sentences = re.findall(r"[.!?](?:\s|$)", item["definition"])
            assert 1 <= len(sentences) <= 2, item["definition"]
        shares = sorted(t["share"] for t in items)
        assert 0.25 <= shares[-1] <= 0.5, question_id  # one big theme
        assert shares[-1] >= 3 * shares[0], question_id  # and a long tail


def test_theme_shares_agree_with_ground_truth(
    truth: pd.DataFrame, themes: dict[str, list[dict[str, Any]]]
) -> None:
    for question_id, items in themes.items():
        coded = truth.loc[truth["question_id"] == question_id, "themes"].str.split(";")
        for item in items:
            share = sum(item["key"] in keys for keys in coded) / len(coded)
            assert share == pytest.approx(item["share"], abs=0.0005)


def test_ground_truth_covers_exactly_the_substantive_answers(
    demo: dict[str, Any], survey: pd.DataFrame, truth: pd.DataFrame, themes: dict[str, Any]
) -> None:
    assert list(truth.columns) == ["la_code", "question_id", "themes"]
    assert not truth.duplicated(["la_code", "question_id"]).any()
    answers = survey.set_index("la_code")
    valid = {q: {t["key"] for t in items} for q, items in themes.items()}
    planted = set()
    for row in truth.itertuples():
        text = answers.at[row.la_code, row.question_id]
        assert text.strip(), (row.la_code, row.question_id)
        assert set(row.themes.split(";")) <= valid[row.question_id]
        planted.add((row.la_code, row.question_id))
    non_answers = _non_substantive(demo)
    for question_id in OPEN_IDS:
        for la_code, text in answers[question_id].items():
            if text and (la_code, question_id) not in planted:
                assert text in non_answers[question_id], (la_code, question_id, text)


def test_a_fifth_of_answers_touch_two_themes(truth: pd.DataFrame) -> None:
    two = truth["themes"].str.contains(";").groupby(truth["question_id"]).mean()
    for question_id, rate in two.items():
        if question_id != "q8_other_specify":
            assert 0.15 <= rate <= 0.25, question_id


def test_answers_are_as_messy_as_real_exports(survey: pd.DataFrame, truth: pd.DataFrame) -> None:
    answers = survey[OPEN_IDS].stack()
    answers = answers[answers != ""]
    lengths = answers.str.len()
    assert lengths.max() <= 300
    assert ((lengths >= 60) & (lengths <= 200)).mean() > 0.6
    assert (~answers.str.contains(r"\s")).sum() >= 20  # one-word answers
    assert (survey[OPEN_IDS] == "").sum().min() > 0  # blanks in every question
    counts = answers.value_counts()
    assert counts.get("Cost", 0) + counts.get("Funding", 0) >= 2  # exact duplicates
    for abbreviation in ("LAC", "NQSW", "EHCP", "SEND", "IRO", "DfE", "LA", "SW"):
        assert answers.str.contains(rf"\b{abbreviation}s?\b").any(), abbreviation
    assert (answers == "Not applicable – no barriers experienced").any()
    smart = answers[answers.str.contains("[’‘“”–…]")]
    assert len(smart) >= 3
    (DATA / "demo_survey.csv").read_text(encoding="utf-8").encode("cp1252")  # all cp1252-safe


def test_planted_personal_data_appears_verbatim(survey: pd.DataFrame) -> None:
    pii = _read_csv("demo_pii.csv")
    assert {"authority_name", "person_name", "email", "phone"} <= set(pii["kind"])
    waves = {"2025": survey, "2026": _read_csv("demo_survey_wave2.csv")}
    for row in pii.itertuples():
        frame = waves[row.wave].set_index("la_code")
        assert row.value in frame.at[row.la_code, row.question_id]
    emails = pii.loc[pii["kind"] == "email", "value"]
    assert emails.str.fullmatch(r"[a-z]+\.[a-z]+@[a-z]+\.gov\.uk").all()


def test_regenerating_gives_the_committed_files(tmp_path: Path, demo: dict[str, Any]) -> None:
    assert demo["main"](["--out-dir", str(tmp_path)]) == 0
    for name in COMMITTED:
        if name.endswith((".csv", ".json")):
            assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
    fresh = pd.read_excel(tmp_path / "demo_survey.xlsx", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(fresh, _read_csv("demo_survey.csv"))


def test_second_wave_is_a_later_subset(survey: pd.DataFrame) -> None:
    later = _read_csv("demo_survey_wave2.csv")
    later_truth = _read_csv("demo_ground_truth_wave2.csv")
    assert list(later.columns) == EXPECTED_COLUMNS
    assert len(later) == 60 and later["la_code"].is_unique
    names = survey.set_index("la_code")["authority_name"]
    assert (later.set_index("la_code")["authority_name"] == names[later["la_code"]]).all()
    merged = later.merge(survey, on="la_code", suffixes=("_26", "_25"))
    same = (merged["q2_barriers_26"] == merged["q2_barriers_25"]) & (merged["q2_barriers_26"] != "")
    assert same.mean() < 0.2
    assert set(later_truth["la_code"]) <= set(later["la_code"])


def test_generate_large_scales_with_the_same_columns(demo: dict[str, Any]) -> None:
    frame, truth = demo["generate_large_with_truth"](600, seed=3)
    assert list(frame.columns) == EXPECTED_COLUMNS
    assert frame["la_code"].tolist() == [f"LA{i:06d}" for i in range(1, 601)]
    assert (frame.loc[frame["q4_asye_participates"] != "Yes", "q5_asye_effective"] == "").all()
    assert frame[OPEN_IDS].stack().str.len().max() <= 300
    assert set(truth["la_code"]) <= set(frame["la_code"])
    pd.testing.assert_frame_equal(demo["generate_large"](600, seed=3), frame)
    assert not demo["generate_large"](600, seed=4)["q2_barriers"].equals(frame["q2_barriers"])
