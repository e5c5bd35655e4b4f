"""REFI-QDA exchange: .qdc codebooks in and out, .qdpx projects out and their codings in; no UI."""

from __future__ import annotations

import hashlib
import io
import logging
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from lxml import etree

from coder.core.codeframe.model import (
    ID_NAMESPACE,
    STATUSES,
    Code,
    Codeframe,
    CodeframeError,
    derived_id,
    next_free_code,
    normalise_colour,
)
from coder.core.errors import CoderError, InputError
from coder.core.progress import NO_PROGRESS, Progress
from coder.core.safe_files import atomic_output, write_bytes_atomic

log = logging.getLogger(__name__)

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
_ACCEPTED_NS = re.compile(r"^urn:QDA-XML:(codebook|project):[0-9][0-9:.]*$")
_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})\}?$")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TAGGED = re.compile(r"^(include|exclude|examples|output code|status):[ \t]*", re.IGNORECASE)


class RefiError(CoderError):
    """A REFI-QDA file cannot be read, or the data given for an export is inconsistent."""


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
    if code.status != "active":
        parts.append(f"Status: {code.status}")
    return "\n\n".join(parts)


def parse_description(text: str) -> dict[str, object]:
    """Split a `Description` written by `describe_code` (or by hand) back into fields.

    Untagged paragraphs form the definition, so descriptions from other programs import
    as definitions. Keys returned: definition, include_note, exclude_note, examples, and
    output_code / status when present.
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
        elif key == "status" and body.lower() in STATUSES:
            fields["status"] = body.lower()
        else:
            definition.append(para.strip())
    fields["definition"] = "\n\n".join(definition)
    return fields


# -- codebook export ----------------------------------------------------------------------------


def _code_element(parent: etree._Element, ns: str, frame: Codeframe, code: Code) -> None:
    attrs = {"guid": code.id, "name": code.label, "isCodable": "true" if code.codable else "false"}
    if code.colour:
        attrs["color"] = code.colour
    el = etree.SubElement(parent, f"{{{ns}}}Code", attrs)
    etree.SubElement(el, f"{{{ns}}}Description").text = _xml_text(describe_code(code))
    for kid in frame.children(code.id):
        _code_element(el, ns, frame, kid)


def codebook_xml(frame: Codeframe, *, origin: str = "coder") -> bytes:
    """The frame as a REFI-QDA Codebook (.qdc) XML document."""
    root = etree.Element(
        f"{{{CODEBOOK_NS}}}CodeBook", {"origin": origin}, nsmap={None: CODEBOOK_NS}
    )
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    for c in frame.roots():
        _code_element(codes, CODEBOOK_NS, frame, c)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return xml


def write_qdc(frame: Codeframe, path: str | Path, *, origin: str = "coder",
              protected: Iterable[str | Path] = ()) -> None:
    """Write the frame as a REFI-QDA Codebook file (.qdc) for NVivo, ATLAS.ti, MAXQDA."""
    write_bytes_atomic(path, codebook_xml(frame, origin=origin), protected=protected)


# -- codebook import ----------------------------------------------------------------------------


def _local(el: etree._Element) -> str:
    return str(etree.QName(el).localname)


def _kids(el: etree._Element, name: str) -> list[etree._Element]:
    return [k for k in el if isinstance(k.tag, str) and _local(k) == name]


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
    if ns and not _ACCEPTED_NS.match(ns):
        raise CodeframeError(f"{source}: namespace {ns} is not a REFI-QDA codebook")
    if _local(root) == "Project":
        root = next(iter(_kids(root, "CodeBook")), None)
        if root is None:
            raise CodeframeError(f"{source}: the project has no CodeBook")
    if _local(root) != "CodeBook":
        raise CodeframeError(f"{source}: expected a CodeBook, found {_local(root)}")
    frame_name = name or Path(source).stem
    frame_id = derived_id("codeframe", frame_name)
    problems: list[str] = []
    found: list[tuple[Code, dict[str, object]]] = []
    seen: set[str] = set()

    def visit(el: etree._Element, parent_id: str | None, position: int) -> None:
        where = f"{source}, line {el.sourceline}"
        guid = _GUID.match(el.get("guid", "").strip())
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
        description = "".join(d.text or "" for d in _kids(el, "Description"))
        fields = parse_description(description)
        flag = (el.get("isCodable") or "").strip().lower()
        children = _kids(el, "Code")
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
        )
        found.append((code, fields))
        for i, kid in enumerate(children):
            visit(kid, code_id, i)

    codes_el = next(iter(_kids(root, "Codes")), None)
    top = _kids(codes_el, "Code") if codes_el is not None else []
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
    sets_el = next(iter(_kids(root, "Sets")), None)
    out = list(codes)
    taken: set[str] = set()
    position = sum(1 for c in codes if c.parent_id is None)
    for set_el in _kids(sets_el, "Set") if sets_el is not None else []:
        guid = _GUID.match(set_el.get("guid", "").strip())
        net_id = guid.group(1).lower() if guid else derived_id("set", set_el.get("name", ""))
        members = []
        for m in _kids(set_el, "MemberCode"):
            ref = _GUID.match(m.get("targetGUID", m.get("guid", "")).strip())
            member = by_id.get(ref.group(1).lower()) if ref else None
            if member is not None and member.parent_id is None and member.id not in taken:
                members.append(member)
        if not members or net_id in by_id:
            continue
        number = next_free_code(used, None, ())
        used.add(number)
        description = "".join(d.text or "" for d in _kids(set_el, "Description")).strip()
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


# -- project export -----------------------------------------------------------------------------


def _xml_text(text: str) -> str:
    """Text safe for XML 1.0, with the same length so selection offsets stay right."""
    return _NOT_XML.sub(" ", text)


def _guid(kind: str, *parts: object) -> str:
    """`derived_id("refi", kind, *parts)`, computed without building `uuid.UUID` objects.

    A project export derives several guids per answer, so this is on the hot path.
    """
    name = "\x1f".join(("refi", kind, *(str(p) for p in parts)))
    raw = bytearray(hashlib.sha1(ID_NAMESPACE.bytes + name.encode()).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = raw.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def _variable_type(values: list[object]) -> str:
    present = [v for v in values if v is not None and v != ""]
    if present and all(isinstance(v, bool) for v in present):
        return "Boolean"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "Integer"
    if present and all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in present
    ):
        return "Float"
    return "Text"


@dataclass(frozen=True)
class _Project:
    """Checked inputs of a project export, indexed for writing."""

    name: str
    codeframes: Sequence[Codeframe]
    user_guid: dict[str, str]
    respondents: Sequence[tuple[str, Mapping[str, object]]]
    answers: Sequence[tuple[str, str, str, str]]
    per_answer: dict[str, dict[str, list[str]]]
    sources_of: dict[str, list[str]]
    kinds: dict[str, str]
    variable_guid: dict[str, str]
    codings: int


def _check_project(
    name: str,
    codeframes: Sequence[Codeframe],
    coders: Sequence[tuple[str, str]],
    respondents: Sequence[tuple[str, Mapping[str, object]]],
    answers: Sequence[tuple[str, str, str, str]],
    codings: Sequence[tuple[str, str, str]],
) -> _Project:
    user_guid: dict[str, str] = {}
    for coder_name, guid in coders:
        match = _GUID.match(str(guid).strip())
        if match is None:
            raise RefiError(f'coder "{coder_name}": "{guid}" is not a GUID')
        user_guid[coder_name] = match.group(1).lower()
    code_ids = {c.id for f in codeframes for c in f.codes}
    answer_keys = [str(a[0]) for a in answers]
    known_answers = set(answer_keys)
    if len(known_answers) != len(answer_keys):
        raise RefiError("answer keys must be unique")
    per_answer: dict[str, dict[str, list[str]]] = {}
    for answer_key, code_id, coder_name in codings:
        key = str(answer_key)
        if key not in known_answers:
            raise RefiError(f"a coding names unknown answer {key}")
        if code_id not in code_ids:
            raise RefiError(f"answer {key}: coded with {code_id}, which is in no codeframe")
        if coder_name not in user_guid:
            raise RefiError(f'answer {key}: coded by unknown coder "{coder_name}"')
        coders_of = per_answer.setdefault(key, {}).setdefault(code_id, [])
        if coder_name not in coders_of:
            coders_of.append(coder_name)
    sources_of: dict[str, list[str]] = {}
    for answer_key, respondent_id, _, _ in answers:
        sources_of.setdefault(str(respondent_id), []).append(_guid("source", answer_key))
    missing = set(sources_of) - {str(r[0]) for r in respondents}
    if missing:
        raise RefiError(f"answers name unknown respondents: {', '.join(sorted(missing)[:5])}")
    values: dict[str, list[object]] = {}
    for _, attributes in respondents:
        for key, value in attributes.items():
            values.setdefault(key, []).append(value)
    kinds = {key: _variable_type(v) for key, v in values.items()}
    total = sum(len(c) for by_code in per_answer.values() for c in by_code.values())
    variable_guid = {key: _guid("variable", "respondent", key) for key in kinds}
    return _Project(
        name,
        codeframes,
        user_guid,
        respondents,
        answers,
        per_answer,
        sources_of,
        kinds,
        variable_guid,
        total,
    )


def _q(tag: str) -> str:
    return f"{{{PROJECT_NS}}}{tag}"


def _leaf(xf: Any, tag: str, text: str | None = None, **attrs: str) -> None:
    with xf.element(_q(tag), attrs):
        if text:
            xf.write(text)


def _write_value(xf: Any, guid: str, kind: str, value: object) -> None:
    with xf.element(_q("VariableValue")):
        _leaf(xf, "VariableRef", targetGUID=guid)
        if kind == "Boolean":
            _leaf(xf, "BooleanValue", "true" if value else "false")
        elif kind == "Integer":
            _leaf(xf, "IntegerValue", str(value))
        elif kind == "Float":
            _leaf(xf, "FloatValue", format(Decimal(repr(value)), "f"))
        else:
            _leaf(xf, "TextValue", _xml_text(str(value)))


def _write_project(
    out: IO[bytes],
    project: _Project,
    progress: Progress,
    created_at: datetime | None,
) -> None:
    """Stream `project.qde` to `out`, one source at a time, so memory stays flat."""
    attrs = {"name": project.name, "origin": "coder"}
    if created_at is not None:
        attrs["creationDateTime"] = created_at.isoformat()
    question_var = _guid("variable", "question")
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(_q("Project"), attrs, nsmap={None: PROJECT_NS}):
            xf.write("\n")
            if project.user_guid:
                with xf.element(_q("Users")):
                    for coder_name, guid in project.user_guid.items():
                        _leaf(xf, "User", guid=guid, name=coder_name)
                xf.write("\n")
            frames = [f for f in project.codeframes if f.codes]
            if frames:
                with xf.element(_q("CodeBook")), xf.element(_q("Codes")):
                    for frame in frames:
                        for element in _frame_elements(frame, wrap=len(frames) > 1):
                            xf.write(element, pretty_print=True)
                xf.write("\n")
            with xf.element(_q("Variables")):
                for key, kind in project.kinds.items():
                    guid = project.variable_guid[key]
                    _leaf(xf, "Variable", guid=guid, name=key, typeOfVariable=kind)
                _leaf(xf, "Variable", guid=question_var, name="question", typeOfVariable="Text")
            xf.write("\n")
            if project.respondents:
                with xf.element(_q("Cases")):
                    xf.write("\n")
                    for external_id, attributes in project.respondents:
                        _write_case(xf, project, str(external_id), attributes)
            total = len(project.answers)
            if total:
                with xf.element(_q("Sources")):
                    xf.write("\n")
                    for done, answer in enumerate(project.answers, 1):
                        _write_source(xf, project, answer, question_var)
                        if done % 1000 == 0 or done == total:
                            progress.step(done, total)


def _frame_elements(frame: Codeframe, *, wrap: bool) -> list[etree._Element]:
    """The frame's top-level `Code` elements, or one non-codable net named after it if `wrap`."""
    if wrap:
        holder = etree.Element(
            _q("Code"),
            guid=frame.id,
            name=frame.name,
            isCodable="false",
            nsmap={None: PROJECT_NS},
        )
        if frame.description:
            etree.SubElement(holder, _q("Description")).text = _xml_text(frame.description)
        for c in frame.roots():
            _code_element(holder, PROJECT_NS, frame, c)
        return [holder]
    box = etree.Element(_q("Codes"), nsmap={None: PROJECT_NS})
    for c in frame.roots():
        _code_element(box, PROJECT_NS, frame, c)
    return list(box)


