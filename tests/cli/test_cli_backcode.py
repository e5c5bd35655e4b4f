"""`coder backcode`: "Other (please specify)" answers linked to their closed question, obvious
cases mapped to its categories (the real model), back-coded as a model coder behind a gate,
exported as updated closed values, and undone as one action."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from coder.cli import cli
from coder.core.codeframe.model import Code, Codeframe
from coder.core.suggest.backcode import GENUINELY_OTHER
from coder.core.types import CoderKind
from coder.services.backcode import suggest
from coder.services.codeframes import undo
from coder.services.coding import apply_codes
from coder.services.importing import import_survey
from coder.store import create_project, open_project

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
OTHER = "Other (please specify)"
CATEGORIES = ["Regional partnership", "Department for Education", "Peer authority",
              "Sector-led improvement programme", "No external support"]
OBVIOUS = {"r21": ("Help from our regional partnership", "Regional partnership"),
           "r22": ("We had no external support at all", "No external support"),
           "r23": ("The Department for Education sent advisers", "Department for Education"),
           "r24": ("the sector-led improvement programme", "Sector-led improvement programme")}
OBVIOUS_LABELS = {category for _, category in OBVIOUS.values()}
GENUINE = {"r25": "A charity delivered training for our staff",
           "r26": "The university ran training for our managers",
           "r27": "Mainly the ICB funded a joint post",
           "r28": "Our own quality assurance team led the work"}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    rows = [["id", "q8_support_source", "q8_other_specify"]]
    rows += [[f"r{i}", CATEGORIES[i % 5], ""] for i in range(1, 21)]
    rows += [[rid, OTHER, text] for rid, (text, _) in OBVIOUS.items()]
    rows += [[rid, OTHER, text] for rid, text in GENUINE.items()]
    source = tmp_path / "survey.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    path = tmp_path / "p.coder"
    with create_project(path) as store:
        import_survey(store, source, wave="2025", coder="setup")
    return path


def test_backcode_maps_obvious_cases_exports_them_and_undoes_as_one(survey: Path,
                                                                   tmp_path: Path) -> None:
    p = str(survey)
    linked = run("backcode", "link", "-p", p, "-q", "q8_other_specify", "--coder", "ann")
    assert linked.exit_code == 0, linked.output
    assert "back-codes into q8_support_source" in linked.output
    assert all(c in linked.output for c in CATEGORIES) and OTHER not in linked.output

    shown = run("backcode", "suggest", "-p", p, "-q", "q8_other_specify")
    assert shown.exit_code == 0, shown.output
    for text, category in OBVIOUS.values():
        line = next(x for x in shown.output.splitlines() if text[:30] in x)
        assert category in line, line
    for text in GENUINE.values():
        line = next(x for x in shown.output.splitlines() if text[:30] in x)
        assert "genuinely other" in line, line

    # No answer back-coded by a person: the gate cannot be estimated, so nothing is written.
    refused = run("backcode", "apply", "-p", p, "-q", "q8_other_specify", "--coder", "ann")
    assert refused.exit_code != 0 and "precision gate needs 20" in refused.output
    applied = run("backcode", "apply", "-p", p, "-q", "q8_other_specify", "--coder", "ann",
                  "--min-similarity", "0.6")
    assert applied.exit_code == 0, applied.output
    assert "back-coded 4 of 8" in applied.output

    with open_project(survey) as store:
        kinds = {c.id: c for c in store.coders()}
        written = store.codings(question_id="q8_other_specify")
        assert {kinds[c.coder_id].kind for c in written} == {CoderKind.MODEL}
        assert {kinds[c.coder_id].name for c in written} == {"backcode"}

    out = tmp_path / "q8_updated.csv"
    exported = run("backcode", "export", "-p", p, "-q", "q8_other_specify", "--output", str(out))
    assert exported.exit_code == 0, exported.output
    assert "labels (no value labels known)" in exported.output  # a CSV survey has no codes
    with out.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["respondent_id"]: r["q8_support_source"] for r in rows} == {
        rid: category for rid, (_, category) in OBVIOUS.items()}
    assert {r["q8_support_source_old"] for r in rows} == {OTHER}
    assert {r["backcoded_by"] for r in rows} == {"backcode"}
    again = run("backcode", "export", "-p", p, "-q", "q8_other_specify", "--output", p)
    assert again.exit_code != 0  # never written over the project

    with open_project(survey) as store:
        undo(store, "ann")  # the four back-codes go back together
        assert store.codings(question_id="q8_other_specify") == []


def test_the_demo_surveys_q8_links_to_its_closed_question_by_routing(tmp_path: Path) -> None:
    path = tmp_path / "demo.coder"
    with create_project(path) as store:
        import_survey(store, REPO / "data" / "demo_survey.csv", wave="2025", coder="setup")
    linked = run("backcode", "link", "-p", str(path), "-q", "q8_other_specify")
    assert linked.exit_code == 0, linked.output
    assert "q8_support_source" in linked.output and "Peer authority" in linked.output
    twice = run("backcode", "link", "-p", str(path), "-q", "q8_other_specify")
    assert twice.exit_code == 3 and "linked to q8_support_source already" in twice.output


@pytest.fixture
def sav_survey(tmp_path: Path) -> Path:
    """The same survey as an SPSS file: q8_support_source holds codes 1-6 with value labels
    (6 is the "Other" option)."""
    import pandas as pd
    import pyreadstat

    codes = {i + 1: label for i, label in enumerate([*CATEGORIES, OTHER])}
    rows = [(f"r{i}", float(i % 5 + 1), "") for i in range(1, 21)]
    rows += [(rid, 6.0, text) for rid, (text, _) in OBVIOUS.items()]
    rows += [(rid, 6.0, text) for rid, text in GENUINE.items()]
    frame = pd.DataFrame(rows, columns=["id", "q8_support_source", "q8_other_specify"])
    source = tmp_path / "survey.sav"
    pyreadstat.write_sav(frame, str(source),
                         column_labels=["ID", "Main source of support", "Other source"],
                         variable_value_labels={"q8_support_source":
                                                {float(k): v for k, v in codes.items()}})
    path = tmp_path / "sav.coder"
    with create_project(path) as store:
        import_survey(store, source, wave="2025", coder="setup")
    return path


def test_export_writes_the_sav_codes_with_value_labels_to_merge_back(sav_survey: Path,
                                                                    tmp_path: Path) -> None:
    import pyreadstat

    p = str(sav_survey)
    assert run("backcode", "link", "-p", p, "-q", "q8_other_specify").exit_code == 0
    assert run("backcode", "apply", "-p", p, "-q", "q8_other_specify", "--coder", "ann",
               "--min-similarity", "0.6").exit_code == 0
    with open_project(sav_survey) as store:  # a person marks one answer genuinely other
        frame = store.codeframe_for("q8_other_specify")
        assert frame is not None
        other = next(c for c in frame.codes if c.label == "Genuinely other")
        answer = next(a for a in store.answers("q8_other_specify") if a.text == GENUINE["r25"])
        apply_codes(store, answer.id, store.coder("bob"), [other.id])
    code_of = {label: i + 1 for i, label in enumerate([*CATEGORIES, OTHER])}
    wanted = {rid: code_of[category] for rid, (_, category) in OBVIOUS.items()} | {"r25": 6}

    out = tmp_path / "q8_updated.csv"
    done = run("backcode", "export", "-p", p, "-q", "q8_other_specify", "--output", str(out))
    assert done.exit_code == 0, done.output
    assert "5 respondents" in done.output and "q8_support_source" in done.output
    with out.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["respondent_id", "q8_support_source_old", "q8_support_source",
                             "q8_support_source_label", "backcoded_by"]
    assert {r["respondent_id"]: int(r["q8_support_source"]) for r in rows} == wanted
    assert {r["q8_support_source_old"] for r in rows} == {"6"}
    assert {r["respondent_id"]: r["backcoded_by"] for r in rows}["r25"] == "bob"
    assert {r["q8_support_source_label"] for r in rows} == {*OBVIOUS_LABELS, OTHER}

    sav = tmp_path / "q8_updated.sav"
    done = run("backcode", "export", "-p", p, "-q", "q8_other_specify", "--output", str(sav))
    assert done.exit_code == 0, done.output
    data, meta = pyreadstat.read_sav(str(sav))
    assert dict(zip(data["respondent_id"], data["q8_support_source"].astype(int),
                    strict=True)) == wanted
    assert set(data["q8_support_source_old"]) == {6.0}
    labels = meta.variable_value_labels["q8_support_source"]
    assert labels == {float(k): v for v, k in code_of.items()}
    assert meta.column_names_to_labels["q8_support_source"] == "Main source of support"
    bad = run("backcode", "export", "-p", p, "-q", "q8_other_specify", "--output",
              str(tmp_path / "q8.txt"))
    assert bad.exit_code == 2 and ".csv or .sav" in bad.output


def _own_frame(store: object, codes: int) -> Codeframe:
    frame = Codeframe("own", "q8 own frame", tuple(
        Code(f"own{i}", "own", f"Theme {i}", i, position=i) for i in range(1, codes + 1)))
    store.add_codeframe(frame, "setup", questions=["q8_other_specify"])  # type: ignore[attr-defined]
    return frame


def test_link_takes_the_place_of_an_empty_codeframe_at_once(survey: Path) -> None:
    with open_project(survey) as store:
        _own_frame(store, 0)
    done = run("backcode", "link", "-p", str(survey), "-q", "q8_other_specify")
    assert done.exit_code == 0, done.output
    assert 'instead of the empty codeframe "q8 own frame"' in done.output
    with open_project(survey) as store:
        frame = store.codeframe_for("q8_other_specify")
        assert frame is not None and frame.description.startswith("Back-coding into")


def test_link_replaces_an_unused_codeframe_only_when_asked_and_undo_brings_it_back(
        survey: Path) -> None:
    p = str(survey)
    with open_project(survey) as store:
        _own_frame(store, 3)
    refused = run("backcode", "link", "-p", p, "-q", "q8_other_specify")
    assert refused.exit_code == 3
    assert 'codeframe "q8 own frame" (3 codes, no codings)' in refused.output
    assert "--replace-frame" in refused.output
    done = run("backcode", "link", "-p", p, "-q", "q8_other_specify", "--replace-frame",
               "--coder", "ann")
    assert done.exit_code == 0, done.output
    assert 'instead of codeframe "q8 own frame"' in done.output
    with open_project(survey) as store:
        assert store.codeframe_for("q8_other_specify").id != "own"  # type: ignore[union-attr]
        assert "own" in {f.id for f in store.codeframes()}  # kept in the project
        undo(store, "ann")
        assert store.codeframe_for("q8_other_specify").id == "own"  # type: ignore[union-attr]
    again = run("backcode", "link", "-p", p, "-q", "q8_other_specify", "--replace-frame")
    assert again.exit_code == 0, again.output  # linked again: the same back-coding frame


def _coded_own_frame(store: object, labels: list[str]) -> Codeframe:
    frame = Codeframe("own", "q8 own frame", tuple(
        Code(f"own{i}", "own", label, i, position=i) for i, label in enumerate(labels, 1)))
    store.add_codeframe(frame, "setup", questions=["q8_other_specify"])  # type: ignore[attr-defined]
    return frame


def _answer(store: object, rid: str) -> int:
    text = OBVIOUS[rid][0] if rid in OBVIOUS else GENUINE[rid]
    return next(a.id for a in store.answers("q8_other_specify")  # type: ignore[attr-defined]
                if a.text == text)


def test_link_carries_codings_of_codes_named_like_a_category_and_undo_brings_them_back(
        survey: Path) -> None:
    """Answers coded before the link keep their codes, as the categories (or genuinely other)
    the codes are named like: who coded them and when stay; undo restores the codeframe and
    the codings."""
    p = str(survey)
    with open_project(survey) as store:
        frame = _coded_own_frame(store, ["regional  partnership.", "Other", "Charities"])
        regional, other, _charities = (c.id for c in frame.codes)
        apply_codes(store, _answer(store, "r21"), store.coder("bob"), [regional])
        apply_codes(store, _answer(store, "r25"), store.coder("bob"), [other])
        apply_codes(store, _answer(store, "r25"), store.coder("cat"), [other])
        before = {(c.answer_id, c.coder_id): c.created_at
                  for c in store.codings(question_id="q8_other_specify")}
    refused = run("backcode", "link", "-p", p, "-q", "q8_other_specify")
    assert refused.exit_code == 3, refused.output
    assert 'codeframe "q8 own frame" (3 codes, 3 codings by 2 coders)' in refused.output
    assert "codings carried to the categories" in refused.output
    assert "--replace-frame" in refused.output

    done = run("backcode", "link", "-p", p, "-q", "q8_other_specify", "--replace-frame",
               "--coder", "ann")
    assert done.exit_code == 0, done.output
    assert "carried 3 codings" in done.output
    assert '"regional  partnership." -> Regional partnership' in done.output
    assert '"Other" -> Genuinely other' in done.output
    with open_project(survey) as store:
        frame = store.codeframe_for("q8_other_specify")
        assert frame is not None and frame.description.startswith("Back-coding into")
        label = {c.id: c.label for c in frame.codes}
        coder = {c.id: c.name for c in store.coders()}
        now = store.codings(question_id="q8_other_specify")
        assert sorted((c.answer_id, coder[c.coder_id], label[c.code_id]) for c in now) == sorted(
            [(_answer(store, "r21"), "bob", "Regional partnership"),
             (_answer(store, "r25"), "bob", GENUINELY_OTHER),
             (_answer(store, "r25"), "cat", GENUINELY_OTHER)])
        assert {(c.answer_id, c.coder_id): c.created_at for c in now} == before
        # The carried codings are people's back-codes: the suggestions learn from them.
        found = {s.answer_id: s.human for s in suggest(store, "q8_other_specify")}
        assert found[_answer(store, "r21")] == "Regional partnership"
        assert found[_answer(store, "r25")] == ""

        undo(store, "ann")  # the link and the carried codings go back together
        assert store.codeframe_for("q8_other_specify").id == "own"  # type: ignore[union-attr]
        assert sorted((c.answer_id, coder[c.coder_id], c.code_id)
                      for c in store.codings(question_id="q8_other_specify")) == sorted(
            [(_answer(store, "r21"), "bob", regional), (_answer(store, "r25"), "bob", other),
             (_answer(store, "r25"), "cat", other)])


def test_link_asks_where_codings_of_codes_named_like_no_category_go(survey: Path) -> None:
    p = str(survey)
    with open_project(survey) as store:
        frame = _own_frame(store, 3)
        answer = _answer(store, "r27")
        apply_codes(store, answer, store.coder("bob"), [frame.codes[0].id])
        apply_codes(store, _answer(store, "r28"), store.coder("bob"), [frame.codes[0].id])
    refused = run("backcode", "link", "-p", p, "-q", "q8_other_specify", "--replace-frame")
    assert refused.exit_code == 3, refused.output
    assert '"Theme 1" (2 codings)' in refused.output
    assert "--map 'Theme 1=CATEGORY'" in refused.output
    with open_project(survey) as store:  # nothing changed
        assert store.codeframe_for("q8_other_specify").id == "own"  # type: ignore[union-attr]
        assert {c.code_id for c in store.codings(question_id="q8_other_specify")} == {"own1"}

    no_code = run("backcode", "link", "-p", p, "-q", "q8_other_specify", "--replace-frame",
                  "--map", "Theme 9=Peer authority")
    assert no_code.exit_code == 2 and 'no code "Theme 9"' in no_code.output
    no_category = run("backcode", "link", "-p", p, "-q", "q8_other_specify", "--replace-frame",
                      "--map", "Theme 1=Peer authorities")
    assert no_category.exit_code == 2 and 'no category "Peer authorities"' in no_category.output
    malformed = run("backcode", "link", "-p", p, "-q", "q8_other_specify", "--replace-frame",
                    "--map", "Theme 1")
    assert malformed.exit_code == 2 and "CODE=CATEGORY" in malformed.output

    done = run("backcode", "link", "-p", p, "-q", "q8_other_specify", "--replace-frame",
               "--map", "theme 1=genuinely other")
    assert done.exit_code == 0, done.output
    assert '"Theme 1" -> Genuinely other' in done.output
    with open_project(survey) as store:
        frame = store.codeframe_for("q8_other_specify")
        assert frame is not None
        label = {c.id: c.label for c in frame.codes}
        assert [label.get(c.code_id) for c in store.codings(question_id="q8_other_specify")] \
            == [GENUINELY_OTHER, GENUINELY_OTHER]


def _back_code_a_second_wave(project: Path, source: Path, out: Path) -> Result:
    """`source` imported again as wave 2026, q8 linked, back-coded by ann and exported to
    `out` (the export's result)."""
    with open_project(project) as store:
        import_survey(store, source, wave="2026", coder="setup")
    p = str(project)
    assert run("backcode", "link", "-p", p, "-q", "q8_other_specify").exit_code == 0
    assert run("backcode", "apply", "-p", p, "-q", "q8_other_specify", "--coder", "ann",
               "--min-similarity", "0.6").exit_code == 0
    done = run("backcode", "export", "-p", p, "-q", "q8_other_specify", "--output", str(out))
    assert done.exit_code == 0, done.output
    return done


def test_export_of_several_waves_to_sav_has_a_row_per_respondent_and_wave(
        sav_survey: Path, tmp_path: Path) -> None:
    import pandas as pd
    import pyreadstat

    out = tmp_path / "both.sav"
    done = _back_code_a_second_wave(sav_survey, tmp_path / "survey.sav", out)
    p = str(sav_survey)
    assert "8 respondents" in done.output and "codes, with value labels" in done.output
    data, meta = pyreadstat.read_sav(str(out))
    assert list(data.columns) == ["respondent_id", "wave", "q8_support_source_old",
                                  "q8_support_source", "q8_support_source_label",
                                  "backcoded_by"]
    code_of = {label: i + 1 for i, label in enumerate([*CATEGORIES, OTHER])}
    assert sorted(zip(data["respondent_id"], data["wave"], data["q8_support_source"],
                      strict=True)) == sorted(
        (rid, wave, float(code_of[category])) for rid, (_, category) in OBVIOUS.items()
        for wave in (2025.0, 2026.0))
    assert not data.duplicated(["respondent_id", "wave"]).any()
    assert set(data["q8_support_source_old"]) == {6.0}
    assert meta.column_names_to_labels["wave"] == "Survey wave"
    assert meta.variable_value_labels["q8_support_source"] == {
        float(k): v for v, k in code_of.items()}
    assert meta.variable_value_labels["q8_support_source_old"][6.0] == OTHER
    assert pd.api.types.is_numeric_dtype(data["q8_support_source"])

    # It merges back by respondent and wave onto the project's own export (SPSS matches keys
    # only of the same type: the wave is a number in both).
    coded = tmp_path / "coded.sav"
    made = run("export", "-p", p, "-q", "q8_other_specify", "--format", "sav", "-o",
               str(coded), "--layer", "all", "--wave", "all")
    assert made.exit_code == 0, made.output
    whole, _ = pyreadstat.read_sav(str(coded))
    assert whole["wave"].dtype == data["wave"].dtype
    merged = whole.merge(data, on=["respondent_id", "wave"], validate="one_to_one")
    assert len(merged) == 8


def test_export_of_several_waves_has_a_row_per_respondent_and_wave(survey: Path,
                                                                   tmp_path: Path) -> None:
    out = tmp_path / "both.csv"
    _back_code_a_second_wave(survey, tmp_path / "survey.csv", out)
    with out.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted((r["respondent_id"], r["wave"]) for r in rows) == sorted(
        (rid, wave) for rid in OBVIOUS for wave in ("2025", "2026"))


def test_the_demo_savs_listed_option_answer_is_back_coded_once_its_category_is_described(
        tmp_path: Path) -> None:
    """On the demo's .sav the one q8 answer naming a listed option in other words gets that
    category suggested (and applied) once the short label has a description, while genuinely
    other answers, even the closest to a category, stay genuinely other."""
    path = tmp_path / "demo.coder"
    with create_project(path) as store:
        import_survey(store, REPO / "data" / "demo_survey.sav", wave="2025", coder="setup")
    p = str(path)
    linked = run("backcode", "link", "-p", p, "-q", "q8_other_specify", "--coder", "ann",
                 "--describe", "Peer authority=a neighbouring local authority",
                 "--describe", "Department for Education=the DfE")
    assert linked.exit_code == 0, linked.output

    shown = run("backcode", "suggest", "-p", p, "-q", "q8_other_specify")
    assert shown.exit_code == 0, shown.output
    lines = [x for x in shown.output.splitlines() if "'" in x]  # one per answer
    assert len(lines) == 22, shown.output
    neighbour = next(x for x in lines if "neighbouring authority mentored" in x)
    assert "Peer authority" in neighbour, neighbour
    for text in ("'University'", "Private provider", "The university ran training",
                 "An independent improvement consultant"):
        line = next(x for x in lines if text in x)
        assert "genuinely other" in line, line
    assert sum("genuinely other" in x for x in lines) == 21, shown.output

    applied = run("backcode", "apply", "-p", p, "-q", "q8_other_specify", "--coder", "ann",
                  "--min-similarity", "0.55")
    assert applied.exit_code == 0, applied.output
    assert "back-coded 1 of 22" in applied.output, applied.output


def test_a_description_naming_no_category_is_refused(survey: Path) -> None:
    refused = run("backcode", "link", "-p", str(survey), "-q", "q8_other_specify",
                  "--describe", "Peer authorities=a neighbouring local authority")
    assert refused.exit_code == 2, refused.output
    assert 'no category "Peer authorities"' in refused.output
    assert "Traceback" not in refused.output
    malformed = run("backcode", "link", "-p", str(survey), "-q", "q8_other_specify",
                    "--describe", "Peer authority")
    assert malformed.exit_code == 2 and "CATEGORY=WORDS" in malformed.output
