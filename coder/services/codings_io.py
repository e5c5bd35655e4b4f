"""Codings in and out of a project: codings files (CSV/XLSX) and REFI-QDA projects (.qdpx).

Reading and checking files is the core's (`coder.core.coding.codings_file`,
`coder.core.codeframe.refi_import`); this module matches respondents, questions, waves, codes and
coders against the project and writes a whole file as one undoable action. Must not depend on
click, textual or SQL.

What an import does to codings already there: for every answer and coder the file names, the
file's codes replace that coder's codes on that answer; answers the file does not name, and
other coders' codes, are left as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coder.core.codeframe.model import Code, Codeframe, CodeframeError
from coder.core.codeframe.refi_import import RefiCode, RefiSource
from coder.core.coding.codings_file import (
    CodingLine,
    group_by_answer,
    read_codings_file,
    write_codings_csv,
)
from coder.core.errors import InputError, ProjectError
from coder.core.normalise import normalise_text
from coder.core.types import Answer, CoderKind, Question
from coder.store.protocol import ProjectStore

#: Suffixes read as REFI-QDA projects; anything else is read as a codings table.
QDPX_SUFFIXES = (".qdpx", ".qde")
#: The coder name of the final layer's rows in an export.
FINAL_CODER = "final"
_SHOWN_PROBLEMS = 4


@dataclass(frozen=True)
class CodingsImport:
    """What importing a codings file did.

    Attributes:
        path: The file.
        answers: Answer-and-coder pairs the file codes.
        changed: Of those, how many had different codes before (the rest were already so).
        added: Codings added.
        removed: Codings removed (replaced by the file's).
        coders: The coders whose codes the file sets.
        questions: The questions it codes.
        ignored_columns: Columns of a codings table that were not read.
        partial: REFI-QDA codings on part of an answer (applied to the whole answer).
    """

    path: str
    answers: int
    changed: int
    added: int
    removed: int
    coders: tuple[str, ...]
    questions: tuple[str, ...]
    ignored_columns: tuple[str, ...] = ()
    partial: int = 0


@dataclass(frozen=True)
class CodingsExport:
    """What exporting codings wrote: lines, answers, and codings left out (see export_codings)."""

    path: Path
    lines: int
    answers: int
    left_out: int = 0


class _Problems:
    """Every problem found in a file, raised together as one InputError naming the first."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.found: dict[tuple[int | None, str | None, str], None] = {}

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.found[(row, column, message)] = None

    def raise_any(self) -> None:
        if not self.found:
            return
        (row, column, message), *rest = sorted(self.found, key=lambda item: item[0] or 0)
        if rest:
            shown = "; ".join(_where(*item) for item in rest[:_SHOWN_PROBLEMS])
            more = len(rest) - _SHOWN_PROBLEMS
            message += f" (also {shown}{f'; and {more} more' if more > 0 else ''})"
        raise InputError(message + "; nothing was imported", path=self.path, row=row,
                         column=column)


def _where(row: int | None, column: str | None, message: str) -> str:
    parts = ([f"row {row}"] if row is not None else []) + (
        [f'column "{column}"'] if column else [])
    return f"{', '.join(parts)}: {message}" if parts else message


class _Project:
    """The project's questions, waves, respondents, answers, frames and coders, looked up."""

    def __init__(self, store: ProjectStore) -> None:
        self.store = store
        self.questions: dict[str, Question] = {q.id: q for q in store.questions()}
        self.waves: dict[str, int] = {w.name: w.id for w in store.waves()}
        self.respondents: dict[str, int] = {r.external_id: r.id for r in store.respondents()}
        self.coders = {c.name: c for c in store.coders()}
        self._answers: dict[str, dict[tuple[int, int], Answer]] = {}
        self._frames: dict[str, Codeframe | None] = {}

    def latest_wave(self) -> str:
        if not self.waves:
            raise ProjectError("this project has no answers yet: import the survey first")
        return max(self.waves.items(), key=lambda item: item[1])[0]

    def open_questions(self) -> str:
        return ", ".join(q.id for q in self.questions.values() if q.kind != "closed") or "none"

    def answers(self, question_id: str) -> dict[tuple[int, int], Answer]:
        """(respondent id, wave id) -> the answer, for one question."""
        if question_id not in self._answers:
            self._answers[question_id] = {(a.respondent_id, a.wave_id): a
                                          for a in self.store.answers(question_id)}
        return self._answers[question_id]

    def frame(self, question_id: str) -> Codeframe | None:
        if question_id not in self._frames:
            self._frames[question_id] = self.store.codeframe_for(question_id)
        return self._frames[question_id]

    def question_problem(self, question_id: str) -> str | None:
        question = self.questions.get(question_id)
        if question is None:
            return f'no question "{question_id}" in this project (open questions:' \
                   f" {self.open_questions()})"
        if question.kind == "closed":
            return f'"{question_id}" is a closed question; only open questions are coded'
        return None

    def answer_problem(self, respondent: str, question_id: str, wave: str, *,
                       with_codes: bool = True) -> str | Answer:
        """The answer, or why there is none to code (a blank answer takes no code)."""
        respondent_id = self.respondents.get(respondent)
        if respondent_id is None:
            return f'no respondent "{respondent}" in this project'
        answer = self.answers(question_id).get((respondent_id, self.waves[wave]))
        if answer is None:
            return f'respondent {respondent} has no answer to {question_id} in wave "{wave}"'
        if answer.is_blank and with_codes:
            return f'respondent {respondent} left {question_id} blank in wave "{wave}": no code' \
                   " applies to a blank answer"
        return answer

    def code(self, question_id: str, spec: str) -> Code | str:
        """The code `spec` (number, label or id) names in the question's frame, or why none."""
        from coder.services.codeframes import find_code

        frame = self.frame(question_id)
        if frame is None:
            return f'question "{question_id}" has no codeframe yet'
        try:
            found = find_code(frame, spec)
        except CodeframeError as exc:
            return str(exc)
        return self.codable(frame, found)

    @staticmethod
    def codable(frame: Codeframe, code: Code) -> Code | str:
        current = frame.current(code.id)  # a merged code's codings live on its target
        if frame.is_net(current.id) or not current.codable:
            return (f'{current.output_code} "{current.label}" is a net: code with one of the'
                    " codes under it")
        return current

    def coder_problem(self, name: str) -> str | None:
        coder = self.coders.get(name)
        if coder is not None and coder.kind == CoderKind.ADJUDICATED:
            return (f'"{name}" is the adjudicated layer, which only QA review (adjudication)'
                    " writes; name the coder who coded")
        return None


# -- import --------------------------------------------------------------------------------------


def import_codings(store: ProjectStore, path: str | Path, *, actor: str,
                   wave: str | None = None) -> CodingsImport:
    """Import a codings file into the project as one undoable action of `actor`.

    A codings table (CSV or XLSX) has columns respondent_id, question, code and optionally
    coder and wave, one row per code applied; a blank code means "no code applies". A REFI-QDA
    project (.qdpx, e.g. from NVivo, ATLAS.ti or MAXQDA, or from `coder export --format qdpx`)
    gives codings per text source, matched to answers (see `_qdpx_decisions`).

    The file's codes replace, per answer and coder it names, that coder's codes on that
    answer; nothing else changes. Nothing is written unless every row can be imported.

    Args:
        store: The project.
        path: The file.
        actor: Who imports (the action is theirs to undo), and the coder of rows that name none.
        wave: The wave of rows that name none (default: the latest wave).

    Raises:
        InputError: A bad file or row (naming file, row and column; the first few listed).
        ProjectError: No such wave, or no answers in the project.
    """
    project = _Project(store)
    if wave is not None and wave not in project.waves:
        store.wave_id(wave)  # raises, naming the waves
    default_wave = wave or project.latest_wave()
    partial = 0
    ignored: tuple[str, ...] = ()
    if Path(path).suffix.lower() in QDPX_SUFFIXES:
        found, partial = _qdpx_decisions(project, path, actor, default_wave)
    else:
        found, ignored = _table_decisions(project, path, actor, default_wave)
    coders: dict[str, int] = {}
    for name in found.coders():
        coders[name] = store.coder(name).id
    file_name = Path(path).name
    summary = (f"imported codings from {file_name}: {len(found.codes)} answers coded by"
               f" {', '.join(coders)}")
    changed, added, removed = store.replace_codings(
        [(answer_id, coders[coder], codes) for (answer_id, coder), codes in found.codes.items()],
        actor, summary, details={"file": file_name, "questions": found.questions})
    return CodingsImport(str(path), len(found.codes), changed, added, removed, tuple(coders),
                         tuple(found.questions), ignored, partial)


@dataclass
class _Decisions:
    """Per (answer id, coder name) the code ids a file gives, and the questions it codes."""

    codes: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    questions: list[str] = field(default_factory=list)

    def add(self, answer: Answer, coder: str, code_ids: Sequence[str]) -> None:
        key = (answer.id, coder)
        self.codes[key] = list(dict.fromkeys([*self.codes.get(key, []), *code_ids]))
        if answer.question_id not in self.questions:
            self.questions.append(answer.question_id)

    def coders(self) -> list[str]:
        return list(dict.fromkeys(coder for _, coder in self.codes))


def _table_decisions(project: _Project, path: str | Path, actor: str, default_wave: str
                     ) -> tuple[_Decisions, tuple[str, ...]]:
    codings = read_codings_file(path)
    problems = _Problems(codings.path)
    decisions = _Decisions()
    for group in group_by_answer(codings, default_coder=actor, default_wave=default_wave):
        first = group.rows[0]
        bad = False
        if group.wave not in project.waves:
            known = ", ".join(project.waves) or "none"
            problems.add(first, codings.header("wave"),
                         f'no wave "{group.wave}" in this project (waves: {known})')
            bad = True
        question_problem = project.question_problem(group.question)
        if question_problem is not None:
            problems.add(first, codings.header("question"), question_problem)
            bad = True
        coder_problem = project.coder_problem(group.coder)
        if coder_problem is not None:
            problems.add(first, codings.header("coder"), coder_problem)
            bad = True
        if bad:
            continue
        answer = project.answer_problem(group.respondent_id, group.question, group.wave,
                                        with_codes=bool(group.codes))
        if isinstance(answer, str):
            problems.add(first, codings.header("respondent_id"), answer)
            continue
        code_ids: list[str] = []
        for spec, row in group.codes:
            found = project.code(group.question, spec)
            if isinstance(found, str):
                problems.add(row, codings.header("code"), found)
            else:
                code_ids.append(found.id)
        decisions.add(answer, group.coder, code_ids)
    problems.raise_any()
    return decisions, codings.ignored_columns


def _qdpx_decisions(project: _Project, path: str | Path, actor: str, default_wave: str
                    ) -> tuple[_Decisions, int]:
    """The codings of a REFI-QDA project, per answer and coder.

    A text source is matched to an answer by the respondent and question it names: its case
    (our exports: one case per respondent) or its name "RESPONDENT - QUESTION", and its
    "question" variable or that name; the wave is the one whose answer our export derived the
    source's guid from, else `default_wave`. A source that names neither is matched by its text
    (equal to exactly one answer's, ignoring spacing). Codes are matched by guid, then name,
    then number; users become coders (codings without a user are `actor`'s). A coding on part of
    an answer codes the whole answer (the answer is the unit), and is counted.
    """
    from coder.core.codeframe.refi_import import read_qdpx

    refi = read_qdpx(path)
    problems = _Problems(str(path))
    decisions = _Decisions()
    partial = 0
    texts = _TextIndex(project, project.waves[default_wave])
    for source in refi.sources:
        where = f'line {source.line}, text source "{source.name}"'
        answer = _source_answer(project, source, project.waves[default_wave], texts)
        if isinstance(answer, str):
            problems.add(None, None, f"{where}: {answer}")
            continue
        by_coder: dict[str, list[str]] = {}
        for coding in source.codings:
            user = refi.users.get(coding.user_guid or "", "") if coding.user_guid else ""
            coder = user or actor
            coder_problem = project.coder_problem(coder)
            found = _refi_code(project, answer.question_id, refi.codes, coding.code_guid)
            if coder_problem is not None or isinstance(found, str):
                problems.add(None, None, f"{where}, coding on line {coding.line}:"
                                         f" {coder_problem or found}")
                continue
            partial += not coding.whole
            by_coder.setdefault(coder, []).append(found.id)
        for coder, code_ids in by_coder.items():
            decisions.add(answer, coder, code_ids)
    problems.raise_any()
    return decisions, partial


class _TextIndex:
    """The answers of one wave by their normalised text, built on first use."""

    def __init__(self, project: _Project, wave_id: int) -> None:
        self.project = project
        self.wave_id = wave_id
        self._index: dict[str, list[Answer]] | None = None

    def matches(self, text: str) -> list[Answer]:
        if self._index is None:
            self._index = {}
            for question in self.project.questions.values():
                if question.kind == "closed":
                    continue
                for (_, wave_id), answer in self.project.answers(question.id).items():
                    if wave_id == self.wave_id and not answer.is_blank:
                        self._index.setdefault(answer.text, []).append(answer)
        return self._index.get(normalise_text(text), [])


def _source_answer(project: _Project, source: RefiSource, wave_id: int,
                   texts: _TextIndex) -> Answer | str:
    """The answer a text source holds, or why it cannot be told."""
    from coder.core.codeframe.refi_import import source_guid

    respondent = source.case if source.case in project.respondents else None
    question = next((v for k, v in source.variables.items()
                     if k.casefold() == "question" and v in project.questions), None)
    if (respondent is None or question is None) and " - " in source.name:
        named_respondent, named_question = source.name.rsplit(" - ", 1)
        if respondent is None and named_respondent.strip() in project.respondents:
            respondent = named_respondent.strip()
        if question is None and named_question.strip() in project.questions:
            question = named_question.strip()
    if respondent is not None and question is not None:
        if project.question_problem(question):
            return str(project.question_problem(question))
        answers = project.answers(question)
        rid = project.respondents[respondent]
        candidates = [a for w in project.waves.values() if (a := answers.get((rid, w)))]
        answer = next((a for a in candidates if source_guid(str(a.id)) == source.guid),
                      answers.get((rid, wave_id)))
        if answer is None:
            return f"respondent {respondent} has no answer to {question} in this wave"
        return answer if not answer.is_blank else f"respondent {respondent} left {question} blank"
    matches = [a for a in texts.matches(source.text)
               if (question is None or a.question_id == question)
               and (respondent is None or a.respondent_id == project.respondents[respondent])]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        return ('no answer has its text, and it names no respondent and question (name a source'
                ' "RESPONDENT - QUESTION", as coder\'s exports do)')
    return (f"its text is the answer of {len(matches)} respondents; name the source"
            ' "RESPONDENT - QUESTION" to say whose')


def _refi_code(project: _Project, question_id: str, codes: dict[str, RefiCode],
               guid: str) -> Code | str:
    """The code of the question's frame a REFI code is: by guid, else name, else number."""
    frame = project.frame(question_id)
    if frame is None:
        return f'question "{question_id}" has no codeframe yet'
    described = codes.get(guid)
    found = next((c for c in frame.codes if c.id.lower() == guid), None)
    if found is None and described is not None:
        named = frame.by_label(described.name) if described.name else []
        if len(named) == 1:
            found = named[0]
        else:
            number = described.output_code
            if number is None and described.name.isdigit():
                number = int(described.name)
            found = frame.by_output_code(number) if number is not None else None
    if found is None:
        shown = described.name if described is not None and described.name else guid
        return f'code "{shown}" is not in codeframe "{frame.name}" (of {question_id})'
    return project.codable(frame, found)


# -- export --------------------------------------------------------------------------------------


def export_codings(store: ProjectStore, path: str | Path, *,
                   question_ids: Sequence[str] | None = None, layer: str | None = None,
                   wave: str | None = None) -> CodingsExport:
    """Write codings as a codings file that `import_codings` takes back.

    One line per code applied (the code's number), and one line with a blank code for an answer
    coded "no code applies"; columns respondent_id, question, code, coder, wave.

    Args:
        store: The project.
        path: The CSV file to write (never over the project).
        question_ids: The questions (default: every open question).
        layer: Whose codings (default: every human coder's, each under its name). As
            `coder export --layer`: `final` writes the final codes under coder "final"
            (answers the coders disagree on, unadjudicated, are left out); `adjudicated`,
            `coder:NAME`, `model:NAME`; `all` every coder's own codings, models' and the
            adjudicated layer's too (`import_codings` refuses the adjudicated layer's rows).
        wave: Only this wave's answers (default: every wave).

    Codings on codes that are not in the question's active codeframe are left out (a number
    only means something in its frame), and counted in `left_out`.
    """
    from coder.services.reports import FINAL, resolve_layer

    questions = ([store.question(q) for q in question_ids] if question_ids
                 else store.questions(open_only=True))
    wave_id = store.wave_id(wave) if wave is not None else None
    wave_names = {w.id: w.name for w in store.waves()}
    external = {r.id: r.external_id for r in store.respondents()}
    coders = store.coders()
    chosen = []
    if layer is None:
        chosen = [c for c in coders if c.kind == CoderKind.HUMAN]
    elif layer != FINAL:
        ids = set(resolve_layer(store, layer, [q.id for q in questions]).coder_ids)
        chosen = [c for c in coders if c.id in ids]
    lines: list[CodingLine] = []
    answers: set[tuple[int, str]] = set()
    left_out = 0
    for question in questions:
        frame = store.codeframe_for(question.id)
        in_wave = {a.id: a for a in store.answers(question.id, wave_id=wave_id)}
        per_coder: list[tuple[str, dict[int, set[str]]]] = []
        if layer == FINAL:
            settled = store.final_layer(question.id, wave_id)
            per_coder.append((FINAL_CODER, {aid: set(f.code_ids) for aid, f in settled.items()
                                            if f.status != "unresolved"}))
        else:
            coded = store.coded_answers(question.id)
            for coder in chosen:
                codes: dict[int, set[str]] = {aid: set() for aid in coded.get(coder.id, ())}
                for coding in store.codings(question_id=question.id, coder_id=coder.id):
                    codes.setdefault(coding.answer_id, set()).add(coding.code_id)
                per_coder.append((coder.name, codes))
        for coder_name, codes in per_coder:
            for answer_id in sorted(codes):
                answer = in_wave.get(answer_id)
                if answer is None:
                    continue
                shown = sorted((frame.code(c) for c in codes[answer_id]
                                if frame is not None and c in frame),
                               key=lambda c: c.output_code)
                left_out += len(codes[answer_id]) - len(shown)
                if codes[answer_id] and not shown:
                    continue
                for number in [str(c.output_code) for c in shown] or [""]:
                    lines.append(CodingLine(external[answer.respondent_id], question.id, number,
                                            coder_name, wave_names[answer.wave_id]))
                answers.add((answer_id, coder_name))
    target = write_codings_csv(lines, path, protected=store.project_files)
    return CodingsExport(target, len(lines), len(answers), left_out)