def _write_case(xf: Any, project: _Project, external_id: str, attrs: Mapping[str, object]) -> None:
    with xf.element(_q("Case"), {"guid": _guid("case", external_id), "name": external_id}):
        for key, value in attrs.items():
            if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
                continue
            _write_value(xf, project.variable_guid[key], project.kinds[key], value)
        for source_guid in project.sources_of.get(external_id, []):
            _leaf(xf, "SourceRef", targetGUID=source_guid)
    xf.write("\n")


def _write_source(
    xf: Any, project: _Project, answer: tuple[str, str, str, str], question_var: str
) -> None:
    answer_key, respondent_id, question_id, text = answer
    key = str(answer_key)
    body = _xml_text(text or "")
    name = f"{respondent_id} - {question_id}"
    with xf.element(_q("TextSource"), {"guid": _guid("source", key), "name": name}):
        _leaf(xf, "PlainTextContent", body)
        coded = project.per_answer.get(key)
        if coded:
            selection = {
                "guid": _guid("selection", key),
                "name": name,
                "startPosition": "0",
                "endPosition": str(len(body)),
            }
            with xf.element(_q("PlainTextSelection"), selection):
                for code_id, coder_names in coded.items():
                    for coder_name in coder_names:
                        coding = {
                            "guid": _guid("coding", key, code_id, coder_name),
                            "creatingUser": project.user_guid[coder_name],
                        }
                        with xf.element(_q("Coding"), coding):
                            _leaf(xf, "CodeRef", targetGUID=code_id)
        _write_value(xf, question_var, "Text", question_id)
    xf.write("\n")


