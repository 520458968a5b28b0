"""Fixtures for the Signal bridge: a fake signal-cli-rest-api, a fake Rasa and a bridge between them,
with backoffs in milliseconds so the whole directory runs in a few seconds."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

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


class FakeRasa:
    """Rasa's REST channel: `POST /webhooks/rest/webhook {"sender", "message", "metadata"}` -> the bot's messages.

    `replies[text]` scripts the answer to a message; any other message gets "U zei: <text>". While `down` is
    true every request gets 503, as from a proxy in front of a Rasa that is restarting."""

    def __init__(self) -> None:
        self.url = ""
        self.received: list[dict] = []  # the request bodies Rasa handled, in order
        self.refused = 0
        self.down = False
        self.replies: dict[str, list[dict]] = {}
        self._runner: web.AppRunner | None = None

    def messages(self, sender: str | None = None) -> list[str]:
        return [body["message"] for body in self.received if sender in (None, body["sender"])]

    async def wait_for(self, count: int, timeout: float = 10) -> list[str]:
        async with asyncio.timeout(timeout):
            while len(self.received) < count:
                await asyncio.sleep(0.005)
        return self.messages()

    async def _webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.down:
            self.refused += 1
            return web.Response(status=503)
        self.received.append(body)
        reply = self.replies.get(body["message"], [{"text": f"U zei: {body['message']}"}])
        return web.json_response([{"recipient_id": body["sender"], **message} for message in reply])

    async def __aenter__(self) -> FakeRasa:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._webhook)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._runner.cleanup()


@pytest.fixture
async def sig():
    async with FakeSignal(number=BOT) as fake:
        yield fake


@pytest.fixture
async def rasa():
    async with FakeRasa() as fake:
        yield fake


@pytest.fixture
async def bridge(sig, rasa):
    config = Config(api_url=sig.url, number=BOT, rasa_url=rasa.url, token=TOKEN, host="127.0.0.1", port=0)
    bridge = SignalBridge(config, first_delay=0.01, max_delay=0.05, send_attempts=3)
    await bridge.start()
    await sig.wait_for_connections(1)
    yield bridge
    await bridge.stop(grace=0.5)
