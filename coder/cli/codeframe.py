"""The `coder codeframe` commands: show, edit (add ... restore), undo/redo, history, files, themes.

Thin: parse, call coder.services.codeframes, print. No SQL and no codeframe logic here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from coder.cli.main import coder_option, open_store, project_option, resolve_coder

if TYPE_CHECKING:
    from coder.core.codeframe.model import Codeframe
    from coder.services.codeframes import FrameChange
    from coder.store.url import AnyStore

F = TypeVar("F", bound=Callable[..., Any])


def _frame_options(func: F) -> F:
    func = click.option("--question", "-q", "question", default=None, metavar="Q",
                        help="Use the active codeframe of question Q.")(func)
    func = click.option("--frame", "-f", "frame_name", default=None, metavar="NAME",
                        help="The codeframe's name (default: the only one in the project).")(func)
    return func


def _chosen(store: AnyStore, frame_name: str | None, question: str | None,
            code: str | None = None) -> Codeframe | None:
    """The frame given by --frame/--question; None lets the service find it from the code."""
    from coder.services.codeframes import find_frame

    if frame_name is None and question is None:
        if code is not None and any(code in f for f in store.codeframes()):
            return None
        return find_frame(store)
    return find_frame(store, frame=frame_name, question=question)


def _done(change: FrameChange) -> None:
    click.echo(f"{change.summary} [{change.frame.name}]")


@click.group(epilog="CODE is a code's number (e.g. 101), its label, or its id.")
def codeframe() -> None:
    """Show and edit codeframes; every edit carries the codings and can be undone."""


@codeframe.command()
@project_option
@_frame_options
@click.option("--all", "show_all", is_flag=True, help="List every frame in the project.")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: each frame with its codes (code, label, key, parent, status).")
def show(project: str, frame_name: str | None, question: str | None, show_all: bool,
         as_json: bool) -> None:
    """Print a codeframe as a tree: key, number, label, status and each code's codings."""
    from coder.services.codeframes import find_frame

    with open_store(project) as store:
        frames = store.codeframes() if show_all else [
            find_frame(store, frame=frame_name, question=question)]
        if as_json:
            _show_json(store, frames, several=show_all)
            return
        for i, frame in enumerate(frames):
            if i:
                click.echo()
            counts = store.coding_counts(frame.id)
            serves = ", ".join(frame.questions) or "no question"
            click.echo(f"{frame.name}  ({serves}; {len(frame.codes)} codes,"
                       f" {sum(counts.values())} codings)")
            for depth, code in frame.walk():
                notes = []
                if frame.is_net(code.id):
                    notes.append("net")
                if code.status != "active":
                    notes.append(code.status)
                if code.merged_into is not None:
                    notes.append(f"merged into {frame.current(code.id).output_code}")
                label = "  " * depth + code.label
                shown = f" [{', '.join(notes)}]" if notes else ""
                key = code.shortcut or "-"
                click.echo(f"{key:>3} {code.output_code:>6}  {label}{shown}".ljust(74)
                           + f"{counts.get(code.id, 0):>7}")


def _show_json(store: AnyStore, frames: list[Codeframe], *, several: bool) -> None:
    import json

    out = []
    for frame in frames:
        counts = store.coding_counts(frame.id)
        out.append({"name": frame.name, "questions": list(frame.questions), "codes": [
            {"code": c.output_code, "label": c.label, "key": c.shortcut,
             "parent": frame.code(c.parent_id).output_code if c.parent_id else None,
             "status": c.status, "net": frame.is_net(c.id), "codings": counts.get(c.id, 0)}
            for _, c in frame.walk()]})
    click.echo(json.dumps(out if several else out[0], ensure_ascii=False, indent=2))


@codeframe.command()
@click.argument("label")
@project_option
@_frame_options
@click.option("--parent", default=None, metavar="CODE", help="The net to put it under.")
@click.option("--code", "output_code", type=int, default=None,
              help="Its number (default: the next free one in the net's block).")
