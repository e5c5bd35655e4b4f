"""What every screen of the app shares: the services' workspace (project, who is coding, blind
mode, the question, codeframes) and the app's settings.

Holds no widgets and no rules: screens act through `coder.services`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coder.services.project import Workspace
from coder.tui.config import AppConfig


@dataclass
class Session(Workspace):
    """The open project, the person coding it, and the app's settings."""

    config: AppConfig = field(default_factory=AppConfig)
