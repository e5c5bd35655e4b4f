"""Coding use cases shared by the CLI and the app: apply, remove or toggle codes, record "no code
applies", memo, flag (on an answer found with `coder.services.lookup`); and `CodingSession`, the
state of one coder coding one question that the app's coding screen shows.

Each change is one undoable action in the store. Must not depend on click, textual or SQL.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from coder.core.codeframe.lookup import SHORTCUT_KEYS, best_code, code_shortcuts
from coder.core.codeframe.lookup import search_codes as _search_codes
from coder.core.codeframe.model import Code, Codeframe
from coder.core.coding.filters import FilterQuery, Given, parse_filter
from coder.core.coding.text_search import TextIndex
from coder.core.coding.types import AnswerRow
from coder.core.types import Coder, Event
from coder.services.allocation import allocation
from coder.services.answer_order import check_order, ordered, position, reordered_after
from coder.services.coding_actions import (
    Change,
    apply_codes,
    codes_on,
    record_no_code,
    remove_codes,
    set_flag,
    set_memo,
    text_index_at,
    toggle_code,
)
from coder.services.lookup import find_answer, question_codes
from coder.services.project import Project, Workspace
from coder.services.suggestions import QuestionSuggestions

__all__ = ["AnswerRow", "AnswerView", "Change", "CodingSession", "apply_codes", "codes_on",
           "find_answer", "question_codes", "record_no_code", "remove_codes", "set_flag",
           "set_memo", "text_index_at", "toggle_code"]

#: Codes suggested for the current answer.
SUGGESTIONS_SHOWN = 3


@dataclass(frozen=True)
class AnswerView:
    """Everything the app shows about the current answer."""

    answer_id: int
    position: str  # e.g. "17 of 152"
    text: str
    non_substantive: str | None
    respondent: str
    attributes: Mapping[str, str]
    code_ids: tuple[str, ...]  # the coder's codes
    my_codes: Sequence[str]  # the same as "101 High school fees"
    coded: bool  # coded by the coder (with no code: "no code applies")
    wave: str  # the wave's name
    other_codes: Mapping[str, Sequence[str]]  # coder name -> codes; empty in blind mode
    blind: bool
    suggestions: Sequence[str]  # "101 High school fees 82%", best first
    theme: str | None
    memo: str
    flagged: bool
    needs_recoding: bool = False  # a re-import changed the text after the coder coded it
    similar: int = 0  # other answers repeating this one (near duplicates)
    suggestions_heading: str = "Suggested"  # "Likely category" on a back-coding question


# -- the coding session --------------------------------------------------------------------------


@dataclass
class CodingSession:
    """One coder coding one question: the answers listed (filter and order), the current one,
    what the coder has coded and flagged, the codeframe's keys and the current suggestion.

    Reads go through the workspace's connection; changes are `Change`s, saved by the caller
    (at once, or later when the project is busy) and then reported with `saved`.
    """

    workspace: Workspace
    question_id: str
    query: FilterQuery = field(default_factory=FilterQuery)
    answer_ids: list[int] = field(default_factory=list)  # listed now, in `order`
    order: str = "import"  # or "useful": most useful next (see services.answer_order)
    cursor: int = 0
    text_index: TextIndex | None = None  # set once built (off the UI thread in the app)
    suggested: list[Code] = field(default_factory=list)  # for the current answer, best first
    confidence: list[float] = field(default_factory=list)  # of each suggested code
    suggestions: QuestionSuggestions | None = None  # set once built (off the UI thread)
    _all_ids: list[int] = field(default_factory=list)
    _coded: set[int] = field(default_factory=set)
    _flagged: set[int] = field(default_factory=set)
    _uncoded: list[int] | None = None  # _all_ids minus _coded, kept up to date
    given: Given = field(default_factory=Given)  # answers given to the coder (samples, work)
    _wave_names: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.workspace.question_id = self.question_id
        self.load()
        if self.query.is_empty:
            self.query = self.base_query  # blind: open on what the coder was given
        self.filter(self.query)

    # -- reading ----------------------------------------------------------------------------------

    @property
    def project(self) -> Project:
        return self.workspace.project

    @property
    def coder(self) -> Coder:
        return self.workspace.coder

    @property
    def frame(self) -> Codeframe | None:
        return self.workspace.frame(self.question_id)

    @property
    def shortcuts(self) -> dict[str, Code]:
        """Key -> code for the frame's codable codes (1-9, 0, then A-Z)."""
        return code_shortcuts(self.frame)

    @property
    def total(self) -> int:
        """Answers of the question a coder codes (every non-blank answer)."""
        return len(self._all_ids)

    @property
    def coded_count(self) -> int:
        return len(self._coded)

    @property
    def base_query(self) -> FilterQuery:
        """The list with no filter of the coder's own: in blind mode, what the coder was given
        (if anything), else every answer."""
        if self.workspace.blind and (self.given.sample or self.given.work):
            return FilterQuery(assigned=True)
        return FilterQuery()

    def reassigned(self) -> None:
        """Re-read what the coder was given (someone changed the assignments)."""
        self.given = allocation(self.project, self.coder.id, self.question_id)

    def assigned_progress(self) -> tuple[int, int] | None:
        """(coded, given) of the answers given to the coder; None when nothing was given."""
        given = self.given.sample | self.given.work
        return (len(given & self._coded), len(given)) if given else None

    @property
    def current_id(self) -> int | None:
        ids = self.answer_ids
        return ids[self.cursor] if 0 <= self.cursor < len(ids) else None

    def load(self) -> None:
        """Read the answers and what the coder has coded and flagged."""
        project, me = self.project, self.coder
        self._coded = project.coded_answer_ids(self.question_id, me.id)
        self._flagged = project.flagged_answer_ids(self.question_id, me.id)
        self._all_ids = project.answer_ids(self.question_id, me.id)
        self._uncoded = None
        self.given = allocation(project, me.id, self.question_id)

    def wave_name(self, wave_id: int) -> str:
        if wave_id not in self._wave_names:
            self._wave_names = {w.id: w.name for w in self.project.waves()}
        return self._wave_names.get(wave_id, str(wave_id))

    def is_coded(self, answer_id: int) -> bool:
        return answer_id in self._coded

    def rows(self, answer_ids: Sequence[int]) -> dict[int, AnswerRow]:
        """What the answer list shows for these answers (text, status, the coder's codes)."""
        return self.project.answer_rows(answer_ids, self.coder.id)

    def applied(self, answer_id: int | None = None) -> set[str]:
        """The coder's codes on the answer (default the current one)."""
        answer_id = self.current_id if answer_id is None else answer_id
        return set() if answer_id is None else set(self.project.codes_of(answer_id, self.coder.id))

    def memo(self, answer_id: int | None = None) -> str:
        answer_id = self.current_id if answer_id is None else answer_id
        return "" if answer_id is None else str(
            self.project.status(answer_id, self.coder.id)["memo"])

    def search_codes(self, query: str) -> list[Code]:
        """Codable codes matching `query` best first: number and label before notes."""
        return _search_codes(self.frame, query)

    def clear_match(self, query: str) -> Code | None:
        """The code `query` unambiguously names (what Enter in the search applies), or None."""
        return best_code(self.frame, query)

    def code_for_key(self, key: str) -> Code | None:
        return self.shortcuts.get(key)

    def code_for_slot(self, slot: int) -> Code | None:
        return self.shortcuts.get(SHORTCUT_KEYS[slot]) if 0 <= slot < len(SHORTCUT_KEYS) else None

    # -- filtering and moving ---------------------------------------------------------------------

    def filter(self, query: FilterQuery) -> list[int]:
        """List the answers passing `query`; the cursor stays on the current answer, else moves
        to the next one listed.

        Raises:
            FilterError: If the query names a code or theme that does not exist.
        """
        answer_filter = query.to_answer_filter(
            self.frame, self.workspace.theme_run_id(self.question_id), self.given)
        keep = self.current_id
        if query.needs_store or (query.text and self.text_index is None):
            ids = self.project.answer_ids(self.question_id, self.coder.id, answer_filter)
        else:
            ids = self._in_memory(query)
            if answer_filter.answer_ids is not None:
                ids = [a for a in ids if a in answer_filter.answer_ids]
        self.query = query
        self.answer_ids = ids = ordered(self.order, ids, self._coded, self.suggestions)
        index = position(self.order, ids, keep)
        if index is None and self.order == "import" and keep is not None and ids:
            index = min(bisect.bisect_left(ids, keep), len(ids) - 1)
        self.cursor = index or 0
        return ids

    def set_order(self, order: str) -> list[int]:
        """List in `order` (`answer_order.ORDERS`); "useful" starts at the most useful."""
        self.order = check_order(order)
        ids = self.filter(self.query)
        self.cursor = 0 if order == "useful" else self.cursor
        return ids

    def filter_text(self, text: str) -> list[int]:
        """Parse the filter language and list the matching answers (see `filter`)."""
        return self.filter(parse_filter(text))

    def toggle_filter(self, what: str) -> list[int]:
        """Switch "uncoded" or "flagged" only."""
        return self.filter(self.query.toggled(what))

    def _in_memory(self, query: FilterQuery) -> list[int]:
        """Status and text filters from the sets and the text index kept in memory."""
        ids = self._all_ids
        if query.uncoded:
            if self._uncoded is None:
                self._uncoded = [a for a in ids if a not in self._coded]
            ids = list(self._uncoded)  # a copy: the cache changes as answers are coded
        if query.flagged:
            ids = [a for a in ids if a in self._flagged]
        if query.text and self.text_index is not None:
            ids = self.text_index.matching(query.text, ids)
        return ids

    def move_to(self, index: int) -> int | None:
        """Make the answer at `index` (clamped to the list) current; returns its id."""
        self.cursor = max(0, min(index, len(self.answer_ids) - 1))
        return self.current_id

    def move_by(self, delta: int) -> int | None:
        return self.move_to(self.cursor + delta)

    def next_uncoded(self) -> int | None:
        """Move to the next answer listed that the coder has not coded (wrapping); None if every
        answer listed is coded."""
        ids = self.answer_ids
        for offset in range(1, len(ids) + 1):
            index = (self.cursor + offset) % len(ids)
            if ids[index] not in self._coded:
                return self.move_to(index)
        return None

    # -- what the current answer shows ------------------------------------------------------------

    def detail(self) -> AnswerView | None:
        """The current answer in full, with the coder's codes, others' codes (not in blind
        mode), its theme and suggested codes; remembers the suggestion for `accept`."""
        answer_id = self.current_id
        if answer_id is None:
            self.suggested = []
            return None
        project, me, frame = self.project, self.coder, self.frame
        answer = project.answer(answer_id)
        respondent = project.respondent(answer.respondent_id, answer.wave_id)
        status = project.status(answer_id, me.id)
        mine = project.codes_of(answer_id, me.id)

        def label(code_id: str) -> str:
            code = frame.get(code_id) if frame else None
            return f"{code.output_code} {code.label}" if code else code_id

        others: dict[str, list[str]] = {}
        if not self.workspace.blind:
            names = self.workspace.coder_names()
            for coding in project.codings_of_answer(answer_id):
                if coding.coder_id != me.id:
                    others.setdefault(names.get(coding.coder_id, "?"), []).append(
                        label(coding.code_id))
        theme = self._theme(answer_id)
        self._suggest(answer_id, set(mine))
        return AnswerView(
            answer_id=answer_id, position=f"{self.cursor + 1} of {len(self.answer_ids)}",
            text=answer.text, non_substantive=answer.non_substantive,
            respondent=respondent.external_id, attributes=respondent.attributes,
            code_ids=tuple(mine), my_codes=[label(c) for c in mine], other_codes=others,
            coded=status["coded_at"] is not None, wave=self.wave_name(answer.wave_id),
            blind=self.workspace.blind,
            suggestions=[f"{c.output_code} {c.label} {self._score_text(p)}"
                         for c, p in zip(self.suggested, self.confidence, strict=True)],
            theme=theme,
            memo=status["memo"], flagged=status["flagged"], similar=len(self.similar(answer_id)),
            needs_recoding=project.changed_since_coded(answer_id, me.id),
            suggestions_heading=self.suggestions.heading() if self.suggestions is not None
            else "Suggested")

    def _theme(self, answer_id: int) -> str | None:
        """The answer's theme in the question's latest theme run."""
        run_id = self.workspace.theme_run_id(self.question_id)
        theme_id = None if run_id is None else self.project.answer_theme(answer_id, run_id)
        if run_id is None or theme_id is None:
            return None
        if theme_id < 0:
            return "other (no theme)"
        themes = {t.theme_id: t for t in self.project.themes(run_id)}
        return themes[theme_id].label if theme_id in themes else f"theme {theme_id}"

    def _score_text(self, score: float) -> str:
        model = self.suggestions
        return model.score_text(score) if model is not None else f"{score:.0%}"

    def _suggest(self, answer_id: int, applied: set[str]) -> None:
        """The learned suggestions for the answer (none until the model is built)."""
        frame, model = self.frame, self.suggestions
        self.suggested, self.confidence = [], []
        if frame is None or model is None:
            return
        for suggestion in model.for_answer(answer_id, SUGGESTIONS_SHOWN, exclude=applied):
            code = frame.get(suggestion.code)
            if code is not None and code.is_active and code.codable:
                self.suggested.append(code)
                self.confidence.append(suggestion.confidence)

    # -- learning as codings arrive ---------------------------------------------------------------

    def use_suggestions(self, suggestions: QuestionSuggestions) -> None:
        """Start suggesting with a freshly fitted model, adding what was coded meanwhile."""
        self.suggestions = suggestions
        self._learn([a for a in self._coded if a not in suggestions.trained])
        self.answer_ids = reordered_after(self.order, self.answer_ids, self.cursor, self._coded,
                                          suggestions)

    def training_codings(self) -> dict[int, frozenset[str]]:
        """What the next refit learns from (the current model's codings plus later ones)."""
        return dict(self.suggestions.trained) if self.suggestions is not None else {}

    def _learn(self, answer_ids: Iterable[int]) -> None:
        """Teach the neighbours the coder's codes on these answers at once (the classifier
        follows at the next refit)."""
        model = self.suggestions
        if model is None:
            return
        project, me = self.project, self.coder
        changed = False
        for answer_id in answer_ids:
            if answer_id not in self._coded and answer_id not in model.trained:
                continue
            codes = frozenset(project.codes_of(answer_id, me.id)) \
                if answer_id in self._coded else frozenset()
            changed |= model.learn(answer_id, codes)
        if changed:
            model.remember()

    # -- changes ----------------------------------------------------------------------------------

    def toggle(self, code: Code, answer_id: int | None = None) -> Change | None:
        """Apply the code to the answer (default the current one), or remove it if applied."""
        answer_id = self.current_id if answer_id is None else answer_id
        if answer_id is None:
            return None
        me, code_id, name = self.coder, code.id, f"{code.output_code} {code.label}"
        return Change(f"toggle {name} on answer {answer_id}", answer_id,
                      lambda project: toggle_code(project, answer_id, me, code_id,
                                                  code_name=name))

    def accept_suggestion(self, rank: int = 0) -> Change | None:
        """Apply the suggested code of that rank (0: the first) to the current answer (None:
        no such suggestion)."""
        return self.toggle(self.suggested[rank]) if 0 <= rank < len(self.suggested) else None

    def similar(self, answer_id: int | None = None) -> list[int]:
        """The other answers repeating the answer (default the current one): the same text or
        near duplicates; none until the suggestions are built."""
        answer_id = self.current_id if answer_id is None else answer_id
        if answer_id is None or self.suggestions is None:
            return []
        return [a for a in self.suggestions.groups.get(answer_id, []) if a != answer_id]

    def code_similar(self) -> Change | None:
        """Give every similar answer the coder's codes on the current answer, as one undoable
        action (None: no similar answer, or the current answer is not coded)."""
        answer_id, me = self.current_id, self.coder
        others = self.similar()
        if answer_id is None or not others or answer_id not in self._coded:
            return None

        def apply(project: Project) -> int:
            codes = project.codes_of(answer_id, me.id)
            changed, _, _ = project.replace_codings(
                [(other, me.id, codes) for other in others], me.name,
                f"coded {len(others)} answers like answer {answer_id}", action="coding.group")
            return changed

        return Change(f"code {len(others)} similar answers like answer {answer_id}", answer_id,
                      apply)

    def no_code(self) -> Change | None:
        answer_id, me = self.current_id, self.coder
        if answer_id is None:
            return None
        return Change(f"no code applies to answer {answer_id}", answer_id,
                      lambda project: record_no_code(project, answer_id, me))

    def flip_flag(self) -> Change | None:
        answer_id, me = self.current_id, self.coder
        if answer_id is None:
            return None
        return Change(f"flag or unflag answer {answer_id}", answer_id,
                      lambda project: set_flag(project, answer_id, me))

    def write_memo(self, text: str, answer_id: int | None = None) -> Change | None:
        answer_id = self.current_id if answer_id is None else answer_id
        me = self.coder
        if answer_id is None:
            return None
        return Change(f"memo on answer {answer_id}", answer_id,
                      lambda project: set_memo(project, answer_id, me, text))

    def saved(self, answer_ids: Iterable[int]) -> None:
        """Note that changes to these answers were saved: re-read their coded and flagged state."""
        project, me = self.project, self.coder
        answer_ids = list(answer_ids)
        for answer_id in answer_ids:
            status = project.status(answer_id, me.id)
            coded = status["coded_at"] is not None
            if self._uncoded is not None and coded != (answer_id in self._coded):
                self._keep_uncoded(answer_id, coded)
            for kept, present in ((self._coded, coded), (self._flagged, status["flagged"])):
                if present:
                    kept.add(answer_id)
                else:
                    kept.discard(answer_id)
        self._learn(answer_ids)

    def _keep_uncoded(self, answer_id: int, coded: bool) -> None:
        """Update the uncoded list for one answer whose coded state flipped; O(log n) search."""
        assert self._uncoded is not None
        index = bisect.bisect_left(self._uncoded, answer_id)
        present = index < len(self._uncoded) and self._uncoded[index] == answer_id
        if coded and present:
            del self._uncoded[index]
        elif not coded and not present and self._is_listed(answer_id):
            self._uncoded.insert(index, answer_id)

    def _is_listed(self, answer_id: int) -> bool:
        """True when the answer is one of the question's answers (`_all_ids` is sorted)."""
        index = bisect.bisect_left(self._all_ids, answer_id)
        return index < len(self._all_ids) and self._all_ids[index] == answer_id

    def changed(self, event: Event | None) -> set[int] | None:
        """Catch up after undo, redo or an edit elsewhere (`event` None: anything changed).

        Returns the answers whose coding changed, or None when everything was re-read (the
        codeframe or themes changed). When one listed answer changed, it becomes current.
        """
        touched: set[int] = set()
        tables: set[str] = set()
        for change in (event.changes if event else ()):
            tables.add(change["table"])
            answer_id = change["key"].get("answer_id")
            if answer_id is not None:
                touched.add(int(answer_id))
        if event is None or tables & {"codes", "codeframes", "questions", "theme_assignments",
                                      "themes"}:
            self.workspace.forget_frames()
            project, me = self.project, self.coder
            self._coded = project.coded_answer_ids(self.question_id, me.id)
            self._flagged = project.flagged_answer_ids(self.question_id, me.id)
            self._uncoded = None
            return None
        if len(touched) == 1:
            index = position(self.order, self.answer_ids, next(iter(touched)))
            if index is not None:
                self.cursor = index
        self.saved(touched)
        return touched
