"""Representative quotes: central, different from each other, complete, of typical length."""

from __future__ import annotations

import numpy as np

from coder.core.embedding import HashingEmbedder
from coder.core.quotes import quote_quality, select_representative


def test_quotes_are_distinct_answers_and_central_first() -> None:
    texts = [
        "Waiting times for a placement are far too long",
        "Waiting times for a placement are far too long",
        "waiting times for a placement are far too long!",
        "The waiting times for placements are long",
        "Long waits before a school place is offered",
        "xyz",
    ]
    x = HashingEmbedder().embed(texts)
    picked = select_representative(x, texts, k=3)
    assert len(picked) == 3
    keys = {texts[i].lower().strip("!") for i in picked}
    assert len(keys) == 3
    assert 5 not in picked


def test_k_larger_than_group_returns_each_distinct_answer_once() -> None:
    texts = ["same answer", "same answer", "another one"]
    x = HashingEmbedder().embed(texts)
    picked = select_representative(x, texts, k=5)
    assert sorted(texts[i] for i in picked) == ["another one", "same answer"]
    assert select_representative(np.zeros((0, 4)), [], k=3) == []


def test_quality_prefers_complete_answers_of_typical_length() -> None:
    texts = [
        "Staff were kind and explained everything clearly",
        "Staff were kind and explained",
        "Staff were kind and, ...",
        "Ok",
    ]
    q = quote_quality(texts)
    assert q[0] > q[2] and q[1] > q[2] and q[0] > q[3]
