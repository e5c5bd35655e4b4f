"""The coding app's suggestions on a question linked for back-coding: each answer's closest
closed categories with their similarity (the categories' words and the answers people
back-coded as examples), in place of the learned suggester's codes.

Must not depend on click, textual or SQL.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from coder.core.codeframe.model import Codeframe
from coder.core.suggest import Suggestion
from coder.core.suggest.active import density
from coder.core.suggest.backcode import (
    GENUINELY_OTHER,
    MIN_SIMILARITY,
    category_similarities,
    ranked_categories,
)
from coder.services.suggestions import QuestionSuggestions

#: Answers compared with every example at once (bounds the similarity matrix's memory).
_BLOCK = 1024


def category_words(frame: Codeframe) -> dict[str, list[str]]:
    """Each category's code id -> its words (label and examples); "Genuinely other" has none
    (only answers people marked so teach it)."""
    return {code.id: [code.label, *code.examples] for code in frame.codes
            if code.codable and code.is_active and code.label != GENUINELY_OTHER}


@dataclass
class BackcodeSuggestions(QuestionSuggestions):
    """`QuestionSuggestions` for a back-coding codeframe: suggestions are the closest
    categories (confidence: the similarity), learned at once from every back-code (no
    classifier to refit).

    Attributes:
        other_code: The "Genuinely other" code's id.
        min_similarity: Below this, "Genuinely other" is suggested first.
    """

    other_code: str = ""
    min_similarity: float = MIN_SIMILARITY
    _examples: tuple[np.ndarray, list[str], np.ndarray] | None = None

    @classmethod
    def for_frame(cls, frame: Codeframe, base: QuestionSuggestions) -> BackcodeSuggestions:
        """Back-coding suggestions over `base`'s answers and category words."""
        other = next((c.id for c in frame.codes if c.label == GENUINELY_OTHER), "")
        codable = {c.id for c in frame.codes if c.codable and c.is_active}
        return cls(base.question_id, base.answer_ids, base.vectors, base.texts, codable,
                   base.code_vectors, groups=base.groups, random_state=base.random_state,
                   other_code=other)

    def fit(self, codings: Mapping[int, Collection[str]]) -> BackcodeSuggestions:
        known = {a: frozenset(c for c in codes if c in self.codable)
                 for a, codes in codings.items() if a in self._row}
        self.trained = {a: c for a, c in known.items() if c}
        self._examples = None
        return self

    def remember(self) -> None:
        """Nothing to do: every suggestion reads `trained` afresh."""

    def refitted(self, codings: Mapping[int, Collection[str]]) -> BackcodeSuggestions:
        copy = BackcodeSuggestions(self.question_id, self.answer_ids, self.vectors, self.texts,
                                   self.codable, self.code_vectors, groups=self.groups,
                                   random_state=self.random_state, other_code=self.other_code,
                                   min_similarity=self.min_similarity)
        copy._density = self._density
        return copy.fit(codings)

    def heading(self) -> str:
        """The closed categories the answer most likely belongs to, not codes to apply."""
        return "Likely category"

    def score_text(self, score: float) -> str:
        return f"(similarity {score:.2f})"

    def learn(self, answer_id: int, codes: Collection[str]) -> bool:
        changed = super().learn(answer_id, codes)
        if changed:
            self._examples = None
        return changed

    def _example_set(self) -> tuple[np.ndarray, list[str], np.ndarray]:
        """Every example once: (vectors, code id of each, answer row of each or -1 for a
        category's words); rebuilt only after a back-code changed."""
        if self._examples is None:
            words = [(c, v) for c, v in self.code_vectors.items() if c in self.codable]
            labels = [c for c, v in words for _ in range(len(v))]
            rows = [-1] * len(labels)
            for answer_id, taught in self.trained.items():
                for code in sorted(taught):
                    labels.append(code)
                    rows.append(self._row[answer_id])
            taught_rows = [r for r in rows if r >= 0]
            matrix = np.concatenate([*(v for _, v in words), self.vectors[taught_rows]]) \
                if labels else np.zeros((0, self.vectors.shape[1]), dtype=np.float32)
            self._examples = (matrix, labels, np.asarray(rows, dtype=int))
        return self._examples

    def ranked(self, rows: Sequence[int], top: int | None = None) -> list[list[Suggestion]]:
        """The answers' (rows of `vectors`) categories, closest first, as code suggestions.

        One matrix product per block of answers against every example at once."""
        matrix, labels, example_rows = self._example_set()
        rows = list(rows)
        if not labels:
            return [[] for _ in rows]
        categories: list[str | None] = [
            *sorted(c for c in self.codable if c != self.other_code), None]
        example_categories = [None if c == self.other_code else c for c in labels]
        out: list[list[Suggestion]] = []
        for start in range(0, len(rows), _BLOCK):
            block = rows[start:start + _BLOCK]
            position = np.full(len(self.answer_ids), -1)
            position[block] = np.arange(len(block))
            own = np.where(example_rows >= 0, position[example_rows], -1)
            sims = category_similarities(self.vectors[block], matrix, example_categories,
                                         categories, own.tolist())
            out += [[Suggestion(b.category or self.other_code, b.similarity) for b in found]
                    for found in ranked_categories(sims, categories, self.min_similarity, top)]
        return out

    def for_answer(self, answer_id: int, top: int = 3,
                   exclude: Collection[str] = ()) -> list[Suggestion]:
        row = self._row.get(answer_id)
        if row is None:
            return []
        return [s for s in self.ranked([row])[0] if s.code not in exclude][:top]

    def for_answers(self, answer_ids: Sequence[int], top: int = 3) -> list[list[Suggestion]]:
        return self.ranked([self._row[a] for a in answer_ids], top)

    def prepare_order(self) -> None:
        """"Most useful next": the answers least close to any category first (density and
        distance to what is back-coded as usual)."""
        if self._density is None:
            self._density = density(self.vectors, random_state=self.random_state)
        confidence = np.zeros(len(self.answer_ids))
        rows = [r for a, r in self._row.items() if a not in self.trained]
        for row, found in zip(rows, self.ranked(rows, top=1), strict=True):
            confidence[row] = found[0].confidence if found else 0.0
        self._confidence = confidence
