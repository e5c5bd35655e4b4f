"""Read and write codeframes as YAML files and CSV/XLSX codebooks; no UI, no store, no SQL."""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from coder.core.codeframe.model import (
    SHORTCUT_KEYS,
    STATUSES,
    Code,
    Codeframe,
    CodeframeError,
    derived_id,
    normalise_colour,
)
from coder.core.safe_files import atomic_output, write_text_atomic

TABLE_COLUMNS = (
    "code",
    "label",
    "parent",
    "definition",
    "include",
    "exclude",
    "examples",
    "colour",
    "status",
    "codable",
    "id",
)
_COLUMN_ALIASES = {
    "color": "colour",
    "include_note": "include",
    "exclude_note": "exclude",
    "parent_code": "parent",
    "output_code": "code",
    "name": "label",
    "description": "definition",
}
_FRAME_KEYS = ("name", "id", "description", "questions", "codes")
_CODE_KEYS = (
    "code",
    "label",
    "id",
    "parent",
    "definition",
    "include",
    "exclude",
    "examples",
    "colour",
    "color",
    "status",
    "codable",
    "merged_into",
    "key",
    "codes",
)
_NULL = "tag:yaml.org,2002:null"

Where = Callable[[str], str]


@dataclass
class _Entry:
    """One code as read from a file, before parents and ids are resolved."""

    where: Where
    at: str = ""
    code: int | None = None
    label: str = ""
    id: str | None = None
    nested_parent: int | None = None
    parent_ref: int | str | None = None
    merged_ref: int | str | None = None
    codable: bool | None = None
    fields: dict[str, Any] = field(default_factory=dict)


def _suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _line_key(problem: str) -> int:
    found = re.search(r", (?:line|row) (\d+)", problem)
    return int(found.group(1)) if found else 0


# -- building a frame from entries (shared by YAML and tables) ----------------------------------


def _build(
    source: str,
    name: str,
    frame_id: str | None,
    description: str,
    questions: Sequence[str],
    entries: list[_Entry],
    problems: list[str],
) -> Codeframe:
    fid = frame_id or derived_id("codeframe", name)
    numbers: dict[int, int] = {}
    for i, e in enumerate(entries):
        if e.code is None:
            continue
        if e.code in numbers:
            first = entries[numbers[e.code]]
            problems.append(
                f'{e.where("code")}: {e.code} is already used by "{first.label}" ({first.at})'
            )
        else:
            numbers[e.code] = i
    ids = [e.id or derived_id(name, e.code) for e in entries]
    seen_ids: dict[str, int] = {}
    for i, e in enumerate(entries):
        if e.id is not None and e.id in seen_ids:
            problems.append(f"{e.where('id')}: id {e.id} is used twice")
        seen_ids.setdefault(ids[i], i)

    def resolve(ref: int | str, where: str, what: str) -> int | None:
        if isinstance(ref, int):
            if ref in numbers:
                return numbers[ref]
        else:
            if ref in seen_ids:
                return seen_ids[ref]
            hits = [j for j, x in enumerate(entries) if x.label.casefold() == ref.casefold()]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                problems.append(f'{where}: {what} "{ref}" matches several labels; use its code')
                return None
        problems.append(f'{where}: unknown {what} "{ref}"')
        return None

    parents: list[int | None] = []
    for e in entries:
        parent = e.nested_parent
        if e.parent_ref is not None:
            found = resolve(e.parent_ref, e.where("parent"), "parent")
            if e.nested_parent is not None and found is not None and found != e.nested_parent:
                problems.append(
                    f"{e.where('parent')}: the code is nested under "
                    f'"{entries[e.nested_parent].label}"; remove "parent" or move the code'
                )
            parent = found if found is not None else parent
        parents.append(parent)
    merged: list[int | None] = [
        resolve(e.merged_ref, e.where("merged_into"), "code") if e.merged_ref is not None else None
        for e in entries
    ]
    reported: set[int] = set()
    for i in range(len(entries)):
        chain: list[int] = []
        j: int | None = i
        while j is not None and j not in chain:
            chain.append(j)
            j = parents[j]
        if j is not None and not reported.intersection(chain[chain.index(j) :]):
            loop = chain[chain.index(j) :]
            reported.update(loop)
            names = " -> ".join(f'"{entries[k].label}"' for k in [*loop, j])
            problems.append(f"{entries[j].where('parent')}: codes form a cycle: {names}")
    labels: dict[tuple[int | None, str], int] = {}
    for i, e in enumerate(entries):
        key = (parents[i], e.label.casefold())
        if e.label and e.fields.get("status") != "retired":
            if key in labels:
                other = entries[labels[key]]
                problems.append(
                    f'{e.where("label")}: "{e.label}" is also the label of code {other.code} '
                    "under the same parent"
                )
            labels.setdefault(key, i)
    if problems:
        raise CodeframeError(sorted(problems, key=_line_key))
    has_children = {p for p in parents if p is not None}
    positions: dict[int | None, int] = {}
    codes: list[Code] = []
    for i, e in enumerate(entries):
        pos = positions.get(parents[i], 0)
        positions[parents[i]] = pos + 1
        parent_index, merged_index = parents[i], merged[i]
        codes.append(
            Code(
                id=ids[i],
                codeframe_id=fid,
                label=e.label,
                output_code=e.code if e.code is not None else 0,
                parent_id=ids[parent_index] if parent_index is not None else None,
                codable=e.codable if e.codable is not None else i not in has_children,
                position=pos,
                merged_into=ids[merged_index] if merged_index is not None else None,
                **e.fields,
            )
        )
    frame = Codeframe(fid, name, tuple(codes), description, tuple(questions))
    issues = frame.problems()
    if issues:
        raise CodeframeError([f"{source}: {p}" for p in issues])
    return frame


