"""Label candidates: noun phrases of the answers, never fragments; the answers' own case."""

from __future__ import annotations

import numpy as np

from coder.core.themes.labels import describe_theme, label_themes, occurs_in, phrase_candidates


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


def test_verb_and_object_become_a_gerund_phrase_never_a_request() -> None:
    coverage, surface = phrase_candidates([
        "How do I cancel a transfer?", "Can I cancel my transfer",
        "I need to cancel a transfer I made this morning",
        "Please turn on the lights in the living room",
        "Why is there a fee for top-ups?",
    ])
    phrases = set(surface.values())
    assert surface["~cancel transfer"] == "cancelling a transfer"
    assert coverage["~cancel transfer"] == 3
    assert "turning on the lights" in phrases
    assert "fee for top-ups" in phrases
    # requests and fragments are not names
    assert {"cancel a transfer", "turn on the lights", "lights in the living",
            "fee for top"}.isdisjoint(phrases)


def test_a_subject_and_its_verb_are_not_a_noun_phrase() -> None:
    _, surface = phrase_candidates([
        "My card stopped working", "my refund showing as pending", "My daughter need a card",
        "I changed my mind and want a refund", "my virtual card won't work",
        "Offers withdrawn at the last minute", "Shortage of local independent schools",
        "my card payment was declined", "Is my gas tank full?",
    ])
    phrases = set(surface.values())
    assert {"card stopped", "refund showing", "refunding showing", "daughter need",
            "mind and want a refund", "virtual card wo", "offers withdrawn minute",
            "shortage of local independent", "carding payment", "gas tank full"}.isdisjoint(phrases), phrases
    assert {"local independent schools", "card payment"} <= phrases


def test_a_passive_clause_gives_a_noun_phrase_and_a_rate_is_no_label() -> None:
    """The demo survey's q2 themes were labelled "Offers withdrawn minute" (no phrase in two
    answers, so keywords) and "Year per child" (from "£60,000 a year per child")."""
    coverage, surface = phrase_candidates([
        "Offers being withdrawn after schools read the referral",
        "We find that offers are withdrawn at the last minute.",
        "In our experience fees often exceed £60,000 a year per child.",
        "Fees often exceed £60,000 a year per child.",
        "The cost per place is often three or four times a maintained school.",
        "My card was declined",
    ])
    phrases = set(surface.values())
    assert coverage["^withdraw offer"] == 2 and surface["^withdraw offer"] == "withdrawn offers"
    assert "declined card" in phrases
    assert {"year per child", "times a maintained school", "offers withdrawn minute"}.isdisjoint(
        phrases), phrases
    assert {"cost per place", "maintained school"} <= phrases
    themes = [["Offers being withdrawn after schools read the referral",
               "offers are withdrawn at the last minute", "Offers withdrawn again"],
              ["High school fees", "School fees are high", "fees too high"]]
    assert label_themes(themes, np.eye(2, 4, dtype=np.float32), None)[0] == "withdrawn offers"


def test_a_label_occurs_in_its_answers_in_any_inflected_form() -> None:
    # a substring test fails these: the label is written as a gerund or a noun phrase
    assert occurs_in("Cancelling a transfer", "Can I cancel my transfer?")
    assert occurs_in("Withdrawn offers", "offers are withdrawn at the last minute")
    assert occurs_in("EHCP", "Waiting for the EHCP")
    assert not occurs_in("Cancelling a transfer", "Can I cancel my card?")
    assert not occurs_in("", "anything")
