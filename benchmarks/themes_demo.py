"""Theme discovery on the demo survey's questions against their planted themes.

Small-survey check (about 100 answers per question): how many themes the defaults make and how
well they agree with the planted themes, beside k-means told the planted number. Only answers
with a single planted theme are scored. Run from the repository root::

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/themes_demo.py [--resolution R]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main(argv: list[str] | None = None) -> int:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from coder.core.embedding import SentenceTransformerEmbedder
    from coder.core.themes.discovery import ThemeDiscovery

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=float, default=None,
                        help="override the default (size-dependent) resolution")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    survey = pd.read_csv(ROOT / "data" / "demo_survey.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(ROOT / "data" / "demo_ground_truth.csv", dtype=str,
                        keep_default_na=False)
    answers = survey.set_index(survey.columns[0])
    embedder = SentenceTransformerEmbedder()
    print("question        n  planted  themes  ARI   (k-means)  NMI   (k-means)")
    for question, rows in truth.groupby("question_id"):
        rows = rows[(rows["themes"] != "") & ~rows["themes"].str.contains(";")]
        texts = [answers.loc[la, question] for la in rows["la_code"]]
        keep = [i for i, t in enumerate(texts) if t.strip()]
        texts = [texts[i] for i in keep]
        labels = [rows["themes"].iloc[i] for i in keep]
        x = embedder.embed(texts)
        found = ThemeDiscovery(random_state=args.seed, resolution=args.resolution).fit(x).labels_
        k = len(set(labels))
        km = KMeans(k, n_init="auto", random_state=args.seed).fit_predict(x)
        print(f"{question[:14]:<14} {len(texts):>4} {k:>8} {int(np.max(found)) + 1:>7}"
              f"  {adjusted_rand_score(labels, found):.2f}  ({adjusted_rand_score(labels, km):.2f})"
              f"     {normalized_mutual_info_score(labels, found):.2f}"
              f"  ({normalized_mutual_info_score(labels, km):.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
