"""Label quality of theme discovery on Banking77 and CLINC150, against two baselines.

For each theme found (our clusters, defaults, seed 0) the metric asks whether its label is closer
(cosine of embeddings, the answers' model) to the name of the theme's dominant human category
("card_arrival" -> "card arrival") than to any other category's name. Labels compared on the
same clusters: ours (:func:`coder.core.themes.labels.label_themes`), BERTopic's c-TF-IDF top
four words, and the theme's most central answer.

Protocol (no tuning on the names): the categories of each set are split, seeded, into two
halves; the label rules and weights were chosen looking only at themes whose dominant category
is in the development half (and at NHS FFT); the other half is reported apart as held out.
Run from the repository root::

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/themes_labels.py

Embeddings of the sets are cached under ``/tmp/coder-bench-emb``. ``--timing`` instead times the
label step (candidates and their scoring, phrase embeddings already cached) against the whole
themes step (answers' embeddings cached) on both sets, in CPU seconds of this process.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.themes import EMB_DIR, DataSet, NpyCache, load_banking, load_clinc  # noqa: E402


def ctfidf_labels(groups: Sequence[Sequence[str]], n_words: int = 4) -> list[str]:
    """BERTopic's representation: class-based TF-IDF over one document per theme (English stop
    words removed, as its documentation advises), top ``n_words`` words."""
    from sklearn.feature_extraction.text import CountVectorizer

    docs = [" ".join(g) for g in groups]
    vec = CountVectorizer(stop_words="english")
    tf = vec.fit_transform(docs).toarray().astype(float)
    words = vec.get_feature_names_out()
    avg = tf.sum() / len(docs)
    idf = np.log(1 + avg / np.maximum(tf.sum(axis=0), 1))
    tfn = tf / np.maximum(tf.sum(axis=1, keepdims=True), 1)
    score = tfn * idf
    return [" ".join(words[np.argsort(-row, kind="stable")[:n_words]]) for row in score]


def hits(labels: Sequence[str], dominant: Sequence[str], names: list[str], embed) -> np.ndarray:
    """Per theme: is its label nearest to its dominant category's name?"""
    lab = embed([label or "-" for label in labels])
    nam = embed([n.replace("_", " ") for n in names])
    lab /= np.maximum(np.linalg.norm(lab, axis=1, keepdims=True), 1e-12)
    nam /= np.maximum(np.linalg.norm(nam, axis=1, keepdims=True), 1e-12)
    nearest = np.argmax(lab @ nam.T, axis=1)
    index = {n: i for i, n in enumerate(names)}
    return np.array([bool(labels[i]) and nearest[i] == index[d] for i, d in enumerate(dominant)])


