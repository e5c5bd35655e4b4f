"""The project's redaction list (names and patterns removed from quotes): read it, add terms,
remove terms; each change one undoable action. Must not depend on click, textual or SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from coder.core.reporting.anonymise import SETTING_KEY, RedactionList, RedactionTerm
from coder.services.project import Project

__all__ = ["RedactionChange", "RedactionSetting", "add_terms", "redaction_setting",
           "remove_terms"]


@dataclass(frozen=True)
class RedactionSetting:
    """The listed terms and patterns, and whether the values of name-like respondent
    attributes (e.g. authority_name) are redacted too."""

    redaction: RedactionList
    attribute_terms: bool


@dataclass(frozen=True)
class RedactionChange:
    """A change to the list: the list before and after."""

    before: RedactionList
    after: RedactionList


def _stored(project: Project) -> dict[str, Any]:
    return dict(project.setting(SETTING_KEY) or {})


def redaction_setting(project: Project) -> RedactionSetting:
    """The project's redaction list as set (project setting "redaction")."""
    stored = _stored(project)
    return RedactionSetting(RedactionList.from_setting(stored),
                            bool(stored.get("attribute_terms", True)))


def _save(project: Project, stored: dict[str, Any], before: RedactionList,
          after: RedactionList, actor: str | None) -> RedactionChange:
    project.set_setting(SETTING_KEY, {**stored, **after.to_setting()}, actor)
    return RedactionChange(before, after)


def add_terms(project: Project, terms: Iterable[str], placeholder: str,
              actor: str | None) -> RedactionChange:
    """Add `terms` (names, places...) replaced by `placeholder` (one undoable action)."""
    stored = _stored(project)
    before = RedactionList.from_setting(stored)
    after = before.with_terms(RedactionTerm(t, placeholder) for t in terms)
    return _save(project, stored, before, after, actor)


def remove_terms(project: Project, terms: Iterable[str], actor: str | None) -> RedactionChange:
    """Remove `terms` from the list, ignoring case (one undoable action)."""
    drop = {t.casefold() for t in terms}
    stored = _stored(project)
    before = RedactionList.from_setting(stored)
    after = RedactionList(tuple(t for t in before.terms if t.text.casefold() not in drop),
                          before.patterns)
    return _save(project, stored, before, after, actor)
