"""What a key did, fitted to the code list's border: text is shortened, numbers never are."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from coder.tui.widgets.edge_note import fit_note

UNDONE = "undone: added 101 High school fees on answer 33"


def test_a_note_that_fits_is_left_alone() -> None:
    assert fit_note(UNDONE, 80) == UNDONE


def test_the_label_is_shortened_by_words_then_dropped_before_the_numbers() -> None:
    assert fit_note(UNDONE, 36) == "undone: added 101 High… on answer 33"
    assert fit_note(UNDONE, 30) == "undone: added 101 on answer 33"
    assert fit_note(UNDONE, 24) == "undone: 101 on answer 33"
    assert fit_note("added 202 Schools refusing admission", 27) == "added 202 Schools refusing…"


def test_numbers_stay_whole_even_when_the_note_cannot_fit() -> None:
    assert fit_note("coded 1234567 similar answers alike", 10) == "coded 1234567 answers"


words = st.text(alphabet="abcdefghij", min_size=1, max_size=12)
numbers = st.integers(min_value=0, max_value=10**6).map(str)


@given(st.lists(st.one_of(words, numbers), min_size=1, max_size=12),
       st.integers(min_value=1, max_value=60))
def test_fitted_notes_keep_every_number_and_fit_when_the_numbers_do(
        message_words: list[str], width: int) -> None:
    message = " ".join(message_words)
    fitted = fit_note(message, width)
    kept = [w for i, w in enumerate(message_words) if i == 0 or w.isdigit()]
    assert [w for w in fitted.split(" ") if w.isdigit()] == \
        [w for w in message_words if w.isdigit()]
    if cell_len(" ".join(kept)) <= width:
        assert cell_len(fitted) <= width
    assert fitted.split(" ")[0] == message_words[0]
