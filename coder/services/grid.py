"""The respondent x question grid: for one wave, each respondent's answers to the open questions
with the coder's codes, read a page at a time so that it opens as fast on 100,000 respondents as
on 100. Must not depend on click, textual or SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from coder.core.types import Coder, Question, Wave
from coder.services.project import Project

__all__ = ["GridCell", "GridPage", "GridRow", "RespondentGrid"]

#: Respondents read and shown at a time.
PAGE_SIZE = 100


@dataclass(frozen=True)
class GridCell:
    """One respondent's answer to one question, as the grid shows it for one coder."""

    answer_id: int
    question_id: str
    text: str
    non_substantive: str | None  # e.g. "blank", "n/a"; None for an answer to code
    coded: bool
    flagged: bool
    codes: tuple[str, ...]  # output codes, as "101"
    labels: tuple[str, ...]  # the same codes as "101 High school fees"

    @property
    def codable(self) -> bool:
        """An answer with words to code (blank and non-substantive answers are not listed)."""
        return self.non_substantive is None

    @property
    def mark(self) -> str:
        """What the cell shows: the codes, "-" for no code applies, "·" uncoded, "blank", or
        "n/s" for another non-substantive answer (its reason is in the text)."""
        if not self.codable:
            return "blank" if self.non_substantive == "blank" else "n/s"
        if self.codes:
            return " ".join(self.codes)
        return "-" if self.coded else "·"


@dataclass(frozen=True)
class GridRow:
    """One respondent: their id and their cells by question id (questions unanswered left out)."""

    respondent_id: int
    external_id: str
    cells: dict[str, GridCell]


@dataclass(frozen=True)
class GridPage:
    """A page of the grid: rows `start` to `start + len(rows)` of `total` respondents."""

    wave: Wave
    questions: list[Question]
    rows: list[GridRow]
    start: int
    total: int

    @property
    def coded_cells(self) -> tuple[int, int]:
        """(coded, codable) cells on this page."""
        cells = [c for r in self.rows for c in r.cells.values() if c.codable]
        return sum(c.coded for c in cells), len(cells)


class RespondentGrid:
    """The grid of one wave for one coder; `page(start)` reads the rows it shows.

    Args:
        project: The open project.
        coder: Whose codes are shown.
        wave_id: The wave (default the latest).
        page_size: Respondents per page.
    """

    def __init__(self, project: Project, coder: Coder, wave_id: int | None = None,
                 page_size: int = PAGE_SIZE) -> None:
        self.project = project
        self.coder = coder
        self.page_size = page_size
        self.waves = project.waves()
        if not self.waves:
            raise ValueError("the project has no waves yet (import a survey first)")
        self.wave = next((w for w in self.waves if w.id == wave_id), self.waves[-1])
        self.questions = project.questions(open_only=True)
        self.respondents = project.wave_respondents(self.wave.id)
        self._labels: dict[str, dict[str, tuple[str, str]]] = {}

    @property
    def total(self) -> int:
        return len(self.respondents)

    def next_wave(self) -> RespondentGrid:
        """The same grid for the next wave (after the last, the first)."""
        at = [w.id for w in self.waves].index(self.wave.id)
        return RespondentGrid(self.project, self.coder, self.waves[(at + 1) % len(self.waves)].id,
                              self.page_size)

    def page_start(self, row: int) -> int:
        """The first row of the page holding `row` (clamped to the grid)."""
        row = max(0, min(row, self.total - 1))
        return row - row % self.page_size

    def page(self, start: int) -> GridPage:
        """Rows `start` .. `start + page_size` (two queries, whatever the size of the survey)."""
        start = self.page_start(start)
        shown = self.respondents[start:start + self.page_size]
        by_respondent = self.project.respondents_answer_ids([r for r, _ in shown], self.wave.id)
        answer_ids = [aid for cells in by_respondent.values() for aid in cells.values()]
        answer_rows = self.project.answer_rows(answer_ids, self.coder.id)
        rows = []
        for rid, external in shown:
            cells = {}
            for qid, aid in by_respondent.get(rid, {}).items():
                row = answer_rows.get(aid)
                if row is None:
                    continue
                labels = self._frame_labels(qid)
                named = [labels.get(c, (c, c)) for c in row.code_ids]
                cells[qid] = GridCell(aid, qid, row.text, row.non_substantive, row.coded,
                                      row.flagged, tuple(sorted(n[0] for n in named)),
                                      tuple(sorted(n[1] for n in named)))
            rows.append(GridRow(rid, external, cells))
        return GridPage(self.wave, self.questions, rows, start, self.total)

    def forget_frames(self) -> None:
        """Read code labels again (the codeframe was edited)."""
        self._labels.clear()

    def _frame_labels(self, question_id: str) -> dict[str, tuple[str, str]]:
        if question_id not in self._labels:
            frame = self.project.codeframe_for(question_id)
            self._labels[question_id] = {} if frame is None else {
                c.id: (str(c.output_code), f"{c.output_code} {c.label}") for c in frame.codes}
        return self._labels[question_id]
