"""REFI-QDA project export (.qdpx for NVivo, ATLAS.ti, MAXQDA), streamed; no UI or store."""

from __future__ import annotations

import io
import logging
import math
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from lxml import etree

from coder.core.codeframe.model import Codeframe
from coder.core.codeframe.refi_codebook import (
    GUID_RE,
    PROJECT_NS,
    RefiError,
    code_element,
    derived_guid,
    xml_text,
)
from coder.core.progress import NO_PROGRESS, Progress
from coder.core.safe_files import atomic_output

log = logging.getLogger(__name__)


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
        match = GUID_RE.match(str(guid).strip())
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
        sources_of.setdefault(str(respondent_id), []).append(derived_guid("source", answer_key))
    missing = set(sources_of) - {str(r[0]) for r in respondents}
    if missing:
        raise RefiError(f"answers name unknown respondents: {', '.join(sorted(missing)[:5])}")
    values: dict[str, list[object]] = {}
    for _, attributes in respondents:
        for key, value in attributes.items():
            values.setdefault(key, []).append(value)
    kinds = {key: _variable_type(v) for key, v in values.items()}
    total = sum(len(c) for by_code in per_answer.values() for c in by_code.values())
    variable_guid = {key: derived_guid("variable", "respondent", key) for key in kinds}
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
            _leaf(xf, "TextValue", xml_text(str(value)))


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
    question_var = derived_guid("variable", "question")
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
            etree.SubElement(holder, _q("Description")).text = xml_text(frame.description)
        for c in frame.roots():
            code_element(holder, PROJECT_NS, frame, c)
        return [holder]
    box = etree.Element(_q("Codes"), nsmap={None: PROJECT_NS})
    for c in frame.roots():
        code_element(box, PROJECT_NS, frame, c)
    return list(box)


def _write_case(xf: Any, project: _Project, external_id: str, attrs: Mapping[str, object]) -> None:
    with xf.element(_q("Case"), {"guid": derived_guid("case", external_id), "name": external_id}):
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
    body = xml_text(text or "")
    name = f"{respondent_id} - {question_id}"
    with xf.element(_q("TextSource"), {"guid": derived_guid("source", key), "name": name}):
        _leaf(xf, "PlainTextContent", body)
        coded = project.per_answer.get(key)
        if coded:
            selection = {
                "guid": derived_guid("selection", key),
                "name": name,
                "startPosition": "0",
                "endPosition": str(len(body)),
            }
            with xf.element(_q("PlainTextSelection"), selection):
                for code_id, coder_names in coded.items():
                    for coder_name in coder_names:
                        coding = {
                            "guid": derived_guid("coding", key, code_id, coder_name),
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
