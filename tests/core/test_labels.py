"""Label candidates: noun phrases of the answers, never fragments; the answers' own case."""

from __future__ import annotations

import numpy as np

from coder.core.themes.labels import describe_theme, label_themes, phrase_candidates


def test_fragments_ending_in_a_verb_or_adjective_are_never_candidates() -> None:
    coverage, surface = phrase_candidates([
        "Schools refusing to admit children in care",
        "For us it is the expense compared with maintained provision",
        "Shortage of local places and slow SEND processes",
        "Lack of training for staff",
    ])
    phrases = set(surface.values())
    assert {"schools refusing", "expense compared", "shortage of local",
            "compared with maintained provision"}.isdisjoint(phrases)
    assert {"slow send processes", "lack of training", "local places",
            "children in care"} <= phrases
    assert all(p.split()[-1] not in {"of", "for", "to", "the"} for p in phrases)


def test_labels_keep_the_answers_acronyms_and_descriptions_their_words() -> None:
    themes = [["Waiting for the EHCP", "EHCP delays again", "The EHCP takes months"],
              ["High school fees", "School fees are high", "fees too high"]]
    centres = np.eye(2, 4, dtype=np.float32)
    labels = label_themes(themes, centres, None)
    assert labels[0] == "EHCP"
    assert "fees" in labels[1]
    assert describe_theme(themes[0]) == "Waiting for the EHCP"
    long = "word " * 30
    assert describe_theme([long]).endswith("…") and len(describe_theme([long]).split()) == 20
