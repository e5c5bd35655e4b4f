"""Which answers of a question to list: the `AnswerFilter` the store answers, and the coding
app's filter language parsed into it. Pure: no UI, CLI library or store.

A query mixes words (text the answer contains) with terms::

    is:uncoded  is:flagged  is:changed  is:sample  is:assigned
    code:104  code:"Cost of placements"  theme:3  region=London

`is:sample` keeps the answers the coder was given by double-coding samples, `is:assigned` those
given by samples or work assignments (`Given` holds both sets).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace

from coder.core.codeframe.lookup import find_code
from coder.core.codeframe.model import Codeframe, CodeframeError
from coder.core.errors import CoderError


@dataclass(frozen=True)
class AnswerFilter:
    """Which answers of a question to list; every field narrows the list (None = no filter)."""

    text: str | None = None  # case-insensitive substring of the answer
    code_id: str | None = None  # coded with this code (by the coder, or anyone if no coder given)
    uncoded: bool = False  # not yet coded by the coder
    flagged: bool = False  # flagged for review by the coder
    attribute: tuple[str, str] | None = None  # respondent attribute equals value
    theme: tuple[int, int] | None = None  # (theme run id, theme id)
    wave_id: int | None = None
    include_non_substantive: bool = True
    answer_ids: frozenset[int] | None = None  # e.g. a QA sample
    # re-imported with a changed text after it was coded (by the coder, or anyone): needs
    # recoding
    changed: bool = False


@dataclass(frozen=True)
class Given:
    """The answers of a question given to one coder: by samples, and by work assignments."""

    sample: frozenset[int] = frozenset()
    work: frozenset[int] = frozenset()


class FilterError(CoderError):
    """A filter query names something that does not exist or is malformed."""


@dataclass(frozen=True)
class FilterQuery:
    """A parsed filter; every part narrows the list."""

    text: str = ""
    code: str | None = None  # output code or label, resolved against the codeframe
    uncoded: bool = False
    flagged: bool = False
    attribute: tuple[str, str] | None = None
    theme: int | None = None
    changed: bool = False
    sample: bool = False  # only answers given to the coder by double-coding samples
    assigned: bool = False  # only answers given to the coder (samples and work assignments)

    @property
    def is_empty(self) -> bool:
        return self == FilterQuery()

    @property
    def needs_store(self) -> bool:
        """True when the query names a code, theme or attribute, or asks for changed answers
        (answered by the store)."""
        return (self.code is not None or self.theme is not None or self.attribute is not None
                or self.changed)

    def toggled(self, what: str) -> FilterQuery:
        """The same query with `uncoded` or `flagged` switched."""
        if what == "uncoded":
            return replace(self, uncoded=not self.uncoded)
        if what == "flagged":
            return replace(self, flagged=not self.flagged)
        raise ValueError(what)

    def describe(self) -> str:
        """The query written back in the filter language (shown in the filter bar)."""
        parts = []
        if self.uncoded:
            parts.append("is:uncoded")
        if self.flagged:
            parts.append("is:flagged")
        if self.changed:
            parts.append("is:changed")
        if self.sample:
            parts.append("is:sample")
        if self.assigned:
            parts.append("is:assigned")
        if self.code is not None:
            parts.append(f"code:{_quoted(self.code)}")
        if self.theme is not None:
            parts.append(f"theme:{self.theme}")
        if self.attribute is not None:
            parts.append(f"{_quoted(self.attribute[0])}={_quoted(self.attribute[1])}")
        if self.text:
            parts.append(self.text)
        return " ".join(parts)

    def to_answer_filter(self, frame: Codeframe | None, theme_run_id: int | None,
                         given: Given | None = None) -> AnswerFilter:
        """Resolve codes, themes and what the coder was given (`is:sample`, `is:assigned`);
        raises FilterError naming what is unknown."""
        answer_ids = None
        if self.sample or self.assigned:
            given = given or Given()
            answer_ids = given.sample if self.sample else given.sample | given.work
            if not answer_ids:
                raise FilterError("no answers of this question are given to you"
                                  + (" in a double-coding sample" if self.sample else "")
                                  + " (answers are given by a double-coding sample or a work"
                                  " assignment)")
        code_id = None
        if self.code is not None:
            if frame is None:
                raise FilterError("this question has no codeframe yet")
            try:
                code_id = find_code(frame, self.code).id
            except CodeframeError as exc:
                raise FilterError(str(exc)) from None
        theme = None
        if self.theme is not None:
            if theme_run_id is None:
                raise FilterError("no themes yet for this question: run theme discovery first")
            theme = (theme_run_id, self.theme)
        return AnswerFilter(text=self.text or None, code_id=code_id, uncoded=self.uncoded,
                            flagged=self.flagged, attribute=self.attribute, theme=theme,
                            changed=self.changed, answer_ids=answer_ids)


def _quoted(value: str) -> str:
    return shlex.quote(value) if any(c.isspace() or c in "\"'" for c in value) else value


def _with_is(query: FilterQuery, token: str, what: str) -> FilterQuery:
    if what == "uncoded":
        return replace(query, uncoded=True)
    if what == "flagged":
        return replace(query, flagged=True)
    if what == "sample":
        return replace(query, sample=True)
    if what == "assigned":
        return replace(query, assigned=True)
    if what == "changed":
        return replace(query, changed=True)
    raise FilterError(f'unknown filter "{token}": use is:uncoded, is:flagged, is:changed,'
                      " is:sample or is:assigned")


def parse_filter(query: str) -> FilterQuery:
    """Parse the filter language; raises FilterError on an unknown `is:` or a bad theme."""
    try:
        tokens = shlex.split(query)
    except ValueError as exc:
        raise FilterError(f"filter: {exc}") from None
    words: list[str] = []
    result = FilterQuery()
    for token in tokens:
        head, colon, value = token.partition(":")
        if colon and head.lower() == "is":
            result = _with_is(result, token, value.lower())
        elif colon and head.lower() == "code" and value:
            result = replace(result, code=value)
        elif colon and head.lower() == "theme":
            if not value.lstrip("-").isdigit():
                raise FilterError(f'theme needs a theme number, e.g. theme:3 (got "{value}")')
            result = replace(result, theme=int(value))
        elif "=" in token and not token.startswith("="):
            key, _, value = token.partition("=")
            result = replace(result, attribute=(key, value))
        else:
            words.append(token)
    return replace(result, text=" ".join(words))
