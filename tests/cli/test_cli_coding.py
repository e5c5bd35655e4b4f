"""`coder code`, `coder memo`, `coder flag` and `coder quotes` on the demo survey."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from coder.cli import cli
from coder.core.codeframe.files import load_codeframe
from coder.services.importing import import_survey
from coder.store import SQLiteStore, create_project, open_project

REPO = Path(__file__).resolve().parents[2]
DEMO_CSV = REPO / "data" / "demo_survey.csv"
Q2_FRAME = REPO / "codeframes" / "q2_barriers.yaml"
Q2 = "q2_barriers"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clicoding") / "template.coder"
    with create_project(path) as store:
        import_survey(store, DEMO_CSV, wave="2025", coder="setup")
        store.add_codeframe(load_codeframe(Q2_FRAME), "setup", questions=[Q2])
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def project(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("CODER_NAME", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no config file
    target = tmp_path / "demo.coder"
    shutil.copyfile(template, target)
    return str(target)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def answer_of(store: SQLiteStore, respondent: str) -> int:
    ids = {r.id for r in store.respondents() if r.external_id == respondent}
    return next(a.id for a in store.answers(Q2) if a.respondent_id in ids)


def saved(project: str, respondent: str, coder: str) -> list[int]:
    """Output codes `coder` has on the respondent's q2 answer, in the order applied."""
    with open_project(project) as store:
        frame = store.codeframe_for(Q2)
        me = store.coder(coder, create=False)
        return [frame.code(c).output_code for c in store.codes_of(answer_of(store, respondent),
                                                                   me.id)]


def test_code_saves_the_code_for_the_coder_on_the_respondents_answer(project: str) -> None:
    result = run("code", "-p", project, "-q", Q2, "LA017", "201", "--coder", "ann")
    assert result.exit_code == 0, result.output
    with open_project(project) as store:
        answer = answer_of(store, "LA017")
    assert result.output == (f"LA017 ({Q2}, answer {answer}), coder ann:"
                             " 201 No suitable local schools\n")
    assert saved(project, "LA017", "ann") == [201]
    with open_project(project) as store:
        assert [(c.answer_id, c.coder_id) for c in store.codings(question_id=Q2)] == [
            (answer, store.coder("ann", create=False).id)]


def test_codes_by_label_add_to_the_coders_codes_and_remove_and_none_take_them_off(
        project: str) -> None:
    q = ("-p", project, "-q", Q2, "--coder", "ann")
    assert run("code", *q, "LA017", "201").exit_code == 0
    assert run("code", *q, "LA017", "high school fees", "201").exit_code == 0
    assert sorted(saved(project, "LA017", "ann")) == [101, 201]
    assert run("code", *q, "LA017", "201", "--remove").exit_code == 0
    assert saved(project, "LA017", "ann") == [101]
    done = run("code", *q, "LA017", "--none")
    assert done.exit_code == 0 and done.output.endswith("coder ann: no code applies\n")
    assert saved(project, "LA017", "ann") == []
    with open_project(project) as store:
        ann = store.coder("ann", create=False)
        assert store.status(answer_of(store, "LA017"), ann.id)["coded_at"] is not None
    undone = run("codeframe", "undo", "-p", project, "--coder", "ann")
    assert undone.exit_code == 0 and saved(project, "LA017", "ann") == [101]


def test_the_coder_defaults_to_the_apps_config_file(project: str, tmp_path: Path) -> None:
    config = tmp_path / "config" / "coder"
    config.mkdir(parents=True)
    (config / "config.toml").write_text('coder = "dana"\n')
    result = run("code", "-p", project, "-q", Q2, "LA017", "201")
    assert result.exit_code == 0 and "coder dana:" in result.output
    assert saved(project, "LA017", "dana") == [201]


