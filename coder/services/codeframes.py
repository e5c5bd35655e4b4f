"""Codeframe use cases shared by the CLI and the TUI: find, import, export, edit, seed from themes.

Each edit is planned in the core (`coder.core.codeframe.ops`) and applied by the store as one
transaction and one undoable event. Must not depend on click, textual or SQL.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any

from coder.core.codeframe.codebook_tables import write_codebook_csv, write_codebook_xlsx
from coder.core.codeframe.files import load_codeframe
from coder.core.codeframe.lookup import CodeRef, find_code  # find_code: the one code resolver
from coder.core.codeframe.model import Code, Codeframe, CodeframeError, derived_id
from coder.core.codeframe.ops import (
    FramePlan,
    plan_add,
    plan_edit,
    plan_free_keys,
    plan_merge,
    plan_move,
    plan_restore,
    plan_retire,
    plan_split,
)
from coder.core.codeframe.yaml_file import save_codeframe_yaml
from coder.core.errors import ProjectError, Remedy
from coder.core.types import Event
from coder.store.protocol import ProjectStore

#: File types `export_codeframe` writes, by suffix.
EXPORT_SUFFIXES = (".yaml", ".yml", ".csv", ".xlsx", ".qdc")

FrameRef = Codeframe | str | None


@dataclass(frozen=True)
class FrameChange:
    """What one codeframe edit did.

    Attributes:
        summary: The event's one-line summary (as shown by history and undo).
        frame: The frame after the edit, as stored.
        codings_moved: Codings carried to another code (merge) or re-examined (split).
        code: The code acted on, as it is now (for add: the new code).
        new_codes: Codes the edit created (add, split).
    """

    summary: str
    frame: Codeframe
    codings_moved: int
    code: Code
    new_codes: tuple[Code, ...] = ()


# -- finding frames and codes --------------------------------------------------------------------


def find_frame(store: ProjectStore, *, frame: str | None = None,
               question: str | None = None) -> Codeframe:
    """The frame named (or with id) `frame`, else `question`'s active frame, else the only one.

    Raises:
        ProjectError: If nothing matches, the question has no frame, or the project holds
            several frames and neither `frame` nor `question` says which.
    """
    if frame is not None:
        return store.codeframe(frame)
    if question is not None:
        found = store.codeframe_for(question)
        if found is None:
            raise ProjectError(f'question "{question}" has no codeframe yet: import one',
                               remedy=Remedy(action="import_codeframe", question=question))
        return found
    frames = store.codeframes()
    if len(frames) == 1:
        return frames[0]
    if not frames:
        raise ProjectError("this project has no codeframe yet: import one",
                           remedy=Remedy(action="import_codeframe"))
    names = ", ".join(f'"{f.name}"' for f in frames)
    raise ProjectError(f"this project has {len(frames)} codeframes ({names}):"
                       " choose one by its name or its question",
                       remedy=Remedy(option="frame", alternative="question"))


def _frame(store: ProjectStore, frame: FrameRef, code: CodeRef | None = None) -> Codeframe:
    """The frame to plan an edit on: a `Codeframe` given is the version the caller loaded (an
    editor's), and the edit is refused with `EditConflict` if the stored frame differs when it
    is saved; a name or id is the frame as stored now; with none, the one holding code id
    `code`."""
    if isinstance(frame, Codeframe):
        return frame
    if frame is not None:
        return store.codeframe(frame)
    frames = store.codeframes()
    if isinstance(code, str):
        holding = [f for f in frames if code in f]
        if len(holding) == 1:
            return holding[0]
    return find_frame(store)


# -- files ---------------------------------------------------------------------------------------


def import_codeframe(store: ProjectStore, path: str | Path, coder: str | None,
                     questions: Sequence[str] = ()) -> Codeframe:
    """Add the frame in `path` (.yaml/.yml, .csv, .xlsx, .qdc) to the project, one undoable action.

    The frame becomes the active frame of `questions` and of the questions its YAML lists.

    Raises:
        CodeframeError: If the file is invalid (every problem with file, line and field).
        ProjectError: If the project already holds a frame of that name, or a question is not
            in the project.
    """
    return import_codeframes(store, [path], coder, questions)[0]


def import_codeframes(store: ProjectStore, paths: Sequence[str | Path], coder: str | None,
                      questions: Sequence[str] = ()) -> list[Codeframe]:
    """Add the frames in `paths` to the project: every file is checked first, then each is
    added as its own undoable action (undo takes back the last file first).

    Args:
        store: The project.
        paths: Codeframe files (.yaml/.yml, .csv, .xlsx, .qdc).
        coder: Who is acting.
        questions: Questions each frame becomes the active frame of (besides those its YAML
            lists); with several files, the last file's frame ends up active for them.

    Raises:
        CodeframeError: If a file is invalid; nothing is added.
        ProjectError: If a frame's name is taken (in the project or by another of the files),
            or a question is not in the project; nothing is added.
    """
    frames = [load_codeframe(p) for p in paths]
    known = [q.id for q in store.questions()]
    taken = {f.name: "this project" for f in store.codeframes()}
    taken.update({f.id: "this project" for f in store.codeframes()})
    for path, frame in zip(paths, frames, strict=True):
        serves = list(dict.fromkeys([*frame.questions, *questions]))
        missing = [q for q in serves if q not in known]
        if missing:
            have = ", ".join(known) or "none: import the survey first"
            raise ProjectError(f'{path}: codeframe "{frame.name}" is for question(s)'
                               f" {', '.join(missing)}, not in this project (questions: {have})")
        for key in (frame.name, frame.id):
            if key in taken:
                raise ProjectError(f'{path}: a codeframe "{frame.name}" is already in'
                                   f" {taken[key]}; nothing was imported")
        taken[frame.name] = taken[frame.id] = str(path)
    for frame in frames:
        store.add_codeframe(frame, coder, questions=questions)
    return [store.codeframe(f.id) for f in frames]


def new_codeframe(store: ProjectStore, name: str, coder: str | None, *,
                  questions: Sequence[str] = (), description: str = "") -> Codeframe:
    """Start an empty codeframe called `name`, active for `questions`; one undoable action.

    Raises:
        ProjectError: If the name is empty or taken, or a question is not in the project.
    """
    label = name.strip()
    if not label:
        raise ProjectError("a codeframe needs a name")
    for question in questions:
        store.question(question)
    frame = Codeframe(derived_id("codeframe", label), label, (), description.strip())
    store.add_codeframe(frame, coder, questions=questions)
    return store.codeframe(frame.id)


def export_codeframe(store: ProjectStore, frame: FrameRef, path: str | Path) -> Path:
    """Write the frame to `path` as YAML (with ids), CSV, XLSX or REFI-QDA .qdc by suffix.

    Raises:
        CodeframeError: If the suffix is not one of `EXPORT_SUFFIXES`.
    """
    current = _frame(store, frame)
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in (".yaml", ".yml"):
        save_codeframe_yaml(current, target, protected=store.project_files)
    elif suffix == ".csv":
        write_codebook_csv(current, target, protected=store.project_files)
    elif suffix == ".xlsx":
        write_codebook_xlsx(current, target, protected=store.project_files)
    elif suffix == ".qdc":
        from coder.core.codeframe.refi_codebook import write_qdc

        write_qdc(current, target, protected=store.project_files)
    else:
        raise CodeframeError(f"{path}: export to one of {', '.join(EXPORT_SUFFIXES)}")
    return target


def frame_to_extend(store: ProjectStore, question_id: str,
                    coder: str) -> tuple[Codeframe, bool]:
    """The question's codeframe to add codes to, started empty if it has none (one undoable
    action, as the app does when a coder adds the first code); and whether it was started.

    Raises:
        NotInProject: Unknown question.
    """
    from coder.services.theme_edits import ensure_frame

    found = store.codeframe_for(store.question(question_id).id)
    if found is not None:
        return found, False
    return ensure_frame(store, question_id, coder), True


def all_frames(store: ProjectStore) -> list[Codeframe]:
    """Every codeframe in the project."""
    return store.codeframes()


def frame_counts(store: ProjectStore, frame: Codeframe) -> dict[str, int]:
    """code id -> how many codings (any coder) the frame's codes have."""
    return store.coding_counts(frame.id)


