"""The Telegram bridge against the fake Bot API (tests/channels/fake_telegram.py) and a fake Rasa, all on 127.0.0.1."""

from __future__ import annotations

import pytest

from channels.telegram.bridge import Config, TelegramBridge
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.telegram.support import BRIDGE_TOKEN, FAST


@pytest.fixture
async def tg():
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def config(tg, rasa) -> Config:
    return Config(token=tg.token, api_url=tg.base_url, rasa_url=rasa.url, bridge_token=BRIDGE_TOKEN, host="127.0.0.1", port=0)


@pytest.fixture
async def bridge(config):
    """The bridge in polling mode, running."""
    async with TelegramBridge(config, **FAST).running() as running:
        yield running
