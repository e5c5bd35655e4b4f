"""`--device cpu|cuda|mps|auto`: where the embedding model runs; a GPU asked for on a machine
without one is a clear error, never a traceback."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from coder.cli import cli
from coder.core.embedding import DEVICE_ENV, SentenceTransformerEmbedder, resolve_device
from coder.core.errors import CoderError


def test_auto_takes_a_gpu_only_when_there_is_one() -> None:
    expected = ("cuda" if torch.cuda.is_available()
                else "mps" if torch.backends.mps.is_available() else "cpu")
    assert resolve_device("auto") == expected
    assert resolve_device("cpu") == "cpu"


def test_device_comes_from_the_argument_then_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DEVICE_ENV, raising=False)
    assert SentenceTransformerEmbedder().device == "auto"
    monkeypatch.setenv(DEVICE_ENV, "cpu")
    assert SentenceTransformerEmbedder().device == "cpu"
    assert SentenceTransformerEmbedder(device="mps").device == "mps"
    with pytest.raises(CoderError, match='unknown device "tpu"'):
        SentenceTransformerEmbedder(device="tpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_a_missing_gpu_is_a_clear_error() -> None:
    with pytest.raises(CoderError, match="has no NVIDIA GPU"):
        resolve_device("cuda")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_cli_device_option_reaches_the_model(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DEVICE_ENV, raising=False)
    answers = tmp_path / "answers.csv"
    with answers.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows([i, f"answer {i} about fees"] for i in range(6))
    result = CliRunner().invoke(cli, ["--device", "cuda", "themes", str(answers),
                                      "--text-column", "text", "--output",
                                      str(tmp_path / "out.csv")])
    assert result.exit_code == 1 and "device cuda" in result.output
    assert "(e.g. --device cpu)" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out.csv").exists()
    result = CliRunner().invoke(cli, ["--device", "cpu", "themes", str(answers),
                                      "--text-column", "text", "--output",
                                      str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.csv").exists()