# -- edits ---------------------------------------------------------------------------------------


def _apply(store: ProjectStore, plan: FramePlan, coder: str | None, code_id: str,
           split_rule: Mapping[str, str] | None = None) -> FrameChange:
    moved = store.apply_frame_plan(plan, coder, split_rule=split_rule)
    after = store.codeframe(plan.after.id)
    return FrameChange(plan.summary, after, moved, after.code(code_id),
                       tuple(after.code(c.id) for c in plan.added))


def add_code(store: ProjectStore, label: str, *, coder: str | None, frame: FrameRef = None,
             parent: CodeRef | None = None, output_code: int | None = None,
             position: int | None = None, **fields: object) -> FrameChange:
    """Add a code (numbered by the frame's rule unless `output_code` is given).

    Args:
        store: The project.
        label: The new code's label.
        coder: Who is acting.
        frame: The frame (object, name or id); default the only frame in the project.
        parent: The net to add it under (number, label or id); None for top level.
        output_code: Its number; default the next free one in the parent's block.
        position: Index among its siblings; default last.
        **fields: Other code fields: definition, include_note, exclude_note, examples,
            colour, status, codable.
    """
    current = _frame(store, frame, parent)
    parent_id = None if parent is None else find_code(current, parent).id
    new_id = str(uuid.uuid4())
    plan = plan_add(current, label, parent_id=parent_id, output_code=output_code,
                    position=position, code_id=new_id, **fields)
    return _apply(store, plan, coder, new_id)


