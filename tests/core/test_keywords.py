"""Keywords and labels: spaCy lemmas, stop words removed, class-based TF-IDF ranking."""

from __future__ import annotations

from coder.core.themes.keywords import class_keywords, make_label, stop_words, tokenise


def test_tokenise_lemmatises_lowercases_and_drops_stop_words() -> None:
    toks = tokenise(["The Schools were unable to meet the children's needs, 3 times"])[0]
    lemmas = [lemma for lemma, _ in toks if lemma]
    assert lemmas == ["school", "unable", "meet", "child", "need", "time"]
    assert not set(lemmas) & stop_words()


def test_distinctive_terms_rank_first_and_labels_have_no_stop_words() -> None:
    texts = [
        "The financial cost is too high",
        "Financial cost of fees",
        "Cost of the placement is high",
        "Selection criteria of the school",
        "Their selection criteria exclude our children",
        "Strict selection criteria",
    ]
    groups = [0, 0, 0, 1, 1, 1]
    kw = class_keywords(texts, groups, n_keywords=5)
    assert kw[0][0][0] in {"cost", "financial cost"}
    # spaCy's lookup table lemmatises "criteria" as "criterium"; the surface form is kept.
    assert kw[1][0][0].split()[0] in {"selection", "criterium"}
    assert kw[1][0][1] in {"selection criteria", "selection", "criteria"}
    for g in (0, 1):
        label = make_label(kw[g])
        words = label.split()
        assert 2 <= len(words) <= 5
        assert not set(words) & stop_words()
    assert "selection" in make_label(kw[1])


def test_groups_marked_none_are_ignored() -> None:
    kw = class_keywords(["waiting times", "waiting times again", "ignored text"], [0, 0, None])
    assert set(kw) == {0}