@click.option("--definition", default=None, help="What the code means.")
@click.option("--draft", is_flag=True, help="Add it as a draft (proposed) code.")
@coder_option
def add(label: str, project: str, frame_name: str | None, question: str | None,
        parent: str | None, output_code: int | None, definition: str | None, draft: bool,
        coder_name: str | None) -> None:
    """Add a code LABEL."""
    from coder.services.codeframes import add_code

    with open_store(project) as store:
        change = add_code(store, label, coder=resolve_coder(coder_name),
                          frame=_chosen(store, frame_name, question), parent=parent,
                          output_code=output_code, definition=definition or "",
                          status="draft" if draft else "active")
    _done(change)
    click.echo(f"  new code {change.code.output_code}: {change.frame.path_label(change.code.id)}")


@codeframe.command()
@click.argument("code")
@click.argument("new_label")
@project_option
@_frame_options
@coder_option
def rename(code: str, new_label: str, project: str, frame_name: str | None,
           question: str | None, coder_name: str | None) -> None:
    """Rename CODE to NEW_LABEL (its number and codings stay)."""
    from coder.services.codeframes import rename_code

    with open_store(project) as store:
        _done(rename_code(store, code, new_label, coder=resolve_coder(coder_name),
                          frame=_chosen(store, frame_name, question, code)))


@codeframe.command()
@click.argument("code")
@project_option
@_frame_options
@click.option("--label", default=None, help="A new label.")
@click.option("--definition", default=None, help="What the code means.")
@click.option("--include", default=None, help="Edge cases that belong here.")
@click.option("--exclude", default=None, help="What does not belong here (name the code to use).")
@click.option("--colour", "--color", "colour", default=None, help='A colour like "#1F77B4".')
@click.option("--example", "examples", multiple=True,
              help="An example answer; repeat for several (replaces the examples).")
@click.option("--status", type=click.Choice(["active", "draft"]), default=None,
              help="Mark a draft code active, or an active one draft.")
@click.option("--key", "shortcut", default=None, metavar="KEY",
              help='Its key in the coding app (1-9, 0, A-Z); "" frees it.')
@coder_option
def edit(code: str, project: str, frame_name: str | None, question: str | None,
         label: str | None, definition: str | None, include: str | None, exclude: str | None,
         colour: str | None, examples: tuple[str, ...], status: str | None,
         shortcut: str | None, coder_name: str | None) -> None:
    """Edit CODE's definition, notes, colour, examples, status or key (one undoable action)."""
    from coder.services.codeframes import edit_code

    changes: dict[str, object] = {k: v for k, v in {
        "label": label, "definition": definition, "include_note": include,
        "exclude_note": exclude, "colour": colour, "status": status,
        "shortcut": shortcut}.items() if v is not None}
    if examples:
        changes["examples"] = tuple(examples)
    if not changes:
        raise click.UsageError("say what to change: --definition, --include, --exclude,"
                               " --colour, --example, --label, --status or --key")
    with open_store(project) as store:
        _done(edit_code(store, code, coder=resolve_coder(coder_name),
                        frame=_chosen(store, frame_name, question, code), **changes))


@codeframe.command()
@click.argument("code")
@project_option
@_frame_options
@click.option("--to", "parent", default=None, metavar="PARENT", help="The net to move it under.")
@click.option("--top", is_flag=True, help="Move it to the top level.")
@click.option("--position", type=click.IntRange(min=1), default=None,
              help="Its place among its new siblings, from 1 (default: last).")
@coder_option
def move(code: str, project: str, frame_name: str | None, question: str | None,
         parent: str | None, top: bool, position: int | None, coder_name: str | None) -> None:
    """Move CODE (with the codes under it) under another net or to the top level."""
    from coder.services.codeframes import move_code

    if (parent is None) == (not top):
        raise click.UsageError("give either --to PARENT or --top")
    with open_store(project) as store:
        _done(move_code(store, code, parent, coder=resolve_coder(coder_name),
                        frame=_chosen(store, frame_name, question, code),
                        position=None if position is None else position - 1))


@codeframe.command()
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@project_option
@_frame_options
@click.option("--into", "target", required=True, metavar="TARGET",
              help="The code that takes over their codings.")
