"""`coder report`, `coder export` and `coder redaction` on the hand-coded fixture project."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from coder.cli import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_report_html_with_breakdown(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = run("report", "-p", str(project), "--output", str(out), "--by", "region",
                 "--base-label", "responding authorities")
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Base: all responding authorities (n=8)" in html
    assert "London* (n=3)" in html
    assert not re.search(r"\bR\d\d\b", html) and "Kent" not in html


def test_report_docx_and_md_by_extension(project: Path, tmp_path: Path) -> None:
    for name in ("r.docx", "r.md"):
        result = run("report", "-p", str(project), "-o", str(tmp_path / name))
        assert result.exit_code == 0, result.output
    assert (tmp_path / "r_files" / "chart_01.png").exists()


def test_report_with_two_disagreeing_coders_cautions_and_counts_agreed_codes(
        tmp_path: Path, build_report_project: Callable[..., Path]) -> None:
    project = build_report_project(tmp_path, coders=("alice", "bob"))
    out = tmp_path / "r.md"
    result = run("report", "-p", str(project), "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "5 answers have unresolved disagreements" in text
    assert "listed in the question's disagreement queue" in text
    result = run("report", "-p", str(project), "-o", str(out), "--layer", "coder:bob")
    assert result.exit_code == 0, result.output
    assert "unresolved" not in out.read_text(encoding="utf-8")
    bad = run("report", "-p", str(project), "-o", str(out), "--layer", "coder:carol")
    assert bad.exit_code == 2


def test_include_ids_is_explicit(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    result = run("report", "-p", str(project), "-o", str(out), "--include-ids")
    assert result.exit_code == 0
    assert "do not publish" in result.output
    assert re.search(r"respondent R\d\d", out.read_text(encoding="utf-8"))


def test_export_formats(project: Path, tmp_path: Path) -> None:
    for fmt in ("csv", "xlsx", "sav"):
        result = run("export", "-p", str(project), "--format", fmt, "-o",
                     str(tmp_path / f"codes.{fmt}"), "--attribute", "region")
        assert result.exit_code == 0, result.output
    assert (tmp_path / "codes_codebook.csv").exists()
    result = run("export", "-p", str(project), "-o", str(tmp_path / "bank.csv"),
                 "--format", "quotes")
    assert result.exit_code == 0 and "internal use only" in result.output
    bad = run("export", "-p", str(project), "-o", str(tmp_path / "x.txt"))
    assert bad.exit_code == 2


def test_redaction_list_is_used_in_reports(project: Path, tmp_path: Path) -> None:
    result = run("redaction", "add", "-p", str(project), "trauma", "--placeholder", "[topic]")
    assert result.exit_code == 0, result.output
    listed = run("redaction", "list", "-p", str(project))
    assert "trauma\t[topic]" in listed.output
    out = tmp_path / "r.html"
    run("report", "-p", str(project), "-o", str(out), "--quotes", "10")
    html = out.read_text(encoding="utf-8")
    assert "trauma" not in html and "[topic]" in html
    assert run("redaction", "remove", "-p", str(project), "TRAUMA").exit_code == 0
    assert "trauma" not in run("redaction", "list", "-p", str(project)).output


def test_export_qdpx_holds_the_layer_codings(project: Path, tmp_path: Path) -> None:
    import zipfile

    out = tmp_path / "p.qdpx"
    result = run("export", "-p", str(project), "-o", str(out))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        xml = archive.read("project.qde").decode("utf-8")
    # the final layer (alice alone): her codings on the 7 coded answers, 1+2+2+1+2+1+2 = 11
    # (401 retired still exported), held by one user named "final"
    assert xml.count("<Coding ") == 11
    assert 'name="final"' in xml
    result = run("export", "-p", str(project), "-o", str(out), "--layer", "coder:alice")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        xml = archive.read("project.qde").decode("utf-8")
    assert xml.count("<Coding ") == 11 and 'name="alice"' in xml


def test_redaction_list_shows_the_automatic_terms_too(project: Path) -> None:
    run("redaction", "add", "-p", str(project), "Bob Crachit", "--coder", "t")
    shown = run("redaction", "list", "-p", str(project)).output
    assert "Bob Crachit\t[name]\tlisted" in shown
    assert "authority, person" in shown  # the built-in steps, listed with the patterns
    assert "12 respondent IDs" in shown and "local authorities" in shown


def test_report_breakdown_refusal_names_the_column(project: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "-p", str(project), "-o",
                                      str(tmp_path / "r.md"), "--by", "authority_name"])
    assert result.exit_code != 0
    assert '"authority_name" holds names' in result.output and "region" in result.output


def test_a_starred_answer_left_out_as_risky_is_reported(tmp_path: Path) -> None:
    from coder.core.codeframe.model import Code, Codeframe
    from coder.services.importing import import_survey
    from coder.store import create_project

    survey = tmp_path / "s.csv"
    survey.write_text("id,Q\nR1,We asked Grace about the fees\nR2,Fees are far too high for us\n"
                      "R3,The fees keep going up each year\n", encoding="utf-8")
    path = tmp_path / "p.coder"
    store = create_project(path)
    import_survey(store, survey, id_column="id", open_columns=["Q"], coder="t")
    store.add_codeframe(Codeframe("f", "F", (Code(id="c1", codeframe_id="f", label="Fees",
                                                  output_code=1, position=1),)),
                        "t", questions=["Q"])
    coder = store.coder("ann")
    for answer in store.answers("Q"):
        store.set_codes(answer.id, coder, ["c1"])
        if "Grace" in answer.text:
            store.star_quote("c1", answer.id, coder)
    store.close()
    out = tmp_path / "r.md"
    result = CliRunner().invoke(cli, ["report", "-p", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Q: 1 starred answer(s) left out of the quotes" in result.output
    text = out.read_text(encoding="utf-8")
    assert "Grace" not in text and "Fees are far too high" in text
