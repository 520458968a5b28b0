"""A fake of the Rasa channel the bridges use (bot/connectors.py: BridgeInput) for the Telegram and Signal
tests, on 127.0.0.1. Like the real one it refuses requests without the bridge token (401).

    async with FakeRasa() as rasa:
        rasa.url                      # RASA_URL for the bridge
        rasa.script["hallo"] = [{"text": "Dag!", "buttons": [...]}]   # scripted answers; others: "Ontvangen: <text>"
        rasa.down = True              # answers 503, as a proxy in front of a restarting Rasa does
        rasa.delay = 2.0              # answers late
        rasa.received, rasa.refused   # the request bodies handled, in order; how many were refused
        rasa.messages(sender=None)    # the texts received (of one sender)
        await rasa.wait_for(count)    # the texts, once at least `count` arrived
"""

from __future__ import annotations

import asyncio

from aiohttp import web


class FakeRasa:
    def __init__(self, token: str | None = None) -> None:
        self.token = token  # None: accept the token the bridge under test was configured with
        self.received: list[dict] = []
        self.script: dict[str, list[dict]] = {}
        self.down = False
        self.delay = 0.0  # seconds before answering (a slow turn, e.g. a handoff waiting for SMTP)
        self.refused = 0
        self.url = ""

    async def __aenter__(self) -> FakeRasa:
        app = web.Application()
        app.router.add_post("/webhooks/bridge/webhook", self._webhook)
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
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not given or (self.token is not None and given != self.token):
            return web.Response(status=401)
        body = await request.json()
        self.received.append(body)
        await asyncio.sleep(self.delay)
        replies = self.script.get(body["message"], [{"text": f"Ontvangen: {body['message']}"}])
        return web.json_response([{"recipient_id": body["sender"], **reply} for reply in replies])

    def messages(self, sender: str | None = None) -> list[str]:
        return [body["message"] for body in self.received if sender is None or body["sender"] == sender]

    async def wait_for(self, count: int, timeout: float = 10) -> list[str]:
        async with asyncio.timeout(timeout):
            while len(self.received) < count:
                await asyncio.sleep(0.005)
        return self.messages()
