"""Back-coding "Other (please specify)": link an other-specify question to its closed question
(a codeframe of the closed categories plus "Genuinely other" on the other-specify question, so
coders back-code in the app like any coding and undo works), suggest each answer's category,
let the model back-code where a precision gate allows, and export the updated closed values.

Must not depend on click, textual or SQL.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from coder.core.codeframe.model import Code, Codeframe, derived_id
from coder.core.embedding import Embedder
from coder.core.errors import NotInProject, ProjectError, Remedy
from coder.core.suggest.backcode import (
    GENUINELY_OTHER,
    MIN_SIMILARITY,
    Backcode,
    carried_categories,
    closed_question_of,
    estimate_min_similarity,
    link_description,
)
from coder.core.types import CoderKind, Coding, QuestionKind
from coder.services.project import Project
from coder.services.suggestions import build_suggestions

#: Answers back-coded by people before their codes can gate the model's.
MIN_HUMAN_BACKCODED = 20
_OTHER = re.compile(r"\bother\b", re.I)


@dataclass(frozen=True)
class BackcodeFrame:
    """An other-specify question linked to its closed question."""

    question_id: str
    closed_question_id: str
    frame: Codeframe

    def category(self, code_id: str) -> str | None:
        """The closed category a code stands for (None: genuinely other)."""
        label = self.frame.code(code_id).label
        return None if label == GENUINELY_OTHER else label


@dataclass(frozen=True)
class LinkResult:
    link: BackcodeFrame
    replaced: Codeframe | None  # the codeframe the question had before, kept in the project
    carried: int = 0  # codings moved from the replaced codeframe's codes to the categories
    carried_codes: tuple[tuple[str, str], ...] = ()  # (code label, category) carried


def link(project: Project, question_id: str, *, actor: str,
         closed_question_id: str | None = None,
         categories: Sequence[str] | None = None, replace_frame: bool = False,
         descriptions: Mapping[str, str] | None = None,
         code_map: Mapping[str, str] | None = None) -> LinkResult:
    """Give the other-specify question a codeframe of the closed question's categories (from
    `categories`, else its value labels, else the values respondents gave), leaving out the
    "other" option itself, plus "Genuinely other". One undoable action.

    A codeframe the question has already gives way when it has no codes, or with
    `replace_frame` (it stays in the project: undo brings it back). Its codings of this question
    are carried to the categories in the same action (who coded and when kept): a code named
    like a category becomes that category, one named "Other" or like the closed question's
    "other" option becomes "Genuinely other", and `code_map` (code label -> category or
    "Genuinely other") says where the others go; codings are never left without a codeframe, so
    a code with codings that goes nowhere keeps the question as it is. Linked again to the same
    closed question, the question gets back its earlier back-coding frame (and its codings).

    `descriptions` (category -> words) become the categories' examples: a short label alone
    ("Peer authority") is often not similar enough to answers naming it in other words ("a
    neighbouring authority mentored our managers").

    Raises:
        ProjectError: The question has a codeframe with codes and not `replace_frame`, or
            codings of codes that name no category and are not in `code_map`; no closed
            question is named or routed to; no categories.
        NotInProject: A description names no category; `code_map` names a code the
            codeframe does not have or a category the closed question does not have.
    """
    question = project.question(question_id)
    current = project.codeframe_for(question_id)
    closed_id = closed_question_id or (question.routing.column if question.routing else None)
    if current is not None:
        _check_replaceable(project, question_id, current, closed_id, replace_frame)
    if closed_id is None:
        raise ProjectError(f"{question_id} is not routed from a closed question: name the"
                           " closed question or give the categories",
                           remedy=Remedy(option="closed", alternative="categories"))
    closed = project.question(closed_id)
    if closed.kind != QuestionKind.CLOSED and categories is None:
        raise ProjectError(f"{closed_id} is not a closed question: give the categories")
    frame_id = derived_id("backcode", question_id, closed_id)
    others = set(question.routing.values) if question.routing and \
        question.routing.column == closed_id else set()
    others |= {v for v in closed.value_labels.values() if _OTHER.search(v)}
    if frame_id in {f.id for f in project.codeframes()}:  # linked before, then replaced
        earlier = project.codeframe(frame_id)
        carry = _carry_plan(project, question_id, current, earlier, closed_id, others, code_map)
        carried = project.set_active_codeframe(question_id, frame_id, actor,
                                               carry=_code_ids(carry))
        return LinkResult(linked(project, question_id), current, carried, _labels(carry))
    if categories is None:
        found = list(closed.value_labels.values()) or sorted(
            {r.attributes[closed_id] for r in project.respondents()
             if r.attributes.get(closed_id, "").strip()})
        categories = [c for c in found if c not in others and not _OTHER.search(c)]
    names = list(dict.fromkeys(c.strip() for c in categories if c.strip()))
    if not names:
        raise ProjectError(f"no categories of {closed_id} to back-code into")
    described = {k.strip(): v.strip() for k, v in (descriptions or {}).items() if v.strip()}
    unknown = sorted(set(described) - set(names))
    if unknown:
        raise NotInProject(f'no category "{unknown[0]}" of {closed_id} to describe (its'
                           f" categories: {', '.join(names)})")
    codes = [Code(derived_id(frame_id, name), frame_id, name, number, position=number,
                  definition=f"{closed_id} = {name}",
                  examples=(described[name],) if name in described else ())
             for number, name in enumerate(names, start=1)]
    codes.append(Code(derived_id(frame_id, GENUINELY_OTHER), frame_id, GENUINELY_OTHER, 99,
                      position=99, definition=f"none of the categories of {closed_id}"))
    frame = Codeframe(frame_id, f"{question_id} back-coding", tuple(codes),
                      link_description(closed_id))
    carry = _carry_plan(project, question_id, current, frame, closed_id, others, code_map)
    carried = project.add_codeframe(frame, actor, questions=[question_id],
                                    carry=_code_ids(carry))
    return LinkResult(linked(project, question_id), current, carried, _labels(carry))


def _check_replaceable(project: Project, question_id: str, current: Codeframe,
                       closed_id: str | None, replace_frame: bool) -> None:
    """Refuse to take a codeframe away when that was not asked for."""
    if closed_question_of(current.description) == closed_id:
        raise ProjectError(f"{question_id} is linked to {closed_id} already")
    if current.codes and not replace_frame:
        codings = _codings_in(project, question_id, current)
        used = ("no codings" if not codings else
                f"{_count(len(codings), 'coding')} by"
                f" {_count(len({c.coder_id for c in codings}), 'coder')}")
        carried = "" if not codings else ", its codings carried to the categories"
        raise ProjectError(
            f'{question_id} has codeframe "{current.name}" ({_count(len(current.codes), "code")},'
            f" {used}): replace it to back-code the question{carried} (the codeframe stays in"
            " the project; undo brings it back)", remedy=Remedy(option="replace_frame"))


def _codings_in(project: Project, question_id: str, frame: Codeframe) -> list[Coding]:
    """The question's codings of the frame's codes."""
    ids = {c.id for c in frame.codes}
    return [c for c in project.codings(question_id=question_id) if c.code_id in ids]


@dataclass(frozen=True)
class _Carried:
    code: Code
    target: Code


def _carry_plan(project: Project, question_id: str, current: Codeframe | None,
                frame: Codeframe, closed_id: str, others: set[str],
                code_map: Mapping[str, str] | None) -> list[_Carried]:
    """Where the question's codings of its current codeframe go in the back-coding `frame`.

    Raises:
        NotInProject: `code_map` names a code or category there is not.
        ProjectError: A code with codings goes nowhere.
    """
    given = {k.strip(): v.strip() for k, v in (code_map or {}).items()}
    own = {c.label: c for c in current.codes} if current is not None else {}
    categories = [c.label for c in frame.codes if c.label != GENUINELY_OTHER]
    unknown = sorted(k for k in given if k.casefold() not in {x.casefold() for x in own})
    if unknown:
        where = f'codeframe "{current.name}"' if current is not None else "no codeframe"
        raise NotInProject(f'no code "{unknown[0]}" to map: {question_id} has {where}'
                           + (f" (its codes: {', '.join(own)})" if own else ""))
    targets = {c.casefold(): c for c in [*categories, GENUINELY_OTHER]}
    wrong = sorted(v for v in given.values() if v.casefold() not in targets)
    if wrong:
        raise NotInProject(f'no category "{wrong[0]}" of {closed_id} to map a code to (its'
                           f" categories: {', '.join(categories)}, or {GENUINELY_OTHER})")
    if current is None:
        return []
    codings = _codings_in(project, question_id, current)
    if not codings:
        return []
    used = Counter(c.code_id for c in codings)
    chosen = carried_categories({c.id: c.label for c in current.codes if c.id in used},
                                categories, sorted(others),
                                {k: targets[v.casefold()] for k, v in given.items()})
    lost = [c for c in current.codes if c.id in used and c.id not in chosen]
    if lost:
        named = ", ".join(f'"{c.label}" ({_count(used[c.id], "coding")})' for c in lost[:5])
        raise ProjectError(
            f'{question_id} has codings of codes of codeframe "{current.name}" named like no'
            f" category of {closed_id}: {named}{', ...' if len(lost) > 5 else ''}; say which"
            f' category (or "{GENUINELY_OTHER}") each stands for, and its codings are carried'
            " there", remedy=Remedy(option="code_map", example=f"'{lost[0].label}=CATEGORY'"))
    by_label = {c.label: c for c in frame.codes}
    return [_Carried(current.code(code_id), by_label[category or GENUINELY_OTHER])
            for code_id, category in chosen.items()]


def _code_ids(carry: Sequence[_Carried]) -> dict[str, str]:
    return {c.code.id: c.target.id for c in carry}


def _labels(carry: Sequence[_Carried]) -> tuple[tuple[str, str], ...]:
    return tuple((c.code.label, c.target.label) for c in carry)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def linked(project: Project, question_id: str) -> BackcodeFrame:
    """The question's back-coding link.

    Raises:
        ProjectError: The question is not linked (`link` it first).
    """
    frame = project.codeframe_for(question_id)
    closed_id = closed_question_of(frame.description) if frame is not None else None
    if frame is None or closed_id is None:
        raise ProjectError(f"{question_id} is not linked to a closed question: link it first",
                           remedy=Remedy(action="backcode_link", question=question_id))
    return BackcodeFrame(question_id, closed_id, frame)


@dataclass(frozen=True)
class Suggested:
    answer_id: int
    text: str
    backcode: Backcode
    human: str | None  # a person's back-code ("" for genuinely other), if any


def suggest(project: Project, question_id: str, *, embedder: Embedder | None = None,
            min_similarity: float = MIN_SIMILARITY) -> list[Suggested]:
    """Each substantive answer's suggested category, learned from the categories' words and
    the answers people back-coded (an answer is never its own example): what the coding app
    suggests first, for every answer in one matrix product."""
    from coder.services.backcode_suggestions import BackcodeSuggestions

    link_ = linked(project, question_id)
    model = build_suggestions(project, question_id, link_.frame, embedder=embedder)
    assert isinstance(model, BackcodeSuggestions)
    model.min_similarity = min_similarity
    firsts = model.ranked(range(len(model.answer_ids)), top=1)
    out: list[Suggested] = []
    for answer_id, text, found in zip(model.answer_ids, model.texts, firsts, strict=True):
        codes = model.trained.get(answer_id)
        person = None if not codes else (link_.category(sorted(codes)[0]) or "")
        best = Backcode(link_.category(found[0].code), found[0].confidence) if found else \
            Backcode(None, 0.0)
        out.append(Suggested(answer_id, text, best, person))
    return out


@dataclass(frozen=True)
class ApplyResult:
    threshold: float
    precision: float | None  # estimated on the people's back-codes; None: threshold given
    human_backcoded: int
    candidates: int
    coded: int


def apply(project: Project, question_id: str, *, actor: str, min_precision: float = 0.9,
          min_similarity: float | None = None, model_name: str = "backcode",
          embedder: Embedder | None = None, dry_run: bool = False) -> ApplyResult:
    """Back-code, as the model coder `model_name` (never a human layer), the answers no person
    back-coded whose suggested category clears the gate: the similarity that kept suggestions
    right `min_precision` of the time on the people's back-codes (as `coder autocode` gates),
    or `min_similarity` when given. One undoable action.

    Raises:
        ProjectError: Too few back-codes by people to estimate the gate and no
            `min_similarity`, or `model_name` names a person.
    """
    link_ = linked(project, question_id)
    existing = {c.name: c for c in project.coders()}
    if model_name in existing and existing[model_name].kind != CoderKind.MODEL:
        raise ProjectError(f'"{model_name}" is a {existing[model_name].kind} coder, not a model:'
                           " choose another name for the model")
    found = suggest(project, question_id, embedder=embedder, min_similarity=0.0)
    people = [s for s in found if s.human is not None]
    precision: float | None = None
    if min_similarity is not None:
        threshold = min_similarity
    elif len(people) >= MIN_HUMAN_BACKCODED:
        threshold, precision, _ = estimate_min_similarity(
            [s.backcode for s in people], [s.human or None for s in people], min_precision)
    else:
        raise ProjectError(
            f"{len(people)} answers of {question_id} are back-coded by people; the precision"
            f" gate needs {MIN_HUMAN_BACKCODED} (back-code some in the app) or a minimum"
            " similarity", remedy=Remedy(option="min_similarity"))
    by_label = {c.label: c.id for c in link_.frame.codes}
    chosen = [(s.answer_id, by_label[s.backcode.category]) for s in found
              if s.human is None and s.backcode.category is not None
              and s.backcode.similarity >= threshold]
    if chosen and not dry_run:
        model = project.coder(model_name, kind=CoderKind.MODEL)
        project.replace_codings(
            [(a, model.id, [code]) for a, code in chosen], actor,
            f"model {model_name} back-coded {len(chosen)} answers of {question_id}",
            action="coding.backcode", details={"question": question_id,
                                               "threshold": threshold})
    return ApplyResult(threshold, precision, len(people),
                       sum(1 for s in found if s.human is None), len(chosen))


@dataclass(frozen=True)
class ExportResult:
    files: tuple[Path, ...]  # the data file, then its codebook
    respondents: int
    closed_question_id: str
    numeric: bool  # the values are the closed question's codes (its value labels known)


def export(project: Project, question_id: str, path: str | Path) -> ExportResult:
    """Write the closed question's updated values, to merge back onto the survey: one row per
    respondent (and wave, with several) whose other-specify answer is back-coded (the
    adjudicated code, else a person's, else a model's).

    Columns: respondent_id, wave (several waves only), `<closed>_old`, `<closed>` (the updated
    value), `<closed>_label`, backcoded_by (the coder). Values are the closed question's own
    codes where its value labels are known (a .sav import), else its labels; an answer back-coded
    genuinely other keeps its "other" value. `.csv` or `.sav` (value and variable labels), with
    `<stem>_codebook.csv` beside it.

    Raises:
        ProjectError: The question is not linked, or the file is neither .csv nor .sav.
    """
    import pandas as pd

    from coder.core.reporting.exports import (
        AttributeInfo,
        ExportTable,
        Variable,
        attribute_column,
        variable_stem,
        wave_cells,
        write_export,
    )

    fmt = Path(path).suffix.lstrip(".").lower()
    if fmt not in ("csv", "sav"):
        raise ProjectError(f"{path}: give a .csv or .sav output file")
    link_ = linked(project, question_id)
    closed_id = link_.closed_question_id
    closed = project.question(closed_id)
    kinds = {c.id: c for c in project.coders()}
    rank = {CoderKind.ADJUDICATED: 0, CoderKind.HUMAN: 1, CoderKind.MODEL: 2}
    best: dict[int, tuple[int, str, str]] = {}
    for coding in project.codings(question_id=question_id):
        coder = kinds[coding.coder_id]
        category = link_.category(coding.code_id)
        key = (rank[coder.kind], category or "", coder.name)
        if coding.answer_id not in best or key < best[coding.answer_id]:
            best[coding.answer_id] = key
    other_value = _other_value(project, question_id, closed_id)
    waves = {w.id: w.name for w in project.waves()}
    external = project.external_ids()
    attributes: dict[int, dict[int, dict[str, str]]] = {}
    rows: list[tuple[str, str, str, str, str]] = []
    for answer in project.answers(question_id):
        found = best.get(answer.id)
        if found is None:
            continue
        if answer.wave_id not in attributes:
            attributes[answer.wave_id] = {r.id: r.attributes
                                          for r in project.respondents(answer.wave_id)}
        old = attributes[answer.wave_id].get(answer.respondent_id, {}).get(closed_id, "")
        # Genuinely other: the closed answer stays (or, blank, becomes) the "other" option.
        new = found[1] or old or other_value
        rows.append((external[answer.respondent_id], waves.get(answer.wave_id, ""), old, new,
                     found[2]))
    info = AttributeInfo(closed_id, closed.text, closed.value_labels)
    old_cells, value_labels = attribute_column([r[2] for r in rows], info)
    new_cells, new_labels = attribute_column([r[3] for r in rows], info)
    # With nothing back-coded yet, the closed question's value labels still say what it holds.
    numeric = bool(value_labels or new_labels) if rows else bool(closed.value_labels)
    stem = variable_stem(closed_id, 56)
    label = closed.text if closed.text != closed_id else closed_id
    columns: dict[str, list[object]] = {"respondent_id": [r[0] for r in rows]}
    variables = [Variable("respondent_id", "Respondent ID")]
    if len(waves) > 1:
        columns["wave"] = wave_cells([r[1] for r in rows])
        variables.append(Variable("wave", "Survey wave"))
    columns[f"{stem}_old"] = old_cells
    variables.append(Variable(f"{stem}_old", f"{label} (as answered)"[:256], closed_id,
                              value_labels=value_labels))
    columns[stem] = new_cells
    variables.append(Variable(stem, label, closed_id, value_labels=new_labels))
    columns[f"{stem}_label"] = [r[3] for r in rows]
    variables.append(Variable(f"{stem}_label", f"{label}: updated value's label"[:256]))
    columns["backcoded_by"] = [r[4] for r in rows]
    variables.append(Variable("backcoded_by", f"Coder who back-coded {question_id}"))
    table = ExportTable(pd.DataFrame(columns), tuple(variables), "concatenated")
    written = write_export(table, fmt, path, protected=project.project_files)  # type: ignore[arg-type]
    return ExportResult(tuple(written), len(rows), closed_id, numeric)


def _other_value(project: Project, question_id: str, closed_id: str) -> str:
    """The closed question's "other" option (the label respondents saw), for an answer
    back-coded genuinely other whose closed answer is blank."""
    question = project.question(question_id)
    if question.routing is not None and question.routing.column == closed_id \
            and question.routing.values:
        return question.routing.values[0]
    labels = project.question(closed_id).value_labels.values()
    return next((v for v in labels if _OTHER.search(v)), "")
