"""Learning curves of code suggestions on human-coded data: `CodeSuggester` beside TF-IDF +
logistic regression and MiniLM embeddings + logistic regression, fitted on the same seeded
samples of 100 to 2,000 coded answers and tested on every other answer.

Run: PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/suggest.py [--sizes 100,250,...] [--seeds 1]
Data are read in place from ../shared/data (see its README); embeddings are cached for the run.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Sequence

import numpy as np

from benchmarks.suggest_data import Dataset, banking77, cached_embeddings, nhs_fft
from coder.core.suggest import CodeSuggester
from coder.core.suggest.metrics import Scores, evaluate

Ranked = tuple[list[list[str]], list[float], list[frozenset[str]]]


def _lr_baseline(features_train, features_test, train_codes: Sequence[frozenset[str]],  # type: ignore[no-untyped-def]
                 multi_label: bool) -> Ranked:
    """Logistic regression with scikit-learn's defaults: one-vs-rest for multi-label data."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import MultiLabelBinarizer

    if multi_label:
        binarizer = MultiLabelBinarizer()
        y = binarizer.fit_transform(train_codes)
        model = OneVsRestClassifier(LogisticRegression(max_iter=1000))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(features_train, y)
        proba, classes = model.predict_proba(features_test), binarizer.classes_
    else:
        model = LogisticRegression(max_iter=1000)
        model.fit(features_train, [next(iter(c)) for c in train_codes])
        proba, classes = model.predict_proba(features_test), model.classes_
    return _from_proba(np.asarray(proba), classes)


def _from_proba(proba: np.ndarray, classes: Sequence[str]) -> Ranked:
    order = np.argsort(-proba, axis=1)[:, :3]
    ranked = [[str(classes[j]) for j in row] for row in order]
    first = proba[np.arange(len(proba)), order[:, 0]].tolist()
    predicted = [frozenset(str(classes[j]) for j in set(np.flatnonzero(p >= 0.5)) | {o[0]})
                 for p, o in zip(proba, order, strict=True)]
    return ranked, first, predicted


#: CodeSuggester variants measured beside the baselines (their parameters).
VARIANTS: dict[str, dict[str, object]] = {
    "CodeSuggester": {},
    "CS-ovr": {"one_vs_rest": False},  # without the one-vs-rest calibration feature
    "CS-no-chars": {"char_features": 0},  # without the character n-gram ridge
}
METHODS: tuple[str, ...] = ("tfidf+LR", "MiniLM+LR", "CodeSuggester")


def _fit_predict(name: str, ds: Dataset, vectors: np.ndarray,
                 code_vectors: dict[str, np.ndarray], train: np.ndarray, test: np.ndarray,
                 seed: int, multi_label: bool) -> Ranked:
    from sklearn.feature_extraction.text import TfidfVectorizer

    train_codes = [ds.codes[i] for i in train]
    texts_train = [ds.texts[i] for i in train]
    texts_test = [ds.texts[i] for i in test]
    if name == "tfidf+LR":
        vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        return _lr_baseline(vec.fit_transform(texts_train), vec.transform(texts_test),
                            train_codes, multi_label)
    if name == "MiniLM+LR":
        return _lr_baseline(vectors[train], vectors[test], train_codes, multi_label)
    model = CodeSuggester(random_state=seed, **VARIANTS[name]).fit(  # type: ignore[arg-type]
        vectors[train], train_codes, texts_train, code_vectors)
    proba = model.predict_proba(vectors[test], texts_test)
    return _from_proba(proba, [str(c) for c in model.classes_])


