"""Learned suggestions on the demo survey's q2 (coded by its ground truth): they improve as
codings are added (the real embedding model), and the model codes as its own measured coder,
never in a human layer, undone as one action."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from coder.core.embedding import HashingEmbedder, SentenceTransformerEmbedder
from coder.core.errors import ProjectError
from coder.core.types import CoderKind
from coder.services.autocode import autocode
from coder.services.codeframes import undo
from coder.services.project import Project
from coder.services.qa import question_agreement
from coder.services.suggestions import build_suggestions
from tests.services.conftest import Q2, REPO


def truth(project: Project) -> dict[int, frozenset[str]]:
    """answer id -> its true q2 codes, from the demo's ground truth (theme keys -> labels)."""
    labels = {t["key"]: t["label"]
              for t in json.loads((REPO / "data" / "demo_themes.json").read_text())[Q2]}
    frame = project.codeframe_for(Q2)
    assert frame is not None
    by_label = {c.label: c.id for c in frame.codes}
    respondents = {r.external_id: r.id for r in project.respondents()}
    answers = {a.respondent_id: a.id for a in project.answers(Q2)}
    out: dict[int, frozenset[str]] = {}
    with (REPO / "data" / "demo_ground_truth.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["question_id"] == Q2 and row["themes"]:
                codes = frozenset(by_label[labels[k]] for k in row["themes"].split(";"))
                out[answers[respondents[row["la_code"]]]] = codes
    return out


@pytest.mark.slow
def test_suggestions_improve_as_codings_are_added_with_the_real_model(project: Project) -> None:
    known = truth(project)
    assert len(known) > 100
    built = build_suggestions(project, Q2, project.codeframe_for(Q2),
                              embedder=SentenceTransformerEmbedder())
    ids = list(known)
    rng = np.random.default_rng(0)
    rng.shuffle(ids)
    test, pool = ids[:40], ids[40:]

    def top1(n_coded: int) -> float:
        model = built.refitted({a: known[a] for a in pool[:n_coded]})
        ranked = model.for_answers(test, top=1)
        return float(np.mean([r[0].code in known[a] for a, r in zip(test, ranked, strict=True)]))

    curve = [top1(n) for n in (0, 10, 80)]
    # With no coding the codes' own words already beat chance (1 in 11 codes) ...
    assert curve[0] > 0.3
    # ... and every batch of codings helps.
    assert curve[0] < curve[1] < curve[2], curve
    assert curve[2] >= 0.6, curve


def _code_truth(project: Project, known: dict[int, frozenset[str]], n: int) -> list[int]:
    alice = project.coder("alice")
    ids = sorted(known)[:n]
    project.replace_codings([(a, alice.id, sorted(known[a])) for a in ids], "alice",
                            "alice's codes")
    return ids


def test_autocode_writes_a_model_layer_only_and_undoes_as_one_action(project: Project) -> None:
    known = truth(project)
    coded_by_alice = _code_truth(project, known, 90)
    alice = project.coder("alice")
    before = {(c.answer_id, c.code_id) for c in project.codings(coder_id=alice.id)}
    result = autocode(project, Q2, actor="ann", min_precision=0.8, embedder=HashingEmbedder())
    substantive = [a for a in project.answers(Q2) if not a.is_blank and a.is_substantive]
    assert result.human_coded == 90 and result.candidates == len(substantive) - 90
    assert 0 < result.coded <= result.candidates
    assert result.precision >= 0.8
    model = next(c for c in project.coders() if c.name == "suggester")
    assert model.kind == CoderKind.MODEL
    written = project.codings(coder_id=model.id)
    assert len({c.answer_id for c in written}) == result.coded
    assert not {c.answer_id for c in written} & set(coded_by_alice)
    assert {(c.answer_id, c.code_id) for c in project.codings(coder_id=alice.id)} == before
    # On the answers it coded, the model agrees with the ground truth about as estimated.
    right = [c.code_id in known[c.answer_id] for c in written if c.answer_id in known]
    assert np.mean(right) >= 0.6
    # A person double-codes what the model coded: agreement reports the model like a coder.
    bob = project.coder("bob")
    model_coded = sorted({c.answer_id for c in written if c.answer_id in known})
    project.replace_codings([(a, bob.id, sorted(known[a])) for a in model_coded], "bob", "bob")
    report = question_agreement(project, Q2, coders=["bob", "suggester"]).report
    assert report.coders == ("bob", "suggester") and report.n_units == len(model_coded)
    assert report.alpha_masi.value is not None and report.alpha_masi.value > 0.3
    undo(project, "bob")
    undo(project, "ann")
    assert project.codings(coder_id=model.id) == []
    assert {(c.answer_id, c.code_id) for c in project.codings(coder_id=alice.id)} == before


def test_autocode_never_writes_into_a_human_coder_and_needs_human_codings(
        project: Project) -> None:
    known = truth(project)
    with pytest.raises(ProjectError, match="needs 50"):
        autocode(project, Q2, actor="ann", embedder=HashingEmbedder())
    _code_truth(project, known, 60)
    with pytest.raises(ProjectError, match="not a model"):
        autocode(project, Q2, actor="ann", model_name="alice", embedder=HashingEmbedder())
