"""Codes drafted from themes: label, a definition from the keywords, example answers; and the
plan adding them to a codeframe. Pure: no UI, CLI library or store.

`coder codeframe from-themes` (a new frame) and promoting themes in the app (codes added to the
question's frame) draft each code the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coder.core.codeframe.model import Codeframe
from coder.core.codeframe.ops import FramePlan, plan_add


@dataclass(frozen=True)
class CodeDraft:
    """A code drafted from one theme; `examples` are already redacted."""

    label: str
    definition: str
    examples: tuple[str, ...]


def definition_from_keywords(keywords: Sequence[str], limit: int = 6) -> str:
    """A draft definition such as "Answers about fees, cost, budget or funding."."""
    words = [k.strip() for k in keywords if k.strip()][:limit]
    if not words:
        return ""
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    return f"Answers about {listed}."


def draft_label(label: str, keywords: Sequence[str], theme_id: int) -> str:
    """The theme's label, else its first keywords, else "Theme N"."""
    return label.strip() or ", ".join(keywords[:3]) or f"Theme {theme_id}"


def draft_code(label: str, keywords: Sequence[str], theme_id: int,
               examples: Sequence[str]) -> CodeDraft:
    """The code a theme becomes: its label, a definition from its keywords, its examples."""
    return CodeDraft(draft_label(label, keywords, theme_id), definition_from_keywords(keywords),
                     tuple(examples))


def plan_promote(frame: Codeframe, drafts: Sequence[CodeDraft]) -> FramePlan:
    """One plan adding a top-level code per draft, numbered by the frame's rule.

    Raises:
        CodeframeError: If a label is already in use or empty.
    """
    work_frame = frame
    for draft in drafts:
        step = plan_add(work_frame, draft.label, definition=draft.definition,
                        examples=draft.examples)
        work_frame = step.after
    original = {c.id: c for c in frame.codes}
    added = tuple(c for c in work_frame.codes if c.id not in original)
    changed = tuple(c for c in work_frame.codes if c.id in original and original[c.id] != c)
    names = ", ".join(f'"{d.label}"' for d in drafts)
    return FramePlan("add", f"Promote themes {names} to codes", frame, work_frame,
                     changed, added)
