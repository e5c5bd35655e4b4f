"""The parameters of a theme discovery run, passed as one value from the front ends to the core.

Pure: no UI, CLI or store imports.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ThemeParams:
    """What a user can set for a run (`coder themes` options, the app's defaults).

    Attributes:
        min_theme_size: smallest theme in answers; default a share of the answers.
        n_themes: ask for this many themes instead of finding the number.
        seed: random seed; the same answers and seed give the same themes.
        subthemes: also split large themes into sub-themes.
    """

    min_theme_size: int | None = None
    n_themes: int | None = None
    seed: int = 0
    subthemes: bool = False

    def discovery_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :class:`~coder.core.themes.discovery.ThemeDiscovery`."""
        return {
            "min_theme_size": self.min_theme_size,
            "n_themes": self.n_themes,
            "random_state": self.seed,
            "subthemes": self.subthemes,
        }

    def record(self) -> dict[str, Any]:
        """The parameters as stored with a run."""
        return asdict(self)
