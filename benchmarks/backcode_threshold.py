"""Back-coding's "genuinely other" rule before anyone has back-coded: how many obvious answers
are mapped to the right category and how many genuinely other answers stay other, by rule.

Sets: the demo survey's 22 q8 other-specify answers (data/demo_survey.sav; truth from
data/demo_ground_truth.csv: "listed_option" names a listed option, the rest are genuinely
other) plus answers naming a listed option in other words; and CLINC150 (../shared/data):
five intents as the categories, their test queries as obvious answers, queries of other
intents and out-of-scope queries as genuinely other.

    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/backcode_threshold.py
"""

from __future__ import annotations

import csv
import json
import os
import random
import sys
from pathlib import Path

import numpy as np
import pyreadstat  # type: ignore[import-untyped]

from coder.core.embedding import SentenceTransformerEmbedder

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CODER_SHARED_DATA", REPO.parent / "shared" / "data"))
DEMO = {"Regional partnership": "Regional partnership",
        "Department for Education": "the DfE",
        "Peer authority": "a neighbouring local authority",
        "Sector-led improvement programme": "Sector-led improvement programme",
        "No external support": "No external support"}  # label only
DEMO_MORE = {"Help from our regional partnership": "Regional partnership",
             "We had no external support at all": "No external support",
             "The Department for Education sent advisers": "Department for Education",
             "the DfE improvement adviser": "Department for Education",
             "our regional improvement alliance": "Regional partnership",
             "a neighbouring authority": "Peer authority"}
CLINC = {"transfer": ("Transfer money", "move money between my accounts"),
         "balance": ("Account balance", "how much money is in my account"),
         "pay_bill": ("Pay a bill", "pay a utility or phone bill"),
         "credit_score": ("Credit score", "what my credit score is"),
         "lost_luggage": ("Lost luggage", "my luggage is lost")}


def demo_set() -> tuple[dict[str, str], dict[str, str | None]]:
    frame, _ = pyreadstat.read_sav(str(REPO / "data" / "demo_survey.sav"))
    with (REPO / "data" / "demo_ground_truth.csv").open(encoding="utf-8") as fh:
        truth = {r["la_code"]: r["themes"] for r in csv.DictReader(fh)
                 if r["question_id"] == "q8_other_specify"}
    answers: dict[str, str | None] = {}
    for la, text in zip(frame["la_code"], frame["q8_other_specify"], strict=True):
        if str(text).strip():
            listed = truth.get(la) == "listed_option"
            answers[str(text)] = "Peer authority" if listed and "authority" in text else None
    answers.update(DEMO_MORE)
    return DEMO, answers


def clinc_set() -> tuple[dict[str, str], dict[str, str | None]]:
    data = json.loads((SHARED / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    rng = random.Random(0)
    answers: dict[str, str | None] = {}
    for intent, (label, _) in CLINC.items():
        for text, _ in [x for x in data["test"] if x[1] == intent][:6]:
            answers[text] = label
    others = [x for x in data["test"] if x[1] not in CLINC]
    for text, _ in rng.sample(others, 20) + rng.sample(data["oos_test"], 20):
        answers[text] = None
    return {label: words for label, words in CLINC.values()}, answers


def score(sims: np.ndarray, labels: list[str], truth: list[str | None],
          bar: float) -> tuple[int, int, int, int]:
    """(obvious mapped right, obvious, genuinely other kept other, genuinely other)."""
    best = sims.max(axis=1)
    picked = [labels[int(i)] if b >= bar else None for i, b in zip(sims.argmax(1), best,
                                                                   strict=True)]
    right = sum(p == t for p, t in zip(picked, truth, strict=True) if t)
    kept = sum(p is None for p, t in zip(picked, truth, strict=True) if not t)
    return right, sum(1 for t in truth if t), kept, sum(1 for t in truth if not t)


def main() -> None:
    embedder = SentenceTransformerEmbedder()

    def embed(texts: list[str]) -> np.ndarray:
        v = np.asarray(embedder.embed(texts), dtype=np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    print("| set | category words | threshold | obvious mapped right | genuinely other kept"
          " | genuinely other: highest | obvious: lowest |")
    print("|---|---|---|---|---|---|---|")
    for name, (described, answers) in (("demo q8", demo_set()), ("CLINC150", clinc_set())):
        labels = list(described)
        truth = list(answers.values())
        vectors = embed(list(answers))
        by_label = vectors @ embed(labels).T
        with_words = np.maximum(by_label, vectors @ embed(list(described.values())).T)
        for words, sims in (("label", by_label), ("label + description", with_words)):
            best = sims.max(axis=1)
            other_max = max(b for b, t in zip(best, truth, strict=True) if not t)
            obvious_min = min(b for b, t in zip(best, truth, strict=True) if t)
            if words != "label":
                for t, b, i in zip(answers, best, sims.argmax(1), strict=True):
                    if answers[t] is None and b >= 0.5:
                        print(f"<!-- closest genuinely other: {t!r} {labels[int(i)]} {b:.2f} -->")
            for bar in (0.6, 0.55, 0.5):
                r, n, k, m = score(sims, labels, truth, bar)
                print(f"| {name} | {words} | {bar:.2f} | {r}/{n} | {k}/{m} | {other_max:.2f}"
                      f" | {obvious_min:.2f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
