"""Quotes lose names, emails, phone numbers, postcodes and URLs; other words stay as written."""

from __future__ import annotations

import pytest

from coder.core.reporting.anonymise import (
    RedactionList,
    RedactionTerm,
    Redactor,
    placeholder_for_column,
    terms_from_attributes,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("Email jo.bloggs@kent.gov.uk today", "Email [email] today"),
    ("Ring 020 7946 0000 or 01632 960123", "Ring [phone] or [phone]"),
    ("Call +44 7700 900123 please", "Call [phone] please"),
    ("Office at SW1A 1AA and at m1 1ae", "Office at [postcode] and at [postcode]"),
    ("See https://example.org/a?b=1. Or www.devon.gov.uk/fees", "See [url]. Or [url]"),
    ("Thanks to Dr Patel and Mrs Jane Smith", "Thanks to [name] and [name]"),
    ("Fees rose 20% in 2023 to 150000 a year", "Fees rose 20% in 2023 to 150000 a year"),
])
def test_patterns(text: str, expected: str) -> None:
    assert Redactor().redact(text) == expected


def test_terms_are_whole_word_case_insensitive_longest_first() -> None:
    redactor = Redactor(RedactionList((
        RedactionTerm("Kent", "[council]"),
        RedactionTerm("Kent County Council", "[council]"),
        RedactionTerm("Sam", "[name]"),
    ), patterns=()))
    assert redactor.redact("KENT county  council and kent said so") == \
        "[council] and [council] said so"
    # Whole words only: "Samuel" and "Kentish" are not the listed names.
    assert redactor.redact("Samuel from Kentish Town; sam agreed") == \
        "Samuel from Kentish Town; [name] agreed"


def test_patterns_can_be_switched_off() -> None:
    redactor = Redactor(RedactionList(patterns=("email",)))
    assert redactor.redact("a@b.org www.x.org") == "[email] www.x.org"


def test_setting_round_trip_and_defaults() -> None:
    setting = {"terms": [{"text": "Leeds", "placeholder": "[council]"}, {"text": "Ann"}]}
    redaction = RedactionList.from_setting(setting)
    assert redaction.terms == (RedactionTerm("Leeds", "[council]"), RedactionTerm("Ann", "[name]"))
    assert RedactionList.from_setting(redaction.to_setting()) == redaction
    assert RedactionList.from_setting(None).terms == ()


def test_default_terms_come_from_name_like_attribute_columns() -> None:
    assert placeholder_for_column("authority_name") == "[council]"
    assert placeholder_for_column("school") == "[school]"
    assert placeholder_for_column("staff_name") == "[name]"
    assert placeholder_for_column("region") is None
    terms = terms_from_attributes([
        {"authority_name": "Kestrelworth", "region": "South"},
        {"authority_name": "kestrelworth", "region": "North"},
        {"authority_name": "Marramworth", "region": "North"},
        {"authority_name": "Teaselcombe", "region": "North"},
        {"authority_name": "Kent", "region": "South"},  # the built-in list has it
    ])
    assert terms == [RedactionTerm("Kestrelworth", "[council]"),
                     RedactionTerm("Marramworth", "[council]"),
                     RedactionTerm("Teaselcombe", "[council]")]


def test_council_names_also_give_their_short_form() -> None:
    terms = terms_from_attributes([{"authority_name": "London Borough of Kestrelworth"},
                                   {"authority_name": "Teaselcombe City Council"},
                                   {"authority_name": "Wyre Metropolitan Borough Council"}])
    redactor = Redactor(RedactionList(tuple(terms)))
    assert redactor.redact("Kestrelworth's panel, Teaselcombe City Council and Wyre") == \
        "[council]'s panel, [council] and [council]"


@pytest.mark.parametrize(("text", "expected"), [
    ("Please speak to Tom Hughes if you want more detail.",
     "Please speak to [name] if you want more detail."),
    ("Thanks to Kwame for pulling this together.", "Thanks to [name] for pulling this together."),
    ("Contact Ofsted about it; thanks to the team", "Contact Ofsted about it; thanks to the team"),
    ("Ask Ahmed or write to kwame.ahmed@marramworth.gov.uk", "Ask [name] or write to [email]"),
])
def test_unlisted_staff_names_after_cues_or_in_emails(text: str, expected: str) -> None:
    assert Redactor().redact(text) == expected


def test_patterns_added_later_are_on_in_older_settings() -> None:
    """An older project stored the patterns it kept on; the new ones are on, the dropped off."""
    older = {"terms": [], "patterns": ["email", "url", "phone", "postcode", "cue_name"]}
    redaction = RedactionList.from_setting(older)
    assert "titled_name" not in redaction.patterns
    assert {"authority", "person", "respondent_code"} <= set(redaction.patterns)
    assert RedactionList.from_setting(redaction.to_setting()) == redaction
