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
from typing import Any, Unpack

from coder.core.errors import NotInProject, ProjectError, Remedy
from coder.core.progress import NO_PROGRESS, Progress
from coder.core.reporting.anonymise import (
    SETTING_KEY,
    RedactionList,
    Redactor,
    name_columns_of,
    terms_from_attributes,
)
from coder.core.reporting.frequencies import (
    FinalCoding,
    RespondentAnswer,
    compute_frequencies,
)
from coder.core.reporting.model import (
    DEFAULT_TITLE,
    QuestionSection,
    Report,
    ReportOptions,
    ReportOverrides,
    Theme,
)
from coder.core.reporting.quote_pool import QuotePool
from coder.core.reporting.quotes import Quote
from coder.core.reporting.significance import compare_columns
from coder.core.reporting.tables import BY_WAVE
from coder.core.survey.question_sheet import QuestionWording
from coder.core.types import CoderKind, Question
from coder.services.question_wording import question_wording
from coder.services.report_settings import report_settings
from coder.services.report_vectors import ReportAnswer, cached_embeddings
from coder.services.waves import WaveScope, resolve_waves, weight_value
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
    used = store.coders_who_coded(question_ids)
    by_kind = {kind: [c for c in coders if c.kind == kind] for kind in CoderKind}
    if spec is None:
        if any(c.id in used for c in coders if c.kind != CoderKind.MODEL):
            spec = FINAL
        elif any(c.id in used for c in by_kind[CoderKind.MODEL]):
            choices = ", ".join(f"model:{c.name}" for c in by_kind[CoderKind.MODEL]
                                if c.id in used)
            raise ProjectError("only model suggestions are coded: choose the codes to count"
                               f" ({choices} or all)", remedy=Remedy(option="layer"))
        else:
            return Layer("none", (), "no codes yet")
    if spec == FINAL:
        active = [c for c in coders if c.kind != CoderKind.MODEL and c.id in used]
        description = FINAL_DESCRIPTION
        if len(active) == 1 and active[0].kind == CoderKind.HUMAN:
            description = f"codes of coder {active[0].name} (the only coder)"
        return Layer(FINAL, tuple(c.id for c in coders if c.kind != CoderKind.MODEL),
                     description)
    if spec == "all":
        return Layer("all", tuple(c.id for c in coders), "all coders' codes combined")
    if spec == "adjudicated":
        ids = tuple(c.id for c in by_kind[CoderKind.ADJUDICATED] if c.id in used)
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


def redaction_for(store: ProjectStore) -> tuple[RedactionList, tuple[str, ...]]:
    """The project's redaction list and its respondent IDs.

    The list is the setting "redaction" plus the values of the attribute columns that hold
    names (`name_columns`); setting `{"attribute_terms": false}` turns those off.
    """
    setting = store.setting(SETTING_KEY) or {}
    redaction = RedactionList.from_setting(setting)
    respondent_ids = tuple(store.external_ids().values())
    if setting.get("attribute_terms", True):
        # Which columns hold names is decided column by column; only theirs are read per
        # respondent (most projects have none).
        columns = store.latest_attribute_values(sorted(store.attribute_names(())))
        held = list(name_columns_of(columns))
        if held:
            rows = [{c: v for c in held if (v := columns[c][i]) is not None}
                    for i in range(len(columns[held[0]]))]
            redaction = redaction.with_terms(terms_from_attributes(
                rows, known_authorities="authority" not in redaction.patterns))
    return redaction, respondent_ids


def redactor_for(store: ProjectStore) -> Redactor:
    """The `Redactor` every quote of the project goes through (see `redaction_for`)."""
    redaction, respondent_ids = redaction_for(store)
    return Redactor(redaction, respondent_ids)


def _questions(store: ProjectStore, question_ids: Sequence[str] | None) -> list[Question]:
    if question_ids:
        questions = [store.question(q) for q in question_ids]
    else:
        questions = [q for q in store.questions(open_only=True) if q.codeframe_id]
        if not questions:
            raise ProjectError("no open question has a codeframe yet: nothing to report")
    for q in questions:
        if not q.codeframe_id:
            raise ProjectError(f'question "{q.id}" has no codeframe yet')
    return questions