def edit_code(store: ProjectStore, code: CodeRef, *, coder: str | None, frame: FrameRef = None,
              **changes: object) -> FrameChange:
    """Change a code's fields (label, output_code, definition, include_note, exclude_note,
    examples, colour, status, codable, shortcut: the coding app's key, "" frees it) as one
    action."""
    current = _frame(store, frame, code)
    target = find_code(current, code)
    return _apply(store, plan_edit(current, target.id, **changes), coder, target.id)


def rename_code(store: ProjectStore, code: CodeRef, new_label: str, *, coder: str | None,
                frame: FrameRef = None) -> FrameChange:
    """Give a code a new label; its codings and number are unchanged."""
    return edit_code(store, code, coder=coder, frame=frame, label=new_label.strip())


def move_code(store: ProjectStore, code: CodeRef, parent: CodeRef | None, *, coder: str | None,
              frame: FrameRef = None, position: int | None = None) -> FrameChange:
    """Move a code, with everything under it, under `parent` (None: to the top level)."""
    current = _frame(store, frame, code)
    target = find_code(current, code)
    parent_id = None if parent is None else find_code(current, parent).id
    return _apply(store, plan_move(current, target.id, parent_id, position), coder, target.id)


def merge_codes(store: ProjectStore, sources: Sequence[CodeRef], target: CodeRef, *,
                coder: str | None, frame: FrameRef = None) -> FrameChange:
    """Merge codes into `target`: codings carried (one per answer and coder), sources retired.

    `codings_moved` counts the sources' codings; where a coder had both a source and the
    target on an answer, the two become one coding.
    """
    current = _frame(store, frame, target)
    into = find_code(current, target)
    source_ids = [find_code(current, s).id for s in sources]
    return _apply(store, plan_merge(current, source_ids, into.id), coder, into.id)