def development_half(names: Sequence[str]) -> set[str]:
    """The seeded half of the categories used while developing the labels."""
    shuffled = sorted(names)
    random.Random(0).shuffle(shuffled)
    return set(shuffled[: len(shuffled) // 2])


def evaluate(ds: DataSet, cache: NpyCache, embedder) -> dict[str, float]:
    from coder.core.embedding import InMemoryEmbeddingCache, embed_with_cache
    from coder.core.themes.discovery import ThemeDiscovery
    from coder.core.themes.labels import label_themes

    phrase_cache = InMemoryEmbeddingCache()

    def embed(texts: Sequence[str]) -> np.ndarray:
        return np.array(embed_with_cache(list(texts), embedder, phrase_cache), dtype=np.float32)

    x = cache.embeddings(ds.texts, embedder)
    model = ThemeDiscovery(random_state=0, phrase_embedding=embed).fit(x, ds.texts)
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    groups, dominant = [], []
    for t in range(len(model.centroids_)):
        members = np.flatnonzero(model.labels_ == t)
        order = members[np.argsort(-(xn[members] @ model.centroids_[t]), kind="stable")]
        groups.append([ds.texts[i] for i in order])
        dominant.append(Counter(ds.labels[i] for i in members).most_common(1)[0][0])
    names = sorted(set(ds.labels))
    labels = {
        "ours": label_themes(groups, model.centroids_, embed),
        "c-TF-IDF top 4 words": ctfidf_labels(groups),
        "most central answer": [g[0] for g in groups],
    }
    dev = development_half(names)
    held_out = np.array([d not in dev for d in dominant])
    out: dict = {}
    for name, lab in labels.items():
        h = hits(lab, dominant, names, embed)
        out[name] = f"{h.mean():.3f} ({h[held_out].mean():.3f})"
    out["themes"] = f"{len(groups)}, {int(held_out.sum())} held out"
    examples = list(zip(dominant, labels["ours"], labels["c-TF-IDF top 4 words"], strict=True))
    out["examples"] = examples[:: max(1, len(examples) // 12)][:12]  # type: ignore[assignment]
    return out


def timing(ds: DataSet, cache: NpyCache, embedder, repeats: int = 1) -> str:
    """CPU seconds of the themes step and of its label step alone (best of ``repeats``)."""
    import time

    from coder.core.embedding import InMemoryEmbeddingCache, embed_with_cache
    from coder.core.themes.discovery import ThemeDiscovery
    from coder.core.themes.labels import label_themes

    phrase_cache = InMemoryEmbeddingCache()

    def embed(texts: Sequence[str]) -> np.ndarray:
        return np.array(embed_with_cache(list(texts), embedder, phrase_cache), dtype=np.float32)

    x = cache.embeddings(ds.texts, embedder)
    ThemeDiscovery(random_state=0, phrase_embedding=embed).fit(x, ds.texts)  # phrases cached
    fit_s, label_s = [], []
    for _ in range(repeats):
        t0 = time.process_time()
        model = ThemeDiscovery(random_state=0, phrase_embedding=embed).fit(x, ds.texts)
        fit_s.append(time.process_time() - t0)
        xn = x / np.linalg.norm(x, axis=1, keepdims=True)
        groups = []
        for t in range(len(model.centroids_)):
            members = np.flatnonzero(model.labels_ == t)
            order = members[np.argsort(-(xn[members] @ model.centroids_[t]), kind="stable")]
            groups.append([ds.texts[i] for i in order])
        t0 = time.process_time()
        label_themes(groups, model.centroids_, embed)
        label_s.append(time.process_time() - t0)
    return (f"| {ds.name} | {len(ds.texts):,} | {min(fit_s):.1f} | {min(label_s):.2f} "
            f"| {min(label_s) / min(fit_s):.0%} |")


def main(argv: list[str] | None = None) -> int:
    from coder.core.embedding import SentenceTransformerEmbedder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timing", action="store_true", help="time the label step instead")
    args = parser.parse_args(argv)
    embedder = SentenceTransformerEmbedder()
    cache = NpyCache(EMB_DIR)
    if args.timing:
        print("| set | answers | themes step, CPU s | label step, CPU s | label share |")
        print("|---|---|---|---|---|")
        for ds in (load_banking(), load_clinc()):
            print(timing(ds, cache, embedder), flush=True)
        return 0
    results = {ds.name: evaluate(ds, cache, embedder) for ds in (load_banking(), load_clinc())}
    methods = ["ours", "c-TF-IDF top 4 words", "most central answer"]
    print("| labels: all themes (held-out half) | "
          + " | ".join(f"{n} ({results[n]['themes']} themes)" for n in results) + " |")
    print("|---|" + "---|" * len(results))
    for m in methods:
        print(f"| {m} | " + " | ".join(results[n][m] for n in results) + " |")
    for n, r in results.items():
        print(f"\nExamples, {n} (dominant category: ours / c-TF-IDF):")
        for dom, ours, ctf in r["examples"]:  # type: ignore[union-attr]
            print(f"- {dom}: \"{ours}\" / \"{ctf}\"")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