def _scope(store: ProjectStore, question_ids: Sequence[str] | None, wave: str | None,
           layer: str | None) -> tuple[list[Question], Layer, WaveScope]:
    """The questions, the layer and the waves (see `resolve_waves`) a report or export covers."""
    questions = _questions(store, question_ids)
    chosen = resolve_layer(store, layer, [q.id for q in questions])
    scope = resolve_waves(store, wave, [q.id for q in questions], chosen.coder_ids)
    return questions, chosen, scope


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


def gather(store: ProjectStore, question: Question, layer: Layer, scope: WaveScope,
           by: str | None = None, weight: str | None = None, *, texts: bool = True,
           ) -> tuple[list[RespondentAnswer], dict[int, ReportAnswer]]:
    """Each respondent's status, layer codes and breakdown group for one question, one record
    per respondent and wave of `scope`.

    `by` is a respondent attribute (that wave's value), or "wave" for the wave itself;
    `weight` a numeric respondent attribute (see `respondent_weight`).

    Returns:
        The per-respondent records, and the answers by id (for quotes; empty unless `texts`).
    """
    asked_values = _asked_values(store, question)
    routing = question.routing if asked_values is not None else None
    # Only the attributes needed, read with the answers: whole attribute sets are slow to
    # decode at 100,000 rows. Each row is (id, respondent, reason, text, key, *attributes).
    names = [n for n in (routing.column if routing else None,
                         by if by and by != BY_WAVE else None, weight) if n is not None]
    at = {name: 5 + i for i, name in reversed(list(enumerate(names)))}
    routing_at = at[routing.column] if routing is not None else None
    group_at = at[by] if by and by != BY_WAVE else None
    weight_at = at[weight] if weight is not None else None
    records: list[RespondentAnswer] = []
    answers: dict[int, ReportAnswer] = {}
    parsed: dict[str, float] = {}  # weight text -> value: weights repeat, parse each once
    no_codes: frozenset[str] = frozenset()
    add = records.append
    for wave_id, wave_name in scope.each():
        # A table without weights needs no answer one by one: the answers are counted per
        # combination in SQL (the final layer's when each coded answer has one coder).
        counted = None
        if not texts and weight is None and wave_id is not None:
            counted = (store.final_layer_counts(question.id, wave_id, names)
                       if layer.name == FINAL
                       else store.layer_counts(question.id, layer.coder_ids, wave_id, names))
        if counted is not None:
            records += _counted_records(counted, wave_name, by, asked_values,
                                        None if routing_at is None else routing_at - 2,
                                        None if group_at is None else group_at - 2)
            continue
        final = store.final_layer(question.id, wave_id) if layer.name == FINAL else None
        codes: Mapping[int, AbstractSet[str]] = {}
        coded: AbstractSet[int] | Mapping[int, FinalCoding]
        if final is not None:
            coded = final
        else:
            codes = store.layer_codes(question.id, layer.coder_ids, wave_id)
            coded = store.layer_coded_answers(question.id, layer.coder_ids)
        # Answers belong to a wave: a project without waves has none.
        rows = (store.report_answers(question.id, wave_id, names, texts=texts)
                if wave_id is not None else [])
        group = wave_name if by else None
        for row in rows:
            answer_id, respondent_id, reason = row[0], row[1], row[2]
            unresolved = stale = False
            if final is not None:
                settled = final.get(answer_id)
                if settled is None:
                    answer_codes, is_coded = no_codes, False
                else:
                    answer_codes, is_coded = settled.code_ids, True
                    unresolved = settled.status == "unresolved"
                    stale = settled.status == "stale"
            else:
                answer_codes = frozenset(codes.get(answer_id, ()))
                is_coded = answer_id in coded
            status = _status(reason, answer_codes, row, routing_at, asked_values)
            if texts:
                answers[answer_id] = ReportAnswer(answer_id, respondent_id, row[3], row[4])
            w = 1.0
            if weight_at is not None and status == "answered":
                raw = row[weight_at] or ""
                known = parsed.get(raw)
                if known is None:  # raises, naming the respondent, on a bad weight
                    known = parsed[raw] = _weight(store, raw, weight or "", respondent_id,
                                                  wave_name)
                w = known
            if group_at is not None:
                group = row[group_at]
            add(RespondentAnswer(respondent_id, status, answer_codes, is_coded, group,
                                 unresolved, stale, wave_name, w, answer_id))
    return records, answers


