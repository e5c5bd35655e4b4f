"""Generates the synthetic demo survey of children's services in data/; deterministic and seeded.

Depends only on the standard library, pandas, pyreadstat, openpyxl and the phrase banks beside
it; never on the coder package. Run ``python data/generate_demo.py`` to rewrite the committed
files. Benchmarks load it by path (it is not part of the coder distribution)::

    import runpy
    demo = runpy.run_path("data/generate_demo.py")
    responses = demo["generate_large"](100_000, seed=1)
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pandas as pd

DATA_DIR = Path(__file__).resolve().parent


def _load_sibling(name: str) -> ModuleType:
    """Import a module from this folder without putting the folder on ``sys.path``."""
    module_name = f"_coder_demo_data_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, DATA_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


_compose = _load_sibling("demo_compose")
_authorities = _load_sibling("demo_authorities")

OPEN_QUESTIONS = {
    q.question_id: q
    for bank in ("phrases_placements", "phrases_workforce", "phrases_early_send")
    for q in map(_compose.parse_question, _load_sibling(bank).QUESTIONS)
}
OTHER_OPTION = "Other (please specify)"
CLOSED_QUESTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "q1_placed_independent": (
        "In the last 12 months, has your authority placed any looked-after children in "
        "independent schools?",
        ("Yes", "No"),
    ),
    "q4_asye_participates": (
        "Does your authority run the ASYE programme for newly qualified social workers?",
        ("Yes", "No"),
    ),
    "q8_support_source": (
        "Which of these has been your authority's main source of improvement support for "
        "children's services in the last year?",
        (
            "Regional partnership",
            "Department for Education",
            "Peer authority",
            "Sector-led improvement programme",
            "No external support",
            OTHER_OPTION,
        ),
    ),
}
COLUMNS = (
    "la_code",
    "authority_name",
    "region",
    "authority_type",
    "ofsted_rating",
    "q1_placed_independent",
    "q4_asye_participates",
    "q8_support_source",
    "q2_barriers",
    "q3_overcome",
    "q5_asye_effective",
    "q6_ld_priorities",
    "q7_iro_examples",
    "q9_two_year_olds",
    "q10_send_actions",
    "q8_other_specify",
)
OPEN_QUESTION_IDS = tuple(c for c in COLUMNS if c in OPEN_QUESTIONS)
ROUTING = {
    "q5_asye_effective": ("q4_asye_participates", "Yes"),
    "q8_other_specify": ("q8_support_source", OTHER_OPTION),
}
CLOSED_WEIGHTS = {
    "q1_placed_independent": (0.68, 0.32),
    "q4_asye_participates": (0.86, 0.14),
    "q8_support_source": (0.33, 0.20, 0.16, 0.10, 0.05, 0.16),
}
BLANK_RATE = 0.07
NON_SUBSTANTIVE_RATE = 0.06
OTHER_SPECIFY_BLANK_RATE = 0.1
WAVE_SEEDS = {"2025": 20250, "2026": 20260}
WAVE2_SIZE = 60
# The 2026 wave plants a change over time: each question's second theme grows by this factor.
WAVE2_SECOND_THEME_GROWTH = 1.6


@dataclass(frozen=True)
class DemoWave:
    """One wave of the demo survey and what was planted in it."""

    responses: pd.DataFrame
    ground_truth: pd.DataFrame
    pii: pd.DataFrame


def _is_routed(question_id: str, row: dict[str, str]) -> bool:
    if question_id not in ROUTING:
        return True
    column, value = ROUTING[question_id]
    return row[column] == value


def _closed_answers(rows: list[dict[str, str]], rng: random.Random, q8_blanks: int) -> None:
    for column, weights in CLOSED_WEIGHTS.items():
        options = CLOSED_QUESTIONS[column][1]
        for row, choice in zip(rows, _compose.allocate(len(rows), weights, rng), strict=True):
            row[column] = options[choice]
    for row in rng.sample(rows, q8_blanks):
        row["q8_support_source"] = ""


def _open_answers(
    question_id: str,
    rows: list[dict[str, str]],
    rng: random.Random,
    weight_growth: float,
) -> list[tuple[int, tuple[str, ...]]]:
    """Fill one open question for every routed row; return (row index, theme keys) planted."""
    question = OPEN_QUESTIONS[question_id]
    eligible = [i for i, row in enumerate(rows) if _is_routed(question_id, row)]
    for row in rows:
        row[question_id] = ""
    blank = OTHER_SPECIFY_BLANK_RATE if question_id == "q8_other_specify" else BLANK_RATE
    status = _compose.allocate(len(eligible), (blank, NON_SUBSTANTIVE_RATE, 1.0), rng)
    substantive = [i for i, s in zip(eligible, status, strict=True) if s == 2]
    non_substantive = [i for i, s in zip(eligible, status, strict=True) if s == 1]
    # Even counts per option, so every listed non-answer shows up once there are enough.
    options = question.non_substantive
    picks = _compose.allocate(len(non_substantive), [1.0] * len(options), rng)
    for i, option in zip(non_substantive, picks, strict=True):
        rows[i][question_id] = options[option]
    weights = [t.weight for t in question.themes]
    weights[1] *= weight_growth
    mains = _compose.allocate(len(substantive), weights, rng)
    rate = question.two_theme_rate
    doubles = _compose.allocate(len(substantive), (rate, 1.0 - rate), rng)
    planted = []
    for i, main, double in zip(substantive, mains, doubles, strict=True):
        themes = [question.themes[main]]
        if double == 0:
            others = [j for j in range(len(weights)) if j != main]
            second = rng.choices(others, weights=[weights[j] for j in others])[0]
            themes.append(question.themes[second])
        text = _compose.add_noise(_compose.compose(question, themes, rng), rng)
        rows[i][question_id] = text
        planted.append((i, tuple(t.key for t in themes)))
    return planted


def build_wave(
    authorities: Sequence[object],
    seed: int,
    *,
    pii_count: int,
    weight_growth: float = 1.0,
    q8_blanks: int = 2,
    silent_respondents: int = 3,
) -> DemoWave:
    """Generate the responses of ``authorities`` to every question, and what was planted.

    Args:
        authorities: ``demo_authorities.Authority`` records, one per respondent, in file order.
        seed: Seed of the wave.
        pii_count: How many answers get a name, authority name, email or phone number.
        weight_growth: Factor applied to each question's second theme (change over time).
        q8_blanks: Respondents who skipped the closed question q8.
        silent_respondents: Respondents who left every open question blank.

    Returns:
        The responses (columns ``COLUMNS``; blanks are empty strings), the ground truth
        (``la_code, question_id, themes``) and the planted personal data
        (``la_code, question_id, kind, value``).
    """
    rng = random.Random(seed)
    rows = [_authorities.as_row(a) for a in authorities]
    _closed_answers(rows, rng, q8_blanks)
    truth: list[tuple[int, str, str]] = []
    for question_id in OPEN_QUESTION_IDS:
        for i, keys in _open_answers(question_id, rows, rng, weight_growth):
            truth.append((i, question_id, ";".join(keys)))
    silent = set(rng.sample(range(len(rows)), silent_respondents))
    for i in silent:
        for question_id in OPEN_QUESTION_IDS:
            rows[i][question_id] = ""
    truth = [t for t in truth if t[0] not in silent]
    pii = _authorities.plant_personal_data(rows, truth, authorities, pii_count, rng)
    order = {q: n for n, q in enumerate(OPEN_QUESTION_IDS)}
    truth.sort(key=lambda t: (t[0], order[t[1]]))
    ground_truth = pd.DataFrame(
        [(rows[i]["la_code"], q, keys) for i, q, keys in truth],
        columns=["la_code", "question_id", "themes"],
    )
    responses = pd.DataFrame(rows, columns=list(COLUMNS))
    return DemoWave(responses=responses, ground_truth=ground_truth, pii=pii)


def generate_wave(wave: str) -> DemoWave:
    """The committed demo wave ``"2025"`` (152 authorities) or ``"2026"`` (60 of them)."""
    authorities = _authorities.make_authorities(152, seed=152)
    if wave == "2025":
        return build_wave(authorities, WAVE_SEEDS[wave], pii_count=14)
    if wave == "2026":
        rng = random.Random(WAVE_SEEDS[wave])
        chosen = sorted(rng.sample(range(len(authorities)), WAVE2_SIZE))
        later = [_authorities.rerate(authorities[i], rng) for i in chosen]
        return build_wave(
            later,
            WAVE_SEEDS[wave],
            pii_count=5,
            weight_growth=WAVE2_SECOND_THEME_GROWTH,
            q8_blanks=1,
            silent_respondents=1,
        )
    raise ValueError(f"unknown wave {wave!r}; expected '2025' or '2026'")


def generate_large_with_truth(n_answers: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Like ``generate_large`` but also return the ground truth (``la_code, question_id, themes``).

    Args:
        n_answers: Number of respondents, i.e. answers per open question (blanks included).
        seed: Seed; the same seed gives the same frame.

    Returns:
        The responses and the planted themes of every substantive answer.
    """
    if n_answers < 1:
        raise ValueError("n_answers must be at least 1")
    authorities = _authorities.make_large_respondents(n_answers, seed)
    wave = build_wave(
        authorities,
        seed,
        pii_count=max(1, n_answers // 100),
        q8_blanks=max(0, n_answers // 80),
        silent_respondents=max(0, n_answers // 50),
    )
    return wave.responses, wave.ground_truth


def generate_large(n_answers: int, seed: int) -> pd.DataFrame:
    """A survey export with the demo's columns for any number of respondents.

    IDs run ``LA000001``, ``LA000002``...; authority names repeat (there are only 152).
    Blank answers are empty strings. Roughly 100,000 rows take well under a minute.

    Args:
        n_answers: Number of respondents, i.e. answers per open question (blanks included).
        seed: Seed; the same seed gives the same frame.

    Returns:
        The responses, columns ``COLUMNS``.
    """
    return generate_large_with_truth(n_answers, seed)[0]


def variable_labels() -> dict[str, str]:
    """Label of every column, in ``COLUMNS`` order (the question text for questions)."""
    labels = {
        "la_code": "Local authority code (respondent ID)",
        "authority_name": "Local authority name",
        "region": "Region",
        "authority_type": "Type of authority",
        "ofsted_rating": "Most recent Ofsted rating of children's services",
    }
    labels.update({column: text for column, (text, _) in CLOSED_QUESTIONS.items()})
    labels.update({q: OPEN_QUESTIONS[q].text for q in OPEN_QUESTION_IDS})
    return {column: labels[column] for column in COLUMNS}


def value_options() -> dict[str, tuple[str, ...]]:
    """Options of each categorical column in code order (code 1 is the first option)."""
    options = {
        "region": _authorities.REGIONS,
        "authority_type": _authorities.AUTHORITY_TYPES,
        "ofsted_rating": _authorities.OFSTED_RATINGS,
    }
    options.update({column: opts for column, (_, opts) in CLOSED_QUESTIONS.items()})
    return options


def question_notes() -> list[dict[str, str]]:
    """One record per column: label, type, routing and codes (for the Notes sheet and JSON)."""
    options = value_options()
    notes = []
    for column, label in variable_labels().items():
        if column in OPEN_QUESTIONS:
            kind = "open"
        elif column in CLOSED_QUESTIONS:
            kind = "closed, single choice"
        else:
            kind = "respondent attribute"
        routed = ROUTING.get(column)
        routing = f'asked only if {routed[0]} = "{routed[1]}"' if routed else ""
        if column.startswith("q") and not routed:
            routing = "asked of all"
        codes = "; ".join(f"{n}={o}" for n, o in enumerate(options.get(column, ()), start=1))
        notes.append(
            {"column": column, "label": label, "type": kind, "routing": routing, "codes": codes}
        )
    return notes


def theme_catalogue(wave: DemoWave) -> dict[str, list[dict[str, object]]]:
    """Themes of each open question with their realised share in ``wave``.

    ``share`` is the fraction of the question's substantive answers that carry the theme
    (main or second), so shares of one question add up to more than 1.
    """
    truth = wave.ground_truth
    catalogue: dict[str, list[dict[str, object]]] = {}
    for question_id in OPEN_QUESTION_IDS:
        keys = truth.loc[truth["question_id"] == question_id, "themes"].str.split(";")
        total = len(keys)
        catalogue[question_id] = [
            {
                "key": theme.key,
                "label": theme.label,
                "definition": theme.definition,
                "share": round(sum(theme.key in k for k in keys) / total, 3) if total else 0.0,
            }
            for theme in OPEN_QUESTIONS[question_id].themes
        ]
    return catalogue


def main(argv: Sequence[str] | None = None) -> int:
    """Write every demo file to ``--out-dir`` (default: this folder)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    writers = _load_sibling("demo_writers")
    first, second = generate_wave("2025"), generate_wave("2026")
    paths = writers.write_all(
        args.out_dir,
        first,
        second,
        labels=variable_labels(),
        options=value_options(),
        notes=question_notes(),
        catalogue=theme_catalogue(first),
    )
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
