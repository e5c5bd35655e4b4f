"""Run theme discovery over answer texts and over an analyst's CSV file.

Pure logic: no UI, CLI or store imports (the store passes its embedding cache in).
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coder.core.embedding import (
    Embedder,
    EmbeddingCache,
    InMemoryEmbeddingCache,
    SentenceTransformerEmbedder,
    embed_with_cache,
)
from coder.core.errors import InputError
from coder.core.progress import NO_PROGRESS, Progress
from coder.core.safe_files import atomic_output, check_output
from coder.core.themes.discovery import OTHER, Theme, ThemeDiscovery
from coder.core.themes.params import ThemeParams

log = logging.getLogger(__name__)

_HAS_WORD = re.compile(r"\w")
OTHER_LABEL = "(other)"
NON_SUBSTANTIVE_LABEL = "(no answer)"


@dataclass(frozen=True)
class ThemeRun:
    """Result of theme discovery over a list of answers.

    Attributes:
        labels: theme id per answer, ``-1`` for "other" and for non-substantive answers.
        nearest_theme: suggested theme per answer (``-1`` for non-substantive answers).
        confidence: per answer, 0 for non-substantive answers.
        non_substantive: mask of answers left out of discovery.
        themes: the themes; ``quote_indices`` index the full list of answers.
        n_substantive: base for theme shares.
        n_other: substantive answers in "other".
    """

    labels: np.ndarray
    nearest_theme: np.ndarray
    confidence: np.ndarray
    non_substantive: np.ndarray
    themes: list[Theme]
    n_substantive: int
    n_other: int

    @property
    def n_non_substantive(self) -> int:
        """Answers left out (blank, or flagged non-substantive at import)."""
        return int(self.non_substantive.sum())

    def label_of(self, i: int) -> str:
        """Readable theme label of answer ``i``."""
        if self.non_substantive[i]:
            return NON_SUBSTANTIVE_LABEL
        t = int(self.labels[i])
        return OTHER_LABEL if t == OTHER else self.themes[t].label


def is_blank(text: str | None) -> bool:
    """True for answers with no letter or digit at all."""
    return text is None or not _HAS_WORD.search(text)


def discover_themes(
    texts: Sequence[str],
    *,
    embedder: Embedder | None = None,
    cache: EmbeddingCache | None = None,
    embeddings: np.ndarray | None = None,
    non_substantive: Sequence[bool] | np.ndarray | None = None,
    progress: Progress = NO_PROGRESS,
    **params: object,
) -> ThemeRun:
    """Embed (through the cache) and find themes, leaving out non-substantive answers.

    Args:
        texts: all answers to one question.
        embedder: the model; default :class:`SentenceTransformerEmbedder`.
        cache: embedding cache (the project store's); default in-memory.
        embeddings: precomputed embeddings for all ``texts`` (skips the embedder; labels then
            come from TF-IDF alone unless an ``embedder`` is also given for the phrases).
        non_substantive: answers flagged at import; blank answers are always left out.
        progress: told ``(done, 100)``, embedding as the first 80; cancelling it stops the
            run (raises ``Cancelled``).
        **params: passed to :class:`ThemeDiscovery` (``min_theme_size``, ``n_themes``,
            ``random_state``, ``subthemes``, ...).
    """
    n = len(texts)
    mask = np.array([is_blank(t) for t in texts], dtype=bool)
    if non_substantive is not None:
        flagged = np.asarray(non_substantive, dtype=bool)
        if len(flagged) != n:
            raise ValueError(f"non_substantive has {len(flagged)} entries for {n} texts")
        mask |= flagged
    keep = np.flatnonzero(~mask)
    kept_texts = [texts[int(i)] for i in keep]

    cache = cache if cache is not None else InMemoryEmbeddingCache()
    if embeddings is None and embedder is None:
        embedder = SentenceTransformerEmbedder()
    if embeddings is not None:
        x = np.asarray(embeddings, dtype=np.float32)[keep]
    elif len(kept_texts):
        assert embedder is not None
        x = embed_with_cache(kept_texts, embedder, cache, progress=progress.part(0, 80, 100))
    else:
        x = np.zeros((0, 1), dtype=np.float32)
    if embedder is not None:
        # Labels: keyword phrases ranked by meaning, embedded with the same model and cache.
        phrase_model, phrase_cache = embedder, cache

        def phrase_embedding(phrases: Sequence[str]) -> np.ndarray:
            return embed_with_cache(list(phrases), phrase_model, phrase_cache,
                                   progress=Progress(cancel=progress.cancel, what=progress.what))

        params.setdefault("phrase_embedding", phrase_embedding)
    model = ThemeDiscovery(**params)  # type: ignore[arg-type]
    model.fit(x, kept_texts, progress=progress.part(80, 100, 100))

    labels = np.full(n, OTHER, dtype=int)
    nearest = np.full(n, OTHER, dtype=int)
    confidence = np.zeros(n, dtype=np.float32)
    labels[keep] = model.labels_
    nearest[keep] = model.nearest_theme_
    confidence[keep] = model.confidence_
    themes = [
        Theme(
            id=t.id,
            label=t.label,
            keywords=t.keywords,
            size=t.size,
            share=t.share,
            quote_indices=tuple(int(keep[q]) for q in t.quote_indices),
            parent_id=t.parent_id,
            description=t.description,
        )
        for t in model.themes_
    ]
    return ThemeRun(
        labels=labels,
        nearest_theme=nearest,
        confidence=confidence,
        non_substantive=mask,
        themes=themes,
        n_substantive=len(keep),
        n_other=int(model.n_other_),
    )


def read_text_column(path: str | Path, text_column: str) -> list[str]:
    """Read one column of a CSV file (UTF-8, BOM tolerated) as strings, in row order.

    Raises:
        InputError: naming the file (and column) if it cannot be read or lacks the column.
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            columns = reader.fieldnames or []
            if text_column not in columns:
                shown = ", ".join(f'"{c}"' for c in columns) or "none"
                raise InputError(
                    f"no such column; the file has: {shown}", path=str(path), column=text_column
                )
            return [row.get(text_column) or "" for row in reader]
    except FileNotFoundError as exc:
        raise InputError("file not found", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text; save the file as CSV UTF-8", path=str(path)) from exc


def write_assignments(path: str | Path, run: ThemeRun, *,
                      protected: Iterable[str | Path] = ()) -> None:
    """Write ASSIGN.csv: ``row`` (0-based input row), ``theme_id`` (-1 = other or
    non-substantive), ``theme_label``, one row per input row in input order (atomically)."""
    with (atomic_output(path, protected=protected) as tmp,
          tmp.open("w", newline="", encoding="utf-8") as fh):
        out = csv.writer(fh)
        out.writerow(["row", "theme_id", "theme_label"])
        for i in range(len(run.labels)):
            theme_id = OTHER if run.non_substantive[i] else int(run.labels[i])
            out.writerow([i, theme_id, run.label_of(i)])


def write_themes(path: str | Path, run: ThemeRun, texts: Sequence[str], n_quotes: int = 5, *,
                 protected: Iterable[str | Path] = ()) -> None:
    """Write THEMES.csv: ``theme_id, label, description, keywords, size, share, quote_1 .. 5``.

    Top-level themes only; keywords are joined with "; "; share is over substantive answers.
    """
    with (atomic_output(path, protected=protected) as tmp,
          tmp.open("w", newline="", encoding="utf-8") as fh):
        out = csv.writer(fh)
        out.writerow(
            ["theme_id", "label", "description", "keywords", "size", "share"]
            + [f"quote_{i + 1}" for i in range(n_quotes)]
        )
        for t in run.themes:
            if t.parent_id is not None:
                continue
            quotes = [texts[q].strip() for q in t.quote_indices[:n_quotes]]
            quotes += [""] * (n_quotes - len(quotes))
            out.writerow([t.id, t.label, t.description, "; ".join(t.keywords), t.size,
                          f"{t.share:.4f}"] + quotes)


def discover_themes_in_file(
    path: str | Path,
    text_column: str,
    *,
    output: str | Path,
    themes_output: str | Path | None = None,
    params: ThemeParams | None = None,
    embedder: Embedder | None = None,
    cache: EmbeddingCache | None = None,
    progress: Progress = NO_PROGRESS,
) -> ThemeRun:
    """Stand-alone mode: themes for one text column of a CSV file.

    Writes ``output`` (ASSIGN.csv) and, if given, ``themes_output`` (THEMES.csv); see
    :func:`write_assignments` and :func:`write_themes`. Blank answers are left out
    (``theme_id`` -1, label "(no answer)"); answers fitting no theme get -1 and "(other)".

    Raises:
        InputError: the file is missing or unreadable, or has no column ``text_column``.
    """
    params = params or ThemeParams()
    # Refuse unsafe outputs (the input itself, a project, a link) before the long work.
    check_output(output, protected=[path])
    if themes_output is not None:
        check_output(themes_output, protected=[path, output])
    texts = read_text_column(path, text_column)
    run = discover_themes(
        texts,
        embedder=embedder,
        cache=cache,
        progress=progress,
        **params.discovery_kwargs(),
    )
    write_assignments(output, run, protected=[path])
    if themes_output is not None:
        write_themes(themes_output, run, texts, protected=[path, output])
    return run
