"""Linking an other-specify question that has codings for back-coding carries them to the
categories in one undoable action, on both databases, and only that question's: a codeframe
it shares with another question keeps the other question's codings."""

from __future__ import annotations

from coder.core.codeframe.model import Code, Codeframe
from coder.core.suggest.backcode import GENUINELY_OTHER
from coder.services.backcode import link
from coder.services.codeframes import undo
from coder.services.coding import apply_codes
from coder.services.project import Project

Q8 = "q8_other_specify"
Q3 = "q3_overcome"


def test_link_carries_the_questions_codings_and_leaves_a_shared_frames_others(
        project: Project) -> None:
    shared = Codeframe("shared", "shared frame", (
        Code("peer", "shared", "Peer authority", 1, position=1),
        Code("misc", "shared", "Something else", 2, position=2)))
    project.add_codeframe(shared, "setup", questions=[Q8, Q3])
    q8 = [a for a in project.answers(Q8) if a.is_substantive][:3]
    q3 = project.answers(Q3)[0]
    bob, cat = project.coder("bob"), project.coder("cat")
    apply_codes(project, q8[0].id, bob, ["peer"])
    apply_codes(project, q8[1].id, bob, ["peer", "misc"])  # two codes, two categories
    apply_codes(project, q8[2].id, cat, ["misc"])
    apply_codes(project, q3.id, bob, ["peer"])

    done = link(project, Q8, actor="ann", replace_frame=True,
                code_map={"Something else": GENUINELY_OTHER})
    assert done.carried == 4
    assert dict(done.carried_codes) == {"Peer authority": "Peer authority",
                                        "Something else": GENUINELY_OTHER}
    frame = done.link.frame
    label = {c.id: c.label for c in frame.codes}
    names = {c.id: c.name for c in project.coders()}
    assert sorted((c.answer_id, names[c.coder_id], label[c.code_id])
                  for c in project.codings(question_id=Q8)) == sorted([
        (q8[0].id, "bob", "Peer authority"), (q8[1].id, "bob", "Peer authority"),
        (q8[1].id, "bob", GENUINELY_OTHER), (q8[2].id, "cat", GENUINELY_OTHER)])
    assert [(c.answer_id, c.code_id) for c in project.codings(question_id=Q3)] == [
        (q3.id, "peer")]
    assert project.codeframe_for(Q3).id == "shared"  # type: ignore[union-attr]

    undo(project, "ann")
    assert project.codeframe_for(Q8).id == "shared"  # type: ignore[union-attr]
    assert sorted((c.answer_id, c.code_id) for c in project.codings(question_id=Q8)) == sorted(
        [(q8[0].id, "peer"), (q8[1].id, "peer"), (q8[1].id, "misc"), (q8[2].id, "misc")])


def test_linked_again_the_earlier_frame_takes_the_new_codings_too(project: Project) -> None:
    """Linked, replaced by another codeframe in which a person coded, and linked again: the
    earlier back-coding frame comes back with its back-codes and the new codings carried."""
    first = link(project, Q8, actor="ann").link.frame
    answers = [a for a in project.answers(Q8) if a.is_substantive][:2]
    bob = project.coder("bob")
    regional = next(c.id for c in first.codes if c.label == "Regional partnership")
    apply_codes(project, answers[0].id, bob, [regional])
    own = Codeframe("own", "own frame", (Code("reg", "own", "Regional partnership", 1,
                                              position=1),))
    project.add_codeframe(own, "setup", questions=[Q8])
    apply_codes(project, answers[1].id, bob, ["reg"])

    again = link(project, Q8, actor="ann", replace_frame=True)
    assert again.link.frame.id == first.id and again.carried == 1
    assert sorted((c.answer_id, c.code_id) for c in project.codings(question_id=Q8)) == [
        (answers[0].id, regional), (answers[1].id, regional)]
