"""Suggestions from file to file, without a project: learn from a coded CSV, suggest the top
codes for every row of another.

Pure: reads and writes files given to it, embeds with the embedder given; no UI, CLI library or
store.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from coder.core.embedding import Embedder, embed_with_cache
from coder.core.errors import InputError
from coder.core.progress import NO_PROGRESS, Progress
from coder.core.safe_files import atomic_output
from coder.core.suggest.estimator import CodeSuggester, Suggestion

#: Separates several codes in one cell of the code column.
CODE_SEPARATOR = ";"


def _read(path: str | Path, columns: Sequence[str | None]) -> list[dict[str, str]]:
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            found = reader.fieldnames or []
            for column in columns:
                if column is not None and column not in found:
                    shown = ", ".join(f'"{c}"' for c in found) or "none"
                    raise InputError(f"no such column; the file has: {shown}", path=str(path),
                                     column=column)
            return [{k: (v or "") for k, v in row.items() if k is not None} for row in reader]
    except FileNotFoundError as exc:
        raise InputError("file not found", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text; save the file as CSV UTF-8", path=str(path)) from exc


def read_coded(path: str | Path, text_column: str, code_column: str,
               id_column: str | None = None) -> tuple[list[str], list[frozenset[str]]]:
    """The coded answers of a training file: texts and code sets.

    Several codes of one answer are separated by `;` in the code column, or given on several
    rows with the same ID (`id_column`), whose texts must then agree.

    Raises:
        InputError: Missing file or column, or rows of one ID with different texts.
    """
    rows = _read(path, [text_column, code_column, id_column])
    texts: dict[str, str] = {}
    codes: dict[str, set[str]] = {}
    for number, row in enumerate(rows, start=2):
        key = row[id_column] if id_column is not None else str(number)
        text = row[text_column]
        if key in texts and texts[key] != text:
            raise InputError(f'ID "{key}" appears with two different texts', path=str(path),
                             row=number, column=text_column)
        texts.setdefault(key, text)
        found = codes.setdefault(key, set())
        found.update(c.strip() for c in row[code_column].split(CODE_SEPARATOR) if c.strip())
    return [texts[k] for k in texts], [frozenset(codes[k]) for k in texts]


def suggest_file(train: str | Path, text_column: str, code_column: str, input_path: str | Path,
                 output: str | Path, *, embedder: Embedder, top: int = 3,
                 id_column: str | None = None, random_state: int = 0,
                 progress: Progress = NO_PROGRESS) -> int:
    """Write OUT.csv: `row` (0-based input row), `code_1..K`, `score_1..K`, one row per input
    row in order; score_k is the estimated probability that code_k is one of the row's codes.

    Returns:
        Rows written.

    Raises:
        InputError: A file or column is missing, or the training file codes nothing.
    """
    texts, codes = read_coded(train, text_column, code_column, id_column)
    if not any(codes):
        raise InputError("no coded rows to learn from", path=str(train), column=code_column)
    new_texts = [row[text_column] for row in _read(input_path, [text_column])]
    vectors = embed_with_cache(texts + new_texts, embedder, progress=progress)
    model = CodeSuggester(random_state=random_state).fit(vectors[:len(texts)], codes, texts)
    ranked: list[list[Suggestion]] = model.suggest(vectors[len(texts):], new_texts, top=top) \
        if new_texts else []
    with (atomic_output(output, protected=[train, input_path]) as tmp,
          tmp.open("w", newline="", encoding="utf-8") as fh):
        out = csv.writer(fh)
        out.writerow(["row", *(f"code_{k}" for k in range(1, top + 1)),
                      *(f"score_{k}" for k in range(1, top + 1))])
        for index, suggestions in enumerate(ranked):
            names = [s.code for s in suggestions] + [""] * (top - len(suggestions))
            scores = [f"{s.confidence:.4f}" for s in suggestions] + [""] * (top - len(suggestions))
            out.writerow([index, *names, *scores])
    return len(ranked)
