"""Read double-coding CSV files and draw double-coding samples; stdlib and numpy, no UI or SQL."""

from __future__ import annotations

import csv
from collections.abc import Hashable, Sequence
from os import PathLike
from pathlib import Path
from typing import TypeVar

import numpy as np

from coder.core.agreement.types import CodingRecord, CodingTable
from coder.core.errors import InputError

__all__ = ["REQUIRED_COLUMNS", "draw_double_coding_sample", "read_codings_csv"]

REQUIRED_COLUMNS: tuple[str, ...] = ("unit", "coder", "code")
AnswerId = TypeVar("AnswerId", bound=Hashable)


def read_codings_csv(path: str | PathLike[str], codes: Sequence[str] | None = None) -> CodingTable:
    """Read a codings file with columns ``unit,coder,code``, one row per code applied.

    A row with an empty ``code`` means that coder coded that unit with no code. Duplicate rows
    are harmless. Column names are matched case-insensitively; other columns are ignored.
    The file is UTF-8, with or without a byte-order mark.

    Args:
        path: The CSV file.
        codes: Optional codeframe order (codes nobody applied are then reported too).

    Raises:
        InputError: Naming the file, row and column: unreadable file, missing columns, a
            blank unit or coder.
    """
    name = str(path)
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise InputError("the file is empty; expected columns unit,coder,code", path=name)
            normalised = [h.strip().lower() for h in header]
            missing = [c for c in REQUIRED_COLUMNS if c not in normalised]
            if missing:
                found = ", ".join(h for h in header) or "none"
                raise InputError(
                    f"missing column(s) {', '.join(missing)}; found: {found}",
                    path=name,
                    row=1,
                    column=missing[0],
                )
            at = {c: normalised.index(c) for c in REQUIRED_COLUMNS}
            records: list[CodingRecord] = []
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                cells = {c: (row[i].strip() if i < len(row) else "") for c, i in at.items()}
                for column in ("unit", "coder"):
                    if not cells[column]:
                        raise InputError(f"blank {column}", path=name, row=line, column=column)
                code = cells["code"]
                records.append(
                    CodingRecord(cells["unit"], cells["coder"], frozenset([code] if code else []))
                )
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte {exc.start}); save the file as UTF-8 CSV", path=name
        ) from None
    except csv.Error as exc:
        raise InputError(f"not a readable CSV file: {exc}", path=name) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=name) from None
    return CodingTable.from_records(records, codes=codes)


def draw_double_coding_sample(
    answer_ids: Sequence[AnswerId],
    share: float,
    coders: Sequence[str],
    seed: int,
) -> dict[str, list[AnswerId]]:
    """Assign a seeded random sample of a question's answers to every listed coder.

    The sample size is ``round(share * len(answer_ids))`` (at least 1 when there are answers
    and ``share`` > 0). The same arguments always give the same sample; each coder's list
    keeps the answers' original order.

    Args:
        answer_ids: The question's answers (unique ids).
        share: Fraction to double-code, in (0, 1].
        coders: Coders who each code the whole sample (e.g. ``["A", "B"]``).
        seed: Seed of the draw.

    Returns:
        Coder name -> the sampled answer ids (the same list for every coder).
    """
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    if not coders:
        raise ValueError("at least one coder is needed")
    if len(set(coders)) != len(coders):
        raise ValueError("coder names must be unique")
    if len(set(answer_ids)) != len(answer_ids):
        raise ValueError("answer ids must be unique")
    n = len(answer_ids)
    size = min(n, max(1, int(np.floor(share * n + 0.5)))) if n else 0
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(n, size=size, replace=False)) if size else np.zeros(0, int)
    sample = [answer_ids[int(i)] for i in chosen]
    return {coder: list(sample) for coder in coders}