def split_code(store: ProjectStore, code: CodeRef, labels: Sequence[str],
               rule: Mapping[str, str] | None = None, *, coder: str | None,
               frame: FrameRef = None) -> FrameChange:
    """Split a code into new codes under it; existing codings follow `rule` or await recoding.

    Args:
        store: The project.
        code: The code to split (number, label or id).
        labels: Labels of the new codes (two or more).
        rule: New label -> text fragment: a coding whose answer contains the fragment (ignoring
            case) moves to that new code (to each matching one); the rest stay on the split code
            marked "needs recoding".
        coder: Who is acting.
        frame: The frame; default the one holding the code, or the only frame.

    Raises:
        CodeframeError: If the rule names a label that is not one of `labels`.
    """
    current = _frame(store, frame, code)
    target = find_code(current, code)
    new_ids = [str(uuid.uuid4()) for _ in labels]
    by_label = {label.strip().casefold(): new_id for label, new_id in zip(labels, new_ids,
                                                                            strict=True)}
    id_rule: dict[str, str] = {}
    for label, fragment in (rule or {}).items():
        key = label.strip().casefold()
        if key not in by_label:
            shown = ", ".join(f'"{x.strip()}"' for x in labels)
            raise CodeframeError(f'the rule names "{label}", which is not a new code ({shown})')
        if fragment.strip():
            id_rule[by_label[key]] = fragment.strip()
    plan = plan_split(current, target.id, labels, new_ids=new_ids)
    return _apply(store, plan, coder, target.id, split_rule=id_rule)


def retire_code(store: ProjectStore, code: CodeRef, *, coder: str | None,
                frame: FrameRef = None) -> FrameChange:
    """Retire a code and everything under it: hidden from coders, codings kept."""
    current = _frame(store, frame, code)
    target = find_code(current, code)
    return _apply(store, plan_retire(current, target.id), coder, target.id)


def restore_code(store: ProjectStore, code: CodeRef, *, coder: str | None,
                 frame: FrameRef = None) -> FrameChange:
    """Bring a retired code (and the codes retired under it) back into use."""
    current = _frame(store, frame, code)
    target = find_code(current, code, retired=True)
    return _apply(store, plan_restore(current, target.id), coder, target.id)


def free_keys(store: ProjectStore, *, coder: str | None, frame: FrameRef = None,
              codes: Sequence[CodeRef] | None = None) -> FrameChange:
    """Free the keys retired codes keep (default every retired code's), for new codes."""
    current = _frame(store, frame)
    ids = None if codes is None else [find_code(current, c, retired=True).id for c in codes]
    plan = plan_free_keys(current, ids)
    return _apply(store, plan, coder, plan.changed[0].id)


# -- history -------------------------------------------------------------------------------------


def _code_from_row(row: Mapping[str, Any]) -> Code:
    # images written before a column was added lack it: the field keeps its default
    values = {f.name: row[f.name] for f in dataclass_fields(Code) if f.name in row}
    values["examples"] = tuple(json.loads(row["examples"]))
    values["codable"] = bool(row["codable"])
    return Code(**values)


def replay_problems(store: ProjectStore, event: Event, kind: str) -> list[str]:
    """What would be wrong with the codeframes if `event` were undone (or redone) now.

    Undo and redo replay row images; a frame edited in between by someone else (a net retired,
    a label taken) could end up invalid, e.g. a code re-added under a net retired since.
    """
    changes = [c for c in event.changes if c["table"] == "codes"]
    if kind == "undo":
        changes.reverse()
    frames: dict[str, tuple[Codeframe, dict[str, Code]]] = {}
    for change in changes:
        image = change["before"] if kind == "undo" else change["after"]
        frame_id = (change["before"] or change["after"])["codeframe_id"]
        if frame_id not in frames:
            try:
                frame = store.codeframe(frame_id)
            except ProjectError:  # the whole frame comes back as it was: nothing to check
                continue
            frames[frame_id] = (frame, {c.id: c for c in frame.codes})
        if frame_id in frames:
            codes = frames[frame_id][1]
            if image is None:
                codes.pop(change["key"]["id"], None)
            else:
                codes[change["key"]["id"]] = _code_from_row(image)
    return [f'codeframe "{frame.name}": {problem}'
            for frame, codes in frames.values()
            for problem in frame.with_codes(codes.values()).problems()]


