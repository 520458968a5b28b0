"""What the Telegram bridge tests share: a fake Rasa, fast retry settings, small helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

from channels.telegram.bridge import TelegramBridge

BRIDGE_TOKEN = "test-bridge-token"
# Short waits so retries take milliseconds: one place for every test.
FAST = {"send_attempts": 3, "send_delay": 0.01, "rasa_delay": 0.02, "shutdown_grace": 0.5}


class FakeRasa:
    """Rasa's REST channel: records what it receives and answers from a script (default: 'Ontvangen: <text>').
    With `down` set it answers 503, as a Rasa server that is starting or overloaded does."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.script: dict[str, list[dict]] = {}
        self.down = False
        self.refused = 0
        self.url = ""

    async def __aenter__(self) -> FakeRasa:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._webhook)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0, shutdown_timeout=1).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc) -> None:
        await self._runner.cleanup()

    async def _webhook(self, request: web.Request) -> web.Response:
        if self.down:
            self.refused += 1
            return web.Response(status=503)
        body = await request.json()
        self.received.append(body)
        replies = self.script.get(body["message"], [{"text": f"Ontvangen: {body['message']}"}])
        return web.json_response([{"recipient_id": body["sender"], **reply} for reply in replies])

    def messages(self) -> list[str]:
        return [body["message"] for body in self.received]


async def eventually(condition: Callable[[], bool], timeout: float = 5) -> None:
    """For effects with no message to wait for (a callback answer, a refused Rasa call)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def http_url(bridge: TelegramBridge) -> str:
    return f"http://127.0.0.1:{bridge.runner.addresses[0][1]}"
