"""The "most useful next" answer order of a coding session, with the real embedding model: the
answers the suggester is unsure of and that nothing coded covers come before answers it is
already sure of; coded answers go last; import order comes back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from coder.core.embedding import SentenceTransformerEmbedder
from coder.core.errors import InputError
from coder.services.coding import CodingSession
from coder.services.project import Project, open_project, open_workspace
from coder.services.suggestions import build_suggestions
from tests.services.conftest import Q2
from tests.services.test_suggestion_model import truth

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(project_path: Path) -> Iterator[Project]:
    with open_project(project_path) as opened:
        yield opened


def test_useful_order_puts_an_uncertain_uncovered_answer_before_certain_ones(
        demo: Project) -> None:
    known = truth(demo)
    twins = [a.id for a in demo.answers(Q2) if a.text.casefold() == "schools saying no"]
    assert len(twins) == 3
    alice = demo.coder("alice")
    coded = sorted({a for a in sorted(known)[:50] if a not in twins} | {twins[0]})
    demo.replace_codings([(a, alice.id, sorted(known[a])) for a in coded], "alice", "codes")
    session = CodingSession(open_workspace(demo, "alice"), Q2)
    built = build_suggestions(demo, Q2, session.frame, embedder=SentenceTransformerEmbedder())
    session.use_suggestions(built)
    imported = list(session.answer_ids)
    assert imported == sorted(imported)

    listed = session.set_order("useful")
    assert session.cursor == 0 and sorted(listed) == imported
    uncoded = [a for a in listed if a not in set(coded)]
    assert listed[:len(uncoded)] == uncoded and listed[len(uncoded):] == coded  # coded last

    rows = {a: i for i, a in enumerate(built.answer_ids)}
    confidence = built.model.predict_proba(built.vectors, built.texts).max(axis=1)
    closest = (built.vectors @ built.vectors[[rows[a] for a in coded]].T).max(axis=1)

    def rank(answer_id: int) -> float:
        return uncoded.index(answer_id) / len(uncoded)

    first = rows[uncoded[0]]
    others = [rows[a] for a in uncoded if a in rows]  # non-substantive answers: not embedded
    assert all(a in rows for a in uncoded[:len(others)])  # ... and listed after those that are
    # The first answer is one the model is unsure of and that nothing coded resembles ...
    assert confidence[first] < np.median(confidence[others])
    assert closest[first] < np.median(closest[others])
    # ... while repeats of a coded answer (the model is sure of them) come late.
    assert min(confidence[rows[t]] for t in twins[1:]) > np.percentile(confidence[others], 75)
    assert all(rank(t) > 0.5 for t in twins[1:]), [rank(t) for t in twins[1:]]
    # The ten most useful are spread out, not near duplicates of each other.
    top = built.vectors[[rows[a] for a in uncoded[:10]]]
    assert (top @ top.T - np.eye(10)).max() < 0.95

    # After a refit the answers up to the current one stay; the rest is ranked again.
    session.move_to(3)
    head = session.answer_ids[:4]
    session.use_suggestions(built.refitted({**built.trained, uncoded[0]: known[uncoded[0]]}))
    assert session.answer_ids[:4] == head and sorted(session.answer_ids) == imported

    current = session.current_id
    assert session.set_order("import") == imported and session.current_id == current
    with pytest.raises(InputError, match="no answer order"):
        session.set_order("random")