# -- YAML ---------------------------------------------------------------------------------------


class _YamlReader:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines = text.splitlines()
        self.problems: list[str] = []
        self.loader = yaml.SafeLoader(text)

    def where(self, node: yaml.Node, key: str) -> str:
        return f'{self.source}, line {node.start_mark.line + 1}, field "{key}"'

    def text(self, node: yaml.Node, key: str) -> str:
        if isinstance(node, yaml.ScalarNode):
            return "" if node.tag == _NULL and node.style is None else str(node.value).strip()
        self.problems.append(f"{self.where(node, key)}: expected text, not a list or mapping")
        return ""

    def _where_in(self, fields: dict[str, Any], node: yaml.Node) -> Where:
        def where(key: str) -> str:
            return self.where(fields.get(key, node), key)

        return where

    def texts(self, node: yaml.Node, key: str) -> list[str]:
        if isinstance(node, yaml.SequenceNode):
            return [t for t in (self.text(n, key) for n in node.value) if t]
        one = self.text(node, key)
        return [one] if one else []

    def value(self, node: yaml.Node) -> Any:
        return self.loader.construct_object(node, deep=True)

    def mapping(self, node: yaml.Node, key: str, allowed: Sequence[str]) -> dict[str, Any]:
        if not isinstance(node, yaml.MappingNode):
            self.problems.append(f"{self.where(node, key)}: expected a mapping of fields")
            return {}
        out: dict[str, Any] = {}
        for k_node, v_node in node.value:
            k = str(k_node.value)
            if k not in allowed:
                hint = _suggest(k, allowed)
                self.problems.append(f"{self.where(k_node, k)}: unknown field{hint}")
            elif k in out:
                self.problems.append(f"{self.where(k_node, k)}: field given twice")
            else:
                out[k] = v_node
        return out

    def codes(self, node: yaml.Node, parent: int | None, entries: list[_Entry]) -> None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            return
        if not isinstance(node, yaml.SequenceNode):
            self.problems.append(f"{self.where(node, 'codes')}: expected a list of codes")
            return
        for item in node.value:
            self.code(item, parent, entries)

    def code(self, node: yaml.Node, parent: int | None, entries: list[_Entry]) -> None:
        f = self.mapping(node, "codes", _CODE_KEYS)
        if not f:
            return
        e = _Entry(
            where=self._where_in(f, node),
            at=f"line {node.start_mark.line + 1}",
            nested_parent=parent,
        )
        if "code" not in f:
            self.problems.append(f"{e.where('code')}: every code needs a numeric code")
        else:
            number = self.value(f["code"])
            if isinstance(number, str) and number.strip().isdigit():
                number = int(number)
            if isinstance(number, int) and not isinstance(number, bool) and number >= 0:
                e.code = number
            else:
                self.problems.append(
                    f'{e.where("code")}: "{f["code"].value}" is not a whole number'
                )
        e.label = self.text(f["label"], "label") if "label" in f else ""
        if not e.label:
            self.problems.append(f"{e.where('label')}: every code needs a label")
        if "id" in f:
            e.id = self.text(f["id"], "id") or None
        for key, name in (("definition", "definition"), ("include", "include_note")):
            if key in f:
                e.fields[name] = self.text(f[key], key)
        if "exclude" in f:
            e.fields["exclude_note"] = self.text(f["exclude"], "exclude")
        if "examples" in f:
            e.fields["examples"] = tuple(self.texts(f["examples"], "examples"))
        for key in ("colour", "color"):
            if key in f:
                self._colour(f[key], key, e)
        if "status" in f:
            status = self.text(f["status"], "status").lower()
            if status not in STATUSES:
                hint = ", ".join(STATUSES)
                self.problems.append(f'{e.where("status")}: "{status}" is not one of {hint}')
            else:
                e.fields["status"] = status
        if "codable" in f:
            flag = self.value(f["codable"])
            if isinstance(flag, bool):
                e.codable = flag
            else:
                self.problems.append(f"{e.where('codable')}: expected true or false")
        if "key" in f:
            raw_key = self.value(f["key"])
            key_text = "" if raw_key is None else str(raw_key).strip().upper()
            if key_text and key_text not in SHORTCUT_KEYS:
                self.problems.append(
                    f'{e.where("key")}: "{key_text}" is not a key (one of 1-9, 0 or A-Z)')
            elif key_text:
                e.fields["shortcut"] = key_text
        for key in ("parent", "merged_into"):
            if key in f:
                ref = self.value(f[key])
                ref = ref if isinstance(ref, int) and not isinstance(ref, bool) else str(ref)
                setattr(e, "parent_ref" if key == "parent" else "merged_ref", ref)
        entries.append(e)
        if "codes" in f:
            self.codes(f["codes"], len(entries) - 1, entries)

    def _colour(self, node: yaml.Node, key: str, e: _Entry) -> None:
        raw = self.text(node, key)
        line = self.lines[node.start_mark.line] if node.start_mark.line < len(self.lines) else ""
        if not raw and "#" in line:
            self.problems.append(
                f'{e.where(key)}: put the colour in quotes, e.g. {key}: "#1F77B4" '
                "(an unquoted # starts a comment in YAML)"
            )
            return
        try:
            e.fields["colour"] = normalise_colour(raw)
        except ValueError as exc:
            self.problems.append(f"{e.where(key)}: {exc}")

    def frame(self) -> Codeframe:
        try:
            root = self.loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = f", line {mark.line + 1}" if mark else ""
            raise CodeframeError(f"{self.source}{line}: not valid YAML: {exc.problem}") from None
        if root is None:
            raise CodeframeError(f"{self.source}: the file is empty")
        top = self.mapping(root, "name", _FRAME_KEYS)
        name = self.text(top["name"], "name") if "name" in top else ""
        if not name:
            self.problems.append(f"{self.where(root, 'name')}: the codeframe needs a name")
        frame_id = self.text(top["id"], "id") or None if "id" in top else None
        description = self.text(top["description"], "description") if "description" in top else ""
        questions = self.texts(top["questions"], "questions") if "questions" in top else []
        entries: list[_Entry] = []
        if "codes" not in top:
            self.problems.append(f"{self.where(root, 'codes')}: the codeframe has no codes")
        else:
            self.codes(top["codes"], None, entries)
        return _build(self.source, name, frame_id, description, questions, entries, self.problems)