def project_xml(
    *,
    project_name: str,
    codeframes: Sequence[Codeframe],
    coders: Sequence[tuple[str, str]],
    respondents: Sequence[tuple[str, Mapping[str, object]]],
    answers: Sequence[tuple[str, str, str, str]],
    codings: Sequence[tuple[str, str, str]],
    progress: Progress = NO_PROGRESS,
    created_at: datetime | None = None,
) -> bytes:
    """The REFI-QDA `project.qde` document in memory (see `write_qdpx` for the arguments).

    Raises:
        RefiError: If a coding names an unknown answer, code or coder, an answer names an
            unknown respondent, or a key is repeated.
        Cancelled: If `progress` is cancelled.
    """
    project = _check_project(project_name, codeframes, coders, respondents, answers, codings)
    out = io.BytesIO()
    _write_project(out, project, progress, created_at)
    return out.getvalue()


def write_qdpx(
    path: str | Path,
    *,
    project_name: str,
    codeframes: Sequence[Codeframe],
    coders: Sequence[tuple[str, str]],
    respondents: Sequence[tuple[str, Mapping[str, object]]],
    answers: Sequence[tuple[str, str, str, str]],
    codings: Sequence[tuple[str, str, str]],
    progress: Progress = NO_PROGRESS,
    created_at: datetime | None = None,
    protected: Iterable[str | Path] = (),
) -> None:
    """Write a REFI-QDA project (.qdpx: a zip holding `project.qde`) for NVivo or ATLAS.ti.

    Respondents become `Case`s with their attributes as variable values; each answer is a
    `TextSource`; each coded answer has one whole-answer selection holding one `Coding` per
    code per coder, attributed to that coder's `User`. Guids are derived from the keys, so
    exporting the same project twice gives the same guids.

    Args:
        path: The .qdpx file to write (replaced atomically).
        project_name: Shown as the project's name.
        codeframes: Frames whose codes the codings use (several are wrapped in one net each).
        coders: (coder name, coder guid) pairs.
        respondents: (external id, attributes) pairs.
        answers: (answer key, respondent external id, question id, text) tuples.
        codings: (answer key, code id, coder name) tuples.
        progress: Told (answers done, answers in total); cancelling it stops the export
            and nothing is written.
        created_at: Creation time recorded in the project (omitted if None).
        protected: Files it must not write over (see `coder.core.safe_files`).

    Raises:
        RefiError: On inconsistent data (see `project_xml`).
        Cancelled: If `progress` was cancelled.
    """
    project = _check_project(project_name, codeframes, coders, respondents, answers, codings)
    target = Path(path)
    with (
        atomic_output(target, protected=protected) as tmp,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("project.qde", "w", force_zip64=True) as out,
    ):
        _write_project(out, project, progress, created_at)
    log.info("wrote %s: %d answers, %d codings", target, len(answers), project.codings)


