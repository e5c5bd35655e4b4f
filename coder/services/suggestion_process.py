"""A question's suggestions built and refitted in a child process of lower priority.

On 100,000 answers the build (reading the embeddings, finding near duplicates, fitting) takes
minutes of CPU and each refit seconds. In a thread of the app's process that work competes with
the coder's keys for the interpreter and for the cores; in a child process, niced and held to
one BLAS thread, it leaves the app's process its interpreter and a core. The child keeps the
question's embeddings, so a refit sends only the codings there and only the fitted model back.

Must not depend on click, textual or SQL. Calls block: make them from a worker thread (waiting
on the child holds no lock the app needs).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
from collections.abc import Collection, Iterator, Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from coder.core.codeframe.model import Codeframe
from coder.core.errors import Cancelled, CoderError
from coder.services.suggestions import QuestionSuggestions, suggestions_at

__all__ = ["SuggestionProcess"]

#: How much lower the child's scheduling priority is than the app's (`os.nice`).
CHILD_NICENESS = 10


class SuggestionProcess:
    """A child process that builds one question's suggestions and refits them on request.

    The parent holds a full copy of the built `QuestionSuggestions` (the app suggests from it
    on its own thread); each refit brings back only the fitted model. `close` ends the child
    at once, also in the middle of a build (a waiting call then raises `Cancelled`).

    Args:
        path: The project file.
        question_id: The question.
        frame: Its codeframe.
        only_coder: Learn only from this coder's codings (blind mode).
        embedder: The embedding model (sent to the child: it must pickle, as the bundled and
            hashing embedders do before they are used).
    """

    def __init__(self, path: str | Path, question_id: str, frame: Codeframe | None,
                 only_coder: int | None, embedder: Any) -> None:
        self._request = (str(path), question_id, frame, only_coder, embedder)
        self._lock = threading.Lock()  # one request and its answer at a time
        self._closed = False
        context = multiprocessing.get_context("spawn")  # never fork a threaded process
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(target=_serve, args=(child_conn,), daemon=True,
                                        name=f"coder-suggestions-{question_id}")
        with _stderr_with_a_file():
            self._process.start()
        child_conn.close()

    @staticmethod
    def can_send(embedder: Any) -> bool:
        """Whether `embedder` can be sent to a child process (else build in a thread)."""
        from multiprocessing.reduction import ForkingPickler

        try:
            ForkingPickler.dumps(embedder)
        except Exception:  # noqa: BLE001 - any failure to pickle means "not sendable"
            return False
        return True

    def build(self) -> QuestionSuggestions:
        """Embed (from the project's cache) and fit in the child; the result is the parent's
        copy (its embeddings included: sent once)."""
        built: QuestionSuggestions = self._call("build", self._request)
        return built

    def refitted(self, current: QuestionSuggestions, codings: Mapping[int, Collection[str]],
                 *, order: bool = False) -> QuestionSuggestions:
        """`current` fitted on `codings` in the child (`order`: scored for the useful order
        there too); `current` itself is left as it is."""
        plain = {a: frozenset(c) for a, c in codings.items()}
        model, trained, scores = self._call("refit", (plain, order))
        refitted = current.with_model(model, trained)
        if scores is not None:
            refitted.set_order_scores(*scores)
        return refitted

    def prepare_order(self, suggestions: QuestionSuggestions) -> None:
        """Score every answer for the useful order in the child (with the model it fitted
        last, which is `suggestions`' unless a refit is on its way)."""
        suggestions.set_order_scores(*self._call("order", None))

    def close(self) -> None:
        """End the child now (a build or refit in progress is abandoned)."""
        self._closed = True
        with contextlib.suppress(OSError):
            self._conn.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(timeout=5)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def pid(self) -> int | None:
        """The child's process id."""
        return self._process.pid

    def is_alive(self) -> bool:
        """Whether the child runs."""
        return self._process.is_alive()

    def _call(self, op: str, payload: Any) -> Any:
        with self._lock:
            if self._closed:
                raise Cancelled("the suggestions were closed")
            try:
                self._conn.send((op, payload))
                status, result = self._conn.recv()
            except (EOFError, OSError) as exc:
                if self._closed:
                    raise Cancelled("the suggestions were closed") from exc
                raise CoderError("the suggestion process stopped") from exc
        if status == "error":
            raise CoderError(result)
        return result


@contextlib.contextmanager
def _stderr_with_a_file() -> Iterator[None]:
    """Starting a child hands it `sys.stderr`'s file descriptor; a terminal app replaces
    `sys.stderr` with an object that has none, so the process's own stderr stands in."""
    current = sys.stderr
    try:
        usable = current is not None and current.fileno() >= 0
    except (OSError, ValueError, AttributeError):
        usable = False
    if not usable and sys.__stderr__ is not None:
        sys.stderr = sys.__stderr__
    try:
        yield
    finally:
        sys.stderr = current


def _serve(conn: Connection) -> None:
    """The child: answer build, refit and order requests until the parent goes away."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(CHILD_NICENESS)  # the coder's keys first
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)  # one core stays free for the app
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        pass
    state: QuestionSuggestions | None = None
    while True:
        try:
            op, payload = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if op == "build":
                path, question_id, frame, only_coder, embedder = payload
                state = suggestions_at(path, question_id, frame, only_coder=only_coder,
                                       embedder=embedder)
                reply: Any = state
            elif op == "refit":
                assert state is not None, "refit before build"
                codings, order = payload
                state = state.refitted(codings)
                scores = None
                if order:
                    state.prepare_order()
                    scores = state.order_scores()
                reply = (state.model, dict(state.trained), scores)
            elif op == "order":
                assert state is not None, "order before build"
                state.prepare_order()
                reply = state.order_scores()
            else:
                raise ValueError(f"unknown request {op!r}")
        except CoderError as exc:
            reply, status = str(exc), "error"
        except Exception as exc:  # noqa: BLE001 - reported to the app, which codes on
            reply, status = f"{type(exc).__name__}: {exc}", "error"
        else:
            status = "ok"
        try:
            conn.send((status, reply))
        except (OSError, ValueError):
            return
