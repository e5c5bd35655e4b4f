"""A CSV import can be given each question's wording and routing, which reports then print."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from coder.cli import cli
from coder.core.survey.question_sheet import QuestionWording
from coder.services.question_wording import question_wording
from coder.store import open_project


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _survey(folder: Path) -> Path:
    path = folder / "s.csv"
    path.write_text("resp_id,region,Q_barriers,Q_other\n"
                    "R1,North,Fees are high for us,Nothing more\n"
                    "R2,South,Distance from home matters,Staffing is short\n", encoding="utf-8")
    return path


def _import(project: str, folder: Path, *extra: str) -> Result:
    return run("import", str(_survey(folder)), "-p", project, "--id-column", "resp_id",
               "--open-column", "Q_barriers", "--open-column", "Q_other", *extra)


def test_import_takes_wording_and_routing_options(tmp_path: Path) -> None:
    project = str(tmp_path / "p.coder")
    assert run("init", project).exit_code == 0
    result = _import(project, tmp_path,
                     "--question-text", "Q_barriers=What are the main barriers?",
                     "--question-routing", "Q_barriers=All authorities")
    assert result.exit_code == 0, result.output
    assert "wording given for Q_barriers" in result.output
    with open_project(project) as store:
        assert question_wording(store) == {
            "Q_barriers": QuestionWording("What are the main barriers?", "All authorities")}


def test_import_takes_a_questions_file_and_names_bad_rows(tmp_path: Path) -> None:
    project = str(tmp_path / "p.coder")
    run("init", project)
    questions = tmp_path / "questions.csv"
    questions.write_text("id,text,routing\nQ_other,Anything else?,\nQ_gone,Not in this file,\n",
                         encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(_survey(tmp_path)), "-p", project,
                                      "--id-column", "resp_id", "--open-column", "Q_barriers",
                                      "--open-column", "Q_other", "--questions", str(questions)])
    assert result.exit_code == 0, result.output
    assert "wording not used: no column Q_gone" in result.output
    with open_project(project) as store:
        assert question_wording(store) == {"Q_other": QuestionWording("Anything else?")}
    questions.write_text("question,wording\nQ_other,x\n", encoding="utf-8")
    bad = run("import", str(_survey(tmp_path)), "-p", project, "--questions", str(questions))
    assert bad.exit_code == 2
    assert "questions.csv, row 1: needs the columns id and text" in bad.output
    questions.write_text("id,text\nQ_other,x\n,y\n", encoding="utf-8")
    bad = run("import", str(_survey(tmp_path)), "-p", project, "--questions", str(questions))
    assert bad.exit_code == 2 and 'row 3, column "id": no question id' in bad.output
    questions.write_text("id,text\nQ_other,x\nQ_other,y\n", encoding="utf-8")
    bad = run("import", str(_survey(tmp_path)), "-p", project, "--questions", str(questions))
    assert bad.exit_code == 2 and '"Q_other" is given twice' in bad.output


def test_import_takes_an_xlsx_questions_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    project = str(tmp_path / "p.coder")
    run("init", project)
    book = Workbook()
    sheet = book.active
    sheet.append(["ID", "Text", "Routing"])
    sheet.append(["Q_barriers", "What are the main barriers?", "Authorities that placed any"])
    book.save(tmp_path / "questions.xlsx")
    result = _import(project, tmp_path, "--questions", str(tmp_path / "questions.xlsx"))
    assert result.exit_code == 0, result.output
    with open_project(project) as store:
        assert question_wording(store)["Q_barriers"].routing == "Authorities that placed any"


def test_question_set_records_wording_is_undoable_and_refuses_an_unknown_question(
        tmp_path: Path) -> None:
    project = str(tmp_path / "p.coder")
    run("init", project)
    _import(project, tmp_path)
    result = run("question", "set", "Q_other", "-p", project, "--text", "Anything else?",
                 "--coder", "ann")
    assert result.exit_code == 0, result.output
    result = run("question", "set", "Q_other", "-p", project, "--routing", "Everyone",
                 "--coder", "ann")
    with open_project(project) as store:
        assert question_wording(store) == {"Q_other": QuestionWording("Anything else?",
                                                                      "Everyone")}
        store.undo("ann")
        assert question_wording(store) == {"Q_other": QuestionWording("Anything else?")}
    bad = CliRunner().invoke(cli, ["question", "set", "Q_nope", "-p", project, "--text", "x"])
    assert bad.exit_code == 2 and "Q_nope" in bad.output and "Traceback" not in bad.output
    empty = CliRunner().invoke(cli, ["question", "set", "Q_other", "-p", project])
    assert empty.exit_code == 2 and "give --text, --routing or both" in empty.output
