"""Report quotes, shared by the CLI and the app: a code's answers ranked by how representative
they are, starring and unstarring, and the preview of what the report prints under the code.

The preview is `coder.services.reports.report_quotes`: the report's own picking (layer,
embeddings, one quote per answer per question), never a second copy of it. Must not depend on
click, textual or SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coder.core.codeframe.model import Code
from coder.core.errors import ProjectError
from coder.core.reporting.quotes import Quote
from coder.core.types import Coder
from coder.services.project import Project, open_project
from coder.services.reports import report_quotes

#: Most answers listed per code (starred answers always are).
RANK_LIMIT = 30


@dataclass(frozen=True)
class RankedQuotes:
    """A code's answers, starred first, then most representative first."""

    code_id: str
    answers: tuple[tuple[int, str], ...]  # (answer id, text)
    starred: frozenset[int]


def rank_quotes(project: Project, code_id: str, coder_id: int | None = None,
                limit: int = RANK_LIMIT) -> RankedQuotes:
    """The substantive answers coded with `code_id` (by the coder, or anyone), ranked.

    Representative means central and different from the others (TF-IDF vectors, maximal
    marginal relevance); starred answers come first, keeping their rank.
    """
    import numpy as np

    from coder.core.quotes import select_representative
    from coder.core.reporting.quotes import tfidf_vectors

    ids = project.answers_with_code(code_id, coder_id)
    answers = [project.answer(a) for a in ids]
    answers = [a for a in answers if a.is_substantive and a.text.strip()]
    starred = frozenset(project.starred_quotes(code_id))
    texts = [a.text for a in answers]
    order: list[int] = []
    if texts:
        vectors = tfidf_vectors(texts)
        if np.any(vectors):
            order = select_representative(vectors, texts, k=min(limit, len(texts)))
    placed = set(order)
    ranked = [answers[i] for i in order + [i for i in range(len(answers)) if i not in placed]]
    ranked.sort(key=lambda a: a.id not in starred)  # stable: starred first, rank kept
    ranked = ranked[:max(limit, len(starred))]
    return RankedQuotes(code_id, tuple((a.id, a.text) for a in ranked), starred)


def rank_quotes_at(path: str | Path, code_id: str, coder_id: int | None = None,
                   limit: int = RANK_LIMIT) -> RankedQuotes:
    """`rank_quotes` on a connection of its own (for a worker thread)."""
    with open_project(path) as project:
        return rank_quotes(project, code_id, coder_id, limit)


@dataclass(frozen=True)
class ListedQuote:
    """One answer of a code's quote list, with whose it is (for analysts, not for reports)."""

    answer_id: int
    respondent: str
    text: str
    starred: bool


def list_quotes(project: Project, code_id: str, coder_id: int | None = None,
                limit: int = RANK_LIMIT) -> list[ListedQuote]:
    """`rank_quotes` with each answer's respondent ID (the quotes screen's right-hand list)."""
    ranked = rank_quotes(project, code_id, coder_id, limit)
    external = {r.id: r.external_id for r in project.respondents()}
    return [ListedQuote(answer_id, external.get(project.answer(answer_id).respondent_id, "?"),
                        text, answer_id in ranked.starred)
            for answer_id, text in ranked.answers]


def check_quotable(project: Project, code: Code, answer_id: int) -> None:
    """Refuse (ProjectError) an answer nobody has coded with the code: it cannot be its quote."""
    if answer_id not in project.answers_with_code(code.id):
        raise ProjectError(f"answer {answer_id} is not coded {code.output_code} \"{code.label}\""
                           " by anyone: only its answers can be its quotes")


def star_quote(project: Project, code: Code, answer_id: int, coder: Coder) -> bool:
    """Star the answer as a report quote for the code (undoable); False if already starred.

    Raises:
        ProjectError: The answer is not coded with the code.
    """
    check_quotable(project, code, answer_id)
    return project.star_quote(code.id, answer_id, coder)


def unstar_quote(project: Project, code: Code, answer_id: int, coder: Coder) -> bool:
    """Unstar the answer for the code (undoable); False if it was not starred."""
    return project.unstar_quote(code.id, answer_id, coder)


def toggle_star(project: Project, code: Code, answer_id: int, coder: Coder) -> bool:
    """Star the answer for the code, or unstar it if starred; True when now starred."""
    if answer_id in project.starred_quotes(code.id):
        unstar_quote(project, code, answer_id, coder)
        return False
    return star_quote(project, code, answer_id, coder)


def preview_quotes(project: Project, question_id: str, code_id: str, *,
                   only_coder: str | None = None) -> list[Quote]:
    """The quotes the report prints under the code, in its order, redacted as printed.

    Args:
        project: The project.
        question_id: The code's question.
        code_id: The code.
        only_coder: Preview the report of this coder's codes (`--layer coder:NAME`), e.g. in
            blind mode; default the report's default layer (final codes).
    """
    layer = f"coder:{only_coder}" if only_coder else None
    return list(report_quotes(project, question_id, layer=layer).get(code_id, ()))
