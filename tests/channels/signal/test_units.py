"""The bridge's small pure pieces: configuration, frame parsing, numbered options, backoff."""

from __future__ import annotations

import pytest

from channels.signal.bridge import Config, ConfigError, SignalBridge, numbers_text, parse_frame, with_options
from tests.channels.fake_signal import receipt, sync_sent, text_message, typing

BOT = "+31600000000"


def frame(envelope: dict) -> dict:
    return {"envelope": envelope, "account": BOT}


def test_config_from_env_with_defaults():
    config = Config.from_env({"SIGNAL_NUMBER": " +31600000000 "})
    assert config == Config(api_url="http://localhost:8080", number=BOT, rasa_url="http://localhost:5005",
                            token="", host="0.0.0.0", port=8082)


def test_config_from_env_with_everything_set():
    config = Config.from_env({"SIGNAL_NUMBER": BOT, "SIGNAL_API_URL": "http://signal-cli:8080/", "RASA_URL": "http://rasa:5005",
                              "BRIDGE_TOKEN": "t", "BRIDGE_HOST": "127.0.0.1", "BRIDGE_PORT": "9000"})
    assert config == Config(api_url="http://signal-cli:8080", number=BOT, rasa_url="http://rasa:5005", token="t",
                            host="127.0.0.1", port=9000)


@pytest.mark.parametrize(("env", "message"), [
    ({}, "SIGNAL_NUMBER is not set"),
    ({"SIGNAL_NUMBER": "0612345678"}, "SIGNAL_NUMBER must be the full international number"),
    ({"SIGNAL_NUMBER": BOT, "BRIDGE_PORT": "http"}, "BRIDGE_PORT must be a port number"),
])
def test_config_errors_say_what_to_set(env, message):
    with pytest.raises(ConfigError, match=message):
        Config.from_env(env)


def test_the_receive_url_encodes_the_plus():
    bridge = SignalBridge(Config(api_url="http://signal-cli:8080", number=BOT))
    assert bridge.receive_url == "http://signal-cli:8080/v1/receive/%2B31600000000"


def test_parse_frame_takes_one_to_one_texts_only():
    assert parse_frame(frame(text_message("+31611111111", "hallo")), BOT).text == "hallo"
    assert parse_frame(frame(text_message("+31611111111", "hallo")), BOT).address == "+31611111111"
    for ignored in (receipt("+31611111111"), typing("+31611111111"), sync_sent(BOT, "+31611111111", "x"),
                    text_message("+31611111111", "in de groep", group_id="Z3JvZXA="), text_message("+31611111111", None),
                    text_message("+31611111111", "   "), text_message(BOT, "aan mezelf")):
        assert parse_frame(frame(ignored), BOT) is None
    for odd in (None, [], "tekst", {"envelope": None}, {"envelope": {"dataMessage": "x"}}, {"error": "kapot"}):
        assert parse_frame(odd, BOT) is None


def test_parse_frame_uses_the_uuid_when_the_number_is_hidden():
    incoming = parse_frame(frame(text_message("7b0e4a2c-1111-4222-8333-944455556666", "hoi")), BOT)
    assert incoming.address == "7b0e4a2c-1111-4222-8333-944455556666"


def test_parse_frame_marks_an_attachment_without_text():
    photo = {"contentType": "image/jpeg", "id": "a1", "size": 10}
    assert parse_frame(frame(text_message("+31611111111", None, attachments=[photo])), BOT).text == ""


def test_with_options():
    buttons = [{"title": "Ja", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}]
    assert with_options("Klopt dit?", buttons) == "Klopt dit?\n\n1. Ja\n2. Nee\n\nAntwoord met het nummer."
    assert with_options("", buttons) == "1. Ja\n2. Nee\n\nAntwoord met het nummer."
    assert with_options("Klopt dit?", []) == "Klopt dit?"


def test_numbers_text():
    assert [numbers_text(n) for n in (1, 2, 4)] == ["1", "1 of 2", "1, 2, 3 of 4"]


def test_backoff_doubles_to_the_maximum_and_starts_at_zero():
    bridge = SignalBridge(Config(api_url="http://x", number=BOT), first_delay=1, max_delay=60)
    assert [bridge._delay(n) for n in range(9)] == [0, 1, 2, 4, 8, 16, 32, 60, 60]
    assert bridge._delay(5000) == 60  # a day-long outage does not overflow
