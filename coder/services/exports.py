"""Data exports of a project: respondent x code files (CSV, XLSX, SPSS) that merge back onto the
survey, the internal quote bank and REFI-QDA projects. Joins the store (reads only) to the core's
table shaping and writers (`coder.core.reporting.exports`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from coder.core.errors import ProjectError
from coder.core.progress import NO_PROGRESS, Progress
from coder.core.types import QuestionKind
from coder.services.reports import FINAL, _scope, gather
from coder.store.protocol import ProjectStore

DATA_FORMATS = ("csv", "xlsx", "sav")


@dataclass(frozen=True)
class ExportResult:
    """What a data export wrote.

    Attributes:
        files: The files written (data first, then the codebook if separate).
        rows: Data rows (one per respondent and wave).
        respondents: Distinct respondents.
        waves: The waves exported, oldest first.
        code_variables: Variables holding codes.
        ids: Whether the respondent ID column is in the file.
    """

    files: tuple[Path, ...]
    rows: int
    respondents: int
    waves: tuple[str, ...]
    code_variables: int
    ids: bool


def export_data(
    store: ProjectStore,
    fmt: str,
    path: str | Path,
    *,
    question_ids: Sequence[str] | None = None,
    layer: str | None = None,
    wave: str | None = None,
    layout: str = "dichotomy",
    include_ids: bool = True,
    attributes: Sequence[str] = (),
    progress: Progress = NO_PROGRESS,
) -> ExportResult:
    """Write a respondent x code file (csv, xlsx, sav) and its codebook.

    One row per respondent and wave of the scope (`--wave`, default every wave with coding),
    keyed by the respondent ID (unless `include_ids` is False) and a `wave` variable when the
    project has several waves. See `coder.core.reporting.exports` for layouts, missing values
    and how attributes keep their SPSS codes and value labels.

    Raises:
        ProjectError: Unknown format, layout, question, layer, wave or attribute.
    """
    from coder.core.reporting.exports import (
        AttributeInfo,
        ExportQuestion,
        ExportRow,
        build_export,
        write_export,
    )

    if fmt not in DATA_FORMATS:
        raise ProjectError(f'unknown export format "{fmt}" (csv, xlsx or sav)')
    if layout not in ("dichotomy", "concatenated"):
        raise ProjectError(f'unknown layout "{layout}" (dichotomy or concatenated)')
    questions, chosen, scope = _scope(store, question_ids, wave, layer)
    known = store.attribute_names(scope.ids)
    missing = [a for a in attributes if a not in known]
    if missing:
        raise ProjectError(f"no respondent attribute {', '.join(missing)}"
                           f" (attributes: {', '.join(sorted(known))})")
    external = store.external_ids()
    rows: list[ExportRow] = []
    for position, (wave_id, wave_name) in enumerate(scope.each()):
        # Only the attributes exported, read in SQL (whole attribute sets are slow to decode).
        values = scope.values(store, wave_id, list(attributes))
        rows += [ExportRow(rid, external[rid], wave_name,
                           {a: v for a, v in zip(attributes, found, strict=True) if v is not None},
                           position)
                 for rid, found in values.items()]
    rows.sort(key=lambda r: (r.respondent_id, r.wave_order))
    closed = {q.id: q for q in store.questions() if q.kind == QuestionKind.CLOSED}
    info = {a: AttributeInfo(a, closed[a].text if closed[a].text != a else "",
                             closed[a].value_labels)
            for a in attributes if a in closed}
    exported = []
    for done, question in enumerate(questions):
        progress.check()
        records, _ = gather(store, question, chosen, scope)
        exported.append(ExportQuestion(question.id, question.text,
                                       store.codeframe(question.codeframe_id or ""),
                                       {(r.respondent_id, r.wave): r for r in records}))
        progress.step(done + 1, len(questions) + 1)
    options = {"include_ids": include_ids, "attributes": attributes, "attribute_info": info,
               "wave_column": scope.project_waves > 1}
    table = build_export(rows, exported, layout=layout, **options)  # type: ignore[arg-type]
    concatenated = None
    if fmt == "xlsx" and layout == "dichotomy":
        concatenated = build_export(rows, exported, layout="concatenated",
                                    **options)  # type: ignore[arg-type]
    written = write_export(table, fmt, path, concatenated=concatenated,  # type: ignore[arg-type]
                           protected=store.project_files)
    progress.step(len(questions) + 1, len(questions) + 1)
    return ExportResult(tuple(written), len(rows), len({r.respondent_id for r in rows}),
                        scope.names, table.code_variables, include_ids)


def export_quote_bank(store: ProjectStore, path: str | Path, *,
                      question_ids: Sequence[str] | None = None, layer: str | None = None,
                      wave: str | None = None) -> Path:
    """Write every coded answer with its respondent ID (internal use only: it identifies)."""
    from coder.core.reporting.exports import QuoteBankRow, write_quote_bank
    from coder.core.reporting.frequencies import shown_codes

    questions, chosen, scope = _scope(store, question_ids, wave, layer)
    externals = {r.id: r.external_id for r in store.respondents()}
    rows = []
    for question in questions:
        frame = store.codeframe(question.codeframe_id or "")
        starred = store.starred_answers(question.id)
        records, answers = gather(store, question, chosen, scope)
        by_answer = {r.answer_id: r for r in records if r.status == "answered"}
        for _, code in shown_codes(frame):
            stars = set(starred.get(code.id, ()))
            for answer in answers.values():
                record = by_answer.get(answer.id)
                if record is not None and code.id in record.code_ids:
                    rows.append(QuoteBankRow(question.id, code.output_code, code.label,
                                             answer.id in stars,
                                             externals.get(answer.respondent_id, ""),
                                             answer.id, answer.text, code.shortcut or ""))
    return write_quote_bank(rows, path, protected=store.project_files)


def export_qdpx(store: ProjectStore, path: str | Path, *,
                question_ids: Sequence[str] | None = None, layer: str | None = None,
                wave: str | None = None, progress: Progress = NO_PROGRESS) -> Path:
    """Write a REFI-QDA project (.qdpx) for NVivo/ATLAS.ti: cases, answers and the layer's codes.

    Respondents are cases named by their respondent ID (the file is for analysts, not for
    publication). Each coder of the layer keeps their own codings; the `final` layer is one
    coder named "final" holding the codes the reports count (unresolved answers get none).
    """
    from coder.core.codeframe.model import derived_id
    from coder.core.codeframe.refi_export import write_qdpx

    questions, chosen, scope = _scope(store, question_ids, wave, layer)
    is_final = chosen.name == FINAL
    names = ({0: FINAL} if is_final else
             {c.id: c.name for c in store.coders() if c.id in chosen.coder_ids})
    people_by_id = {}
    for wave_id, _ in scope.each():
        people_by_id.update(scope.people(store, wave_id))  # the latest wave's attributes win
    people = sorted(people_by_id.values(), key=lambda r: r.id)
    external = {r.id: r.external_id for r in people}
    frames = {}
    answers, codings = [], []
    for question in questions:
        frame = store.codeframe(question.codeframe_id or "")
        frames[frame.id] = frame
        for wave_id, _ in scope.each():
            for answer in store.answers(question.id, wave_id=wave_id):
                if answer.is_blank or answer.respondent_id not in external:
                    continue
                answers.append((str(answer.id), external[answer.respondent_id], question.id,
                                answer.text))
            if is_final:
                codings += [(str(aid), code_id, FINAL) for aid, settled
                            in sorted(store.final_layer(question.id, wave_id).items())
                            for code_id in sorted(settled.code_ids) if code_id in frame]
        if is_final:
            continue
        for coding in store.codings(question_id=question.id):
            if coding.coder_id in names and coding.code_id in frame:
                codings.append((str(coding.answer_id), coding.code_id, names[coding.coder_id]))
    kept = {a[0] for a in answers}
    codings = [c for c in codings if c[0] in kept]
    target = Path(path)
    write_qdpx(target, protected=store.project_files, project_name=store.path.stem,
               codeframes=list(frames.values()),
               coders=[(n, derived_id("coder", n)) for n in names.values()],
               respondents=[(r.external_id, dict(r.attributes)) for r in people],
               answers=answers, codings=codings, progress=progress)
    return target
