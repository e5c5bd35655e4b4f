"""Learned code suggestions for a question: the training set read from the project (the human
codings), the answers' embeddings (from the project's cache), and a fitted `CodeSuggester` kept
up to date as codings arrive.

Shared by the coding app, `coder autocode` and the other front ends. Must not depend on click,
textual or SQL.
"""

from __future__ import annotations

import contextlib
import copy as _copy
import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coder.core.codeframe.model import Code, Codeframe
from coder.core.embedding import (
    Embedder,
    EmbeddingCache,
    SentenceTransformerEmbedder,
    embed_with_cache,
)
from coder.core.errors import ProjectError
from coder.core.normalise import match_key
from coder.core.progress import Progress
from coder.core.suggest import CodeSuggester, Suggestion
from coder.core.suggest.active import density, useful_order
from coder.core.suggest.backcode import closed_question_of
from coder.core.suggest.duplicates import NEAR_DUPLICATE_COSINE
from coder.core.suggest.duplicates import duplicate_groups as _duplicate_groups
from coder.core.types import CoderKind
from coder.services.project import Project, open_project

__all__ = ["QuestionSuggestions", "Suggestion", "build_suggestions", "duplicate_groups",
           "suggestions_at", "training_codings"]

_DEFAULT_EMBEDDER: Embedder | None = None
_EMBEDDER_LOCK = threading.Lock()


def default_embedder() -> Embedder:
    """The project's embedding model, loaded once per process."""
    global _DEFAULT_EMBEDDER
    with _EMBEDDER_LOCK:
        if _DEFAULT_EMBEDDER is None:
            _DEFAULT_EMBEDDER = SentenceTransformerEmbedder()
        return _DEFAULT_EMBEDDER


def training_codings(project: Project, question_id: str,
                     only_coder: int | None = None) -> dict[int, frozenset[str]]:
    """What the suggestions learn from: answer id -> its codes.

    Per answer the adjudicated codes if any, else the codes human coders applied (their union).
    Model layers never teach the model. `only_coder` (blind mode) keeps only that coder's codes,
    so no other coder's work leaks into the suggestions. Answers coded "no code applies" are
    left out (they have no code to learn).
    """
    kinds = {c.id: c.kind for c in project.coders()}
    human: dict[int, set[str]] = {}
    adjudicated: dict[int, set[str]] = {}
    for coding in project.codings(question_id=question_id, coder_id=only_coder):
        kind = kinds.get(coding.coder_id)
        if kind == CoderKind.ADJUDICATED and only_coder is None:
            adjudicated.setdefault(coding.answer_id, set()).add(coding.code_id)
        elif kind == CoderKind.HUMAN:
            human.setdefault(coding.answer_id, set()).add(coding.code_id)
    merged = {**human, **adjudicated}
    return {a: frozenset(c) for a, c in merged.items() if c}


def code_texts(frame: Codeframe | None) -> dict[str, list[str]]:
    """Each codable, active code's own words: label, definition, include note, examples."""
    if frame is None:
        return {}
    out: dict[str, list[str]] = {}
    for code in frame.codes:
        if code.codable and code.is_active:
            words = [code.label, code.definition, code.include_note, *code.examples]
            out[code.id] = [w for w in words if w and w.strip()]
    return out