def _status(reason: str | None, answer_codes: AbstractSet[str], row: Sequence[Any],
            routing_at: int | None, asked_values: AbstractSet[str] | None) -> str:
    """An answer's status in a report's base: "answered", "blank", "not_asked" (blank and
    routed past the question) or "non_substantive"."""
    # A coder who gave a code to "none" or "no barriers" read it as an answer: a frame's own
    # "none" codes count in the base.
    if reason is None or (answer_codes and reason != "blank"):
        return "answered"
    if reason != "blank":
        return "non_substantive"
    if (routing_at is not None and asked_values is not None
            and (row[routing_at] or "") not in asked_values):
        return "not_asked"
    return "blank"


def _counted_records(counted: Sequence[tuple[Any, ...]], wave_name: str | None,
                     by: str | None, asked_values: AbstractSet[str] | None,
                     routing_at: int | None, group_at: int | None) -> list[RespondentAnswer]:
    """`gather`'s records from `final_layer_counts` rows (reason, coded, codes, *attributes,
    n): one per combination, standing for its n answers, with the statuses `gather` gives."""
    records = []
    for row in counted:
        reason, is_coded, answer_codes, n = row[0], row[1], row[2], row[-1]
        status = _status(reason, answer_codes, row, routing_at, asked_values)
        group = row[group_at] if group_at is not None else wave_name if by else None
        records.append(RespondentAnswer(0, status, answer_codes, is_coded, group, False, False,
                                        wave_name, 1.0, None, n))
    return records


def _weight(store: ProjectStore, value: str | None, variable: str, respondent_id: int,
            wave: str | None) -> float:
    try:
        return weight_value(value, variable, "", wave)
    except ProjectError:  # name the respondent (looked up only for the error)
        external = store.respondent(respondent_id).external_id
        return weight_value(value, variable, external, wave)


def _question_section(store: ProjectStore, question: Question, chosen: Layer,
                      scope: WaveScope, options: ReportOptions, *, redactor: Redactor,
                      externals: Mapping[int, str]) -> QuestionSection:
    """One question of the report: its frequency table and each code's quotes.

    An answer is quoted once per question: under the first code (in table order) that picks it.
    `externals` (respondent id -> respondent ID) is given only when the report shows IDs.
    """
    frame = store.codeframe(question.codeframe_id or "")
    quotes_per_code = options.quotes_per_code
    records, answers = gather(store, question, chosen, scope, options.by, options.weight,
                              texts=quotes_per_code > 0)
    table = compute_frequencies(question.id, frame, records,
                                routing_known=question.routing is not None,
                                min_base=options.min_base, breakdown_by=options.by,
                                group_order=scope.names if options.by == BY_WAVE else None,
                                weighted_by=options.weight)
    if options.by is not None:
        table = replace(table, significance=compare_columns(
            table, min_base=options.min_base, population=options.population,
            by_wave=options.by == BY_WAVE))
    substantive = {r.answer_id: r for r in records if r.status == "answered"}
    coded_answers = [a for a in answers.values() if a.id in substantive]
    pool = None
    if coded_answers and quotes_per_code > 0:
        pool = QuotePool([(a.id, a.text, substantive[a.id].code_ids) for a in coded_answers],
                         embeddings=cached_embeddings(store, question, coded_answers))
    starred = store.starred_answers(question.id)
    themes: list[Theme] = []
    used: set[int] = set()
    withheld: list[int] = []
    for row in table.rows:
        if row.n == 0 or row.depth > 1:
            continue
        quotes: tuple[Quote, ...] = ()
        if not row.is_net and pool is not None:
            picked = pool.choose(row.code_id, quotes_per_code,
                                 starred=set(starred.get(row.code_id, ())), exclude=used,
                                 redactor=redactor, withheld=withheld)
            if externals:
                picked = [replace(q, respondent=externals.get(answers[q.source].respondent_id))
                          for q in picked]
            used |= {q.source for q in picked}
            quotes = tuple(picked)
        themes.append(Theme(row, quotes))
    chart_rows = tuple(r for r in table.rows
                       if r.depth == 0 and r.n > 0 and r.n >= options.suppress_below)
    wording = question_wording(store)
    given = wording.get(question.id, QuestionWording())
    return QuestionSection(question.id, given.text or question.text,
                           given.routing or _routing_in_words(store, question, wording), table,
                           tuple(themes), chart_rows, len(set(withheld)))


