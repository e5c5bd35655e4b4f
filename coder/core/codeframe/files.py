"""Read a codeframe file of any supported type, chosen by its extension; no UI, no store."""

from __future__ import annotations

from pathlib import Path

from coder.core.codeframe.codebook_tables import read_codebook_csv, read_codebook_xlsx
from coder.core.codeframe.model import Codeframe, CodeframeError, CodeframeFileError
from coder.core.codeframe.yaml_file import load_codeframe_yaml


def load_codeframe(path: str | Path) -> Codeframe:
    """Read a codeframe from .yaml/.yml, .csv, .xlsx or REFI-QDA .qdc by file extension.

    Raises:
        CodeframeFileError: If the type is not supported or the file is invalid (each problem
            names the file and where in it).
    """
    try:
        return _load(path)
    except CodeframeFileError:
        raise
    except CodeframeError as exc:
        raise CodeframeFileError(exc.problems) from None


def _load(path: str | Path) -> Codeframe:
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return load_codeframe_yaml(path)
    if suffix == ".csv":
        return read_codebook_csv(path)
    if suffix == ".xlsx":
        return read_codebook_xlsx(path)
    if suffix == ".qdc":
        from coder.core.codeframe.refi_codebook import read_qdc

        return read_qdc(path)
    raise CodeframeFileError(f"{path}: use a .yaml, .csv, .xlsx or .qdc codeframe file")