def parse_codeframe_yaml(text: str, *, source: str = "<yaml>") -> Codeframe:
    """Read a codeframe from YAML text (schema in codeframes/README.md).

    Args:
        text: The YAML document.
        source: How to name the file in error messages.

    Raises:
        CodeframeError: Listing every problem as 'file, line N, field "x": what is wrong'.
    """
    return _YamlReader(text, source).frame()


def load_codeframe_yaml(path: str | Path) -> Codeframe:
    """Read a codeframe YAML file; errors name the file, line and field."""
    return parse_codeframe_yaml(Path(path).read_text(encoding="utf-8"), source=str(path))


class _Dumper(yaml.SafeDumper):  # type: ignore[misc]
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_presenter)


def dump_codeframe_yaml(frame: Codeframe, *, include_ids: bool = True) -> str:
    """The frame as YAML text in the documented schema, nets holding their codes.

    Args:
        frame: The codeframe.
        include_ids: Write each code's id so a re-import keeps the same codes even after
            renumbering (the project's copy); leave out for hand-written frames.
    """

    def node(c: Code) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if include_ids:
            out["id"] = c.id
        out["code"] = c.output_code
        out["label"] = c.label
        if c.shortcut:
            out["key"] = c.shortcut
        if c.status != "active":
            out["status"] = c.status
        if c.codable != (not frame.is_net(c.id)):
            out["codable"] = c.codable
        if c.colour:
            out["colour"] = c.colour
        for key, value in (
            ("definition", c.definition),
            ("include", c.include_note),
            ("exclude", c.exclude_note),
        ):
            if value:
                out[key] = value
        if c.examples:
            out["examples"] = list(c.examples)
        if c.merged_into and c.merged_into in frame:
            out["merged_into"] = frame.code(c.merged_into).output_code
        kids = frame.children(c.id)
        if kids:
            out["codes"] = [node(k) for k in kids]
        return out

    doc: dict[str, Any] = {"name": frame.name}
    if include_ids:
        doc["id"] = frame.id
    if frame.description:
        doc["description"] = frame.description
    doc["questions"] = list(frame.questions)
    doc["codes"] = [node(c) for c in frame.roots()]
    text: str = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return text


