"""CLI command `coder assign`: give coders answers of a question to code, list and remove it."""

from __future__ import annotations

import click

from coder.cli.main import PROJECT_HELP, open_store, resolve_coder


@click.command("assign")
@click.option("--project", "-p", "project", required=True, metavar="PROJECT",
              type=click.Path(dir_okay=False), help=PROJECT_HELP)
@click.option("--question", "-q", "question_id", default=None, help="The question.")
@click.option("--coder", "coder_name", default=None, help="Who is given the answers.")
@click.option("--share", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="A share of the question's answers, drawn at random from those given to"
                   " nobody yet (0.5 for alice, then 0.5 for bob, splits the question).")
@click.option("--range", "answer_range", default=None, metavar="FIRST-LAST",
              help="Answers at these positions, as the coding screen numbers them (1-200).")
@click.option("--respondents", "respondents_file", default=None, metavar="FILE",
              type=click.Path(dir_okay=False, exists=True),
              help="The answers of the respondents listed in FILE (one ID a line).")
@click.option("--seed", type=int, default=None, help="Seed of a --share draw (recorded).")
@click.option("--list", "list_them", is_flag=True, help="List the work assignments.")
@click.option("--remove", "remove_id", type=int, default=None, metavar="ID",
              help="Take back assignment ID (its codings stay).")
@click.option("--by", "actor", envvar="CODER_NAME", default=None,
              help="Who makes the assignment (recorded in the log); default $CODER_NAME, then"
                   " the config file, then your login name.")
def assign(project: str, question_id: str | None, coder_name: str | None, share: float | None,
           answer_range: str | None, respondents_file: str | None, seed: int | None,
           list_them: bool, remove_id: int | None, actor: str | None) -> None:
    """Give a coder answers of a question to code: a share, a range or listed respondents.

    The coder then opens the app on them with `coder open PROJECT --blind --question Q --coder
    NAME` (or the filter `is:assigned`). Each assignment is one undoable action.

    \b
    coder assign -p survey.coder -q q2_barriers --coder alice --share 0.5
    coder assign -p survey.coder -q q2_barriers --coder bob --range 1-200
    coder assign -p survey.coder -q q2_barriers --coder carol --respondents carol.txt
    coder assign -p survey.coder --list
    coder assign -p survey.coder --remove 2
    """
    from coder.services import allocation as service

    ways = [w for w in (share, answer_range, respondents_file) if w is not None]
    if list_them or remove_id is not None:
        if ways or coder_name or (list_them and remove_id is not None):
            raise click.UsageError("--list and --remove take no --coder, --share, --range or"
                                   " --respondents (and not each other)")
        with open_store(project) as store:
            if remove_id is not None:
                gone = service.remove_assignment(store, remove_id, actor=resolve_coder(actor))
                click.echo(f"removed assignment {gone.id}: {gone.n_answers} answers of"
                           f" {gone.question_id} no longer given to {gone.coder}")
                return
            found = service.assignments(store, question_id)
        if not found:
            click.echo("no work assignments yet (make one with: coder assign --coder NAME"
                       " --share 0.5)")
        for a in found:
            click.echo(f"{a.id}  {a.question_id}  {a.coder}: {a.n_answers} answers ({a.rule})")
        return
    if question_id is None or coder_name is None or len(ways) != 1:
        raise click.UsageError("give --question, --coder and one of --share, --range,"
                               " --respondents (or --list, --remove ID)")
    who = resolve_coder(actor)
    with open_store(project) as store:
        if share is not None:
            made = service.assign_share(store, question_id, coder_name, share, actor=who,
                                        seed=seed)
        elif answer_range is not None:
            try:
                first, last = service.parse_range(answer_range)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--range") from None
            made = service.assign_range(store, question_id, coder_name, first, last, actor=who)
        else:
            assert respondents_file is not None
            made = service.assign_respondents(store, question_id, coder_name, respondents_file,
                                              actor=who)
    click.echo(f"assignment {made.id}: {made.n_answers} answers of {made.question_id} for"
               f" {made.coder} ({made.rule})")
    click.echo(f"{made.coder} codes them with: "
               f"{open_command(project, made.question_id, made.coder)}")


COMMANDS = [assign]


def open_command(project_path: str, question_id: str, coder_name: str) -> str:
    """The command a coder runs to code their assigned answers blind (printed by the CLI)."""
    import shlex

    return (f"coder open {shlex.quote(project_path)} --blind --question"
            f" {shlex.quote(question_id)} --coder {shlex.quote(coder_name)}")
