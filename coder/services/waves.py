"""Which waves a report or export covers, each wave's respondents, and respondent weights.

Joins the store (reads only) to the rules; the statistics live in `coder.core.reporting`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from coder.core.errors import ProjectError
from coder.core.printable import printable
from coder.core.types import Respondent
from coder.store.protocol import ProjectStore

ALL_WAVES = "all"


@dataclass(frozen=True)
class WaveScope:
    """The waves covered, oldest first: (id, name) pairs; empty only for a project with none.

    Attributes:
        waves: (wave id, wave name), in the order the waves were imported.
        project_waves: How many waves the project has.
        respondents: Wave id -> respondent id -> the respondent with that wave's attributes
            (filled on first use).
    """

    waves: tuple[tuple[int, str], ...]
    project_waves: int = 1
    respondents: dict[int | None, dict[int, Respondent]] = field(
        default_factory=dict, compare=False, hash=False)
    attribute_values: dict[tuple[int | None, tuple[str, ...]],
                           dict[int, tuple[str | None, ...]]] = field(
        default_factory=dict, compare=False, hash=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for _, name in self.waves)

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(wid for wid, _ in self.waves)

    def each(self) -> list[tuple[int | None, str | None]]:
        """(wave id, name) per wave; one (None, None) when the project has no waves."""
        return list(self.waves) or [(None, None)]

    def people(self, store: ProjectStore, wave_id: int | None) -> dict[int, Respondent]:
        """The wave's respondents by id, with that wave's attributes (read once)."""
        if wave_id not in self.respondents:
            self.respondents[wave_id] = {r.id: r for r in store.respondents(wave_id)}
        return self.respondents[wave_id]

    def values(self, store: ProjectStore, wave_id: int | None,
               names: Sequence[str]) -> dict[int, tuple[str | None, ...]]:
        """respondent id -> values of attributes `names` in the wave (read once per names)."""
        key = (wave_id, tuple(names))
        if key not in self.attribute_values:
            self.attribute_values[key] = store.attribute_values(wave_id, names)
        return self.attribute_values[key]

    def label(self) -> str:
        """The waves as text, e.g. "2025" or "2025, 2026"."""
        return ", ".join(self.names)


def resolve_waves(store: ProjectStore, spec: str | None, question_ids: Sequence[str],
                  coder_ids: Sequence[int]) -> WaveScope:
    """Turn `--wave` into waves.

    None: every wave in which the layer's coders coded one of the questions (every wave when
    nothing is coded yet); "all": every wave; "2025" or "2025,2026": those waves.

    Raises:
        ProjectError: A wave the project does not have (the message names the waves it has).
    """
    waves = store.waves()
    if not waves:
        return WaveScope((), 0)
    by_name = {w.name: w for w in waves}
    if spec is None:
        coded = store.coded_waves(question_ids, coder_ids)
        chosen = [w for w in waves if w.id in coded] or waves
    elif spec.strip().casefold() == ALL_WAVES:
        chosen = waves
    else:
        names = [n.strip() for n in spec.split(",") if n.strip()]
        unknown = [n for n in names if n not in by_name]
        if unknown or not names:
            known = ", ".join(w.name for w in waves)
            raise ProjectError(f'no wave "{printable(unknown[0] if unknown else spec)}" in this'
                               f" project (waves: {known}, or all)")
        wanted = set(names)
        chosen = [w for w in waves if w.name in wanted]
    return WaveScope(tuple((w.id, w.name) for w in chosen), len(waves))


def respondent_weight(respondent: Respondent, variable: str, wave: str | None) -> float:
    """The respondent's weight: attribute `variable` as a number, zero or more.

    Raises:
        ProjectError: The attribute is missing, not a number or negative (the message names
            the respondent, the wave and the value).
    """
    return weight_value(respondent.attributes.get(variable), variable, respondent.external_id,
                        wave)


def weight_value(value: str | None, variable: str, respondent: str, wave: str | None) -> float:
    """A weight attribute's value as a number; see `respondent_weight` (same errors)."""
    raw = (value or "").strip()
    try:
        number = float(raw)
    except ValueError:
        number = -1.0
    if raw and math.isfinite(number) and number >= 0:
        return number
    where = f"respondent {printable(respondent)}" + (f" (wave {wave})" if wave else "")
    if not raw:
        raise ProjectError(f'{where} has no weight "{printable(variable)}": every respondent'
                           " in the base needs one")
    try:
        float(raw)
    except ValueError:
        raise ProjectError(f'{where}: weight "{printable(variable)}" is "{printable(raw)}",'
                           " not a number") from None
    raise ProjectError(f'{where}: weight "{printable(variable)}" is {printable(raw)};'
                       " weights must be zero or more")
