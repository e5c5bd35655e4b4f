"""`coder codeframe` on the demo survey: import, edit, merge, split, undo, files, from themes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from coder.cli import cli
from coder.core.codeframe.model import Codeframe
from coder.core.codeframe.refi_codebook import read_qdc
from coder.core.codeframe.yaml_file import load_codeframe_yaml
from coder.core.themes.stored import StoredTheme, ThemeAssignment
from coder.services.importing import import_survey
from coder.store import SQLiteStore, create_project, open_project

REPO = Path(__file__).resolve().parents[2]
FRAMES = sorted((REPO / "codeframes").glob("*.yaml"))


_NO_CODER = ("show", "history", "export")


def run(*args: str, coder: str = "ann") -> Result:
    """Invoke the CLI; codeframe commands that record who acted get `--coder`."""
    acts = args[:1] == ("codeframe",) and args[1] not in _NO_CODER
    return CliRunner().invoke(cli, [*args, "--coder", coder] if acts else list(args))


@pytest.fixture(scope="module")
def data_project(tmp_path_factory: pytest.TempPathFactory, demo_csv: Path) -> Path:
    """The demo survey (wave 2025) imported, no codeframe yet."""
    path = tmp_path_factory.mktemp("demo") / "data.coder"
    with create_project(path) as store:
        assert isinstance(store, SQLiteStore)
        import_survey(store, demo_csv, wave="2025", coder="lead")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="module")
def framed_project(tmp_path_factory: pytest.TempPathFactory, data_project: Path) -> Path:
    """Every shipped frame imported through the CLI, and a few codings on q2 by two coders."""
    path = tmp_path_factory.mktemp("framed") / "framed.coder"
    shutil.copyfile(data_project, path)
    for frame in FRAMES:
        result = run("codeframe", "import", str(frame), "--project", str(path), coder="lead")
        assert result.exit_code == 0, result.output
    with open_project(path) as store:
        frame = store.codeframe_for("q2_barriers")
        assert frame is not None
        fees, who_pays = frame.by_output_code(101), frame.by_output_code(102)
        assert fees is not None and who_pays is not None
        answers = [a.id for a in store.answers("q2_barriers") if a.non_substantive is None][:6]
        ann, bob = store.coder("ann"), store.coder("bob")
        for i, answer_id in enumerate(answers):
            codes = ([fees.id] if i < 4 else []) + ([who_pays.id] if i >= 2 else [])
            store.set_codes(answer_id, ann, codes)
        for answer_id in answers[:2]:
            store.set_codes(answer_id, bob, [who_pays.id])
        store.conn.execute("DELETE FROM history_stack")  # earlier work: nothing left to undo
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture()
def project(tmp_path: Path, framed_project: Path) -> str:
    path = tmp_path / "p.coder"
    shutil.copyfile(framed_project, path)
    return str(path)


def _counts(project: str, question: str = "q2_barriers") -> dict[int, int]:
    with open_project(project) as store:
        frame = store.codeframe_for(question)
        assert frame is not None
        counts = store.coding_counts(frame.id)
        return {c.output_code: counts.get(c.id, 0) for c in frame.codes}


def test_every_shipped_frame_imports_and_is_active_for_its_question(project: str) -> None:
    with open_project(project) as store:
        active = {q.id: store.codeframe_for(q.id) for q in store.questions(open_only=True)}
    assert len(FRAMES) == 8
    assert all(frame is not None for frame in active.values()), active
    again = run("codeframe", "import", str(FRAMES[0]), "--project", project)
    assert again.exit_code == 3
    assert "is already in this project" in again.output


def test_frame_for_a_question_not_in_the_project_is_a_clear_error(tmp_path: Path) -> None:
    project = str(tmp_path / "empty.coder")
    assert run("init", project).exit_code == 0
    result = run("codeframe", "import", str(REPO / "codeframes" / "q2_barriers.yaml"),
                 "--project", project)
    assert result.exit_code == 3
    assert "is for question(s) q2_barriers, not in this project" in result.output
    assert "Traceback" not in result.output


def test_show_prints_the_tree_with_numbers_and_counts(project: str) -> None:
    result = run("codeframe", "show", "--project", project, "--question", "q2_barriers")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Q2 Barriers to independent school placements  (q2_barriers;")
    fees = next(line for line in lines if "High school fees" in line)
    assert fees.split()[:2] == ["1", "101"] and fees.split()[-1] == "4"  # key 1; ann, 1-4
    assert next(line for line in lines if "Cost and funding" in line).split()[-2] == "[net]"
    several = run("codeframe", "show", "--project", project)
    assert several.exit_code == 3
    assert "choose one by its name or its question (--frame NAME or --question Q)" in several.output


def test_show_json_and_edit_give_each_code_its_key(project: str) -> None:
    q2 = ("-p", project, "-q", "q2_barriers")
    edited = run("codeframe", "edit", "201", "--key", "x", *q2)
    assert edited.exit_code == 0, edited.output
    assert 'Edit 201 "No suitable local schools" (key 3 -> X)' in edited.output
    shown = json.loads(run("codeframe", "show", "--json", *q2).output)
    keys = {c["code"]: (c["label"], c["key"]) for c in shown["codes"]}
    assert keys[201] == ("No suitable local schools", "X")
    assert keys[101] == ("High school fees", "1") and keys[100][1] is None  # a net: no key
    clash = run("codeframe", "edit", "202", "--key", "1", *q2)
    assert clash.exit_code != 0 and "key 1 is also the key of code" in clash.output


CODEBOOK_WITH_KEYS = [
    ["code", "label", "parent", "key"],
    ["100", "Cost", "", ""],  # a net: never a key
    ["101", "High school fees", "100", "7"],
    ["102", "Who pays", "100", ""],  # no key given: the first free one
    ["201", "No suitable local schools", "", "q"],  # keys are not case-sensitive
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_import_reads_the_codebook_key_column_and_show_json_lists_it(
        data_project: Path, tmp_path: Path, suffix: str) -> None:
    fresh = tmp_path / "keys.coder"
    shutil.copyfile(data_project, fresh)
    book = tmp_path / f"barriers{suffix}"
    if suffix == ".csv":
        book.write_text("\n".join(",".join(row) for row in CODEBOOK_WITH_KEYS) + "\n",
                        encoding="utf-8")
    else:
        import openpyxl

        workbook = openpyxl.Workbook()
        for row in CODEBOOK_WITH_KEYS:
            workbook.active.append(row)
        workbook.save(book)
    imported = run("codeframe", "import", str(book), "-p", str(fresh), "-q", "q2_barriers")
    assert imported.exit_code == 0, imported.output
    shown = run("codeframe", "show", "--json", "-p", str(fresh), "-q", "q2_barriers")
    assert shown.exit_code == 0, shown.output
    keys = {c["code"]: c["key"] for c in json.loads(shown.output)["codes"]}
    assert keys == {100: None, 101: "7", 102: "1", 201: "Q"}
    with open_project(fresh) as store:  # what the app's keys read
        frame = store.codeframe_for("q2_barriers")
        assert frame is not None
        assert {c.output_code: c.shortcut for c in frame.codes} == keys


def test_a_bad_key_in_an_imported_codebook_names_file_line_and_column(
        data_project: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "bad.coder"
    shutil.copyfile(data_project, fresh)
    book = tmp_path / "bad.csv"
    book.write_text("code,label,key\n101,High school fees,7\n102,Who pays,%\n", encoding="utf-8")
    result = run("codeframe", "import", str(book), "-p", str(fresh), "-q", "q2_barriers")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert 'bad.csv, line 3, field "key": "%" is not a key (one of 1-9, 0 or A-Z)' \
        in result.output
    with open_project(fresh) as store:
        assert store.codeframe_for("q2_barriers") is None  # nothing imported


def test_merge_carries_codings_then_undo_and_redo(project: str) -> None:
    before = _counts(project)
    assert (before[101], before[102]) == (4, 6)  # ann 4 + 4 (2 on answers she gave 101), bob 2
    result = run("codeframe", "merge", "102", "--into", "High school fees", "-p", project,
                 "-q", "q2_barriers")
    assert result.exit_code == 0, result.output
    assert 'Merge "Disputes over who pays" into "High school fees"' in result.output
    # ann's 4 and bob's 2 move; ann had both codes on two answers, so those two become one each.
    assert '6 codings moved to 101 "High school fees" (now 8 codings)' in result.output
    after = _counts(project)
    assert (after[101], after[102]) == (8, 0)
    shown = run("codeframe", "show", "-p", project, "-q", "q2_barriers").output
    assert "[retired, merged into 101]" in next(x for x in shown.splitlines() if "who pays" in x)

    undone = run("codeframe", "undo", "-p", project)
    assert undone.output.strip() == 'undone: Merge "Disputes over who pays" into "High school fees"'
    assert _counts(project) == before
    assert run("codeframe", "redo", "-p", project).output.startswith("redone: Merge")
    assert _counts(project) == after
    assert run("codeframe", "undo", "-p", project, coder="bob").output.strip() == (
        "nothing to undo for bob")  # undo is per coder


def test_split_with_a_rule_moves_matching_codings_and_marks_the_rest(project: str) -> None:
    with open_project(project) as store:
        frame = store.codeframe_for("q2_barriers")
        assert frame is not None
        code = frame.by_output_code(102)
        assert code is not None
        texts = [store.answer(c.answer_id).text.casefold() for c in store.codings(
            code_ids=[code.id])]
    expected_fees = sum("fee" in t for t in texts)
    result = run("codeframe", "split", "Disputes over who pays", "--into", "Fees disputes",
                 "--into", "Other disputes", "--rule", "Fees disputes=FEE", "-p", project,
                 "-q", "q2_barriers")
    assert result.exit_code == 0, result.output
    counts = _counts(project)
    # Numbering: the new codes under 102 are 103 and 104, the next free in its block.
    assert (counts[103], counts[104], counts[102]) == (expected_fees, 0, 6 - expected_fees)
    assert f"103 Fees disputes: {expected_fees} codings" in result.output
    with open_project(project) as store:
        left = [c for c in store.codings(question_id="q2_barriers") if c.needs_recoding]
    assert len(left) == 6 - expected_fees
    bad = run("codeframe", "split", "101", "--into", "A", "--into", "B", "--rule", "C=x",
              "-p", project, "-q", "q2_barriers")
    assert bad.exit_code == 1 and 'the rule names "C", which is not a new code' in bad.output


def test_add_rename_edit_move_retire_restore_and_history(project: str) -> None:
    q2 = ("-p", project, "-q", "q2_barriers")
    added = run("codeframe", "add", "Transport costs", "--parent", "Cost and funding", *q2)
    assert added.exit_code == 0, added.output
    assert "new code 103: Cost and funding > Transport costs" in added.output
    assert run("codeframe", "rename", "103", "Travel costs", *q2).exit_code == 0
    edited = run("codeframe", "edit", "Travel costs", "--definition", "Getting children there",
                 "--colour", "#abc", *q2)
    assert edited.exit_code == 0, edited.output
    assert run("codeframe", "move", "103", "--to", "200", "--position", "1", *q2).exit_code == 0
    assert run("codeframe", "retire", "103", *q2).exit_code == 0
    with open_project(project) as store:
        frame = store.codeframe_for("q2_barriers")
        assert frame is not None
        code = frame.by_output_code(103)
        assert code is not None
        assert (code.label, code.definition, code.colour, code.status) == (
            "Travel costs", "Getting children there", "#AABBCC", "retired")
        assert frame.children(frame.by_output_code(200).id)[0].id == code.id  # type: ignore[union-attr]
    assert run("codeframe", "restore", "Travel costs", *q2).exit_code == 0

    history = run("codeframe", "history", "-p", project, "--limit", "6").output.splitlines()
    summaries = [line.split("  ", 2)[2].strip() for line in history]
    assert summaries == ['Restore "Travel costs"', 'Retire "Travel costs"',
                         'Move "Travel costs" to "Availability of places"',
                         'Edit 103 "Travel costs" (colour, definition)',
                         'Rename "Transport costs" -> "Travel costs"', 'Add "Transport costs"']
    assert all(line.split()[1] == "ann" for line in history)
    moved = run("codeframe", "move", "103", *q2)
    assert moved.exit_code == 2 and "give either --to PARENT or --top" in moved.output


def test_ambiguous_and_unknown_codes_are_one_line_errors(project: str) -> None:
    q2 = ("-p", project, "-q", "q2_barriers")
    assert run("codeframe", "add", "Other barrier", "--parent", "100", *q2).exit_code == 0
    result = run("codeframe", "rename", "other barrier", "Something", *q2)
    assert result.exit_code == 2
    assert result.output.strip() == (
        'error: "other barrier" matches 2 codes: 103 "Other barrier" under Cost and funding;'
        ' 997 "Other barrier". Use the number instead')
    unknown = run("codeframe", "retire", "High school fee", *q2)
    assert unknown.exit_code == 2 and 'did you mean "High school fees"' in unknown.output


def test_export_round_trips_through_yaml_and_qdc(project: str, tmp_path: Path,
                                                 data_project: Path) -> None:
    run("codeframe", "merge", "102", "--into", "101", "-p", project, "-q", "q2_barriers")
    yaml_path, qdc_path = tmp_path / "q2.yaml", tmp_path / "q2.qdc"
    for path in (yaml_path, qdc_path):
        result = run("codeframe", "export", str(path), "-p", project, "-q", "q2_barriers")
        assert result.exit_code == 0, result.output
    with open_project(project) as store:
        frame = store.codeframe_for("q2_barriers")
    assert frame is not None
    assert load_codeframe_yaml(yaml_path) == frame  # ids, numbers, tree, merged_into: all kept
    qdc = read_qdc(qdc_path)

    def shape(f: Codeframe) -> list[tuple[object, ...]]:
        return sorted((c.output_code, c.label, c.definition, c.examples, c.codable,
                       f.code(c.parent_id).output_code if c.parent_id else None)
                      for c in f.codes if c.is_active)

    assert shape(qdc) == shape(frame)
    fresh = tmp_path / "fresh.coder"
    shutil.copyfile(data_project, fresh)
    for path in (yaml_path,):
        result = run("codeframe", "import", str(path), "-p", str(fresh))
        assert result.exit_code == 0, result.output
    with open_project(fresh) as store:
        assert store.codeframe_for("q2_barriers") == frame
    bad = run("codeframe", "export", str(tmp_path / "q2.txt"), "-p", project, "-q", "q2_barriers")
    assert bad.exit_code == 1 and "export to one of .yaml" in bad.output


def _theme_run(store: SQLiteStore, question: str) -> tuple[int, list[int]]:
    answers = [a for a in store.answers(question) if a.non_substantive is None]
    quotes = [a.id for a in answers[:4]]
    themes = [
        StoredTheme(0, 0, "Cost of placements", ("fees", "cost", "budget"), 40, 0.4,
                    tuple(quotes)),
        StoredTheme(0, 1, "Lack of places", ("places", "local"), 30, 0.3, (answers[5].id,)),
        StoredTheme(0, 2, "Cost of placements", ("funding",), 10, 0.1, ()),
    ]
    run_id = store.save_theme_run(
        question_id=question, wave_id=None, coder="lead", model="test", params={},
        n_non_substantive=0, seconds=0.0, themes=themes,
        assignments=[ThemeAssignment(a.id, 0, 1.0, None) for a in answers[:4]])
    return run_id, quotes


def test_from_themes_drafts_a_frame_and_activates_it_only_for_a_question_without_one(
        tmp_path: Path, data_project: Path, project: str) -> None:
    fresh = tmp_path / "fresh.coder"
    shutil.copyfile(data_project, fresh)
    with open_project(fresh) as store:
        run_id, quotes = _theme_run(store, "q2_barriers")
        raw = [store.answer(a).raw_text for a in quotes[:3]]
    result = run("codeframe", "from-themes", "--question", "q2_barriers", "-p", str(fresh))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (f'created "q2_barriers themes (run {run_id})": 3 draft codes;'
                                     " active for q2_barriers")
    with open_project(fresh) as store:
        frame = store.codeframe_for("q2_barriers")
    assert frame is not None
    cost, places, again = sorted(frame.codes, key=lambda c: c.output_code)
    assert [c.output_code for c in (cost, places, again)] == [101, 102, 103]
    assert {c.status for c in frame.codes} == {"draft"}
    assert (cost.label, again.label) == ("Cost of placements", "Cost of placements (2)")
    assert cost.definition == "Answers about fees, cost or budget."
    assert places.definition == "Answers about places or local."
    assert len(cost.examples) == 3
    for example, text in zip(cost.examples, raw, strict=True):  # names redacted, else verbatim
        assert example == text or "[" in example

    with open_project(project) as store:
        _theme_run(store, "q3_overcome")
    kept = run("codeframe", "from-themes", "-q", "q3_overcome", "-p", project)
    assert kept.exit_code == 0, kept.output
    assert "not active (the question has a frame)" in kept.output
    with open_project(project) as store:
        active = store.codeframe_for("q3_overcome")
    assert active is not None and active.name == "Q3 What would help overcome the barriers"
    none = run("codeframe", "from-themes", "-q", "q5_asye_effective", "-p", project)
    assert none.exit_code == 3 and 'question "q5_asye_effective" has no theme run' in none.output


@pytest.mark.parametrize(("name", "text", "where"), [
    ("broken.yaml", "name: F\ncodes:\n  - code: 1\n    label: [unclosed\n",
     "broken.yaml, line 5, column 1: not valid YAML"),
    ("badcode.yaml", "name: F\ncodes:\n  - code: abc\n    label: A\n",
     'badcode.yaml, line 3, column 11, field "code": "abc" is not a whole number'),
    ("badcode.csv", "code,label\nabc,A\n",
     'badcode.csv, line 2, field "code": "abc" is not a whole number'),
])
def test_a_bad_codebook_is_bad_input_naming_file_line_and_column(
        project: str, tmp_path: Path, name: str, text: str, where: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = _counts(project)
    result = run("codeframe", "import", str(path), "--project", project)
    assert result.exit_code == 2, result.output
    assert where in result.output
    assert "Traceback" not in result.output
    assert _counts(project) == before
