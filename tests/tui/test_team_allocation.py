"""The instructions `coder qa sample` and `coder assign` print, followed literally: the command
line they print opens the app on that coder's assigned answers (driven with the pilot)."""

from __future__ import annotations

import asyncio
import shlex
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coder.cli.main import cli
from coder.store import open_project
from coder.tui.app import CoderApp
from tests.tui.conftest import screen_text

Q2 = "q2_barriers"
SIZE = (120, 40)


def printed_commands(output: str) -> list[list[str]]:
    """The `coder open ...` command lines in a command's output, as argument lists."""
    found = []
    for line in output.splitlines():
        at = line.find("coder open ")
        if at >= 0:
            found.append(shlex.split(line[at:])[1:])  # the arguments after `coder`
    return found


def run_printed(args: list[str], monkeypatch: pytest.MonkeyPatch,
                press: tuple[str, ...] = ()) -> dict[str, Any]:
    """Run a printed `coder open` command through the real CLI; the app it builds is driven by
    the pilot instead of a terminal. Returns what the coding screen showed."""
    seen: dict[str, Any] = {}

    async def drive(app: CoderApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            seen["screen"] = screen.id
            seen["listed"] = list(screen.coding.answer_ids)  # type: ignore[attr-defined]
            seen["text"] = screen_text(app)
            await pilot.press(*press)
            await pilot.pause()
            seen["current"] = screen.coding.current_id  # type: ignore[attr-defined]
            seen["after"] = screen_text(app)
            seen["listed_after"] = list(screen.coding.answer_ids)  # type: ignore[attr-defined]

    def run(self: CoderApp, *args: Any, **kwargs: Any) -> None:
        asyncio.run(drive(self))

    monkeypatch.setattr(CoderApp, "run", run)
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return seen


def test_qa_sample_instructions_open_each_coder_on_their_sample(
        demo_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    made = runner.invoke(cli, ["qa", "sample", "--project", str(demo_project), "--question", Q2,
                               "--share", "0.2", "--coders", "alice,bob", "--seed", "5"])
    assert made.exit_code == 0, made.output
    commands = printed_commands(made.output)
    assert [c[c.index("--coder") + 1] for c in commands] == ["alice", "bob"]
    with open_project(demo_project) as store:
        sample = store.qa_samples(Q2)[0]
        in_sample = store.sample_answers(sample.id)
        total = sum(1 for a in store.answers(Q2) if not a.is_blank)
    assert 0 < len(in_sample) < total

    # she codes her first answer, lists her uncoded ones, then clears the filter with Esc
    alice = run_printed(commands[0], monkeypatch, press=("1", "u", "escape"))
    assert alice["screen"] == "coding"
    assert alice["listed"] == in_sample  # her sample, not every answer
    assert f"{len(in_sample)} of {total} answers" in alice["text"]
    assert "is:assigned" in alice["text"] and "BLIND" in alice["text"]
    assert f"coded 1/{len(in_sample)} of yours" in alice["after"]
    assert alice["listed_after"] == in_sample  # Esc in blind mode goes back to her sample
    with open_project(demo_project) as store:
        progress = {p.coder: p.coded for p in store.qa_progress(sample.id)}
        coded = store.coded_answer_ids(Q2, store.coder("alice", create=False).id)
    assert progress == {"alice": 1, "bob": 0}
    assert coded == {in_sample[0]}

    bob = run_printed(commands[1], monkeypatch)
    assert bob["listed"] == in_sample
    assert "alice" not in bob["text"].split("coder: bob", 1)[1]  # blind: her codes hidden


def test_assign_instructions_open_the_coder_on_their_range(
        demo_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = CliRunner().invoke(cli, ["assign", "--project", str(demo_project), "--question", Q2,
                                    "--coder", "erin", "--range", "11-30"])
    assert made.exit_code == 0, made.output
    assert "assignment 1: 20 answers" in made.output
    (command,) = printed_commands(made.output)
    with open_project(demo_project) as store:
        expected = [a.id for a in store.answers(Q2) if not a.is_blank][10:30]
    erin = run_printed(command, monkeypatch)
    assert erin["listed"] == expected