@pytest.mark.parametrize(("args", "code", "message"), [
    (("LA999", "201"), 2, 'no respondent "LA999" in this project'),
    (("LA017", "555"), 2, "has no code 555"),
    (("LA017", "High school fee"), 2, 'did you mean "High school fees"'),
    (("LA017", "100"), 2, '"100 Cost and funding" is a net'),
    (("LA017",), 2, "give one or more codes"),
    (("LA017", "201", "--none"), 2, "give no codes with it"),
])
def test_unknown_respondents_and_codes_exit_2_and_change_nothing(
        project: str, args: tuple[str, ...], code: int, message: str) -> None:
    result = run("code", "-p", project, "-q", Q2, "--coder", "ann", *args)
    assert result.exit_code == code, result.output
    assert message in result.output
    with open_project(project) as store:
        assert store.codings(question_id=Q2) == []


def test_an_unknown_question_is_bad_input_and_a_blank_answer_a_project_problem(
        project: str) -> None:
    unknown = run("code", "-p", project, "-q", "q99", "LA017", "201", "--coder", "ann")
    assert unknown.exit_code == 2 and 'no question "q99"' in unknown.output
    with open_project(project) as store:
        blank = next(a for a in store.answers(Q2) if a.is_blank)
        who = store.respondent(blank.respondent_id).external_id
    refused = run("code", "-p", project, "-q", Q2, who, "201", "--coder", "ann")
    assert refused.exit_code == 3 and "blank" in refused.output


def test_memo_and_flag(project: str) -> None:
    q = ("-p", project, "-q", Q2, "--coder", "ann")
    assert run("memo", *q, "LA017", "  check wording ").exit_code == 0
    assert run("flag", *q, "LA017").output.endswith("flagged for review\n")
    with open_project(project) as store:
        ann = store.coder("ann", create=False)
        answer = answer_of(store, "LA017")
        assert store.status(answer, ann.id) == {"coded_at": None, "memo": "check wording",
                                                "flagged": True}
    assert run("flag", *q, "LA017", "--off").output.endswith("not flagged\n")
    assert run("memo", *q, "LA017", "").output.endswith("memo removed\n")
    with open_project(project) as store:
        assert store.status(answer, ann.id)["memo"] == ""
        assert not store.status(answer, ann.id)["flagged"]


def test_quotes_star_list_and_unstar(project: str) -> None:
    q = ("-p", project, "-q", Q2, "--coder", "ann")
    for respondent in ("LA002", "LA003", "LA005"):
        assert run("code", *q, respondent, "101").exit_code == 0
    starred = run("quotes", "star", *q, "--code", "101", "LA005")
    assert starred.exit_code == 0 and "LA005" in starred.output and "starred for 101" in starred.output
    listed = run("quotes", "list", "-p", project, "-q", Q2, "--code", "High school fees")
    lines = listed.output.splitlines()
    assert listed.exit_code == 0 and len(lines) == 3
    assert lines[0].startswith("* LA005\t") and all(line.startswith("  LA") for line in lines[1:])
    report = run("quotes", "list", "-p", project, "-q", Q2, "--code", "101", "--report")
    assert report.exit_code == 0 and len(report.output.splitlines()) == 3
    with open_project(project) as store:
        text = store.answer(answer_of(store, "LA005")).text
    assert report.output.splitlines()[0] == f"\u201c{text}\u201d"
    unstarred = run("quotes", "unstar", *q, "--code", "101", "LA005", "LA002")
    assert unstarred.exit_code == 0
    assert unstarred.output.splitlines()[1].endswith("was not starred for 101 High school fees")
    with open_project(project) as store:
        assert store.starred_quotes(store.codeframe_for(Q2).by_output_code(101).id) == []


def test_starring_an_answer_not_coded_with_the_code_stars_nothing(project: str) -> None:
    q = ("-p", project, "-q", Q2, "--coder", "ann")
    assert run("code", *q, "LA002", "101").exit_code == 0
    refused = run("quotes", "star", *q, "--code", "101", "LA002", "LA003")
    assert refused.exit_code == 3 and "not coded 101" in refused.output
    with open_project(project) as store:
        assert store.starred_quotes(store.codeframe_for(Q2).by_output_code(101).id) == []
