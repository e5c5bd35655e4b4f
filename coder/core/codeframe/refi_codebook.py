"""REFI-QDA codebooks (.qdc) in and out, and what the project export and import share; no UI."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from lxml import etree

from coder.core.codeframe.model import (
    ID_NAMESPACE,
    SHORTCUT_KEYS,
    STATUSES,
    Code,
    Codeframe,
    CodeframeError,
    derived_id,
    next_free_code,
    normalise_colour,
)
from coder.core.errors import CoderError
from coder.core.safe_files import write_bytes_atomic

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
ACCEPTED_NS = re.compile(r"^urn:QDA-XML:(codebook|project):[0-9][0-9:.]*$")
GUID_RE = re.compile(r"^\{?([0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})\}?$")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TAGGED = re.compile(r"^(include|exclude|examples|output code|key|status):[ \t]*",
                     re.IGNORECASE)


class RefiError(CoderError):
    """A REFI-QDA file cannot be read, or the data given for an export is inconsistent."""


# -- shared by the project export and import ----------------------------------------------------


def xml_text(text: str) -> str:
    """Text safe for XML 1.0, with the same length so selection offsets stay right."""
    return _NOT_XML.sub(" ", text)


def derived_guid(kind: str, *parts: object) -> str:
    """`derived_id("refi", kind, *parts)`, computed without building `uuid.UUID` objects.

    A project export derives several guids per answer, so this is on the hot path.
    """
    name = "\x1f".join(("refi", kind, *(str(p) for p in parts)))
    raw = bytearray(hashlib.sha1(ID_NAMESPACE.bytes + name.encode()).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = raw.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


# -- descriptions -------------------------------------------------------------------------------


def describe_code(code: Code) -> str:
    """The REFI `Description` of a code: its definition, then tagged paragraphs.

    The format (read back by `parse_description`) is readable in NVivo and ATLAS.ti::

        Pupils' needs exceed what the high needs block pays for.

        Include: top-up funding, EHCP costs

        Exclude: general school budgets

        Examples:
        - The high needs block is overspent

        Output code: 101

        Key: 1

    (The schema has no attribute for the coding app's key, so it travels as a paragraph.)
    """

    def one_paragraph(text: str) -> str:
        return re.sub(r"\n\s*\n", "\n", text.strip())

    parts = [code.definition.strip()] if code.definition.strip() else []
    if code.include_note.strip():
        parts.append("Include: " + one_paragraph(code.include_note))
    if code.exclude_note.strip():
        parts.append("Exclude: " + one_paragraph(code.exclude_note))
    if code.examples:
        lines = ["- " + " ".join(e.split()) for e in code.examples]
        parts.append("Examples:\n" + "\n".join(lines))
    parts.append(f"Output code: {code.output_code}")
    if code.shortcut:
        parts.append(f"Key: {code.shortcut}")
    if code.status != "active":
        parts.append(f"Status: {code.status}")
    return "\n\n".join(parts)


def parse_description(text: str) -> dict[str, object]:
    """Split a `Description` written by `describe_code` (or by hand) back into fields.

    Untagged paragraphs form the definition, so descriptions from other programs import
    as definitions. Keys returned: definition, include_note, exclude_note, examples, and
    output_code / shortcut / status when present.
    """
    fields: dict[str, object] = {}
    definition: list[str] = []
    for para in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").strip()):
        tag = _TAGGED.match(para)
        if tag is None:
            if para.strip():
                definition.append(para.strip())
            continue
        body = para[tag.end() :].strip()
        key = tag.group(1).lower()
        if key == "include":
            fields["include_note"] = body
        elif key == "exclude":
            fields["exclude_note"] = body
        elif key == "examples":
            items = [ln.strip()[1:].strip() for ln in body.splitlines() if ln.strip()[:1] == "-"]
            fields["examples"] = tuple(i for i in items if i)
        elif key == "output code" and body.isdigit():
            fields["output_code"] = int(body)
        elif key == "key" and body.upper() in SHORTCUT_KEYS:
            fields["shortcut"] = body.upper()
        elif key == "status" and body.lower() in STATUSES:
            fields["status"] = body.lower()
        else:
            definition.append(para.strip())
    fields["definition"] = "\n\n".join(definition)
    return fields


# -- codebook export ----------------------------------------------------------------------------


def code_element(parent: etree._Element, ns: str, frame: Codeframe, code: Code) -> None:
    attrs = {"guid": code.id, "name": code.label, "isCodable": "true" if code.codable else "false"}
    if code.colour:
        attrs["color"] = code.colour
    el = etree.SubElement(parent, f"{{{ns}}}Code", attrs)
    etree.SubElement(el, f"{{{ns}}}Description").text = xml_text(describe_code(code))
    for kid in frame.children(code.id):
        code_element(el, ns, frame, kid)


def codebook_xml(frame: Codeframe, *, origin: str = "coder") -> bytes:
    """The frame as a REFI-QDA Codebook (.qdc) XML document."""
    root = etree.Element(
        f"{{{CODEBOOK_NS}}}CodeBook", {"origin": origin}, nsmap={None: CODEBOOK_NS}
    )
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    for c in frame.roots():
        code_element(codes, CODEBOOK_NS, frame, c)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return xml


def write_qdc(frame: Codeframe, path: str | Path, *, origin: str = "coder",
              protected: Iterable[str | Path] = ()) -> None:
    """Write the frame as a REFI-QDA Codebook file (.qdc) for NVivo, ATLAS.ti, MAXQDA."""
    write_bytes_atomic(path, codebook_xml(frame, origin=origin), protected=protected)


# -- codebook import ----------------------------------------------------------------------------


def local_name(el: etree._Element) -> str:
    return str(etree.QName(el).localname)


def child_elements(el: etree._Element, name: str) -> list[etree._Element]:
    return [k for k in el if isinstance(k.tag, str) and local_name(k) == name]


def parse_qdc(
    data: bytes, *, source: str = "<qdc>", name: str | None = None, sets_as_nets: bool = False
) -> Codeframe:
    """Read a REFI-QDA codebook (namespace codebook 1.0, the older 0:4, or a project's CodeBook).

    Args:
        data: The XML bytes.
        source: How to name the file in error messages.
        name: The codeframe's name (default: `source`'s stem).
        sets_as_nets: Turn each code `Set` (ATLAS.ti code groups) into a net holding its
            member codes that are at the top level.

    Raises:
        CodeframeError: If the XML is not a codebook or a code is invalid; messages name the
            file and line.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise CodeframeError(f"{source}, line {exc.lineno}: not valid XML: {exc.msg}") from None
    ns = etree.QName(root).namespace or ""
    if ns and not ACCEPTED_NS.match(ns):
        raise CodeframeError(f"{source}: namespace {ns} is not a REFI-QDA codebook")
    if local_name(root) == "Project":
        root = next(iter(child_elements(root, "CodeBook")), None)
        if root is None:
            raise CodeframeError(f"{source}: the project has no CodeBook")
    if local_name(root) != "CodeBook":
        raise CodeframeError(f"{source}: expected a CodeBook, found {local_name(root)}")
    frame_name = name or Path(source).stem
    frame_id = derived_id("codeframe", frame_name)
    problems: list[str] = []
    found: list[tuple[Code, dict[str, object]]] = []
    seen: set[str] = set()

    def visit(el: etree._Element, parent_id: str | None, position: int) -> None:
        where = f"{source}, line {el.sourceline}"
        guid = GUID_RE.match(el.get("guid", "").strip())
        label = (el.get("name") or "").strip()
        if guid is None:
            problems.append(f'{where}, field "guid": "{el.get("guid", "")}" is not a GUID')
            return
        code_id = guid.group(1).lower()
        if code_id in seen:
            problems.append(f'{where}, field "guid": {code_id} is used twice')
            return
        seen.add(code_id)
        if not label:
            problems.append(f'{where}, field "name": the code has no name')
        try:
            colour = normalise_colour(el.get("color"))
        except ValueError as exc:
            problems.append(f'{where}, field "color": {exc}')
            colour = None
        description = "".join(d.text or "" for d in child_elements(el, "Description"))
        fields = parse_description(description)
        flag = (el.get("isCodable") or "").strip().lower()
        children = child_elements(el, "Code")
        codable = flag in ("true", "1") if flag else not children
        code = Code(
            id=code_id,
            codeframe_id=frame_id,
            label=label,
            output_code=-1,
            parent_id=parent_id,
            colour=colour,
            codable=codable,
            position=position,
            definition=str(fields["definition"]),
            include_note=str(fields.get("include_note", "")),
            exclude_note=str(fields.get("exclude_note", "")),
            examples=tuple(fields.get("examples", ())),  # type: ignore[arg-type]
            status=str(fields.get("status", "active")),  # type: ignore[arg-type]
            shortcut=_free_key(fields.get("shortcut"), found),
        )
        found.append((code, fields))
        for i, kid in enumerate(children):
            visit(kid, code_id, i)

    codes_el = next(iter(child_elements(root, "Codes")), None)
    top = child_elements(codes_el, "Code") if codes_el is not None else []
    for i, el in enumerate(top):
        visit(el, None, i)
    if problems:
        raise CodeframeError(problems)
    codes = _number(found)
    if sets_as_nets:
        codes = _sets_as_nets(root, codes, frame_id)
    frame = Codeframe(frame_id, frame_name, tuple(codes))
    issues = frame.problems()
    if issues:
        raise CodeframeError([f"{source}: {p}" for p in issues])
    return frame


def _free_key(key: object, found: list[tuple[Code, dict[str, object]]]) -> str | None:
    """The key a description gives, unless an earlier code has it (that one keeps it)."""
    if not isinstance(key, str) or any(c.shortcut == key for c, _ in found):
        return None
    return key


def _number(found: list[tuple[Code, dict[str, object]]]) -> list[Code]:
    """Keep output codes written in descriptions; number the rest by the block rule."""
    used: set[int] = set()
    given: dict[str, int] = {}
    for code, fields in found:
        n = fields.get("output_code")
        if isinstance(n, int) and n not in used:
            used.add(n)
            given[code.id] = n
    numbers: dict[str, int] = {}
    siblings: dict[str | None, list[int]] = {}
    for code, _ in found:
        n = given.get(code.id)
        if n is None:
            parent = numbers.get(code.parent_id) if code.parent_id else None
            n = next_free_code(used, parent, siblings.get(code.parent_id, []))
            used.add(n)
        numbers[code.id] = n
        siblings.setdefault(code.parent_id, []).append(n)
    return [replace(code, output_code=numbers[code.id]) for code, _ in found]


def _sets_as_nets(root: etree._Element, codes: list[Code], frame_id: str) -> list[Code]:
    by_id = {c.id: c for c in codes}
    used = {c.output_code for c in codes}
    sets_el = next(iter(child_elements(root, "Sets")), None)
    out = list(codes)
    taken: set[str] = set()
    position = sum(1 for c in codes if c.parent_id is None)
    for set_el in child_elements(sets_el, "Set") if sets_el is not None else []:
        guid = GUID_RE.match(set_el.get("guid", "").strip())
        net_id = guid.group(1).lower() if guid else derived_id("set", set_el.get("name", ""))
        members = []
        for m in child_elements(set_el, "MemberCode"):
            ref = GUID_RE.match(m.get("targetGUID", m.get("guid", "")).strip())
            member = by_id.get(ref.group(1).lower()) if ref else None
            if member is not None and member.parent_id is None and member.id not in taken:
                members.append(member)
        if not members or net_id in by_id:
            continue
        number = next_free_code(used, None, ())
        used.add(number)
        description = "".join(d.text or "" for d in child_elements(set_el, "Description")).strip()
        out.append(
            Code(
                net_id,
                frame_id,
                set_el.get("name", "").strip() or "Set",
                number,
                definition=description,
                codable=False,
                position=position,
            )
        )
        position += 1
        for i, member in enumerate(members):
            taken.add(member.id)
            out[out.index(by_id[member.id])] = replace(member, parent_id=net_id, position=i)
    return out


def read_qdc(path: str | Path, *, name: str | None = None, sets_as_nets: bool = False) -> Codeframe:
    """Read a REFI-QDA codebook file (.qdc); see `parse_qdc`."""
    return parse_qdc(
        Path(path).read_bytes(), source=str(path), name=name, sets_as_nets=sets_as_nets
    )