def run_dataset(ds: Dataset, sizes: Sequence[int], seeds: Sequence[int]) -> list[dict[str, object]]:
    vectors = cached_embeddings(ds.texts)
    label_vectors = cached_embeddings(list(ds.definitions.values()))
    code_vectors = {code: label_vectors[i:i + 1] for i, code in enumerate(ds.definitions)}
    multi_label = any(len(c) > 1 for c in ds.codes)
    rows: list[dict[str, object]] = []
    n = len(ds.texts)
    for size in sizes:
        for seed in seeds:
            order = np.random.default_rng(seed).permutation(n)
            train, test = order[:size], order[size:]
            test_codes = [ds.codes[i] for i in test]
            for name in METHODS:
                start = time.perf_counter()
                ranked, first, predicted = _fit_predict(name, ds, vectors, code_vectors, train,
                                                        test, seed, multi_label)
                seconds = time.perf_counter() - start
                scores: Scores = evaluate(ranked, first, predicted, test_codes, ds.definitions)
                rows.append({"dataset": ds.name, "coded": size, "seed": seed, "method": name,
                             "seconds": seconds, **scores.__dict__})
                print(f"{ds.name:9} {size:5} s{seed} {name:14} top1 {scores.top1:.3f} "
                      f"top3 {scores.top3_recall:.3f} microF1 {scores.micro_f1:.3f} "
                      f"macroF1 {scores.macro_f1:.3f} cov90 {scores.coverage_90:.3f} "
                      f"({seconds:.1f}s)", flush=True)
    return rows


def speed(ds: Dataset) -> dict[str, float]:
    """Fit time at 5,000 coded answers (with and without calibration) and one answer's
    suggestions."""
    vectors = cached_embeddings(ds.texts)
    idx = np.random.default_rng(0).permutation(len(ds.texts))[:5000]
    codes = [ds.codes[i] for i in idx]
    texts = [ds.texts[i] for i in idx]
    out: dict[str, float] = {}
    for cv, name in ((0, "fit_5000_no_calibration_s"), (3, "fit_5000_calibrated_s")):
        start = time.perf_counter()
        model = CodeSuggester(cv=max(cv, 2)) if cv else CodeSuggester()
        if not cv:
            model.cv = 10**9  # more folds than answers: calibration is skipped
        model.fit(vectors[idx], codes, texts)
        out[name] = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(200):
        model.suggest(vectors[i:i + 1], [ds.texts[i]], top=3)
    out["suggest_one_ms"] = (time.perf_counter() - start) / 200 * 1000
    return out


def main() -> None:
    global METHODS
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,250,500,1000,2000")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--datasets", default="nhs_fft,banking77")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--methods", default="tfidf+LR,MiniLM+LR,CodeSuggester",
                        help="Among tfidf+LR, MiniLM+LR and " + ", ".join(VARIANTS))
    args = parser.parse_args()
    METHODS = tuple(args.methods.split(","))
    sizes = [int(s) for s in args.sizes.split(",")]
    loaders = {"nhs_fft": nhs_fft, "banking77": banking77}
    rows: list[dict[str, object]] = []
    for name in args.datasets.split(","):
        ds = loaders[name]()
        rows += run_dataset(ds, sizes, list(range(args.seeds)))
        if args.speed:
            print(name, speed(ds), flush=True)
    print("\n| dataset | coded | method | top-1 | top-3 recall | micro F1 | macro F1 | "
          "coverage @90% precision | fit+predict s |")
    print("|---|---|---|---|---|---|---|---|---|")
    keys = sorted({(r["dataset"], r["coded"], r["method"]) for r in rows},
                  key=lambda k: (str(k[0]), int(str(k[1])), str(k[2])))
    for key in keys:
        group = [r for r in rows if (r["dataset"], r["coded"], r["method"]) == key]
        mean = {m: float(np.mean([float(str(r[m])) for r in group]))
                for m in ("top1", "top3_recall", "micro_f1", "macro_f1", "coverage_90",
                          "seconds")}
        print(f"| {key[0]} | {key[1]} | {key[2]} | {mean['top1']:.3f} | "
              f"{mean['top3_recall']:.3f} | {mean['micro_f1']:.3f} | {mean['macro_f1']:.3f} | "
              f"{mean['coverage_90']:.3f} | {mean['seconds']:.1f} |")


if __name__ == "__main__":
    main()
