"""CLI commands that do what the coding app's keys do: `code`, `memo`, `flag` and `quotes`.

Thin: parse, call `coder.services.coding` and `coder.services.quotes` (the functions the app
calls), print. Respondents are named by their ID in the survey file; codes by number or label.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from coder.cli.main import coder_option, open_store, project_option, resolve_coder

if TYPE_CHECKING:
    from coder.core.types import Coder
    from coder.services.project import Project

F = TypeVar("F", bound=Callable[..., Any])

_ANSWER_HELP = ("RESPONDENT_ID is the respondent's ID in the survey file; their answer to the"
                " question is the one changed. An unknown respondent or code exits with 2.")


def _answer_options(func: F) -> F:
    func = click.option("--wave", default=None,
                        help="The wave of the answer (needed when the respondent answered the"
                             " question in several waves).")(func)
    func = click.option("--question", "-q", "question_id", required=True, metavar="Q",
                        help="The question.")(func)
    return project_option(func)


def _who(project: Project, coder_name: str | None) -> Coder:
    from coder.services.project import acting_coder

    return acting_coder(project, resolve_coder(coder_name))


@click.command("code", epilog=_ANSWER_HELP)
@_answer_options
@click.argument("respondent", metavar="RESPONDENT_ID")
@click.argument("codes", nargs=-1, metavar="CODE...")
@click.option("--remove", is_flag=True, help="Take these codes off instead of applying them.")
@click.option("--none", "no_code", is_flag=True,
              help='Record "no code applies" (removes the coder\'s codes on the answer).')
@coder_option
def code(project: str, question_id: str, wave: str | None, respondent: str,
         codes: tuple[str, ...], remove: bool, no_code: bool, coder_name: str | None) -> None:
    """Apply codes (numbers or labels) to RESPONDENT_ID's answer, as the app's code keys do.

    Codes the coder applied before stay; one undoable action (coder codeframe undo, or ctrl+z in
    the app, takes it back).
    """
    from coder.services.coding import (
        apply_codes,
        codes_on,
        find_answer,
        question_codes,
        record_no_code,
        remove_codes,
    )

    if no_code and (codes or remove):
        raise click.UsageError("--none records that no code applies: give no codes with it")
    if not no_code and not codes:
        raise click.UsageError("give one or more codes (numbers or labels), or --none")
    with open_store(project) as store:
        answer = find_answer(store, question_id, respondent, wave)
        me = _who(store, coder_name)
        if no_code:
            record_no_code(store, answer.id, me)
        else:
            chosen = [c.id for c in question_codes(store, question_id, codes, in_use=not remove)]
            (remove_codes if remove else apply_codes)(store, answer.id, me, chosen)
        now = codes_on(store, answer.id, me)
    shown = "; ".join(f"{c.output_code} {c.label}" for c in now) or "no code applies"
    click.echo(f"{respondent} ({question_id}, answer {answer.id}), coder {me.name}: {shown}")


@click.command("memo", epilog=_ANSWER_HELP)
@_answer_options
@click.argument("respondent", metavar="RESPONDENT_ID")
@click.argument("text")
@coder_option
def memo(project: str, question_id: str, wave: str | None, respondent: str, text: str,
         coder_name: str | None) -> None:
    """Write the coder's memo on RESPONDENT_ID's answer ("" removes it), as `m` in the app
    does."""
    from coder.services.coding import find_answer, set_memo

    with open_store(project) as store:
        answer = find_answer(store, question_id, respondent, wave)
        me = _who(store, coder_name)
        set_memo(store, answer.id, me, text)
    what = "memo removed" if not text.strip() else "memo saved"
    click.echo(f"{respondent} ({question_id}, answer {answer.id}), coder {me.name}: {what}")


@click.command("flag", epilog=_ANSWER_HELP)
@_answer_options
@click.argument("respondent", metavar="RESPONDENT_ID")
@click.option("--off", is_flag=True, help="Remove the flag.")
@coder_option
def flag(project: str, question_id: str, wave: str | None, respondent: str, off: bool,
         coder_name: str | None) -> None:
    """Flag RESPONDENT_ID's answer for review (--off: unflag), as `f` in the app does."""
    from coder.services.coding import find_answer, set_flag

    with open_store(project) as store:
        answer = find_answer(store, question_id, respondent, wave)
        me = _who(store, coder_name)
        flagged = set_flag(store, answer.id, me, not off)
    what = "flagged for review" if flagged else "not flagged"
    click.echo(f"{respondent} ({question_id}, answer {answer.id}), coder {me.name}: {what}")