def _replay(store: ProjectStore, coder: str, kind: str) -> Event | None:
    step = store.undo if kind == "undo" else store.redo
    pending = store.can_undo(coder) if kind == "undo" else store.can_redo(coder)
    if pending is not None:
        problems = replay_problems(store, pending, kind)
        if problems:
            raise ProjectError(f"cannot {kind} {pending.summary}: later changes to the"
                               f" codeframe conflict ({'; '.join(problems)})")
    return step(coder)


def undo(store: ProjectStore, coder: str) -> Event | None:
    """Undo `coder`'s latest action still in effect (any kind); None if there is none.

    Undo is per window: it takes back what this store's session did, or what `coder` did in
    windows and commands that have ended, never what another window still open did.

    Raises:
        ProjectError: If a later action changed the same rows or depends on it, or if what is
            left to undo was done in another window that is still open (the message names it).
    """
    return _replay(store, coder, "undo")


def redo(store: ProjectStore, coder: str) -> Event | None:
    """Redo `coder`'s latest undone action (per window, as for `undo`); None if there is none."""
    return _replay(store, coder, "redo")


# -- seeding from themes -------------------------------------------------------------------------


def _unique(label: str, taken: set[str]) -> str:
    candidate, n = label, 2
    while candidate.casefold() in taken:
        candidate, n = f"{label} ({n})", n + 1
    taken.add(candidate.casefold())
    return candidate


def frame_from_themes(store: ProjectStore, question_id: str, run_id: int | None = None, *,
                      coder: str | None, name: str | None = None,
                      max_examples: int = 3) -> Codeframe:
    """Create a draft codeframe from a theme run: one draft code per top-level theme.

    Each code gets the theme's label, a definition drafted from its keywords and up to
    `max_examples` representative answers (redacted like report quotes) as examples; codes are
    numbered 101, 102, ... The frame becomes the question's active frame if it has none.

    Args:
        store: The project.
        question_id: The question whose themes to use.
        run_id: The theme run; default the question's latest.
        coder: Who is acting.
        name: The frame's name; default "<question> themes (run <id>)".
        max_examples: Most quotes kept per code.

    Raises:
        ProjectError: If the question has no theme run, the run is for another question, or
            a frame of that name exists.
    """
    question = store.question(question_id)
    if run_id is None:
        run = store.latest_theme_run(question.id)
        if run is None:
            raise ProjectError(f'question "{question.id}" has no theme run yet: find themes first',
                               remedy=Remedy(action="find_themes", question=question.id))
    else:
        run = store.theme_run(run_id)
        if run.question_id != question.id:
            raise ProjectError(f"theme run {run.id} is for {run.question_id}, not {question.id}")
    themes = [t for t in store.themes(run.id) if t.parent_id is None and t.theme_id >= 0]
    if not themes:
        raise ProjectError(f"theme run {run.id} has no themes")
    frame_name = name or f"{question.id} themes (run {run.id})"
    frame_id = derived_id("codeframe", frame_name)
    from coder.services.theme_edits import theme_drafts

    taken: set[str] = set()
    codes = []
    for i, draft in enumerate(theme_drafts(store, themes, max_examples)):
        codes.append(Code(
            id=derived_id(frame_name, 101 + i), codeframe_id=frame_id,
            label=_unique(draft.label, taken), output_code=101 + i,
            definition=draft.definition, examples=draft.examples, status="draft", position=i))
    frame = Codeframe(frame_id, frame_name, tuple(codes),
                      f"Draft from theme run {run.id} on {question.id}: {question.text}")
    active = () if store.codeframe_for(question.id) is not None else (question.id,)
    store.add_codeframe(frame, coder, questions=active)
    return store.codeframe(frame_id)

