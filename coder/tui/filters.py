"""The coding screen's filter language, parsed into a store AnswerFilter; no Textual here.

A query mixes words (text the answer contains) with terms::

    is:uncoded  is:flagged  code:104  code:"Cost of placements"  theme:3  region=London
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace

from coder.core.codeframe import Codeframe
from coder.core.errors import CoderError
from coder.store.coding import AnswerFilter


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

    @property
    def is_empty(self) -> bool:
        return self == FilterQuery()

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
        if self.code is not None:
            parts.append(f"code:{_quoted(self.code)}")
        if self.theme is not None:
            parts.append(f"theme:{self.theme}")
        if self.attribute is not None:
            parts.append(f"{_quoted(self.attribute[0])}={_quoted(self.attribute[1])}")
        if self.text:
            parts.append(self.text)
        return " ".join(parts)

    def to_answer_filter(self, frame: Codeframe | None, theme_run_id: int | None) -> AnswerFilter:
        """Resolve codes and themes; raises FilterError naming what is unknown."""
        code_id = None
        if self.code is not None:
            code_id = resolve_code(frame, self.code)
        theme = None
        if self.theme is not None:
            if theme_run_id is None:
                raise FilterError("no themes yet for this question: run theme discovery first")
            theme = (theme_run_id, self.theme)
        return AnswerFilter(text=self.text or None, code_id=code_id, uncoded=self.uncoded,
                            flagged=self.flagged, attribute=self.attribute, theme=theme)


def _quoted(value: str) -> str:
    return shlex.quote(value) if any(c.isspace() or c in "\"'" for c in value) else value


def resolve_code(frame: Codeframe | None, ref: str) -> str:
    """The id of the code named by output code or label (case-insensitive)."""
    if frame is None:
        raise FilterError("this question has no codeframe yet")
    ref = ref.strip()
    if ref.isdigit():
        code = frame.by_output_code(int(ref))
        if code is not None:
            return code.id
    matches = frame.by_label(ref)
    if len(matches) == 1:
        return matches[0].id
    if len(matches) > 1:
        raise FilterError(f'"{ref}" names {len(matches)} codes: use the output code')
    raise FilterError(f'no code "{ref}" in codeframe "{frame.name}"')


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
            if value.lower() not in ("uncoded", "flagged"):
                raise FilterError(f'unknown filter "{token}": use is:uncoded or is:flagged')
            result = replace(result, uncoded=True) if value.lower() == "uncoded" \
                else replace(result, flagged=True)
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
