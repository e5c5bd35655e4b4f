"""Back-coding suggestions for a whole question come from one matrix product, yet each answer
gets what it would get alone: its closest example among the categories' words and the other
answers people back-coded (never itself); the same as the coding app suggests first, on either
backend."""

from __future__ import annotations

import numpy as np

from coder.core.embedding import HashingEmbedder, embed_with_cache
from coder.core.suggest.backcode import GENUINELY_OTHER, match_categories
from coder.services.backcode import link, suggest
from coder.services.coding import apply_codes
from coder.services.suggestions import build_suggestions
from coder.store import open_project

Q8 = "q8_other_specify"


def _one_at_a_time(store: object, embedder: HashingEmbedder, min_similarity: float,
                   ) -> list[tuple[str | None, float]]:
    """The reference: each answer on its own, its examples gathered by hand."""
    frame = store.codeframe_for(Q8)  # type: ignore[attr-defined]
    label = {c.id: c.label for c in frame.codes}
    answers = [a for a in store.answers(Q8)  # type: ignore[attr-defined]
               if not a.is_blank and a.is_substantive]
    vectors = embed_with_cache([a.text for a in answers], embedder)
    people = {a.id: [label[c.code_id] for c in store.codings_of_answer(a.id)]  # type: ignore[attr-defined]
              for a in answers}
    out = []
    for i in range(len(answers)):
        examples: dict[str | None, list[np.ndarray]] = {}
        for code in frame.codes:
            if code.label != GENUINELY_OTHER:
                examples[code.label] = list(embed_with_cache([code.label], embedder))
        for j, other in enumerate(answers):
            for name in people[other.id] if j != i else []:
                examples.setdefault(None if name == GENUINELY_OTHER else name,
                                    []).append(vectors[j])
        found = match_categories(vectors[i:i + 1], {k: np.stack(v) for k, v in examples.items()},
                                 min_similarity)[0]
        out.append((found.category, found.similarity))
    return out


def test_batch_suggestions_match_each_answer_alone_and_the_app(project_location: str) -> None:
    embedder = HashingEmbedder()
    with open_project(project_location) as store:
        frame = link(store, Q8, actor="ann").link.frame
        code = {c.label: c.id for c in frame.codes}
        answers = [a for a in store.answers(Q8) if not a.is_blank and a.is_substantive]
        ann = store.coder("ann")
        for answer, label in zip(answers[:6], ["Regional partnership", GENUINELY_OTHER,
                                               "Peer authority", GENUINELY_OTHER,
                                               "Department for Education", GENUINELY_OTHER],
                                 strict=True):
            apply_codes(store, answer.id, ann, [code[label]])
        for bar in (0.3, 0.6):
            batch = suggest(store, Q8, embedder=embedder, min_similarity=bar)
            alone = _one_at_a_time(store, embedder, bar)
            assert [s.backcode.category for s in batch] == [c for c, _ in alone]
            assert np.allclose([s.backcode.similarity for s in batch], [s for _, s in alone],
                               atol=1e-5)
        assert {s.backcode.category for s in batch} != {None}  # not every answer "other"
        app = build_suggestions(store, Q8, frame, embedder=embedder)
        app.min_similarity = 0.6
        firsts = [app.for_answer(s.answer_id, 1)[0] for s in batch]
        assert [frame.code(f.code).label for f in firsts] == [
            s.backcode.category or GENUINELY_OTHER for s in batch]