@dataclass
class QuestionSuggestions:
    """A question's answers embedded and a suggester fitted on its codings so far.

    Attributes:
        question_id: The question.
        answer_ids: Its answers (substantive, non-blank), in import order.
        vectors: (len(answer_ids), d) embeddings.
        texts: The answers' texts.
        codable: Code ids that may be suggested (active, codable codes of the frame).
        trained: answer id -> codes the current model learned from.
    """

    question_id: str
    answer_ids: list[int]
    vectors: np.ndarray
    texts: list[str]
    codable: set[str]
    code_vectors: dict[str, np.ndarray]
    trained: dict[int, frozenset[str]] = field(default_factory=dict)
    groups: dict[int, list[int]] = field(default_factory=dict)  # answer id -> its duplicates
    model: CodeSuggester = field(default_factory=CodeSuggester)
    random_state: int = 0
    _row: dict[int, int] = field(default_factory=dict)
    _density: np.ndarray | None = None  # how typical each answer is (computed once)
    _confidence: np.ndarray | None = None  # each answer's first-code confidence, for the order

    def __post_init__(self) -> None:
        self._row = {a: i for i, a in enumerate(self.answer_ids)}

    def fit(self, codings: Mapping[int, Collection[str]]) -> QuestionSuggestions:
        """Refit on `codings` (answer id -> codes); answers not of this question are ignored.

        Fitting is cheap without the classifier (under 30 codings) and a few seconds at
        thousands; callers refitting after every coding do it off the UI thread.
        """
        known = {a: frozenset(c for c in codes if c in self.codable)
                 for a, codes in codings.items() if a in self._row}
        known = {a: c for a, c in known.items() if c}
        rows = [self._row[a] for a in known]
        model = CodeSuggester(random_state=self.random_state)
        model.fit(self.vectors[rows] if rows else self.vectors[:0], list(known.values()),
                  [self.texts[r] for r in rows], self.code_vectors)
        self.model, self.trained = model, known
        return self

    def learn(self, answer_id: int, codes: Collection[str]) -> bool:
        """Note an answer's codes (none: it no longer teaches); True when that changed.
        Call `remember` after a batch."""
        known = frozenset(c for c in codes if c in self.codable)
        if answer_id not in self._row or self.trained.get(answer_id, frozenset()) == known:
            return False
        if known:
            self.trained[answer_id] = known
        else:
            self.trained.pop(answer_id, None)
        return True

    def remember(self) -> None:
        """Make the model's neighbours the answers in `trained` (cheap: no refit)."""
        rows = [self._row[a] for a in self.trained]
        self.model.remember(self.vectors[rows] if rows else self.vectors[:0],
                            list(self.trained.values()), [self.texts[r] for r in rows])

    def refitted(self, codings: Mapping[int, Collection[str]]) -> QuestionSuggestions:
        """A copy fitted on `codings` (for a worker thread; this object is left as it is)."""
        copy = QuestionSuggestions(self.question_id, self.answer_ids, self.vectors, self.texts,
                                   self.codable, self.code_vectors, groups=self.groups,
                                   random_state=self.random_state)
        copy._density = self._density
        return copy.fit(codings)

    def with_model(self, model: CodeSuggester,
                   trained: Mapping[int, frozenset[str]]) -> QuestionSuggestions:
        """A copy using `model`, fitted elsewhere on `trained` (this object is left as it is)."""
        copy = _copy.copy(self)  # shares the embeddings and the row index (no rebuild)
        copy.model, copy.trained, copy._confidence = model, dict(trained), None
        return copy

    def order_scores(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        """What `prepare_order` computed (to carry it to a copy fitted elsewhere)."""
        return self._density, self._confidence

    def set_order_scores(self, density: np.ndarray | None,
                         confidence: np.ndarray | None) -> None:
        """Use scores `prepare_order` computed elsewhere for this model."""
        self._density, self._confidence = density, confidence

    def for_answer(self, answer_id: int, top: int = 3,
                   exclude: Collection[str] = ()) -> list[Suggestion]:
        """The answer's top codes with their confidence (the codes in `exclude` left out)."""
        row = self._row.get(answer_id)
        if row is None or len(self.model.classes_) == 0:
            return []
        return self.model.suggest(self.vectors[row:row + 1], [self.texts[row]], top=top,
                                  exclude=[exclude])[0]

    def score_text(self, score: float) -> str:
        """A suggestion's score as the coder sees it beside the code."""
        return f"{score:.0%}"

    def heading(self) -> str:
        """What the app calls these suggestions, before them."""
        return "Suggested"

    def useful_order(self, answer_ids: Sequence[int], covered: Collection[int] = ()) -> list[int]:
        """`answer_ids` with the most useful to code next first: the suggester unsure of them,
        typical of the question's answers and unlike any answer in `covered` or learned from
        (active learning; see `coder.core.suggest.active`). Unknown ids keep their place last.
        """
        rows = [self._row[a] for a in answer_ids if a in self._row]
        unknown = [a for a in answer_ids if a not in self._row]
        if not rows:
            return list(answer_ids)
        if not self.order_ready:
            self.prepare_order()
        assert self._density is not None and self._confidence is not None
        known = {self._row[a] for a in (*covered, *self.trained) if a in self._row}
        order = useful_order(self.vectors, rows, self._confidence, sorted(known), self._density)
        return [self.answer_ids[r] for r in order] + unknown

    @property
    def order_ready(self) -> bool:
        """Whether `useful_order` is cheap now (`prepare_order` was called on this model)."""
        return self._confidence is not None

    def prepare_order(self) -> None:
        """Score every answer for `useful_order` (seconds on thousands of answers: call it
        off the UI thread). Later codings make the scores a little stale until the next fit;
        the answers they coded count as covered all the same."""
        if self._density is None:
            self._density = density(self.vectors, random_state=self.random_state)
        confidence = np.zeros(len(self.answer_ids))
        # Only answers not learned from are ever ranked: the others need no score.
        rows = [r for a, r in self._row.items() if a not in self.trained]
        if rows and len(self.model.classes_):
            confidence[rows] = self.model.predict_proba(
                self.vectors[rows], [self.texts[r] for r in rows]).max(axis=1)
        self._confidence = confidence

    def for_answers(self, answer_ids: Sequence[int], top: int = 3) -> list[list[Suggestion]]:
        rows = [self._row[a] for a in answer_ids]
        if not rows or len(self.model.classes_) == 0:
            return [[] for _ in answer_ids]
        return self.model.suggest(self.vectors[rows], [self.texts[r] for r in rows], top=top)


def build_suggestions(project: Project, question_id: str, frame: Codeframe | None, *,
                      only_coder: int | None = None, embedder: Embedder | None = None,
                      cache: EmbeddingCache | None = None,
                      cancel: threading.Event | None = None,
                      random_state: int = 0) -> QuestionSuggestions:
    """Embed the question's answers (cached in the project) and fit on its human codings.

    Args:
        project: The open project (on the calling thread).
        question_id: The question.
        frame: Its codeframe (codes that may be suggested, and their words).
        only_coder: Learn only from this coder's codings (blind double-coding).
        embedder: The embedding model (default the project's model).
        cache: Where embeddings are looked up and kept (default the project).
        cancel: Set it to stop embedding (raises `Cancelled`).
        random_state: Seeds the calibration folds.
    """
    embedder = embedder or default_embedder()
    cache = cache if cache is not None else project
    answers = [a for a in project.answers(question_id) if not a.is_blank and a.is_substantive]
    texts = [a.text for a in answers]
    watch = Progress(cancel=cancel)
    vectors = embed_with_cache(texts, embedder, cache=cache, progress=watch) if texts else \
        np.zeros((0, embedder.dim), dtype=np.float32)
    backcoding = frame is not None and closed_question_of(frame.description) is not None
    if backcoding:  # linked for back-coding: the closest categories are the suggestions
        from coder.services.backcode_suggestions import BackcodeSuggestions, category_words

        assert frame is not None
        words = category_words(frame)
    else:
        words = code_texts(frame)
    flat = [w for ws in words.values() for w in ws]
    flat_vectors = embed_with_cache(flat, embedder, cache=cache, progress=watch) if flat else None
    code_vectors: dict[str, np.ndarray] = {}
    start = 0
    for code_id, ws in words.items():
        assert flat_vectors is not None
        code_vectors[code_id] = flat_vectors[start:start + len(ws)]
        start += len(ws)
    ids = [a.id for a in answers]
    groups = {ids[i]: [ids[j] for j in group]
              for group in _duplicate_groups([match_key(t) for t in texts], vectors)
              for i in group}
    result = QuestionSuggestions(question_id, ids, vectors, texts, set(words), code_vectors,
                                 groups=groups, random_state=random_state)
    if backcoding:
        assert frame is not None
        result = BackcodeSuggestions.for_frame(frame, result)
    return result.fit(training_codings(project, question_id, only_coder))


def suggestions_at(path: str | Path, question_id: str, frame: Codeframe | None,
                   only_coder: int | None = None, embedder: Embedder | None = None,
                   cancel: threading.Event | None = None) -> QuestionSuggestions:
    """`build_suggestions` on a connection of its own (the app builds them on a worker).

    Embeddings are written to the project's cache only when it is free at once: a coder's
    keys never wait behind the cache.
    """
    with open_project(path) as project:
        project.busy_wait = 0.0
        return build_suggestions(project, question_id, frame, only_coder=only_coder,
                                 embedder=embedder, cache=_BestEffortCache(project),
                                 cancel=cancel)


class _BestEffortCache:
    """The project's embedding cache, skipping writes while the project is busy."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def get_many(self, model_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        return self.project.get_many(model_id, keys)

    def put_many(self, model_id: str, items: Mapping[str, np.ndarray]) -> None:
        with contextlib.suppress(ProjectError):  # busy: embedded again next time
            self.project.put_many(model_id, items)


def label(code: Code) -> str:
    return f"{code.output_code} {code.label}"


def duplicate_groups(project: Project, question_id: str, *,
                     threshold: float = NEAR_DUPLICATE_COSINE,
                     embedder: Embedder | None = None) -> list[list[int]]:
    """The question's groups of (near) duplicate answers as answer ids, largest first.

    Substantive, non-blank answers only; embeddings from (and to) the project's cache.
    """
    answers = [a for a in project.answers(question_id) if not a.is_blank and a.is_substantive]
    if len(answers) < 2:
        return []
    embedder = embedder or default_embedder()
    vectors = embed_with_cache([a.text for a in answers], embedder, cache=project)
    keys = [match_key(a.text) for a in answers]
    return [[answers[i].id for i in group]
            for group in _duplicate_groups(keys, vectors, threshold)]
