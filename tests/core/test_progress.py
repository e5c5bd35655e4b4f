"""The one progress/cancel helper: counts never go back, parts scale, cancelling raises."""

from __future__ import annotations

import threading

import pytest

from coder.core.errors import Cancelled
from coder.core.progress import NO_PROGRESS, Progress, check_cancelled


def test_step_reports_counts_and_messages() -> None:
    seen: list[tuple[int, int, str]] = []
    progress = Progress(lambda d, t, m: seen.append((d, t, m)))
    progress.step(1, 4)
    progress.step(3, 4, "clustering")
    assert seen == [(1, 4, ""), (3, 4, "clustering")]


def test_counts_never_go_back_for_the_same_total() -> None:
    seen: list[tuple[int, int]] = []
    progress = Progress(lambda d, t, _m: seen.append((d, t)))
    for done in (2, 5, 3, 6):
        progress.step(done, 10)
    progress.step(1, 3)  # a new total starts its own count
    assert seen == [(2, 10), (5, 10), (5, 10), (6, 10), (1, 3)]


def test_parts_fill_their_share_of_the_whole() -> None:
    seen: list[int] = []
    whole = Progress(lambda d, _t, _m: seen.append(d))
    first, second = whole.part(0, 80, 100), whole.part(80, 100, 100)
    for done in range(0, 11):
        first.step(done, 10)
    for step in range(0, 6):
        second.step(step, 5)
    assert seen[0] == 0 and seen[-1] == 100
    assert seen == sorted(seen)
    assert 80 in seen


def test_a_set_event_stops_the_next_step_and_check() -> None:
    stop = threading.Event()
    progress = Progress(cancel=stop, what="theme discovery")
    progress.step(1, 2)
    progress.check()
    stop.set()
    assert progress.cancelled
    with pytest.raises(Cancelled, match="theme discovery cancelled"):
        progress.step(2, 2)
    with pytest.raises(Cancelled):
        progress.check()
    with pytest.raises(Cancelled):
        progress.part(0, 50, 100).step(1, 1)
    with pytest.raises(Cancelled, match="import cancelled"):
        check_cancelled(stop, "import")


def test_no_progress_is_silent_and_never_cancelled() -> None:
    NO_PROGRESS.step(5, 10, "anything")
    NO_PROGRESS.check()
    assert not NO_PROGRESS.cancelled
    check_cancelled(None)