def save_codeframe_yaml(frame: Codeframe, path: str | Path, *, include_ids: bool = True,
                        protected: Iterable[str | Path] = ()) -> None:
    """Write the frame to a YAML file (see `dump_codeframe_yaml`), atomically (`safe_files`)."""
    write_text_atomic(path, dump_codeframe_yaml(frame, include_ids=include_ids),
                      protected=protected)


# -- CSV / XLSX codebooks -----------------------------------------------------------------------


def codebook_rows(frame: Codeframe) -> list[dict[str, str]]:
    """One row per code in tree order, with the columns of `TABLE_COLUMNS`."""
    rows = []
    for _, c in frame.walk():
        parent = frame.code(c.parent_id).output_code if c.parent_id else ""
        rows.append(
            {
                "code": str(c.output_code),
                "label": c.label,
                "parent": str(parent),
                "definition": c.definition,
                "include": c.include_note,
                "exclude": c.exclude_note,
                "examples": "\n".join(c.examples),
                "colour": c.colour or "",
                "status": c.status,
                "codable": "yes" if c.codable else "no",
                "id": c.id,
            }
        )
    return rows


def _table_where(source: str, unit: str, number: int) -> Where:
    def where(key: str) -> str:
        return f'{source}, {unit} {number}, field "{key}"'

    return where


def _from_rows(
    source: str,
    name: str,
    header: Sequence[object],
    rows: Sequence[tuple[int, Sequence[object]]],
    unit: str,
) -> Codeframe:
    problems: list[str] = []
    columns: dict[str, int] = {}
    for i, raw in enumerate(header):
        title = str(raw or "").strip().lower().replace(" ", "_")
        if not title:
            continue
        title = _COLUMN_ALIASES.get(title, title)
        if title not in TABLE_COLUMNS:
            problems.append(
                f'{source}, {unit} 1, field "{raw}": unknown column{_suggest(title, TABLE_COLUMNS)}'
            )
        columns.setdefault(title, i)
    for needed in ("code", "label"):
        if needed not in columns:
            problems.append(f'{source}, {unit} 1: no "{needed}" column')
    if problems:
        raise CodeframeError(problems)
    entries: list[_Entry] = []
    for number, row in rows:

        def cell(col: str, row: Sequence[object] = row) -> str:
            i = columns.get(col)
            value = row[i] if i is not None and i < len(row) else None
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return "" if value is None else str(value).strip()

        if not any(cell(c) for c in columns):
            continue
        e = _Entry(where=_table_where(source, unit, number), at=f"{unit} {number}")
        raw_code = cell("code")
        if raw_code.lstrip("-").isdigit() and int(raw_code) >= 0:
            e.code = int(raw_code)
        else:
            problems.append(f'{e.where("code")}: "{raw_code}" is not a whole number')
        e.label = cell("label")
        if not e.label:
            problems.append(f"{e.where('label')}: every code needs a label")
        e.id = cell("id") or None
        parent = cell("parent")
        if parent:
            e.parent_ref = int(parent) if parent.isdigit() else parent
        e.fields = {
            "definition": cell("definition"),
            "include_note": cell("include"),
            "exclude_note": cell("exclude"),
            "examples": tuple(x.strip() for x in cell("examples").splitlines() if x.strip()),
        }
        try:
            e.fields["colour"] = normalise_colour(cell("colour"))
        except ValueError as exc:
            problems.append(f"{e.where('colour')}: {exc}")
        status = cell("status").lower()
        if status and status not in STATUSES:
            problems.append(f'{e.where("status")}: "{status}" is not one of {", ".join(STATUSES)}')
        elif status:
            e.fields["status"] = status
        flag = cell("codable").lower()
        if flag in ("yes", "true", "1", "y"):
            e.codable = True
        elif flag in ("no", "false", "0", "n"):
            e.codable = False
        elif flag:
            problems.append(f'{e.where("codable")}: "{flag}" is not yes or no')
        entries.append(e)
    return _build(source, name, None, "", (), entries, problems)