@coder_option
def merge(sources: tuple[str, ...], project: str, frame_name: str | None,
          question: str | None, target: str, coder_name: str | None) -> None:
    """Merge SOURCE codes into TARGET: codings move, sources are retired (never deleted)."""
    from coder.services.codeframes import merge_codes

    with open_store(project) as store:
        frame = _chosen(store, frame_name, question, target)
        change = merge_codes(store, list(sources), target, coder=resolve_coder(coder_name),
                             frame=frame)
        total = store.coding_counts(change.frame.id).get(change.code.id, 0)
    _done(change)
    click.echo(f"  {change.codings_moved} codings moved to {change.code.output_code}"
               f' "{change.code.label}" (now {total} codings)')


@codeframe.command()
@click.argument("code")
@project_option
@_frame_options
@click.option("--into", "labels", multiple=True, required=True, metavar="LABEL",
              help="A new code's label; give two or more.")
@click.option("--rule", "rules", multiple=True, metavar="LABEL=FRAGMENT",
              help="Move codings whose answer contains FRAGMENT to the new code LABEL; repeat.")
@coder_option
def split(code: str, project: str, frame_name: str | None, question: str | None,
          labels: tuple[str, ...], rules: tuple[str, ...], coder_name: str | None) -> None:
    """Split CODE into new codes under it; codings follow --rule or are marked to recode."""
    from coder.services.codeframes import split_code

    rule: dict[str, str] = {}
    for item in rules:
        label, sep, fragment = item.partition("=")
        if not sep or not label.strip() or not fragment.strip():
            raise click.UsageError(f'--rule "{item}": write it as LABEL=FRAGMENT')
        rule[label.strip()] = fragment
    with open_store(project) as store:
        change = split_code(store, code, list(labels), rule, coder=resolve_coder(coder_name),
                            frame=_chosen(store, frame_name, question, code))
        counts = store.coding_counts(change.frame.id)
        left = counts.get(change.code.id, 0)
    _done(change)
    for new in change.new_codes:
        click.echo(f"  {new.output_code} {new.label}: {counts.get(new.id, 0)} codings")
    if left:
        click.echo(f'  {left} codings stay on "{change.code.label}" marked "needs recoding"')


@codeframe.command()
@click.argument("code")
@project_option
@_frame_options
@coder_option
def retire(code: str, project: str, frame_name: str | None, question: str | None,
           coder_name: str | None) -> None:
    """Retire CODE and the codes under it: hidden from coders, codings kept."""
    from coder.services.codeframes import retire_code

    with open_store(project) as store:
        _done(retire_code(store, code, coder=resolve_coder(coder_name),
                          frame=_chosen(store, frame_name, question, code)))


@codeframe.command()
@click.argument("code")
@project_option
@_frame_options
@coder_option
def restore(code: str, project: str, frame_name: str | None, question: str | None,
            coder_name: str | None) -> None:
    """Bring a retired CODE back into use."""
    from coder.services.codeframes import restore_code

    with open_store(project) as store:
        _done(restore_code(store, code, coder=resolve_coder(coder_name),
                           frame=_chosen(store, frame_name, question, code)))


def _replay(project: str, coder_name: str | None, kind: str) -> None:
    from coder.services import codeframes

    who = resolve_coder(coder_name)
    with open_store(project) as store:
        event = codeframes.undo(store, who) if kind == "undo" else codeframes.redo(store, who)
    if event is None:
        click.echo(f"nothing to {kind} for {who}")
    else:
        click.echo(f"{'undone' if kind == 'undo' else 'redone'}: {event.summary}")


@codeframe.command()
@project_option
@coder_option
def undo(project: str, coder_name: str | None) -> None:
    """Undo your latest action (of any kind) still in effect.

    Actions done in an app window that is still open are undone in that window.
    """
    _replay(project, coder_name, "undo")


@codeframe.command()
@project_option
@coder_option
def redo(project: str, coder_name: str | None) -> None:
    """Redo your latest undone action."""
    _replay(project, coder_name, "redo")


