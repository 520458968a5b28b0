"""The bridge's small parts on their own: configuration, text splitting, commands, retries."""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from channels.telegram.bridge import DEFAULT_API_URL, Config, ConfigError, as_rasa_text, split_text, with_retry


def test_config_defaults():
    config = Config.from_env({"TELEGRAM_BOT_TOKEN": "123:abc"})
    assert (config.token, config.mode, config.api_url, config.host, config.port) == ("123:abc", "polling", DEFAULT_API_URL, "0.0.0.0", 8081)
    assert config.file_url == "https://api.telegram.org/file/bot"


def test_config_reads_every_variable():
    config = Config.from_env({
        "TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_API_URL": "http://127.0.0.1:9000/bot", "TELEGRAM_MODE": "webhook",
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.nl/telegram/webhook", "TELEGRAM_WEBHOOK_SECRET": "abc-123",
        "RASA_URL": "http://rasa:5005", "BRIDGE_TOKEN": "t", "BRIDGE_HOST": "127.0.0.1", "BRIDGE_PORT": "9090",
    })
    assert config == Config("123:abc", "http://127.0.0.1:9000/bot", "webhook", "https://bot.example.nl/telegram/webhook",
                            "abc-123", "http://rasa:5005", "t", "127.0.0.1", 9090)
    assert config.file_url == "http://127.0.0.1:9000/file/bot"


@pytest.mark.parametrize(("env", "names"), [
    ({}, "TELEGRAM_BOT_TOKEN"),
    ({"TELEGRAM_BOT_TOKEN": "  "}, "TELEGRAM_BOT_TOKEN"),
    ({"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_MODE": "push"}, "TELEGRAM_MODE"),
    ({"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_SECRET": "s"}, "TELEGRAM_WEBHOOK_URL"),
    ({"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_URL": "https://x.nl/telegram/webhook"},
     "TELEGRAM_WEBHOOK_SECRET"),
    ({"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_URL": "https://x.nl/t",
      "TELEGRAM_WEBHOOK_SECRET": "no spaces allowed"}, "TELEGRAM_WEBHOOK_SECRET"),
    ({"TELEGRAM_BOT_TOKEN": "1:a", "BRIDGE_PORT": "acht"}, "BRIDGE_PORT"),
])
def test_config_errors_name_the_variable(env, names):
    with pytest.raises(ConfigError, match=names):
        Config.from_env(env)


def test_split_text_cuts_at_line_breaks_then_spaces():
    assert split_text("kort") == ["kort"]
    assert split_text("") == []
    assert split_text("aaaa\nbbbb cccc", limit=10) == ["aaaa", "bbbb cccc"]
    assert split_text("aaaa bbbb cccc", limit=10) == ["aaaa bbbb", "cccc"]
    assert split_text("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]


@pytest.mark.parametrize(("typed", "sent"), [
    ("/start", "hallo"), ("/start@meldhulp_bot", "hallo"), ("/start campagne", "hallo"),
    ("/stop", "stop"), ('/inform{"role":"wethouder"}', 'inform{"role":"wethouder"}'), ("gewoon tekst", "gewoon tekst"),
])
def test_commands_reach_rasa_as_words(typed, sent):
    assert as_rasa_text(typed) == sent


class Flaky:
    """A Telegram call that fails with the given errors first."""

    def __init__(self, *errors: Exception) -> None:
        self.errors, self.calls = list(errors), 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


async def test_retry_backs_off_on_network_errors_and_timeouts():
    call = Flaky(NetworkError("down"), TimedOut())
    assert await with_retry(call, "test", attempts=3, first_delay=0.001) == "ok"
    assert call.calls == 3


async def test_retry_waits_as_long_as_telegram_says():
    call = Flaky(RetryAfter(0.05))
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await with_retry(call, "test", attempts=2, first_delay=0.001) == "ok"
    assert loop.time() - started >= 0.05


async def test_retry_gives_up_after_the_last_attempt():
    call = Flaky(*[NetworkError("down")] * 5)
    with pytest.raises(NetworkError):
        await with_retry(call, "test", attempts=3, first_delay=0.001)
    assert call.calls == 3


async def test_a_bad_request_is_not_retried():
    call = Flaky(BadRequest("can't parse entities"))
    with pytest.raises(BadRequest):
        await with_retry(call, "test", attempts=3, first_delay=0.001)
    assert call.calls == 1
