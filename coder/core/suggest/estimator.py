"""`CodeSuggester`: top-k codes with a calibrated confidence for any answer, learned from the
answers coded so far (scikit-learn manners: parameters in `__init__`, work in `fit`, state in
`*_` attributes).

Three parts, blended by how much has been coded: similarity to the codes' own words (works
before anything is coded), the codes of the nearest coded answers (from the first codings; exact
and near duplicates of a coded answer take its codes), and a ridge (or logistic) classifier on
the embeddings (once `min_classifier` answers are coded). The blended score, each part's score,
the one-vs-rest scores of the ridge and of a ridge on the texts' character n-grams (`chars`)
are mapped to "probability the code is one of the answer's codes" by a logistic regression on
cross-validated scores, so a confidence means the same on every answer.

Pure computation; no UI, CLI library or store.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coder.core.normalise import match_key, normalise_text
from coder.core.suggest import neighbours as nb
from coder.core.suggest.chars import CharNgrams, CharRidge, gram_of


def _rows(X: np.ndarray) -> np.ndarray:
    """`X` as a float32 matrix, one row per answer."""
    X = np.asarray(X, dtype=np.float32)
    return X.reshape(1, -1) if X.ndim == 1 else X


@dataclass(frozen=True)
class Suggestion:
    """A suggested code and the estimated probability that it is one of the answer's codes."""

    code: str
    confidence: float


