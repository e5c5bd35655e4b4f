"""REFI-QDA project import: the codings of a .qdpx made in NVivo, ATLAS.ti or MAXQDA; no UI."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from coder.core.codeframe.refi_codebook import (
    ACCEPTED_NS,
    GUID_RE,
    child_elements,
    derived_guid,
    local_name,
    parse_description,
)
from coder.core.errors import InputError


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
    match = GUID_RE.match(text)
    return (match.group(1) if match else text).lower()


def _value_text(el: etree._Element) -> str | None:
    for kid in el:
        name = local_name(kid) if isinstance(kid.tag, str) else ""
        if name.endswith("Value") and name != "Value":
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
    if (ns and not ACCEPTED_NS.match(ns)) or local_name(root) != "Project":
        raise InputError(f"{source}: not a REFI-QDA project (found {local_name(root)} in"
                         f" {ns or 'no'} namespace)")
    users = {_guid_of(u.get("guid")): (u.get("name") or "").strip()
             for el in child_elements(root, "Users") for u in child_elements(el, "User")}
    codes: dict[str, RefiCode] = {}

    def visit(el: etree._Element) -> None:
        fields = parse_description("".join(d.text or "" for d in child_elements(el, "Description")))
        number = fields.get("output_code")
        guid = _guid_of(el.get("guid"))
        codes[guid] = RefiCode(guid, (el.get("name") or "").strip(),
                               number if isinstance(number, int) else None)
        for kid in child_elements(el, "Code"):
            visit(kid)

    for book in child_elements(root, "CodeBook"):
        for holder in child_elements(book, "Codes"):
            for el in child_elements(holder, "Code"):
                visit(el)
    variables = {_guid_of(v.get("guid")): (v.get("name") or "").strip()
                 for el in child_elements(root, "Variables")
                 for v in child_elements(el, "Variable")}
    case_of: dict[str, str] = {}
    for cases in child_elements(root, "Cases"):
        for case in child_elements(cases, "Case"):
            name = (case.get("name") or "").strip()
            for ref in child_elements(case, "SourceRef"):
                case_of.setdefault(_guid_of(ref.get("targetGUID")), name)
    sources = []
    for holder in child_elements(root, "Sources"):
        for el in child_elements(holder, "TextSource"):
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
        (c, None, None, None) for c in child_elements(el, "Coding")]
    for selection in child_elements(el, "PlainTextSelection"):
        at = f"{source}, line {selection.sourceline}"
        first = _position(selection, "startPosition", at)
        last = _position(selection, "endPosition", at)
        for c in child_elements(selection, "Coding"):
            codings.append((c, selection.get("creatingUser"), first, last))
    if not codings:
        return None
    content = child_elements(el, "PlainTextContent")
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
        ref = next(iter(child_elements(coding, "CodeRef")), None)
        if ref is None:
            raise InputError(f"{source}, line {coding.sourceline}: a Coding without a CodeRef")
        user = coding.get("creatingUser") or selection_user
        whole = start is None or (start <= 0 and end is not None and end >= len(text.rstrip()))
        found.append(RefiCoding(_guid_of(ref.get("targetGUID")), _guid_of(user) if user else None,
                                whole, int(coding.sourceline or 0)))
    values: dict[str, str] = {}
    for value in child_elements(el, "VariableValue"):
        ref = next(iter(child_elements(value, "VariableRef")), None)
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
    return derived_guid("source", answer_key)