# -- project import -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RefiCode:
    """A code of a REFI-QDA project's codebook.

    Attributes:
        guid: Its guid (lower case, braces removed).
        name: Its name.
        output_code: The number its description gives ("Output code: 101"), if any.
    """

    guid: str
    name: str
    output_code: int | None = None


@dataclass(frozen=True)
class RefiCoding:
    """One code applied to (part of) a text source.

    Attributes:
        code_guid: The code's guid.
        user_guid: The guid of the user who coded it, if the file says.
        whole: True when the selection covers the whole text (or the coding is on the source).
        line: Its line in project.qde, for messages.
    """

    code_guid: str
    user_guid: str | None
    whole: bool
    line: int


@dataclass(frozen=True)
class RefiSource:
    """A text source of a REFI-QDA project (one survey answer, when we exported it).

    Attributes:
        guid: Its guid.
        name: Its name (our exports name it "RESPONDENT - QUESTION").
        text: Its plain text.
        line: Its line in project.qde.
        case: The name of the case that lists it (our exports: the respondent ID), if any.
        variables: Its variable values by variable name (our exports: "question").
        codings: The codings on it.
    """

    guid: str
    name: str
    text: str
    line: int
    case: str | None = None
    variables: dict[str, str] = field(default_factory=dict, compare=False)
    codings: tuple[RefiCoding, ...] = ()


