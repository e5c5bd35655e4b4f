"""A project's report settings: the title, who the base is and the document's author.

Kept in one project setting so every later report uses them unless told otherwise; each change
is one undoable action.
"""

from __future__ import annotations

from coder.store.protocol import ProjectStore

#: Project setting with the report's title, base label and author (`remember_report_settings`).
REPORT_SETTING = "report"
#: What `remember_report_settings` keeps, as named on the command line.
REPORT_SETTING_NAMES = ("title", "base_label", "author")


def report_settings(store: ProjectStore) -> dict[str, str]:
    """The project's report title, base label and author, where set."""
    return {k: str(v) for k, v in (store.setting(REPORT_SETTING) or {}).items()
            if k in REPORT_SETTING_NAMES and v}


def remember_report_settings(store: ProjectStore, *, coder: str, title: str | None = None,
                             base_label: str | None = None, author: str | None = None) -> None:
    """Keep a report title, base label and author in the project (one undoable action); later
    reports use them unless told otherwise. An empty text forgets the setting."""
    settings = dict(store.setting(REPORT_SETTING) or {})
    for key, value in (("title", title), ("base_label", base_label), ("author", author)):
        if value is not None:
            if value.strip():
                settings[key] = value.strip()
            else:
                settings.pop(key, None)
    store.set_setting(REPORT_SETTING, settings, coder)
