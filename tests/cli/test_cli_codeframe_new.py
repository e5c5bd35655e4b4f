"""`coder codeframe import FILE...` (several files at once) and `coder codeframe new NAME`."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from coder.cli import cli
from coder.store import open_project
from tests.store.test_store import snapshot

Q2 = "q2_barriers"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def frame_file(folder: Path, name: str, *, questions: str = "[]", label: str = "Fees") -> Path:
    path = folder / f"{name.lower().replace(' ', '_')}.yaml"
    path.write_text(f"name: {name}\nquestions: {questions}\ncodes:\n"
                    f"  - code: 101\n    label: {label}\n  - code: 102\n    label: Distance\n",
                    encoding="utf-8")
    return path


def frame_names(project: Path) -> list[str]:
    with open_project(project) as store:
        return [f.name for f in store.codeframes()]


def test_several_files_are_imported_each_as_its_own_undoable_action(
        project: Path, tmp_path: Path) -> None:
    first = frame_file(tmp_path, "Reasons A", questions=f"[{Q2}]")
    second = frame_file(tmp_path, "Reasons B")
    result = run("codeframe", "import", str(first), str(second), "-p", str(project),
                 "--coder", "ann")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        'imported "Reasons A": 2 codes; active for q2_barriers',
        'imported "Reasons B": 2 codes; active for no question yet (use --question)']
    assert sorted(frame_names(project)) == ["Barriers", "Reasons A", "Reasons B"]
    undo = run("codeframe", "undo", "-p", str(project), "--coder", "ann")
    assert undo.exit_code == 0 and 'add codeframe "Reasons B"' in undo.output
    assert sorted(frame_names(project)) == ["Barriers", "Reasons A"]


def test_one_bad_file_among_several_adds_none(project: Path, tmp_path: Path) -> None:
    good = frame_file(tmp_path, "Reasons A")
    clash = frame_file(tmp_path, "Barriers")  # the project's frame is called that
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: Broken\ncodes:\n  - code: abc\n    label: X\n", encoding="utf-8")
    before = snapshot(project)
    taken = run("codeframe", "import", str(good), str(clash), "-p", str(project))
    assert taken.exit_code == 3, taken.output
    assert 'barriers.yaml: a codeframe "Barriers" is already in this project' in taken.output
    invalid = run("codeframe", "import", str(good), str(broken), "-p", str(project))
    assert invalid.exit_code != 0 and "broken.yaml" in invalid.output
    twice = run("codeframe", "import", str(good), str(good), "-p", str(project))
    assert twice.exit_code == 3 and "already in" in twice.output
    assert snapshot(project) == before


def test_question_goes_with_one_file_only(project: Path, tmp_path: Path) -> None:
    result = run("codeframe", "import", str(frame_file(tmp_path, "A")),
                 str(frame_file(tmp_path, "B")), "-p", str(project), "-q", Q2)
    assert result.exit_code == 2 and "--question needs a single FILE" in result.output


def test_new_starts_an_empty_frame_that_add_fills_and_undo_removes(project: Path) -> None:
    created = run("codeframe", "new", "Reasons", "-p", str(project), "-q", Q2, "--coder", "ann",
                  "--description", "Why authorities place out of area")
    assert created.exit_code == 0, created.output
    assert created.output.startswith('created "Reasons": no codes yet; active for q2_barriers')
    added = run("codeframe", "add", "Cost", "-p", str(project), "--frame", "Reasons",
                "--coder", "ann")
    assert added.exit_code == 0, added.output
    with open_project(project) as store:
        frame = store.codeframe_for(Q2)
        assert frame is not None and frame.name == "Reasons"
        assert [c.label for c in frame.codes] == ["Cost"]
        assert frame.description == "Why authorities place out of area"
    for _ in range(2):
        assert run("codeframe", "undo", "-p", str(project), "--coder", "ann").exit_code == 0
    with open_project(project) as store:
        restored = store.codeframe_for(Q2)
        assert restored is not None and restored.name == "Barriers"
    assert frame_names(project) == ["Barriers"]


def test_new_refuses_a_taken_name_or_an_unknown_question(project: Path) -> None:
    taken = run("codeframe", "new", "Barriers", "-p", str(project))
    assert taken.exit_code == 3 and 'a codeframe "Barriers" is already' in taken.output
    unknown = run("codeframe", "new", "Other", "-p", str(project), "-q", "q9")
    assert unknown.exit_code == 2 and 'no question "q9"' in unknown.output
    assert frame_names(project) == ["Barriers"]



def test_add_to_a_question_without_a_frame_starts_its_frame_as_the_app_does(
        tmp_path: Path) -> None:
    survey = tmp_path / "survey.csv"
    survey.write_text("id,why\nR1,It costs too much\nR2,The bus takes an hour\n",
                      encoding="utf-8")
    project = tmp_path / "p.coder"
    assert run("init", str(project)).exit_code == 0
    imported = run("import", str(survey), "-p", str(project), "--open-column", "why")
    assert imported.exit_code == 0, imported.output
    added = run("codeframe", "add", "Cost", "-p", str(project), "-q", "why", "--coder", "ann")
    assert added.exit_code == 0, added.output
    assert 'started "why codes" for why' in added.output
    with open_project(project) as store:
        frame = store.codeframe_for("why")
        assert frame is not None and frame.name == "why codes"
        assert [c.label for c in frame.codes] == ["Cost"]
    again = run("codeframe", "add", "Distance", "-p", str(project), "-q", "why",
                "--coder", "ann")
    assert again.exit_code == 0, again.output
    assert "started" not in again.output
    for _ in range(3):  # the two codes, then the frame
        assert run("codeframe", "undo", "-p", str(project), "--coder", "ann").exit_code == 0
    assert frame_names(project) == []
    unknown = run("codeframe", "add", "Cost", "-p", str(project), "-q", "q9")
    assert unknown.exit_code == 2 and 'no question "q9"' in unknown.output
