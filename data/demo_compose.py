"""Composes synthetic free-text survey answers from phrase banks with realistic noise; stdlib only.

Answers are built from sentence frames, theme phrases, detail sentences and fillers, then given
the noise real exports have: abbreviations, typos, missing full stops, lower case, and the
"smart" punctuation (curly quotes, en dashes) that word processors insert.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_ANSWER_CHARS = 300

SECOND_NP_FRAMES = ("Also {np}.", "Plus {np}.", "{NP} as well.", "And {np}.", "Also - {np}.")
SECOND_CL_FRAMES = (
    "Also, {cl}.",
    "In addition, {cl}.",
    "Alongside this, {cl}.",
    "On top of that, {cl}.",
    "Also {cl}.",
)
NP_JOINERS = (" and ", ", and ", " plus ", " as well as ", ", also ")
SHORT_JOINERS = (", ", " and ", " / ", "; ", ". ")

# Applied in order, so longer forms come before the shorter ones they contain.
ABBREVIATIONS = (
    ("looked-after children", "LAC"),
    ("newly qualified social workers", "NQSWs"),
    ("newly qualified social worker", "NQSW"),
    ("education, health and care plan", "EHCP"),
    ("special educational needs and disabilities", "SEND"),
    ("Independent Reviewing Officers", "IROs"),
    ("Department for Education", "DfE"),
    ("neighbouring authorities", "neighbouring LAs"),
    ("the local authority", "the LA"),
    ("social workers", "SWs"),
    ("social worker", "SW"),
    ("educational psychologists", "EPs"),
    ("educational psychologist", "EP"),
    ("virtual school head", "VSH"),
    ("integrated care boards", "ICBs"),
    ("children in care", "CiC"),
    (" and ", " & "),
)

_ABBREVIATION_PATTERNS = tuple(
    (re.compile(re.escape(long_form), re.IGNORECASE), long_form.lower(), short_form)
    for long_form, short_form in ABBREVIATIONS
)

MISSPELLINGS = {
    "receive": "recieve",
    "separate": "seperate",
    "government": "goverment",
    "their": "thier",
    "independent": "independant",
    "responsibility": "responsiblity",
    "assessment": "assesment",
    "assessments": "assesments",
    "placement": "placment",
    "because": "becuase",
    "budget": "buget",
    "relationships": "relationsips",
    "necessary": "neccessary",
    "definitely": "definately",
    "achieve": "acheive",
    "supervision": "supervison",
    "availability": "availablity",
    "accommodation": "accomodation",
}


@dataclass(frozen=True)
class Theme:
    """One planted theme of an open question and the phrases that express it."""

    key: str
    label: str
    definition: str
    weight: float
    noun_phrases: tuple[str, ...]
    clauses: tuple[str, ...]
    short_answers: tuple[str, ...]
    details: tuple[str, ...]


@dataclass(frozen=True)
class OpenQuestion:
    """An open question: its text, planted themes and sentence frames."""

    question_id: str
    text: str
    themes: tuple[Theme, ...]
    np_frames: tuple[str, ...]
    cl_frames: tuple[str, ...]
    second_cl_frames: tuple[str, ...]
    closers: tuple[str, ...]
    non_substantive: tuple[str, ...]
    two_theme_rate: float


def _split(joined: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in joined.split("|") if part.strip())


def parse_question(spec: dict) -> OpenQuestion:
    """Turn a phrase-bank dict (see ``phrases_placements``) into an ``OpenQuestion``.

    Args:
        spec: The question's phrase bank.

    Returns:
        The parsed question with its themes in bank order.
    """
    themes = tuple(
        Theme(
            key=t["key"],
            label=t["label"],
            definition=t["definition"],
            weight=float(t["weight"]),
            noun_phrases=_split(t["np"]),
            clauses=_split(t["cl"]),
            short_answers=_split(t["short"]),
            details=_split(t["detail"]),
        )
        for t in spec["themes"]
    )
    return OpenQuestion(
        question_id=spec["id"],
        text=spec["text"],
        themes=themes,
        np_frames=_split(spec["np_frames"]),
        cl_frames=_split(spec["cl_frames"]),
        second_cl_frames=_split(spec.get("second_cl_frames", "")) or SECOND_CL_FRAMES,
        closers=_split(spec["closers"]),
        non_substantive=_split(spec["non_substantive"]),
        two_theme_rate=float(spec.get("two_theme_rate", 0.2)),
    )


def allocate(n: int, weights: Sequence[float], rng: random.Random) -> list[int]:
    """Assign one index per item so that counts follow ``weights`` exactly, in random order.

    Uses largest remainders, so a theme with weight 0.35 gets round(0.35 * n) items (+-1).

    Args:
        n: Number of items.
        weights: Relative weight of each index.
        rng: Source of randomness for the order.

    Returns:
        ``n`` indices into ``weights``.
    """
    total = sum(weights)
    quotas = [n * w / total for w in weights]
    counts = [int(q) for q in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - quotas[i], i))
    for i in by_remainder[: n - sum(counts)]:
        counts[i] += 1
    indices = [i for i, c in enumerate(counts) for _ in range(c)]
    rng.shuffle(indices)
    return indices


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fill(frame: str, phrase: str) -> str:
    for slot in ("{NP}", "{CL}"):
        frame = frame.replace(slot, _cap(phrase))
    for slot in ("{np}", "{cl}"):
        frame = frame.replace(slot, phrase)
    return frame


def _sentence(question: OpenQuestion, theme: Theme, rng: random.Random, second: bool) -> str:
    use_clause = bool(theme.clauses) and (not theme.noun_phrases or rng.random() < 0.45)
    if use_clause:
        frames = question.second_cl_frames if second else question.cl_frames
        return _fill(rng.choice(frames), rng.choice(theme.clauses))
    frames = SECOND_NP_FRAMES if second else question.np_frames
    return _fill(rng.choice(frames), rng.choice(theme.noun_phrases))


def _short(themes: Sequence[Theme], rng: random.Random) -> str:
    words = [rng.choice(t.short_answers) for t in themes]
    if len(words) == 1:
        return words[0]
    joiner = rng.choice(SHORT_JOINERS)
    second = words[1]
    if joiner in (", ", " and ") and second[1:2].islower():
        second = second[:1].lower() + second[1:]
    return words[0].rstrip(".") + joiner + second


def _list_answer(themes: Sequence[Theme], rng: random.Random) -> str:
    marks = rng.choice((("- ", "- "), ("1) ", "2) "), ("* ", "* ")))
    items = []
    for mark, theme in zip(marks, themes, strict=False):
        phrases = theme.noun_phrases or theme.clauses
        items.append(mark + _cap(rng.choice(phrases)))
    return "\n".join(items)


def compose(
    question: OpenQuestion,
    themes: Sequence[Theme],
    rng: random.Random,
    *,
    short_rate: float = 0.1,
    budget: int = MAX_ANSWER_CHARS,
) -> str:
    """Write one answer expressing ``themes`` (one or two), at most ``budget`` characters.

    Args:
        question: The question being answered.
        themes: The planted themes, main theme first.
        rng: Source of randomness.
        short_rate: Chance of a terse answer of one to three words per theme.
        budget: Maximum length in characters.

    Returns:
        The answer text, before noise.
    """
    if rng.random() < short_rate and all(t.short_answers for t in themes):
        return _short(themes, rng)
    if len(themes) == 2:
        draw = rng.random()
        both_np = all(t.noun_phrases for t in themes)
        if draw < 0.35 and both_np:
            phrase = rng.choice(themes[0].noun_phrases) + rng.choice(NP_JOINERS)
            phrase += rng.choice(themes[1].noun_phrases)
            main = _fill(rng.choice(question.np_frames), phrase)
        elif draw < 0.45:
            return _list_answer(themes, rng)[:budget]
        else:
            main = _sentence(question, themes[0], rng, False) + " "
            main += _sentence(question, themes[1], rng, True)
    else:
        main = _sentence(question, themes[0], rng, False)
    extras = []
    details = [d for t in themes for d in t.details]
    if details and rng.random() < 0.5:
        extras.append(rng.choice(details))
    if question.closers and rng.random() < 0.25:
        extras.append(rng.choice(question.closers))
    text = " ".join([main, *extras])
    while len(text) > budget and extras:
        extras.pop()
        text = " ".join([main, *extras])
    if len(text) > budget:
        text = text[:budget].rsplit(" ", 1)[0]
    return text


def abbreviate(text: str, rng: random.Random) -> str:
    """Replace some long forms with the abbreviations respondents use (LAC, NQSW, EHCP...)."""
    lowered = text.lower()
    for pattern, long_form, short_form in _ABBREVIATION_PATTERNS:
        if rng.random() < (0.15 if long_form == " and " else 0.75) and long_form in lowered:
            text = pattern.sub(short_form, text)
            lowered = text.lower()
    return text


def misspell(text: str, rng: random.Random) -> str:
    """Introduce one common misspelling if the text has a word that is often misspelt."""
    words = [w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in MISSPELLINGS]
    if not words:
        return text
    word = rng.choice(words)
    wrong = MISSPELLINGS[word.lower()]
    if word[0].isupper():
        wrong = _cap(wrong)
    return re.sub(rf"\b{word}\b", wrong, text, count=1)


def keyboard_typo(text: str, rng: random.Random) -> str:
    """Swap, drop or double one letter inside one word of five letters or more."""
    spans = [m.span() for m in re.finditer(r"[a-z]{5,}", text)]
    if not spans:
        return text
    start, end = rng.choice(spans)
    i = rng.randrange(start + 1, end - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def smart_punctuation(text: str) -> str:
    """Use the curly quotes, en dash and ellipsis a word processor would insert (Windows-1252)."""
    text = text.replace(" - ", " – ").replace("...", "…")
    text = re.sub(r"(\w)'", "\\1’", text)
    text = re.sub(r"'(\w)", "‘\\1", text)
    return re.sub(r'"([^"]*)"', "“\\1”", text)


def add_noise(text: str, rng: random.Random) -> str:
    """Apply the noise of real survey exports to a composed answer.

    Args:
        text: A composed answer.
        rng: Source of randomness.

    Returns:
        The answer with, at random, abbreviations, a misspelling or typo, no final full stop,
        lower case, or smart punctuation.
    """
    if len(text) < 20:
        return text.lower() if rng.random() < 0.1 else text
    if rng.random() < 0.35:
        text = abbreviate(text, rng)
    if rng.random() < 0.06:
        text = misspell(text, rng)
    if rng.random() < 0.08:
        text = keyboard_typo(text, rng)
    if text.endswith(".") and rng.random() < 0.2:
        text = text[:-1]
    if rng.random() < 0.05:
        text = text.lower()
    if rng.random() < 0.15:
        text = smart_punctuation(text)
    return text
