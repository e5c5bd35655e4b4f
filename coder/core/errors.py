"""Exceptions shared by every layer; depends on nothing but `coder.core.printable`."""

from __future__ import annotations

from coder.core.printable import printable


class CoderError(Exception):
    """Base class for errors a user can act on; the CLI prints the message and exits non-zero."""

    exit_code = 1


class Cancelled(CoderError):
    """Long work was cancelled by the user (Esc in the app, Ctrl+C in the CLI)."""

    exit_code = 130


class InputError(CoderError):
    """A file given to the tool cannot be used; the message names file, row and column.

    The message is made printable: file names, column names and cell values quoted in it come
    from the user's file and may hold control characters.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = path
        self.row = row
        self.column = column
        where = []
        if path is not None:
            where.append(str(path))
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f'column "{column[:60] + "..." if len(column) > 60 else column}"')
        super().__init__(printable(f"{', '.join(where)}: {message}" if where else message))


class ProjectError(CoderError):
    """The project file is missing, locked, from a newer version, or an action is not allowed."""

    exit_code = 3


class ProjectBusy(ProjectError):
    """Another user or window held the project's write lock for longer than we could wait.

    Nothing was changed; the same action can simply be tried again.
    """

    def __init__(self, project: str, waited: float = 0.0) -> None:
        self.project = project
        self.waited = waited
        super().__init__(
            f"{project} is busy: another user or window is writing (e.g. a large merge or"
            " undo); nothing was changed — try again in a moment"
        )


class EditConflict(ProjectError):
    """Someone else changed what an edit was based on since it was loaded; nothing was changed.

    Reload (the app shows the current state) and make the edit again.
    """


class NotInProject(CoderError):
    """A respondent, answer or code named by the user is not in the project (or not one that
    fits: a net, an ambiguous label): bad usage, so the CLI exits with code 2."""

    exit_code = 2