@dataclass(frozen=True)
class RefiProject:
    """What coder takes from a REFI-QDA project: users, codes and coded text sources."""

    path: str
    users: dict[str, str]
    codes: dict[str, RefiCode]
    sources: tuple[RefiSource, ...]


def _guid_of(value: str | None) -> str:
    text = (value or "").strip()
    match = _GUID.match(text)
    return (match.group(1) if match else text).lower()


def _value_text(el: etree._Element) -> str | None:
    for kid in el:
        if isinstance(kid.tag, str) and _local(kid).endswith("Value") and _local(kid) != "Value":
            return (kid.text or "").strip()
    return None


def _position(el: etree._Element, name: str, where: str) -> int:
    raw = (el.get(name) or "").strip()
    try:
        return int(raw)
    except ValueError:
        raise InputError(f'{where}: {name} "{raw}" is not a whole number') from None


def parse_project(data: bytes, *, source: str = "<qde>",
                  read_internal: Callable[[str], bytes | None] | None = None) -> RefiProject:
    """Read the users, codes and coded text sources of a REFI-QDA `project.qde`.

    Args:
        data: The XML bytes.
        source: How to name the file in messages.
        read_internal: Gives the bytes of a file inside the .qdpx (for sources whose text is
            in `sources/` rather than in the XML), or None when it is not there.

    Raises:
        InputError: Not a REFI-QDA project, or a coded source without readable text; messages
            name the file and line.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{source}, line {exc.lineno}: not valid XML: {exc.msg}") from None
    ns = etree.QName(root).namespace or ""
    if (ns and not _ACCEPTED_NS.match(ns)) or _local(root) != "Project":
        raise InputError(f"{source}: not a REFI-QDA project (found {_local(root)} in {ns or 'no'}"
                        " namespace)")
    users = {_guid_of(u.get("guid")): (u.get("name") or "").strip()
             for el in _kids(root, "Users") for u in _kids(el, "User")}
    codes: dict[str, RefiCode] = {}

    def visit(el: etree._Element) -> None:
        fields = parse_description("".join(d.text or "" for d in _kids(el, "Description")))
        number = fields.get("output_code")
        guid = _guid_of(el.get("guid"))
        codes[guid] = RefiCode(guid, (el.get("name") or "").strip(),
                               number if isinstance(number, int) else None)
        for kid in _kids(el, "Code"):
            visit(kid)

    for book in _kids(root, "CodeBook"):
        for holder in _kids(book, "Codes"):
            for el in _kids(holder, "Code"):
                visit(el)
    variables = {_guid_of(v.get("guid")): (v.get("name") or "").strip()
                 for el in _kids(root, "Variables") for v in _kids(el, "Variable")}
    case_of: dict[str, str] = {}
    for cases in _kids(root, "Cases"):
        for case in _kids(cases, "Case"):
            name = (case.get("name") or "").strip()
            for ref in _kids(case, "SourceRef"):
                case_of.setdefault(_guid_of(ref.get("targetGUID")), name)
    sources = []
    for holder in _kids(root, "Sources"):
        for el in _kids(holder, "TextSource"):
            found = _text_source(el, source, read_internal, variables, case_of)
            if found is not None:
                sources.append(found)
    return RefiProject(source, users, codes, tuple(sources))


def _text_source(el: etree._Element, source: str,
                 read_internal: Callable[[str], bytes | None] | None,
                 variables: Mapping[str, str], case_of: Mapping[str, str]) -> RefiSource | None:
    """One TextSource with its codings; None when nothing in it is coded."""
    where = f"{source}, line {el.sourceline}"
    codings: list[tuple[etree._Element, str | None, int | None, int | None]] = [
        (c, None, None, None) for c in _kids(el, "Coding")]
    for selection in _kids(el, "PlainTextSelection"):
        at = f"{source}, line {selection.sourceline}"
        first = _position(selection, "startPosition", at)
        last = _position(selection, "endPosition", at)
        for c in _kids(selection, "Coding"):
            codings.append((c, selection.get("creatingUser"), first, last))
    if not codings:
        return None
    content = _kids(el, "PlainTextContent")
    if content:
        text = "".join(c.text or "" for c in content)
    else:
        path = (el.get("plainTextPath") or "").strip()
        raw = None
        if path.startswith("internal://") and read_internal is not None:
            raw = read_internal("sources/" + path[len("internal://"):])
        if raw is None:
            raise InputError(f"{where}: coded source \"{el.get('name', '')}\" has no text in the"
                            f" project (plainTextPath {path or 'missing'})")
        text = raw.decode("utf-8-sig", errors="replace")
    found = []
    for coding, selection_user, start, end in codings:
        ref = next(iter(_kids(coding, "CodeRef")), None)
        if ref is None:
            raise InputError(f"{source}, line {coding.sourceline}: a Coding without a CodeRef")
        user = coding.get("creatingUser") or selection_user
        whole = start is None or (start <= 0 and end is not None and end >= len(text.rstrip()))
        found.append(RefiCoding(_guid_of(ref.get("targetGUID")), _guid_of(user) if user else None,
                                whole, int(coding.sourceline or 0)))
    values: dict[str, str] = {}
    for value in _kids(el, "VariableValue"):
        ref = next(iter(_kids(value, "VariableRef")), None)
        name = variables.get(_guid_of(ref.get("targetGUID"))) if ref is not None else None
        shown = _value_text(value)
        if name and shown is not None:
            values[name] = shown
    guid = _guid_of(el.get("guid"))
    return RefiSource(guid, (el.get("name") or "").strip(), text, int(el.sourceline or 0),
                      case_of.get(guid), values, tuple(found))


def read_qdpx(path: str | Path) -> RefiProject:
    """Read a REFI-QDA project file (.qdpx, a zip holding project.qde; or a bare .qde).

    Raises:
        InputError: Not a readable REFI-QDA project (see `parse_project`).
    """
    p = Path(path)
    try:
        if not zipfile.is_zipfile(p):
            return parse_project(p.read_bytes(), source=str(p))
        with zipfile.ZipFile(p) as zf:
            names = {n.lower(): n for n in zf.namelist()}
            qde = names.get("project.qde") or next(
                (n for low, n in names.items() if low.endswith(".qde")), None)
            if qde is None:
                raise InputError(f"{p}: no project.qde inside; is it a REFI-QDA project?")

            def read_internal(name: str) -> bytes | None:
                inside = names.get(name.lower())
                return zf.read(inside) if inside is not None else None

            return parse_project(zf.read(qde), source=f"{p}:{qde}", read_internal=read_internal)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"{p}: cannot be read ({exc})") from None


def source_guid(answer_key: str) -> str:
    """The guid `write_qdpx` gives the text source of the answer with key `answer_key`."""
    return _guid("source", answer_key)
