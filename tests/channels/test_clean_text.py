"""What a user's text may be when it reaches Rasa (channels.rasa_client.clean_user_text, issue 12)."""

from __future__ import annotations

import pytest

from channels.rasa_client import CONTROL, TOO_LONG, UNREADABLE, clean_user_text


@pytest.mark.parametrize(("text", "cleaned"), [
    ("Hij schold mij uit", "Hij schold mij uit"),
    ("\ud800Hij\udfff schold", "Hij schold"),  # lone surrogates dropped
    ("\ud83d\ude00 hoi", "\U0001F600 hoi"),  # a valid pair is the character it stands for
    ("regel\x00 een\x1b\nregel twee", "regel een\nregel twee"),
    ("/affirm", "/affirm"),  # the bot's own buttons
    ("/affirm@1", "/affirm@1"),  # no control intent (the payload guard cuts it to "/affirm")
    ('/inform{"role":"wethouder"}', '/inform{"role":"wethouder"}'),
])
def test_readable_text_goes_on_cleaned(text, cleaned):
    assert clean_user_text(text) == (cleaned, None)


@pytest.mark.parametrize(("text", "answer"), [
    ("\ud800", UNREADABLE), ("\x00\x01 \t", UNREADABLE), ("", UNREADABLE), (None, UNREADABLE), (["a"], UNREADABLE),
    ("/restart", CONTROL), ("/session_start", CONTROL), ('/session_start{"x": 1}', CONTROL), (" /back", CONTROL),
    ("/action_submit_report", CONTROL), ("a" * 20_001, TOO_LONG),
    # a confidence part ends the intent's name, as in Rasa's own pattern (review of issue 12)
    ("/restart@1", CONTROL), ("/restart@", CONTROL), ("/session_start@0.9", CONTROL), ("/back@1", CONTROL),
    ("/nlu_fallback@1{}", CONTROL), ("/utter_greet@1", CONTROL),
])
def test_unreadable_and_control_texts_get_a_calm_answer(text, answer):
    assert clean_user_text(text) == (None, answer)
    assert "112" in answer
