"""Tables printed to a pipe or a file keep every column whole (no cut at 80 columns)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from coder.cli.main import cli
from coder.core.codeframe.files import load_codeframe
from coder.services.importing import import_survey
from coder.store import create_project

REPO = Path(__file__).resolve().parents[2]
Q2 = "q2_barriers"


def test_piped_agreement_table_keeps_every_column(tmp_path: Path) -> None:
    path = tmp_path / "p.coder"
    with create_project(path) as store:
        import_survey(store, REPO / "data" / "demo_survey.csv", wave="2025", coder="setup")
        store.add_codeframe(load_codeframe(REPO / "codeframes" / "q2_barriers.yaml"), "setup",
                            questions=[Q2])
        frame = store.codeframe_for(Q2)
        assert frame is not None
        ids = {c.output_code: c.id for c in frame.codes}
        alice, bob = store.coder("alice"), store.coder("bob")
        plan = [((101,), (101,)), ((101, 102), (101,)), ((201,), (201,)), ((301,), (302,)),
                ((202,), (202,)), ((304,), (304,))]
        answers = [a.id for a in store.answers(Q2, substantive_only=True)]
        for answer_id, (mine, theirs) in zip(answers, plan, strict=False):
            store.set_codes(answer_id, alice, [ids[n] for n in mine])
            store.set_codes(answer_id, bob, [ids[n] for n in theirs])
    result = CliRunner().invoke(cli, ["agreement", "-p", str(path), "-q", Q2],
                                env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if "alpha" in line.lower())
    assert "kappa" in header.lower()  # the column a terminal of 80 columns would drop
    assert "…" not in result.output  # nothing cut short
    assert max(len(line) for line in result.output.splitlines()) > 80
