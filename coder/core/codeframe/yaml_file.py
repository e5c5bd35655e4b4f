"""Codeframes as YAML files (schema in codeframes/README.md), with line-numbered errors; no UI."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from coder.core.codeframe.entries import Entry, Where, build_frame, suggest
from coder.core.codeframe.model import (
    SHORTCUT_KEYS,
    STATUSES,
    Code,
    Codeframe,
    CodeframeError,
    normalise_colour,
)
from coder.core.safe_files import write_text_atomic

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


class _YamlReader:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines = text.splitlines()
        self.problems: list[str] = []
        self.loader = yaml.SafeLoader(text)

    def where(self, node: yaml.Node, key: str) -> str:
        mark = node.start_mark
        return f'{self.source}, line {mark.line + 1}, column {mark.column + 1}, field "{key}"'

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
                hint = suggest(k, allowed)
                self.problems.append(f"{self.where(k_node, k)}: unknown field{hint}")
            elif k in out:
                self.problems.append(f"{self.where(k_node, k)}: field given twice")
            else:
                out[k] = v_node
        return out

    def codes(self, node: yaml.Node, parent: int | None, entries: list[Entry]) -> None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            return
        if not isinstance(node, yaml.SequenceNode):
            self.problems.append(f"{self.where(node, 'codes')}: expected a list of codes")
            return
        for item in node.value:
            self.code(item, parent, entries)

    def code(self, node: yaml.Node, parent: int | None, entries: list[Entry]) -> None:
        f = self.mapping(node, "codes", _CODE_KEYS)
        if not f:
            return
        e = Entry(
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

    def _colour(self, node: yaml.Node, key: str, e: Entry) -> None:
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
            line = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
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
        entries: list[Entry] = []
        if "codes" not in top:
            self.problems.append(f"{self.where(root, 'codes')}: the codeframe has no codes")
        else:
            self.codes(top["codes"], None, entries)
        return build_frame(self.source, name, frame_id, description, questions, entries,
                           self.problems)


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