@click.group()
def quotes() -> None:
    """A code's answers as report quotes: list them, star or unstar the ones to print."""


def _quote_options(func: F) -> F:
    func = click.option("--code", "code_ref", required=True, metavar="CODE",
                        help="The code (number or label).")(func)
    return _answer_options(func)


@quotes.command("list")
@_quote_options
@click.option("--report", "as_report", is_flag=True,
              help="Print the quotes exactly as the report prints them (redacted), as the app's"
                   " preview (v) shows them.")
def quotes_list(project: str, question_id: str, wave: str | None, code_ref: str,
                as_report: bool) -> None:
    """List the code's answers, starred (*) first, then most representative first.

    Each line shows the respondent ID: the list is for analysts choosing quotes, not for
    publication (--report prints what a report would).
    """
    from coder.core.printable import for_terminal
    from coder.services.coding import question_codes
    from coder.services.quotes import list_quotes, preview_quotes

    with open_store(project) as store:
        chosen = question_codes(store, question_id, [code_ref], in_use=False)[0]
        if as_report:
            printed = preview_quotes(store, question_id, chosen.id)
            for quote in printed:
                click.echo(for_terminal(f"\u201c{quote.text}\u201d"))
            if not printed:
                click.echo(f"the report quotes nothing under {chosen.output_code} yet")
            return
        listed = list_quotes(store, chosen.id)
    for item in listed:
        mark = "*" if item.starred else " "
        click.echo(for_terminal(f"{mark} {item.respondent}\t{' '.join(item.text.split())}"))
    if not listed:
        click.echo(f"no answer is coded {chosen.output_code} {chosen.label} yet")


def _star(project: str, question_id: str, wave: str | None, code_ref: str,
          respondents: tuple[str, ...], coder_name: str | None, *, on: bool) -> None:
    from coder.services.coding import find_answer, question_codes
    from coder.services.quotes import check_quotable, star_quote, unstar_quote

    if not respondents:
        raise click.UsageError("give one or more respondent IDs")
    with open_store(project) as store:
        chosen = question_codes(store, question_id, [code_ref], in_use=False)[0]
        me = _who(store, coder_name)
        answers = [find_answer(store, question_id, r, wave) for r in respondents]
        if on:  # refuse before starring any, so that nothing is half done
            for answer in answers:
                check_quotable(store, chosen, answer.id)
        for respondent, answer in zip(respondents, answers, strict=True):
            changed = (star_quote if on else unstar_quote)(store, chosen, answer.id, me)
            verb = ("starred" if changed else "already starred") if on else \
                ("unstarred" if changed else "was not starred")
            click.echo(f"{respondent} ({question_id}, answer {answer.id}): {verb} for"
                       f" {chosen.output_code} {chosen.label}")


@quotes.command("star", epilog=_ANSWER_HELP)
@_quote_options
@click.argument("respondents", nargs=-1, metavar="RESPONDENT_ID...")
@coder_option
def quotes_star(project: str, question_id: str, wave: str | None, code_ref: str,
                respondents: tuple[str, ...], coder_name: str | None) -> None:
    """Star the respondents' answers as the code's report quotes (printed first), as `s` in
    the app's quotes screen does. Each answer must be coded with the code."""
    _star(project, question_id, wave, code_ref, respondents, coder_name, on=True)


@quotes.command("unstar", epilog=_ANSWER_HELP)
@_quote_options
@click.argument("respondents", nargs=-1, metavar="RESPONDENT_ID...")
@coder_option
def quotes_unstar(project: str, question_id: str, wave: str | None, code_ref: str,
                  respondents: tuple[str, ...], coder_name: str | None) -> None:
    """Unstar the respondents' answers for the code."""
    _star(project, question_id, wave, code_ref, respondents, coder_name, on=False)


COMMANDS = [code, memo, flag, quotes]