class CodeSuggester:
    """Suggest codes for answers from coded answers.

    Args:
        n_neighbors: Coded answers consulted per answer.
        knn_temperature: Softmax temperature over neighbour similarities.
        prototype_temperature: Softmax temperature over similarities to the codes' words.
        prototype_prior: The codes' words weigh as much as this many coded answers.
        min_classifier: Coded answers (with two codes at least) before the classifier joins.
        classifier_weight: The classifier's share of the blend once it has joined (the rest is
            the neighbours and the codes' words).
        classifier: "ridge" (least squares on the embeddings: one linear solve, fast at
            thousands of codings) or "logistic" (multinomial logistic regression).
        alpha: Regularisation of the ridge classifier.
        C: Inverse regularisation of the logistic regression.
        tfidf: Add TF-IDF word and word-pair features to the logistic regression.
        duplicate_similarity: Cosine at or above which a coded answer counts as a near
            duplicate; its codes then get `duplicate_weight` of the score.
        duplicate_weight: Share of a duplicate's codes in the score.
        cv: Folds of the cross-validation that calibrates the confidence.
        one_vs_rest: Calibrate on the ridge's one-vs-rest scores too ("the answer has this
            code", fitted in the same solve as the shares): on nhs_fft it raised coverage at
            90% precision by a seventh to a half (see BENCHMARKS.md, assisted coding).
        calibration_size: Coded answers (a seeded sample) whose out-of-fold scores calibrate
            the confidence; None: all. Every coded answer still trains each fold, so this
            bounds the refit at thousands of codings without weakening the parts.
        char_features: Hashed character n-gram columns of a one-vs-rest ridge on the answers'
            texts, whose scores the calibration also learns from (0: none). It sees what
            embeddings blur (spelling, the minor topics of a long answer); on nhs_fft at 500
            codings it raised coverage at 90% precision by about a third (benchmarks).
        char_alpha: Regularisation of that ridge.
        random_state: Seeds the folds.

    Attributes (after `fit`):
        classes_: The codes, in the column order of `predict_proba`.
        n_coded_: Answers fitted on.
        calibrated_: Whether confidences are calibrated (enough coded answers).
        classifier_: The fitted classifier, or None.
        char_ridge_: The ridge on character n-grams, or None.
        calibrator_: Maps the parts' scores to P(code is right), or None.
    """

    def __init__(self, n_neighbors: int = 15, knn_temperature: float = 0.05,
                 prototype_temperature: float = 0.03, prototype_prior: float = 10.0,
                 min_classifier: int = 30, classifier_weight: float = 0.6,
                 classifier: str = "ridge", alpha: float = 1.0, C: float = 20.0,
                 tfidf: bool = False, duplicate_similarity: float = 0.95,
                 duplicate_weight: float = 0.6, cv: int = 3, one_vs_rest: bool = True,
                 calibration_size: int | None = 1500, char_features: int = 1024,
                 char_alpha: float = 0.5, random_state: int | None = 0) -> None:
        self.n_neighbors = n_neighbors
        self.knn_temperature = knn_temperature
        self.prototype_temperature = prototype_temperature
        self.prototype_prior = prototype_prior
        self.min_classifier = min_classifier
        self.classifier_weight = classifier_weight
        self.classifier = classifier
        self.alpha = alpha
        self.C = C
        self.tfidf = tfidf
        self.duplicate_similarity = duplicate_similarity
        self.duplicate_weight = duplicate_weight
        self.cv = cv
        self.calibration_size = calibration_size
        self.one_vs_rest = one_vs_rest
        self.char_features = char_features
        self.char_alpha = char_alpha
        self.random_state = random_state

    # -- fitting ---------------------------------------------------------------------------------

    def fit(self, X: np.ndarray, codes: Sequence[Collection[str]],
            texts: Sequence[str] | None = None,
            code_vectors: Mapping[str, np.ndarray] | None = None) -> CodeSuggester:
        """Learn from coded answers.

        Args:
            X: (n, d) L2-normalised embeddings of the coded answers (n may be 0).
            codes: Each answer's codes (an answer coded "no code applies" has none and is left
                out).
            texts: The answers' texts (TF-IDF features, exact duplicates); optional.
            code_vectors: Code -> (m, d) embeddings of its label, definition and examples;
                codes named here can be suggested before anyone has used them.

        Returns:
            self.
        """
        X = _rows(X)
        keep = [i for i, c in enumerate(codes) if c]
        X = X[keep]
        code_sets = [frozenset(codes[i]) for i in keep]
        text_list = [texts[i] for i in keep] if texts is not None else None
        # Normalised once: the calibration folds reuse them (normalising is not cheap).
        self._keys = None if text_list is None else [match_key(normalise_text(t))
                                                     for t in text_list]
        vectors = dict(code_vectors or {})
        self.classes_ = np.array(sorted(set().union(*code_sets, vectors) if code_sets or vectors
                                        else set()), dtype=object)
        self._column = {c: j for j, c in enumerate(self.classes_)}
        self.n_coded_ = len(code_sets)
        # The n-grams are weighed once, with one idf for the model and its calibration folds.
        chars: tuple[Any, np.ndarray | None] | None = None
        if text_list is not None and self.char_features > 0 and \
                self.n_coded_ >= self.min_classifier:
            ngrams = CharNgrams(self.char_features)
            counts = ngrams.cached_counts(text_list)
            self._char_ngrams = ngrams.fit(counts)
            chars = (ngrams.weigh(counts), None)
        self.calibrated_ = False
        self.calibrator_: Any = None
        if self.n_coded_ >= max(20, 2 * self.cv) and len(self.classes_) > 1:
            gram = self._calibrate(X, code_sets, text_list, vectors, chars)
            if chars is not None:
                chars = (chars[0], gram)
        self._fit_state(X, code_sets, text_list, vectors, self._keys, chars)
        return self

    def remember(self, X: np.ndarray, codes: Sequence[Collection[str]],
                 texts: Sequence[str] | None = None) -> CodeSuggester:
        """Replace the coded answers the neighbours and duplicates are found among, keeping
        the classifier and calibration of the last `fit`: a cheap update after each coding.
        Codes unknown to the fitted model are ignored."""
        keep = [i for i, c in enumerate(codes) if any(code in self._column for code in c)]
        X = _rows(X)[keep]
        code_sets = [frozenset(c for c in codes[i] if c in self._column) for i in keep]
        self._set_memory(X, code_sets, None if texts is None else
                         [match_key(normalise_text(texts[i])) for i in keep])
        return self

    def _set_memory(self, X: np.ndarray, code_sets: Sequence[frozenset[str]],
                    keys: Sequence[str] | None) -> None:
        labels = np.zeros((len(code_sets), len(self.classes_)), dtype=np.float32)
        for i, found in enumerate(code_sets):
            for code in found:
                labels[i, self._column[code]] = 1.0 / len(found)
        self.memory_ = X
        self.memory_labels_ = labels
        self.memory_keys_ = {k: i for i, k in enumerate(keys)} if keys is not None else {}

    def _fit_state(self, X: np.ndarray, code_sets: list[frozenset[str]],
                   texts: list[str] | None, vectors: Mapping[str, np.ndarray],
                   keys: list[str] | None = None,
                   chars: tuple[Any, np.ndarray | None] | None = None) -> None:
        n_classes = len(self.classes_)
        dim = X.shape[1] if X.size else next((np.atleast_2d(v).shape[1] for v in vectors.values()),
                                             0)
        if keys is None and texts is not None:
            keys = [match_key(normalise_text(t)) for t in texts]
        self._set_memory(X, code_sets, keys)
        self.prototypes_ = np.zeros((n_classes, dim), dtype=np.float32)
        self.has_prototype_ = np.zeros(n_classes, dtype=bool)
        for code, rows in vectors.items():
            rows = np.atleast_2d(np.asarray(rows, dtype=np.float32))
            if rows.size:
                mean = rows.mean(axis=0)
                self.prototypes_[self._column[code]] = mean / max(float(np.linalg.norm(mean)), 1e-9)
                self.has_prototype_[self._column[code]] = True
        self.classifier_: Any = None
        self.vectorizer_: Any = None
        self.char_ngrams_: CharNgrams | None = None
        self.char_ridge_: CharRidge | None = None
        used = {c for s in code_sets for c in s}
        if len(code_sets) >= self.min_classifier and len(used) >= 2:
            self._fit_classifier(X, code_sets, texts)
            if chars is not None:
                self._fit_chars(*chars)

    def _fit_chars(self, rows: Any, gram: np.ndarray | None) -> None:
        # The memory's code shares were set from the same answers by `_fit_state`.
        binary = (self.memory_labels_ > 0).astype(np.float32)
        self.char_ngrams_ = self._char_ngrams
        self.char_ridge_ = CharRidge(self.char_alpha).fit(rows, binary, gram)

    def _fit_classifier(self, X: np.ndarray, code_sets: list[frozenset[str]],
                        texts: list[str] | None) -> None:
        """A linear model over codes whose scores rank codes and sum to 1 like the other parts
        (an answer with k codes counts 1/k towards each)."""
        labels = np.zeros((len(code_sets), len(self.classes_)))
        for i, found in enumerate(code_sets):
            for code in found:
                labels[i, self._column[code]] = 1.0 / len(found)
        if self.classifier == "ridge":
            self.classifier_ = _Ridge(self.alpha).fit(X, labels)
            return
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

        rows = [i for i, s in enumerate(code_sets) for _ in s]
        targets = [self._column[c] for s in code_sets for c in sorted(s)]
        weights = np.array([1.0 / len(code_sets[i]) for i in rows])
        features = self._features(X, texts, fit=True)
        model = LogisticRegression(C=self.C, max_iter=300)
        # One thread: BLAS threads fighting over a busy machine make L-BFGS ten times slower.
        with threadpool_limits(1):
            model.fit(features[rows], targets, sample_weight=weights)
        self.classifier_ = model

    def _features(self, X: np.ndarray, texts: Sequence[str] | None, fit: bool = False) -> Any:
        if not self.tfidf or texts is None:
            return X
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer

        if fit:
            self.vectorizer_ = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True,
                                               max_features=50_000)
            words = self.vectorizer_.fit_transform(texts)
        elif self.vectorizer_ is None:
            return X
        else:
            words = self.vectorizer_.transform(texts)
        return sparse.hstack([sparse.csr_matrix(X), words]).tocsr()

    def _calibrate(self, X: np.ndarray, code_sets: list[frozenset[str]],
                   texts: list[str] | None, vectors: Mapping[str, np.ndarray],
                   chars: tuple[Any, np.ndarray | None] | None) -> np.ndarray | None:
        """Learn P(code is right) from out-of-fold scores of the top candidates: a logistic
        regression on the parts' scores, whether a duplicate has the code, and the margin.
        Returns the gram of all the n-gram rows (the folds' summed), for the final fit."""
        rng = np.random.default_rng(self.random_state)
        n = len(code_sets)
        folds = rng.permutation(n) % self.cv
        scored = np.ones(n, dtype=bool)
        if self.calibration_size is not None and n > self.calibration_size:
            scored[:] = False
            scored[rng.choice(n, self.calibration_size, replace=False)] = True
        keys = self._keys
        rows: list[np.ndarray] = []
        hits: list[np.ndarray] = []
        full_state = self.__dict__.copy()
        # Each fold's n-gram gram is the whole's (the sum of the folds') less its own.
        fold_grams = [] if chars is None else [gram_of(chars[0][folds == f])
                                               for f in range(self.cv)]
        whole_gram = np.sum(fold_grams, axis=0) if fold_grams else None
        for fold in range(self.cv):
            train = np.flatnonzero(folds != fold)
            test = np.flatnonzero((folds == fold) & scored)
            fold_chars = None
            if chars is not None and whole_gram is not None:
                fold_chars = (chars[0][train], whole_gram - fold_grams[fold])
            self._fit_state(X[train], [code_sets[i] for i in train],
                            None if texts is None else [texts[i] for i in train], vectors,
                            None if keys is None else [keys[i] for i in train], fold_chars)
            features, blend = self._candidate_features(
                X[test], None if texts is None else [texts[i] for i in test],
                None if chars is None else chars[0][test])
            top = np.argsort(-blend, axis=1)[:, :5]
            truth = np.array([[self.classes_[j] in code_sets[i] for j in top[r]]
                              for r, i in enumerate(test)])
            rows.append(np.take_along_axis(features, top[:, :, None], axis=1).reshape(
                -1, features.shape[2]))
            hits.append(truth.ravel())
        self.__dict__.update(full_state)
        y = np.concatenate(hits)
        if y.min() == y.max():
            return whole_gram
        model = self._calibration_model()
        model.fit(np.concatenate(rows), y)
        self.calibrator_ = model
        self.calibrated_ = True
        return whole_gram

    def _calibration_model(self) -> Any:
        """The unfitted model mapping candidate features to P(code is right)."""
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=1.0, max_iter=1000)

    # -- predicting ------------------------------------------------------------------------------

    def _raw(self, X: np.ndarray, texts: Sequence[str] | None) -> np.ndarray:
        """Blended scores (n, c), rows summing to 1 over the codes."""
        return self._parts(X, texts)["blend"]

    def _parts(self, X: np.ndarray, texts: Sequence[str] | None,
               char_rows: Any = None) -> dict[str, np.ndarray]:
        """Each part's scores (n, c): knn, prototype, classifier, duplicate (the codes of a
        coded answer it repeats), ovr and chars (one-vs-rest scores on the embeddings and on
        the characters), their blend, and top_sim (n,) the closest coded answer.
        `char_rows`: the texts' weighed n-grams when already known."""
        X = _rows(X)
        n, n_classes = X.shape[0], len(self.classes_)
        zeros = np.zeros((n, n_classes))
        out = {"knn": zeros, "prototype": zeros, "classifier": zeros, "duplicate": zeros,
               "ovr": zeros, "chars": zeros, "top_sim": np.zeros(n)}
        if n_classes == 0:
            return {**out, "blend": zeros}
        weighted: list[tuple[float, np.ndarray]] = []
        n_coded = self.memory_.shape[0]
        if n_coded:
            index, sims = nb.nearest(X, self.memory_, self.n_neighbors)
            out["knn"] = nb.knn_scores(index, sims, self.memory_labels_, self.knn_temperature)
            out["top_sim"] = sims[:, 0].astype(float)
            out["duplicate"] = self._duplicates(index, sims, texts)
            weighted.append((float(n_coded), out["knn"]))
        if self.has_prototype_.any():
            out["prototype"] = nb.prototype_scores(X, self.prototypes_, self.has_prototype_,
                                                   self.prototype_temperature)
            weighted.append((self.prototype_prior, out["prototype"]))
        if not weighted:
            return {**out, "blend": np.full((n, n_classes), 1.0 / n_classes)}
        total = sum(w for w, _ in weighted)
        blend = np.asarray(sum(w / total * part for w, part in weighted))
        if self.classifier_ is not None:
            clf = np.zeros((n, n_classes))
            clf[:, self.classifier_.classes_] = self.classifier_.predict_proba(
                self._features(X, texts))
            out["classifier"] = clf
            if isinstance(self.classifier_, _Ridge):
                ovr = np.zeros((n, n_classes))
                ovr[:, self.classifier_.classes_] = self.classifier_.ovr(X)
                out["ovr"] = ovr
            blend = (1 - self.classifier_weight) * blend + self.classifier_weight * clf
        if self.char_ridge_ is not None and self.char_ngrams_ is not None and (
                texts is not None or char_rows is not None):
            if char_rows is None:
                assert texts is not None
                char_rows = self.char_ngrams_.weigh(self.char_ngrams_.counts(texts))
            out["chars"] = self.char_ridge_.predict(char_rows)
        twins = out["duplicate"].any(axis=1)
        blend[twins] = ((1 - self.duplicate_weight) * blend[twins]
                        + self.duplicate_weight * out["duplicate"][twins])
        return {**out, "blend": blend}

    def _duplicates(self, index: np.ndarray, sims: np.ndarray,
                    texts: Sequence[str] | None) -> np.ndarray:
        """(n, c) the codes (shares summing to 1) of the coded answer each answer repeats:
        the same text once normalised, or cosine at `duplicate_similarity` or above."""
        twin = np.where(sims[:, 0] >= self.duplicate_similarity, index[:, 0], -1)
        if texts is not None and self.memory_keys_:
            for i, text in enumerate(texts):
                same = self.memory_keys_.get(match_key(normalise_text(text)))
                if same is not None:
                    twin[i] = same
        out = np.zeros((len(twin), len(self.classes_)))
        rows = np.flatnonzero(twin >= 0)
        out[rows] = self.memory_labels_[twin[rows]]
        return out

    def _candidate_features(self, X: np.ndarray, texts: Sequence[str] | None,
                            char_rows: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """(n, c, f) features of every code for every answer, and the blended scores."""
        parts = self._parts(X, texts, char_rows)
        blend = parts["blend"]
        best = blend.max(axis=1, keepdims=True)
        second = np.sort(blend, axis=1)[:, -2:-1] if blend.shape[1] > 1 else np.zeros_like(best)
        is_best = blend >= best
        margin = np.where(is_best, blend - second, blend - best)
        top_sim = np.broadcast_to(parts["top_sim"][:, None], blend.shape)
        columns = [blend, np.sqrt(blend), parts["knn"], parts["classifier"],
                   parts["prototype"], parts["duplicate"], top_sim, is_best, margin,
                   parts["duplicate"] * top_sim]
        if self.one_vs_rest:
            columns.append(parts["ovr"])
        if self.char_features > 0:
            columns.append(parts["chars"])
        return np.stack(columns, axis=2), blend

    def predict_proba(self, X: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        """(n, len(classes_)) estimated probability that each code is one of the answer's
        codes (calibrated once `calibrated_`; before that the blended score)."""
        if not self.calibrated_:
            return self._raw(X, texts)
        features, blend = self._candidate_features(X, texts)
        if blend.size == 0:
            return blend
        flat = features.reshape(-1, features.shape[2])
        calibrated: np.ndarray = self.calibrator_.predict_proba(flat)[:, 1].reshape(blend.shape)
        return calibrated

    def suggest(self, X: np.ndarray, texts: Sequence[str] | None = None, top: int = 3,
                exclude: Sequence[Collection[str]] | None = None) -> list[list[Suggestion]]:
        """The `top` codes of each answer, most likely first.

        Args:
            X: (n, d) embeddings.
            texts: The answers' texts, when known.
            top: Codes per answer.
            exclude: Per answer, codes not to suggest (already applied).
        """
        proba = self.predict_proba(X, texts)
        out: list[list[Suggestion]] = []
        for i, row in enumerate(proba):
            skip = set(exclude[i]) if exclude is not None else set()
            ranked = [j for j in np.argsort(-row, kind="stable") if self.classes_[j] not in skip]
            out.append([Suggestion(str(self.classes_[j]), float(min(1.0, max(0.0, row[j]))))
                        for j in ranked[:top]])
        return out

    def predict(self, X: np.ndarray, texts: Sequence[str] | None = None,
                threshold: float = 0.5) -> list[frozenset[str]]:
        """Each answer's codes: the first suggestion, and any other at `threshold` or above."""
        proba = self.predict_proba(X, texts)
        out: list[frozenset[str]] = []
        for row in proba:
            if row.size == 0:
                out.append(frozenset())
                continue
            chosen = set(np.flatnonzero(row >= threshold)) | {int(np.argmax(row))}
            out.append(frozenset(str(self.classes_[j]) for j in chosen))
        return out


class _Ridge:
    """Least squares from embeddings to code shares, with an intercept; scores clipped at 0
    and renormalised so that a row sums to 1 like the other parts."""

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha

    def fit(self, X: np.ndarray, labels: np.ndarray) -> _Ridge:
        binary = (labels > 0).astype(np.float64)
        mean_x, mean_y, mean_b = X.mean(axis=0), labels.mean(axis=0), binary.mean(axis=0)
        centred = (X - mean_x).astype(np.float64)
        gram = centred.T @ centred + self.alpha * np.eye(X.shape[1])
        # Code shares and, from the same solve, one-vs-rest 0/1 targets.
        both = np.linalg.solve(gram, centred.T @ np.hstack([labels - mean_y, binary - mean_b]))
        self.coef_, self.ovr_coef_ = both[:, :labels.shape[1]], both[:, labels.shape[1]:]
        self.mean_x_, self.mean_y_, self.mean_b_ = mean_x, mean_y, mean_b
        self.classes_ = np.arange(labels.shape[1])
        return self

    def ovr(self, X: np.ndarray) -> np.ndarray:
        """One-vs-rest scores: each code's least-squares estimate of "the answer has it"."""
        out: np.ndarray = np.clip((X - self.mean_x_) @ self.ovr_coef_ + self.mean_b_, 0.0, 1.0)
        return out

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        scores = np.clip((X - self.mean_x_) @ self.coef_ + self.mean_y_, 0.0, None)
        total = scores.sum(axis=1, keepdims=True)
        out: np.ndarray = np.where(total > 0, scores / np.maximum(total, 1e-12),
                                   1.0 / scores.shape[1])
        return out