def read_codebook_csv(path: str | Path, *, name: str | None = None) -> Codeframe:
    """Read a CSV codebook (columns code, label, parent, definition, include, exclude, ...).

    `parent` holds the parent's numeric code (or its label). Examples go one per line in
    their cell. The frame is named `name` or after the file.

    Raises:
        CodeframeError: Naming the file, line and column of every problem.
    """
    text = Path(path).read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise CodeframeError(f"{path}: the file is empty")
    rows: list[tuple[int, Sequence[object]]] = []
    start = reader.line_num + 1
    for row in reader:
        rows.append((start, row))
        start = reader.line_num + 1
    return _from_rows(str(path), name or Path(path).stem, header, rows, "line")


def write_codebook_csv(frame: Codeframe, path: str | Path, *,
                       protected: Iterable[str | Path] = ()) -> None:
    """Write the frame as a CSV codebook (UTF-8 with BOM so Excel reads accents)."""
    with (atomic_output(path, protected=protected) as tmp,
          tmp.open("w", encoding="utf-8-sig", newline="") as fh):
        writer = csv.DictWriter(fh, fieldnames=TABLE_COLUMNS)
        writer.writeheader()
        writer.writerows(codebook_rows(frame))


def read_codebook_xlsx(path: str | Path, *, name: str | None = None) -> Codeframe:
    """Read an Excel codebook (first sheet, same columns as the CSV); errors name the row."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    if not values:
        raise CodeframeError(f"{path}: the sheet is empty")
    rows = [(i + 2, list(r)) for i, r in enumerate(values[1:])]
    return _from_rows(str(path), name or Path(path).stem, list(values[0]), rows, "row")


def write_codebook_xlsx(frame: Codeframe, path: str | Path, *,
                        protected: Iterable[str | Path] = ()) -> None:
    """Write the frame as an Excel codebook, one row per code in tree order."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Codebook"
    sheet.append(list(TABLE_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in codebook_rows(frame):
        values: list[object] = [row[c] for c in TABLE_COLUMNS]
        values[0] = int(row["code"])
        values[2] = int(row["parent"]) if row["parent"] else None
        sheet.append(values)
    widths = {"A": 8, "B": 40, "C": 8, "D": 50, "E": 40, "F": 40, "G": 50, "K": 38}
    for col, width in widths.items():
        sheet.column_dimensions[col].width = width
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    with atomic_output(path, protected=protected) as tmp:
        book.save(tmp)


def load_codeframe(path: str | Path) -> Codeframe:
    """Read a codeframe from .yaml/.yml, .csv, .xlsx or REFI-QDA .qdc by file extension.

    Raises:
        CodeframeError: If the type is not supported or the file is invalid.
    """
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return load_codeframe_yaml(path)
    if suffix == ".csv":
        return read_codebook_csv(path)
    if suffix == ".xlsx":
        return read_codebook_xlsx(path)
    if suffix == ".qdc":
        from coder.core.codeframe.refi import read_qdc

        return read_qdc(path)
    raise CodeframeError(f"{path}: use a .yaml, .csv, .xlsx or .qdc codeframe file")
