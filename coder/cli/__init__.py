"""The `coder` command line: parse, call services/core/store, print. Exit codes in `main`."""

from __future__ import annotations

from coder.cli.main import cli, main

__all__ = ["cli", "main"]
