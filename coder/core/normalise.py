"""Text normalisation and answer flags (non-substantive, duplicate); pure, no I/O."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coder.core.printable import ANSI_ESCAPE

# Answers that say nothing codable. Matched against the whole answer after casefolding, with
# surrounding punctuation removed; a project can replace the list (setting "non_substantive").
DEFAULT_NON_SUBSTANTIVE: tuple[str, ...] = (
    "n/a",
    "na",
    "n.a.",
    "-",
    "--",
    ".",
    "none",
    "nothing",
    "nil",
    "no",
    "no comment",
    "no comments",
    "don't know",
    "dont know",
    "do not know",
    "not known",
    "unknown",
    "not sure",
    "not applicable",
    "not applicable - no barriers experienced",
    "no barriers experienced",
    "none experienced",
    "did not answer",
    "prefer not to say",
)

_WS = re.compile(r"\s+")
# Terminal escape sequences go whole (ANSI_ESCAPE); other control characters that are not
# whitespace (NUL, ESC, DEL, C1 ...) are dropped. Whitespace controls become spaces below.
DROPPED_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2019": "'", "\u2018": "'"})
_EDGE_PUNCT = re.compile(r"^[\s\"'`.,;:!?()\[\]]+|[\s\"'`.,;:!?()\[\]]+$")


def normalise_text(raw: str) -> str:
    """Unicode NFC, control characters removed, every run of whitespace to one space, trimmed.

    The raw text is kept beside this one: what is shown, matched and coded is free of NULs and
    terminal escapes, while the file's own text stays on record.
    """
    text = DROPPED_CONTROL.sub("", ANSI_ESCAPE.sub("", raw))
    return _WS.sub(" ", unicodedata.normalize("NFC", text).replace("\u00a0", " ")).strip()


def match_key(text: str) -> str:
    """The key under which two answers count as the same: casefolded, dashes/quotes unified."""
    return _EDGE_PUNCT.sub("", text.casefold().translate(_DASHES)).strip()


@dataclass(frozen=True)
class NonSubstantiveRules:
    """The project's list of non-substantive answers, compiled for fast matching."""

    phrases: frozenset[str]

    @classmethod
    def from_phrases(cls, phrases: Iterable[str] = DEFAULT_NON_SUBSTANTIVE) -> NonSubstantiveRules:
        return cls(frozenset(k for k in (match_key(normalise_text(p)) for p in phrases) if k))

    def reason(self, text: str) -> str | None:
        """Why `text` (already normalised) is non-substantive, or None when it is substantive."""
        if not text:
            return "blank"
        key = match_key(text)
        if not key:
            return "punctuation only"
        if key in self.phrases:
            return key
        return None


def duplicate_of(
    keys: Sequence[str], first_seen: dict[str, int], ids: Sequence[int]
) -> list[int | None]:
    """For each answer, the id of an earlier answer with the same key (None for first or blank).

    `first_seen` maps keys already in the project to their first answer id; it is updated.
    """
    result: list[int | None] = []
    for key, answer_id in zip(keys, ids, strict=True):
        if not key:
            result.append(None)
            continue
        first = first_seen.get(key)
        if first is None:
            first_seen[key] = answer_id
            result.append(None)
        else:
            result.append(first)
    return result


def duplicate_links(answers: Iterable[tuple[int, str, bool]]) -> dict[int, int | None]:
    """Which answers to one question repeat an earlier answer's text.

    Two answers are the same when their `match_key` is (case, dashes, quotes and surrounding
    punctuation aside); blank answers and answers with an empty key repeat nothing.

    Args:
        answers: ``(answer id, normalised text, blank)`` for every answer to the question (all
            waves), earliest first.

    Returns:
        answer id -> the first earlier answer with the same text, or None.
    """
    rows = list(answers)
    ids = [answer_id for answer_id, _, _ in rows]
    keys = ["" if blank else match_key(text) for _, text, blank in rows]
    return dict(zip(ids, duplicate_of(keys, {}, ids), strict=True))