def _routing_in_words(store: ProjectStore, question: Question,
                      wording: Mapping[str, QuestionWording]) -> str | None:
    """Who was asked, with the filter question's wording and answer labels where known:
    'those answering "Yes" to "Does your authority run the ASYE programme?"'."""
    routing = question.routing
    if routing is None:
        return None
    try:
        source = store.question(routing.column)
    except ProjectError:
        return routing.describe()
    shown = " or ".join(f'"{source.value_labels.get(v, v)}"' for v in routing.values)
    text = wording.get(routing.column, QuestionWording()).text or source.text
    return f'those answering {shown} to "{text or routing.column}"'


def report_quotes(store: ProjectStore, question_id: str, *, layer: str | None = None,
                  wave: str | None = None,
                  quotes_per_code: int = 3) -> dict[str, tuple[Quote, ...]]:
    """code id -> the quotes `build_report` prints under that code, in its order (redacted).

    Picked exactly as the report picks them (same layer, wave, embeddings and the rule that an
    answer is quoted once per question); codes the report quotes nothing for are absent.

    Raises:
        ProjectError: Unknown question or layer, or the question has no codeframe.
    """
    questions, chosen, scope = _scope(store, [question_id], wave, layer)
    section = _question_section(store, questions[0], chosen, scope,
                                ReportOptions(quotes_per_code=quotes_per_code),
                                redactor=redactor_for(store), externals={})
    return {t.row.code_id: t.quotes for t in section.themes if t.quotes}


def _check_attribute(store: ProjectStore, scope: WaveScope, name: str, what: str) -> None:
    if store.has_attribute(name, scope.ids):
        return
    known = sorted(store.attribute_names(scope.ids))
    if name not in known:
        extra = " or wave" if what == "breakdown" else ""
        raise ProjectError(f'no respondent attribute "{name}" for the {what}'
                           f' (attributes: {", ".join(known) or "none"}{extra})')


def _holds_names(store: ProjectStore, scope: WaveScope, column: str) -> bool:
    """Whether a respondent attribute holds names (see `name_columns`): decided by its values."""
    if scope.ids:
        return column in name_columns_of({column: store.attribute_column(column, scope.ids)})
    values = [values[0] for values in scope.values(store, None, [column]).values()]
    return column in name_columns_of({column: values})


def build_report(store: ProjectStore, options: ReportOptions | None = None, *,
                 progress: Progress = NO_PROGRESS,
                 **overrides: Unpack[ReportOverrides]) -> Report:
    """Gather frequencies, themes and anonymised quotes for the questions into a `Report`.

    Args:
        store: The project.
        options: What to report and how (see `ReportOptions`); the title, base label and
            author not given there come from the project setting "report".
        progress: Told (questions done, questions); cancelling it stops between questions.
        **overrides: `ReportOptions` fields to change (a shorthand for scripts and tests).

    Raises:
        ProjectError: Unknown question, layer, wave or attribute; a breakdown by an attribute
            that holds names; a missing or bad weight.
    """
    options = replace(options or ReportOptions(), **overrides)
    by, weight, include_ids = options.by, options.weight, options.include_ids
    questions, chosen, scope = _scope(store, options.question_ids or None, options.wave,
                                      options.layer)
    if by is not None and by != BY_WAVE:
        _check_attribute(store, scope, by, "breakdown")
        if not include_ids and _holds_names(store, scope, by):
            raise ProjectError(
                f'"{by}" holds names (a different one for nearly every respondent): a breakdown'
                " by it would identify respondents; break down by an attribute that groups"
                " them, such as region or type")
    if weight is not None:
        _check_attribute(store, scope, weight, "weight")
    if options.population is not None and options.population < 1:
        raise ProjectError("the population size must be at least 1")
    # Quotes need the redaction list (it reads every respondent's attributes); tables do not.
    redactor = (redactor_for(store) if options.quotes_per_code > 0
                else Redactor(RedactionList()))
    externals = {r.id: r.external_id for r in store.respondents()} if include_ids else {}
    settings = report_settings(store)
    sections = []
    for done, question in enumerate(questions):
        progress.check()
        sections.append(_question_section(store, question, chosen, scope, options,
                                          redactor=redactor, externals=externals))
        progress.step(done + 1, len(questions))
    return Report(options.title or settings.get("title") or DEFAULT_TITLE, chosen.description,
                  options.base_label or settings.get("base_label") or DEFAULT_BASE_LABEL,
                  tuple(sections), date.today().isoformat(), scope.label() or None, include_ids,
                  scope.names, options.author or settings.get("author") or options.coder,
                  options.suppress_below)


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
