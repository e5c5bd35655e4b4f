"""Build reports and data exports from a project: choose the layer, gather, compute, write.

Joins the store (reads only) to the pure core (frequencies, quotes, renderers, exports).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np

from coder.core.errors import NotInProject, ProjectError, Remedy
from coder.core.progress import NO_PROGRESS, Progress
from coder.core.reporting.anonymise import (
    SETTING_KEY,
    RedactionList,
    Redactor,
    placeholder_for_column,
    terms_from_attributes,
)
from coder.core.reporting.frequencies import (
    DEFAULT_MIN_BASE,
    FinalCoding,
    RespondentAnswer,
    compute_frequencies,
)
from coder.core.reporting.model import QuestionSection, Report, Theme
from coder.core.reporting.quotes import Quote, QuoteCandidate, choose_quotes
from coder.core.types import Answer, CoderKind, Question
from coder.store.protocol import ProjectStore

log = logging.getLogger(__name__)

DEFAULT_BASE_LABEL = "respondents who answered"
REPORT_FORMATS = ("md", "html", "docx")


@dataclass(frozen=True)
class Layer:
    """Whose codings count: `name` as given on the command line, and the coders behind it."""

    name: str
    coder_ids: tuple[int, ...]
    description: str


FINAL = "final"
FINAL_DESCRIPTION = ("final codes (adjudicated where reviewed, else the codes the coders agreed"
                     " on or the only coder's)")
LAYER_CHOICES = "final, adjudicated, coder:NAME, model:NAME or all"


def resolve_layer(store: ProjectStore, spec: str | None,
                  question_ids: Sequence[str] = ()) -> Layer:
    """Turn `--layer` into coders.

    `final`, `adjudicated`, `coder:NAME`, `model:NAME` or `all`. Without a spec: `final`
    whenever a human coder (or the adjudicated layer) has codings; only model codings is an
    error asking for `--layer`; no codings at all gives an empty layer.

    The `final` layer's coders are every human coder and the adjudicated layer; how it combines
    them per answer is `ProjectStore.final_layer`.

    Raises:
        ProjectError: Unknown layer, or a choice the user must make.
    """
    coders = store.coders()
    used: dict[int, int] = {}
    for qid in question_ids:
        for coder_id, n in store.coded_answers_by_coder(qid).items():
            used[coder_id] = used.get(coder_id, 0) + n
    by_kind = {kind: [c for c in coders if c.kind == kind] for kind in CoderKind}
    if spec is None:
        if any(used.get(c.id) for c in coders if c.kind != CoderKind.MODEL):
            spec = FINAL
        elif any(used.get(c.id) for c in by_kind[CoderKind.MODEL]):
            choices = ", ".join(f"model:{c.name}" for c in by_kind[CoderKind.MODEL]
                                if used.get(c.id))
            raise ProjectError("only model suggestions are coded: choose the codes to count"
                               f" ({choices} or all)", remedy=Remedy(option="layer"))
        else:
            return Layer("none", (), "no codes yet")
    if spec == FINAL:
        active = [c for c in coders if c.kind != CoderKind.MODEL and used.get(c.id)]
        description = FINAL_DESCRIPTION
        if len(active) == 1 and active[0].kind == CoderKind.HUMAN:
            description = f"codes of coder {active[0].name} (the only coder)"
        return Layer(FINAL, tuple(c.id for c in coders if c.kind != CoderKind.MODEL),
                     description)
    if spec == "all":
        return Layer("all", tuple(c.id for c in coders), "all coders' codes combined")
    if spec == "adjudicated":
        ids = tuple(c.id for c in by_kind[CoderKind.ADJUDICATED] if used.get(c.id))
        if not ids:
            raise ProjectError("nothing has been adjudicated in this project: count the final"
                               " codes or one coder's (final or coder:NAME)",
                               remedy=Remedy(option="layer"))
        return Layer("adjudicated", ids, "adjudicated codes (adjudicated answers only)")
    kind_name, _, name = spec.partition(":")
    kinds = {"coder": CoderKind.HUMAN, "model": CoderKind.MODEL}
    if kind_name not in kinds or not name:
        raise NotInProject(f'unknown layer "{spec}": use {LAYER_CHOICES}')
    for c in coders:
        if c.name == name and c.kind == kinds[kind_name]:
            what = "coder" if kind_name == "coder" else "model"
            return Layer(spec, (c.id,), f"codes of {what} {c.name}")
    known = ", ".join(f"{'model' if c.kind == CoderKind.MODEL else 'coder'}:{c.name}"
                      for c in coders if c.kind != CoderKind.ADJUDICATED) or "none"
    raise NotInProject(f'no {kind_name} "{name}" in this project (layers: {known})')


def redactor_for(store: ProjectStore) -> Redactor:
    """The project's redaction list: setting "redaction" plus the names in name-like attributes.

    Setting `{"terms": [...], "patterns": [...], "attribute_terms": false}` turns off the terms
    taken from respondent attributes.
    """
    setting = store.setting(SETTING_KEY) or {}
    redaction = RedactionList.from_setting(setting)
    if setting.get("attribute_terms", True):
        redaction = redaction.with_terms(
            terms_from_attributes(r.attributes for r in store.respondents()))
    return Redactor(redaction)


def _scope(store: ProjectStore, question_ids: Sequence[str] | None,
           wave: str | None) -> tuple[list[Question], int | None, str | None]:
    if question_ids:
        questions = [store.question(q) for q in question_ids]
    else:
        questions = [q for q in store.questions(open_only=True) if q.codeframe_id]
        if not questions:
            raise ProjectError("no open question has a codeframe yet: nothing to report")
    for q in questions:
        if not q.codeframe_id:
            raise ProjectError(f'question "{q.id}" has no codeframe yet')
    waves = store.waves()
    if wave is not None:
        return questions, store.wave_id(wave), wave
    if len(waves) > 1:  # several waves: the latest, never two waves' answers in one base
        return questions, waves[-1].id, waves[-1].name
    return questions, None, None


def _asked_values(store: ProjectStore, question: Question) -> set[str] | None:
    if question.routing is None:
        return None
    values = set(question.routing.values)
    try:  # attributes hold labels when the file had value labels; routing holds the codes
        labels = store.question(question.routing.column).value_labels
        values |= {labels[v] for v in question.routing.values if v in labels}
    except ProjectError:
        pass
    return values


def gather(store: ProjectStore, question: Question, layer: Layer, wave_id: int | None,
           by: str | None = None) -> tuple[list[RespondentAnswer], dict[int, Answer]]:
    """Each respondent's status, layer codes and breakdown group for one question.

    Returns:
        The per-respondent records, and the answers by id (for quotes).
    """
    attributes = {r.id: r.attributes for r in store.respondents(wave_id)}
    asked_values = _asked_values(store, question)
    final = store.final_layer(question.id, wave_id) if layer.name == FINAL else None
    codes: Mapping[int, AbstractSet[str]]
    coded: AbstractSet[int] | Mapping[int, FinalCoding]
    if final is not None:
        codes = {aid: f.code_ids for aid, f in final.items()}
        coded = final
    else:
        codes = store.layer_codes(question.id, layer.coder_ids, wave_id)
        coded = store.layer_coded_answers(question.id, layer.coder_ids)
    records, answers = [], {}
    for answer in store.answers(question.id, wave_id=wave_id):
        attrs = attributes.get(answer.respondent_id, {})
        if answer.is_substantive:
            status = "answered"
        elif answer.is_blank:
            status = "blank"
            routing = question.routing
            if (asked_values is not None and routing is not None
                    and attrs.get(routing.column, "") not in asked_values):
                status = "not_asked"
        else:
            status = "non_substantive"
        answers[answer.id] = answer
        settled = final.get(answer.id) if final is not None else None
        records.append(RespondentAnswer(
            answer.respondent_id, status, frozenset(codes.get(answer.id, ())),
            answer.id in coded, attrs.get(by) if by else None,
            unresolved=settled is not None and settled.status == "unresolved",
            stale=settled is not None and settled.status == "stale"))
    return records, answers


def _vectors(store: ProjectStore, question: Question,
             answers: Sequence[Answer]) -> dict[int, np.ndarray] | None:
    from coder.core.embedding import DEFAULT_MODEL_ID, cache_key

    run = store.latest_theme_run(question.id)
    model = run.model if run is not None else DEFAULT_MODEL_ID
    keys = {a.id: cache_key(a.text) for a in answers}
    found = store.get_many(model, list(set(keys.values())))
    if len(found) < len(set(keys.values())):
        log.info("quotes for %s: TF-IDF centrality (%d of %d answers have cached embeddings)",
                 question.id, len(found), len(set(keys.values())))
        return None
    log.info("quotes for %s: cached %s embeddings", question.id, model)
    return {aid: found[key] for aid, key in keys.items()}


def _question_section(store: ProjectStore, question: Question, chosen: Layer,
                      wave_id: int | None, *, by: str | None, min_base: int,
                      quotes_per_code: int, redactor: Redactor,
                      externals: Mapping[int, str]) -> QuestionSection:
    """One question of the report: its frequency table and each code's quotes.

    An answer is quoted once per question: under the first code (in table order) that picks it.
    `externals` (respondent id -> respondent ID) is given only when the report shows IDs.
    """
    frame = store.codeframe(question.codeframe_id or "")
    records, answers = gather(store, question, chosen, wave_id, by)
    table = compute_frequencies(question.id, frame, records,
                                routing_known=question.routing is not None,
                                min_base=min_base, breakdown_by=by)
    substantive = {r.respondent_id: r for r in records if r.status == "answered"}
    coded_answers = [a for a in answers.values() if a.respondent_id in substantive]
    vectors = _vectors(store, question, coded_answers) if coded_answers else None
    starred = store.starred_answers(question.id)
    themes, used = [], set()
    for row in table.rows:
        if row.n == 0 or row.depth > 1:
            continue
        quotes: tuple[Quote, ...] = ()
        if not row.is_net and quotes_per_code > 0:
            members = {row.code_id}
            starred_ids = set(starred.get(row.code_id, ()))
            candidates = [QuoteCandidate(a.id, a.text, a.id in starred_ids)
                          for a in coded_answers if a.id not in used
                          and substantive[a.respondent_id].code_ids & members]
            candidates.sort(key=lambda c: (not c.starred, c.answer_id))
            picked = choose_quotes(candidates, quotes_per_code, embeddings=vectors,
                                   redactor=redactor)
            if externals:
                picked = [replace(q, respondent=externals.get(answers[q.source].respondent_id))
                          for q in picked]
            used |= {q.source for q in picked}
            quotes = tuple(picked)
        themes.append(Theme(row, quotes))
    chart_rows = tuple(r for r in table.rows if r.depth == 0 and r.n > 0)
    return QuestionSection(question.id, question.text, question.routing_note, table,
                           tuple(themes), chart_rows)


def report_quotes(store: ProjectStore, question_id: str, *, layer: str | None = None,
                  wave: str | None = None,
                  quotes_per_code: int = 3) -> dict[str, tuple[Quote, ...]]:
    """code id -> the quotes `build_report` prints under that code, in its order (redacted).

    Picked exactly as the report picks them (same layer, wave, embeddings and the rule that an
    answer is quoted once per question); codes the report quotes nothing for are absent.

    Raises:
        ProjectError: Unknown question or layer, or the question has no codeframe.
    """
    questions, wave_id, _ = _scope(store, [question_id], wave)
    chosen = resolve_layer(store, layer, [question_id])
    section = _question_section(store, questions[0], chosen, wave_id, by=None,
                                min_base=DEFAULT_MIN_BASE, quotes_per_code=quotes_per_code,
                                redactor=redactor_for(store), externals={})
    return {t.row.code_id: t.quotes for t in section.themes if t.quotes}


def build_report(
    store: ProjectStore,
    *,
    question_ids: Sequence[str] | None = None,
    layer: str | None = None,
    by: str | None = None,
    wave: str | None = None,
    min_base: int = DEFAULT_MIN_BASE,
    quotes_per_code: int = 3,
    include_ids: bool = False,
    title: str | None = None,
    base_label: str | None = None,
    progress: Progress = NO_PROGRESS,
) -> Report:
    """Gather frequencies, themes and anonymised quotes for the questions into a `Report`.

    Args:
        store: The project.
        question_ids: Questions to report; default every open question with a codeframe.
        layer: See `resolve_layer`.
        by: Respondent attribute to break frequencies down by (e.g. "region").
        wave: Wave to report; default the latest.
        min_base: Bases below this get a caution.
        quotes_per_code: Quotes under each code (starred first, then representative).
        include_ids: Show the respondent ID after each quote (never by default).
        title: Report title; default from the project file name.
        base_label: Who the base is, e.g. "responding authorities".
        progress: Told (questions done, questions); cancelling it stops between questions.

    Raises:
        ProjectError: Unknown question, layer or attribute; a name-like breakdown attribute.
    """
    questions, wave_id, wave_name = _scope(store, question_ids, wave)
    chosen = resolve_layer(store, layer, [q.id for q in questions])
    if by is not None:
        known = sorted({k for r in store.respondents(wave_id) for k in r.attributes})
        if by not in known:
            raise NotInProject(f'no respondent attribute "{by}" (attributes: {", ".join(known)})')
        if placeholder_for_column(by) and not include_ids:
            raise ProjectError(f'"{by}" holds names: a breakdown by it would identify respondents')
    redactor = redactor_for(store)
    externals = {r.id: r.external_id for r in store.respondents()} if include_ids else {}
    label = base_label or (store.setting("report") or {}).get("base_label") or DEFAULT_BASE_LABEL
    sections = []
    for done, question in enumerate(questions):
        progress.check()
        sections.append(_question_section(store, question, chosen, wave_id, by=by,
                                          min_base=min_base, quotes_per_code=quotes_per_code,
                                          redactor=redactor, externals=externals))
        progress.step(done + 1, len(questions))
    return Report(title or f"{store.path.stem}: coded open answers", chosen.description, label,
                  tuple(sections), date.today().isoformat(), wave_name, include_ids)


def write_report(report: Report, fmt: str, path: str | Path, *,
                 protected: Sequence[str | Path] = ()) -> list[Path]:
    """Write the report as md (with a `<stem>_files/` folder of charts), html or docx.

    The file is written atomically with mode 0600 and never over a project or a file in
    `protected` (`coder.core.safe_files`).
    """
    from coder.core.safe_files import check_output, write_text_atomic

    if fmt not in REPORT_FORMATS:
        raise ProjectError(f'unknown report format "{fmt}" (md, html or docx)')
    target = check_output(path, protected=protected)
    if fmt == "md":
        from coder.core.reporting.markdown_report import render_markdown

        chart_dir = target.with_name(f"{target.stem}_files")
        write_text_atomic(target, render_markdown(report, chart_dir, f"{chart_dir.name}/"),
                          protected=protected)
        return [target, *sorted(chart_dir.glob("*.png"))] if chart_dir.exists() else [target]
    if fmt == "html":
        from coder.core.reporting.html_report import render_html

        write_text_atomic(target, render_html(report), protected=protected)
        return [target]
    from coder.core.reporting.docx_report import render_docx

    render_docx(report, target, protected=protected)
    return [target]


def export_data(
    store: ProjectStore,
    fmt: str,
    path: str | Path,
    *,
    question_ids: Sequence[str] | None = None,
    layer: str | None = None,
    wave: str | None = None,
    layout: str = "dichotomy",
    include_ids: bool = False,
    attributes: Sequence[str] = (),
    progress: Progress = NO_PROGRESS,
) -> list[Path]:
    """Write a respondent x code file (csv, xlsx, sav) and its codebook; returns the files.

    One row per respondent of the wave; see `coder.core.reporting.exports` for the layouts and how
    missing values are set. The respondent ID is a column only with `include_ids`.
    """
    from coder.core.reporting.exports import ExportQuestion, build_export, write_export

    if fmt not in ("csv", "xlsx", "sav"):
        raise ProjectError(f'unknown export format "{fmt}" (csv, xlsx or sav)')
    if layout not in ("dichotomy", "concatenated"):
        raise ProjectError(f'unknown layout "{layout}" (dichotomy or concatenated)')
    questions, wave_id, _ = _scope(store, question_ids, wave)
    chosen = resolve_layer(store, layer, [q.id for q in questions])
    people = store.respondents(wave_id)
    known = {k for r in people for k in r.attributes}
    missing = [a for a in attributes if a not in known]
    if missing:
        raise NotInProject(f"no respondent attribute {', '.join(missing)}"
                           f" (attributes: {', '.join(sorted(known))})")
    exported = []
    for done, question in enumerate(questions):
        progress.check()
        records, _ = gather(store, question, chosen, wave_id)
        exported.append(ExportQuestion(question.id, question.text,
                                       store.codeframe(question.codeframe_id or ""),
                                       {r.respondent_id: r for r in records}))
        progress.step(done + 1, len(questions) + 1)
    rows = [(r.id, r.external_id, r.attributes) for r in people]
    table = build_export(rows, exported, layout=layout,  # type: ignore[arg-type]
                         include_ids=include_ids, attributes=attributes)
    concatenated = None
    if fmt == "xlsx" and layout == "dichotomy":
        concatenated = build_export(rows, exported, layout="concatenated",
                                    include_ids=include_ids, attributes=attributes)
    written = write_export(table, fmt, path, concatenated=concatenated,  # type: ignore[arg-type]
                           protected=[store.path])
    progress.step(len(questions) + 1, len(questions) + 1)
    return written


def export_quote_bank(store: ProjectStore, path: str | Path, *,
                      question_ids: Sequence[str] | None = None, layer: str | None = None,
                      wave: str | None = None) -> Path:
    """Write every coded answer with its respondent ID (internal use only: it identifies)."""
    from coder.core.reporting.exports import QuoteBankRow, write_quote_bank
    from coder.core.reporting.frequencies import shown_codes

    questions, wave_id, _ = _scope(store, question_ids, wave)
    chosen = resolve_layer(store, layer, [q.id for q in questions])
    externals = {r.id: r.external_id for r in store.respondents()}
    rows = []
    for question in questions:
        frame = store.codeframe(question.codeframe_id or "")
        starred = store.starred_answers(question.id)
        records, answers = gather(store, question, chosen, wave_id)
        by_respondent = {r.respondent_id: r for r in records if r.status == "answered"}
        for _, code in shown_codes(frame):
            stars = set(starred.get(code.id, ()))
            for answer in answers.values():
                record = by_respondent.get(answer.respondent_id)
                if record is not None and code.id in record.code_ids:
                    rows.append(QuoteBankRow(question.id, code.output_code, code.label,
                                             answer.id in stars,
                                             externals.get(answer.respondent_id, ""),
                                             answer.id, answer.text))
    return write_quote_bank(rows, path, protected=[store.path])


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

    questions, wave_id, _ = _scope(store, question_ids, wave)
    chosen = resolve_layer(store, layer, [q.id for q in questions])
    is_final = chosen.name == FINAL
    names = ({0: FINAL} if is_final else
             {c.id: c.name for c in store.coders() if c.id in chosen.coder_ids})
    people = store.respondents(wave_id)
    external = {r.id: r.external_id for r in people}
    frames = {}
    answers, codings = [], []
    for question in questions:
        frame = store.codeframe(question.codeframe_id or "")
        frames[frame.id] = frame
        for answer in store.answers(question.id, wave_id=wave_id):
            if answer.is_blank or answer.respondent_id not in external:
                continue
            answers.append((str(answer.id), external[answer.respondent_id], question.id,
                            answer.text))
        if is_final:
            codings += [(str(aid), code_id, FINAL) for aid, settled
                        in sorted(store.final_layer(question.id, wave_id).items())
                        for code_id in sorted(settled.code_ids) if code_id in frame]
            continue
        for coding in store.codings(question_id=question.id):
            if coding.coder_id in names and coding.code_id in frame:
                codings.append((str(coding.answer_id), coding.code_id, names[coding.coder_id]))
    kept = {a[0] for a in answers}
    codings = [c for c in codings if c[0] in kept]
    target = Path(path)
    write_qdpx(target, protected=[store.path], project_name=store.path.stem,
               codeframes=list(frames.values()),
               coders=[(n, derived_id("coder", n)) for n in names.values()],
               respondents=[(r.external_id, dict(r.attributes)) for r in people],
               answers=answers, codings=codings, progress=progress)
    return target
