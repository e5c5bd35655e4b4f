"""Malformed survey exports made on demand: the corpus behind tests/core/test_import_corpus.py and
benchmarks/reliability_import.py. Deterministic for a seed; no binary file is kept in the repo.

A case is a file (or a pipe, a directory, a link to a device) and the `coder import` options to
read it with. Most cases are broken; some are merely odd and must import cleanly.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import sqlite3
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

HEADER = ["respondent_id", "region", "placed", "comment", "q8_other_specify"]
REGIONS = ["North", "London & South", "East & Midlands"]
ANSWERS = [
    "Fees of \u00a360,000 a year are far beyond our budget",
    "Schools won\u2019t take children with complex needs \u2013 trauma",
    "Caf\u00e9-style drop-ins helped na\u00efve new starters",
    'Staff said "not again" when the placement broke down',
    "Distance, cost; and the waiting list | all three",
    "Multi-line answer:\nfirst the cost\nthen the distance",
    "N/A",
    "",
    "\u65e5\u672c\u8a9e\u306e\u56de\u7b54\u3082\u3042\u308b \u2014 emoji \U0001f600 too",
    "Z\u00fcrich-trained \u0161taff in \u00c5rhus",
]


class Case(NamedTuple):
    """One corpus entry: what kind of damage, the file, and extra `coder import` options."""

    kind: str
    path: Path
    options: tuple[str, ...] = ()


def good_rows(rng: random.Random, n: int, prefix: str = "R") -> list[list[str]]:
    rows = []
    for i in range(1, n + 1):
        placed = rng.choice(["Yes", "No"])
        rows.append(
            [
                f"{prefix}{i:03d}",
                rng.choice(REGIONS),
                placed,
                rng.choice(ANSWERS) if placed == "Yes" else "",
                rng.choice(["", "", "Our own panel of providers", "A neighbouring council"]),
            ]
        )
    return rows


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def good_csv(rng: random.Random, n: int = 20) -> bytes:
    return csv_text(HEADER, good_rows(rng, n)).encode("utf-8")


def good_project(folder: Path, seed: int) -> Path:
    """A project holding one good import (wave "1"), for "nothing changed" comparisons."""
    from coder.services.importing import import_survey
    from coder.store import create_project

    survey = folder / "good.csv"
    survey.write_bytes(good_csv(random.Random(seed)))
    project = folder / "base.coder"
    with create_project(project) as store:
        import_survey(store, survey, wave="1", open_columns=["comment"])
    return project


def write_xlsx(path: Path, header: list[object], rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Responses"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_sav(path: Path, rows: list[list[str]]) -> Path:
    import pandas as pd
    import pyreadstat

    frame = pd.DataFrame(rows, columns=HEADER)
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={"comment": "What barriers has your authority experienced?"},
    )
    return path


# -- the kinds of damage ------------------------------------------------------------------------

Maker = Callable[[random.Random, Path], Case]


def _random_bytes(rng: random.Random, stem: Path) -> Case:
    suffix = rng.choice([".csv", ".tsv", ".txt", ".xlsx", ".sav", ""])
    data = rng.randbytes(rng.choice([1, 7, 64, 512, 4096]))
    if rng.random() < 0.3:
        tokens = [b"id,comment\n", b"a,b\n", b"\x00", b'"', b"\r", b"\xe2\x80", b",", b"\xc3\xa9"]
        data = b"".join(rng.choice(tokens) for _ in range(rng.randint(1, 200))) + data
    path = stem.with_suffix(suffix)
    path.write_bytes(data)
    return Case("random bytes", path)


def _truncated_csv(rng: random.Random, stem: Path) -> Case:
    data = good_csv(rng)
    path = stem.with_suffix(".csv")
    path.write_bytes(data[: rng.randrange(1, len(data))])
    return Case("truncated CSV", path)


def _bit_flips(rng: random.Random, stem: Path) -> Case:
    data = bytearray(good_csv(rng))
    for _ in range(rng.choice([1, 2, 5, 20])):
        data[rng.randrange(len(data))] = rng.randrange(256)
    path = stem.with_suffix(".csv")
    path.write_bytes(bytes(data))
    return Case("bytes changed in a CSV", path)


def _stray_byte(rng: random.Random, stem: Path) -> Case:
    data = good_csv(rng)
    at = rng.randrange(len(data))
    path = stem.with_suffix(".csv")
    path.write_bytes(data[:at] + bytes([rng.randrange(0x80, 0x100)]) + data[at:])
    return Case("UTF-8 with a stray byte", path)


def _legacy_encoding(rng: random.Random, stem: Path) -> Case:
    encoding = rng.choice(["cp1252", "latin-1", "mac_roman", "cp437", "koi8_r"])
    text = csv_text(HEADER, good_rows(rng, 15))
    path = stem.with_suffix(".csv")
    path.write_bytes(text.encode(encoding, errors="replace"))
    options = ("--encoding", encoding) if rng.random() < 0.4 else ()
    return Case(f"legacy encoding ({encoding})", path, options)


def _wide_unicode(rng: random.Random, stem: Path) -> Case:
    encoding = rng.choice(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"])
    delimiter = rng.choice([",", "\t"])
    data = csv_text(HEADER, good_rows(rng, 12), delimiter).encode(encoding)
    if rng.random() < 0.4:
        data = data[: rng.randrange(1, len(data))]
    path = stem.with_suffix(".csv" if delimiter == "," else ".txt")
    path.write_bytes(data)
    return Case(f"UTF-16 or UTF-32 ({encoding})", path)


def _nuls(rng: random.Random, stem: Path) -> Case:
    header, rows = list(HEADER), good_rows(rng, 12)
    where = rng.choice(["header", "id", "answer", "everywhere"])
    if where == "header":
        header[rng.randrange(len(header))] = "\x00" * rng.randint(1, 4)
    elif where == "id":
        rows[rng.randrange(len(rows))][0] += "\x00"
    elif where == "answer":
        rows[rng.randrange(len(rows))][3] = "cost\x00 and\x1b[31m distance\x07"
    data = csv_text(header, rows).encode("utf-8")
    if where == "everywhere":
        data = bytes(b if rng.random() > 0.05 else 0 for b in data)
    path = stem.with_suffix(".csv")
    path.write_bytes(data)
    return Case(f"NULs and escapes ({where})", path)


def _ragged(rng: random.Random, stem: Path) -> Case:
    rows = good_rows(rng, 15)
    target = rows[rng.randrange(len(rows))]
    if rng.random() < 0.5:
        target.append("extra")
    else:
        target.pop()
    text = csv_text(HEADER, rows)
    if rng.random() < 0.3:
        text = text.replace('"', "", 1)  # an unbalanced quote
    path = stem.with_suffix(".csv")
    path.write_bytes(text.encode("utf-8"))
    return Case("ragged rows", path)


def _huge_cell(rng: random.Random, stem: Path) -> Case:
    rows = good_rows(rng, 5)
    rows[rng.randrange(len(rows))][3] = "cost and distance " * rng.randint(8_000, 20_000)
    text = csv_text(HEADER, rows)
    if rng.random() < 0.5:
        at = text.index("cost and distance")
        text = text[:at] + '"' + text[at:]  # a quote that never closes
    path = stem.with_suffix(".csv")
    path.write_bytes(text.encode("utf-8"))
    return Case("huge cell", path)


def _wide_file(rng: random.Random, stem: Path) -> Case:
    columns = rng.choice([10_000, 10_001])
    header = ["respondent_id"] + [f"q{i}" for i in range(1, columns)]
    words = ["", "1", "Yes", "cost and distance of places", "no local schools at all now"]
    rows = [[f"R{r}"] + [rng.choice(words) for _ in range(columns - 1)] for r in range(3)]
    if rng.random() < 0.5:
        rows[1].append("one too many")
    path = stem.with_suffix(".csv")
    path.write_bytes(csv_text(header, rows).encode("utf-8"))
    return Case("10,000 columns", path)


def _empty_ish(rng: random.Random, stem: Path) -> Case:
    data = rng.choice(
        [
            b"",
            b"\xef\xbb\xbf",
            b"\xff\xfe",
            b"\n\n\n",
            b",,,,\r\n,,,,\r\n",
            ",".join(HEADER).encode() + b"\r\n",
            b"\xef\xbb\xbf" + ",".join(HEADER).encode(),
            ",".join(HEADER).encode("utf-16"),
        ]
    )
    path = stem.with_suffix(".csv")
    path.write_bytes(data)
    return Case("empty or header only", path)


def _bad_headers(rng: random.Random, stem: Path) -> Case:
    header = list(HEADER)
    problem = rng.choice(["duplicate", "empty", "nfd", "escape", "bidi"])
    if problem == "duplicate":
        header[2] = header[3]
    elif problem == "empty":
        header[1] = ""
    elif problem == "nfd":
        header[1], header[2] = "r\u00e9gion", unicodedata.normalize("NFD", "r\u00e9gion")
    elif problem == "escape":
        header[1] = "\x1b[2J\x1b]0;title\x07region"
    else:
        header[1] = "region\u202e"
    rows = good_rows(rng, 10)
    if rng.random() < 0.5 and problem != "escape":  # openpyxl writes no control characters
        path = write_xlsx(stem.with_suffix(".xlsx"), list(header), [list(r) for r in rows])
    else:
        path = stem.with_suffix(".csv")
        path.write_bytes(csv_text(header, rows).encode("utf-8"))
    return Case(f"header problem ({problem})", path)


def _broken_zip(rng: random.Random, stem: Path) -> Case:
    path = stem.with_suffix(".xlsx")
    shape = rng.choice(["garbage", "empty zip", "foreign zip", "bad member"])
    if shape == "garbage":
        path.write_bytes(b"PK\x03\x04" + rng.randbytes(rng.randint(10, 2000)))
    else:
        with zipfile.ZipFile(path, "w") as book:
            if shape == "foreign zip":
                book.writestr("readme.txt", "not a workbook")
            elif shape == "bad member":
                book.writestr("[Content_Types].xml", rng.randbytes(200))
                book.writestr("xl/workbook.xml", "<workbook><sheets><sheet")
    return Case(f"broken zip ({shape})", path)


def _damaged_xlsx(rng: random.Random, stem: Path) -> Case:
    good = write_xlsx(stem.with_name(stem.name + "_src.xlsx"), list(HEADER), good_rows(rng, 15))
    data = good.read_bytes()
    good.unlink()
    path = stem.with_suffix(".xlsx")
    how = rng.choice(["truncated", "member cut", "member garbled", "bytes changed"])
    if how == "truncated":
        path.write_bytes(data[: rng.randrange(1, len(data))])
    elif how == "bytes changed":
        damaged = bytearray(data)
        for _ in range(rng.choice([1, 3, 10])):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        path.write_bytes(bytes(damaged))
    else:
        victim = rng.choice(["sheet1.xml", "sharedStrings.xml", "styles.xml", "workbook.xml"])
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(path, "w") as target:
            for item in source.infolist():
                member = source.read(item.filename)
                if item.filename.endswith(victim):
                    cut = rng.randrange(1, max(2, len(member)))
                    member = member[:cut] if how == "member cut" else rng.randbytes(cut)
                target.writestr(item, member)
    options = ("--sheet", "Nope") if rng.random() < 0.1 else ()
    return Case(f"damaged XLSX ({how})", path, options)


def _damaged_sav(rng: random.Random, stem: Path) -> Case:
    good = write_sav(stem.with_name(stem.name + "_src.sav"), good_rows(rng, 15))
    data = good.read_bytes()
    good.unlink()
    path = stem.with_suffix(".sav")
    if rng.random() < 0.5:
        path.write_bytes(data[: rng.randrange(1, len(data))])
        how = "truncated"
    else:
        damaged = bytearray(data)
        for _ in range(rng.choice([1, 3, 10])):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        path.write_bytes(bytes(damaged))
        how = "bytes changed"
    return Case(f"damaged SAV ({how})", path)


def _not_a_file(rng: random.Random, stem: Path) -> Case:
    kind = rng.choice(["fifo", "directory", "device"])
    path = stem.with_suffix(".csv")
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        path.symlink_to("/dev/null")
    return Case(f"not a regular file ({kind})", path)


def _clean(rng: random.Random, stem: Path) -> Case:
    rows = good_rows(rng, rng.randint(1, 30), prefix=rng.choice(["R", "N"]))
    form = rng.choice(["csv", "csv-bom", "tsv", "xlsx", "sav", "cp1252"])
    if form == "xlsx":
        path = write_xlsx(stem.with_suffix(".xlsx"), list(HEADER), [list(r) for r in rows])
    elif form == "sav":
        path = write_sav(stem.with_suffix(".sav"), rows)
    else:
        text = csv_text(HEADER, rows, "\t" if form == "tsv" else ",")
        encoding = {"csv-bom": "utf-8-sig", "cp1252": "cp1252"}.get(form, "utf-8")
        path = stem.with_suffix(".tsv" if form == "tsv" else ".csv")
        path.write_bytes(text.encode(encoding, errors="replace"))
    return Case(f"clean ({form})", path, ("--open-column", "comment"))


# Weights: how often each kind appears in a corpus (the wide file is slow to plan, so rare).
KINDS: list[tuple[Maker, int]] = [
    (_random_bytes, 10),
    (_truncated_csv, 8),
    (_bit_flips, 10),
    (_stray_byte, 8),
    (_legacy_encoding, 6),
    (_wide_unicode, 8),
    (_nuls, 6),
    (_ragged, 6),
    (_huge_cell, 3),
    (_wide_file, 1),
    (_empty_ish, 4),
    (_bad_headers, 6),
    (_broken_zip, 5),
    (_damaged_xlsx, 8),
    (_damaged_sav, 8),
    (_not_a_file, 2),
    (_clean, 6),
]


def corpus(folder: Path, cases: int, seed: int = 0) -> Iterator[Case]:
    """`cases` files in `folder`; every kind appears at least once when `cases` allows."""
    rng = random.Random(seed)
    makers = [maker for maker, _ in KINDS]
    weights = [weight for _, weight in KINDS]
    for index in range(cases):
        maker = makers[index] if index < len(makers) else rng.choices(makers, weights)[0]
        yield maker(random.Random(rng.getrandbits(64)), folder / f"case{index:05d}")


def project_dump(path: Path) -> str:
    """Everything a project file holds, as SQL text: equal dumps mean an unchanged project."""
    conn = sqlite3.connect(path)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


# -- running a case through `coder import` ------------------------------------------------------

_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


class Outcome(NamedTuple):
    """How an import of a case ended, judged as a user would."""

    status: str  # "clean", "clear error", "unclear error" or "traceback"
    changed: bool  # the import failed yet the project differs from before
    detail: str  # the output, or what was wrong


def import_case(case: Case, base_project: Path, project: Path, base_dump: str) -> Outcome:
    """Copy `base_project` to `project`, run `coder import` on the case, judge the result."""
    from click.testing import CliRunner

    from coder.cli.main import cli

    for leftover in (project, Path(f"{project}-wal"), Path(f"{project}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(base_project, project)
    args = ["import", str(case.path), "--project", str(project), *case.options]
    result = CliRunner().invoke(cli, args)
    output = result.output
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    if crashed or "Traceback" in output:
        detail = f"{type(result.exception).__name__}: {result.exception}" if crashed else output
        return Outcome("traceback", project_dump(project) != base_dump, detail)
    if result.exit_code == 0:
        unsafe = unsafe_text(project)
        return Outcome("unclear error" if unsafe else "clean", False, unsafe or output)
    changed = project_dump(project) != base_dump
    if result.exit_code == 2 and str(case.path) in output:
        return Outcome("clear error", changed, output)
    return Outcome("unclear error", changed, f"exit {result.exit_code}: {output}")


def unsafe_text(project: Path) -> str:
    """What a clean import let through that it must not: control characters in names, IDs or
    answer text (the raw text keeps them, by design)."""
    import re

    control = re.compile(_CONTROL)
    conn = sqlite3.connect(project)
    try:
        found = [
            f"{what} {value!r}"
            for what, sql in (
                ("question", "SELECT id FROM questions"),
                ("respondent", "SELECT external_id FROM respondents"),
                ("answer text", "SELECT text FROM answers"),
            )
            for (value,) in conn.execute(sql)
            if control.search(value) or (what == "answer text" and re.search("[\t\n\r]", value))
        ]
    finally:
        conn.close()
    return "; ".join(found[:5])