@codeframe.command()
@project_option
@click.option("--limit", "-n", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many of the latest events to show.")
@click.option("--codeframes-only", is_flag=True, help="Only codeframe edits (and their undos).")
def history(project: str, limit: int, codeframes_only: bool) -> None:
    """The project's event log, newest first: time, coder, what was done."""
    with open_store(project) as store:
        events = store.events(limit=limit,
                              action_prefix="codeframe." if codeframes_only else None)
    for event in events:
        click.echo(f"{event.at}  {(event.coder or '-'):<12}  {event.summary}")
    if not events:
        click.echo("no events yet")


@codeframe.command("import")
@click.argument("files", nargs=-1, required=True, metavar="FILE...",
                type=click.Path(exists=True, dir_okay=False))
@project_option
@click.option("--question", "-q", "questions", multiple=True, metavar="Q",
              help="Make it the active frame of question Q (besides those the file lists);"
                   " with one FILE only.")
@coder_option
def import_(files: tuple[str, ...], project: str, questions: tuple[str, ...],
            coder_name: str | None) -> None:
    """Add codeframes from one or more files (.yaml, .csv, .xlsx or REFI-QDA .qdc).

    Every file is checked before any is added; then each file is added as its own action, so
    `coder codeframe undo` takes back the last file first.
    """
    from coder.services.codeframes import import_codeframes

    if questions and len(files) > 1:
        raise click.UsageError("--question needs a single FILE (a YAML file can list its"
                               " questions); import the files one by one")
    with open_store(project) as store:
        frames = import_codeframes(store, list(files), resolve_coder(coder_name), questions)
    for frame in frames:
        serves = ", ".join(frame.questions) or "no question yet (use --question)"
        click.echo(f'imported "{frame.name}": {len(frame.codes)} codes; active for {serves}')


@codeframe.command("new")
@click.argument("name")
@project_option
@click.option("--question", "-q", "questions", multiple=True, metavar="Q",
              help="Make it the active frame of question Q; repeat for several.")
@click.option("--description", default="", help="What the frame is for.")
@coder_option
def new(name: str, project: str, questions: tuple[str, ...], description: str,
        coder_name: str | None) -> None:
    """Start an empty codeframe NAME; add its codes with `coder codeframe add --frame NAME`.

    One undoable action. With --question it becomes that question's active frame (in place
    of any frame it had; that frame stays in the project).
    """
    from coder.services.codeframes import new_codeframe

    with open_store(project) as store:
        frame = new_codeframe(store, name, resolve_coder(coder_name), questions=questions,
                              description=description)
    serves = ", ".join(frame.questions) or "no question yet (use --question)"
    click.echo(f'created "{frame.name}": no codes yet; active for {serves}')
    click.echo(f'add codes with: coder codeframe add LABEL --project {project}'
               f' --frame "{frame.name}"')


@codeframe.command()
@click.argument("file", type=click.Path(dir_okay=False))
@project_option
@_frame_options
def export(file: str, project: str, frame_name: str | None, question: str | None) -> None:
    """Write a codeframe to FILE: .yaml (with ids), .csv, .xlsx or .qdc, by extension."""
    from coder.services.codeframes import export_codeframe, find_frame

    with open_store(project) as store:
        frame = find_frame(store, frame=frame_name, question=question)
        export_codeframe(store, frame, file)
    click.echo(f'wrote "{frame.name}" ({len(frame.codes)} codes) to {file}')


@codeframe.command("from-themes")
@project_option
@click.option("--question", "-q", "question", required=True, metavar="Q",
              help="The question whose themes become draft codes.")
@click.option("--run", "run_id", type=int, default=None,
              help="The theme run (default: the question's latest).")
@click.option("--name", default=None, help='The new frame\'s name (default "Q themes (run R)").')
@coder_option
def from_themes(project: str, question: str, run_id: int | None, name: str | None,
                coder_name: str | None) -> None:
    """Create a draft codeframe from a theme run: label, definition, example quotes per theme."""
    from coder.services.codeframes import frame_from_themes

    with open_store(project) as store:
        frame = frame_from_themes(store, question, run_id, coder=resolve_coder(coder_name),
                                  name=name)
    active = "active" if question in frame.questions else "not active (the question has a frame)"
    click.echo(f'created "{frame.name}": {len(frame.codes)} draft codes; {active} for {question}')


COMMANDS = [codeframe]
