"""Codeframe edits carry a version check: an edit planned on a frame that someone else changed
since it was loaded is refused with a clear message, and changes nothing."""

from __future__ import annotations

import pytest

from coder.core.codeframe.model import Codeframe
from coder.core.codeframe.ops import frame_changes
from coder.core.errors import EditConflict
from coder.services import codeframes
from coder.services.project import open_project, open_workspace
from tests.services.conftest import Q2


def test_two_sessions_editing_the_same_code_the_second_is_told(project_location: str) -> None:
    with open_project(project_location) as one, open_project(project_location) as two:
        alice = open_workspace(one, "alice")
        bob = open_workspace(two, "bob")
        alices_frame = alice.frame(Q2)  # alice's editor loads the frame
        assert alices_frame is not None
        fees = alices_frame.by_output_code(101)
        assert fees is not None
        codeframes.rename_code(two, 101, "School fees", coder="bob", frame=bob.frame(Q2))
        events_before = len(one.events())
        with pytest.raises(EditConflict) as refused:
            codeframes.edit_code(one, 101, coder="alice", frame=alices_frame,
                                 definition="Fees charged by schools")
        message = str(refused.value)
        assert f'codeframe "{alices_frame.name}" was changed by someone else' in message
        assert f'code 101 "{fees.label}" renamed to "School fees"' in message
        assert "nothing was changed" in message
        stored = one.codeframe(alices_frame.id).code(fees.id)
        assert (stored.label, stored.definition) == ("School fees", fees.definition)
        assert len(one.events()) == events_before  # no event, nothing for alice to undo
        alice.forget_frames()  # she looks again: the edit goes through on the current frame
        change = codeframes.edit_code(one, 101, coder="alice", frame=alice.frame(Q2),
                                      definition="Fees charged by schools")
        assert (change.code.label, change.code.definition) == ("School fees",
                                                                "Fees charged by schools")


def test_an_unrelated_edit_elsewhere_also_asks_for_a_second_look(project_location: str) -> None:
    with open_project(project_location) as one, open_project(project_location) as two:
        loaded = one.codeframe_for(Q2)
        assert loaded is not None
        codeframes.add_code(two, "Transport", coder="bob", frame=two.codeframe_for(Q2))
        with pytest.raises(EditConflict, match=r'"Transport" added'):
            codeframes.retire_code(one, 101, coder="alice", frame=loaded)
        # by name the frame is read as stored now: a command never conflicts with itself
        codeframes.retire_code(one, 101, coder="alice", frame=loaded.name)


def test_frame_changes_names_each_difference() -> None:
    from coder.core.codeframe.model import Code

    a = Code(id="a", codeframe_id="f", label="Fees", output_code=101)
    b = Code(id="b", codeframe_id="f", label="Staff", output_code=102)
    loaded = Codeframe("f", "Barriers", (a, b))
    stored = Codeframe("f", "Barriers", (
        Code(id="a", codeframe_id="f", label="Fees", output_code=101, definition="x"),
        Code(id="c", codeframe_id="f", label="Transport", output_code=103)))
    assert frame_changes(loaded, stored) == ['code 101 "Fees" changed (definition)',
                                             'code 103 "Transport" added',
                                             'code 102 "Staff" removed']
    assert frame_changes(loaded, loaded) == []
