"""Fixtures for the Signal bridge: a fake signal-cli-rest-api, a fake Rasa and a bridge between them,
with backoffs in milliseconds so the whole directory runs in a few seconds."""

from __future__ import annotations

import pytest

from channels.signal.bridge import Config, SignalBridge
from tests.channels.fake_signal import FakeSignal

BOT = "+31600000000"
USER = "+31611111111"
TOKEN = "griffie-geheim"
ROLE_BUTTONS = [
    {"title": "Raadslid", "payload": '/inform{"role":"raadslid"}'},
    {"title": "Duolid", "payload": '/inform{"role":"duolid"}'},
    {"title": "Wethouder", "payload": '/inform{"role":"wethouder"}'},
]


@pytest.fixture
async def sig():
    async with FakeSignal(number=BOT) as fake:
        yield fake


@pytest.fixture
async def bridge(sig, rasa):
    config = Config(api_url=sig.url, number=BOT, rasa_url=rasa.url, token=TOKEN, host="127.0.0.1", port=0)
    bridge = SignalBridge(config, first_delay=0.01, max_delay=0.05, send_attempts=3)
    await bridge.start()
    await sig.wait_for_connections(1)
    yield bridge
    await bridge.stop(grace=0.5)
