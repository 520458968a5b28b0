"""POST /send at most once per idempotency key (the `Idempotency-Key` header), for the bridges.

The aftercare worker (actions/aftercare.py) sends a check-in through a bridge's POST /send and retries when it gets no
answer in time. A slow bridge (Telegram's own retries) may deliver the first request after the worker gave up on
it; the retry would then reach the user a second time. So the worker names each check-in with a key, and a bridge
remembers the keys it delivered: a key seen again is answered "ok" without sending, a key still being delivered gets
409 (the worker tries again later, when it is either delivered or failed). Only in memory, for this bridge process,
the newest MAX_KEYS keys: enough for the retries of one worker (minutes to hours), lost on a restart.
A request without the key is sent as before (the griffie's answers).
"""

from __future__ import annotations

import hmac
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from aiohttp import web

HEADER = "Idempotency-Key"
MAX_KEYS = 10_000
MAX_KEY_LENGTH = 128

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def once(app: web.Application, token: str, max_keys: int = MAX_KEYS) -> web.Application:
    """`app` (from channels.bridge.send_app) with POST /send done at most once per key; returns it."""
    delivered: OrderedDict[str, None] = OrderedDict()
    busy: set[str] = set()

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        key = request.headers.get(HEADER, "")
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        authorized = bool(token) and hmac.compare_digest(given.encode(), token.encode())
        if request.method != "POST" or request.path != "/send" or not key or len(key) > MAX_KEY_LENGTH or not authorized:
            return await handler(request)  # as before (and send_app refuses a wrong token)
        if key in delivered:
            return web.json_response({"ok": True, "duplicate": True})
        if key in busy:
            return web.json_response({"ok": False, "error": "being delivered"}, status=409)
        busy.add(key)
        try:
            response = await handler(request)
        finally:
            busy.discard(key)
        if response.status == 200:
            delivered[key] = None
            while len(delivered) > max_keys:
                delivered.popitem(last=False)
        return response

    app.middlewares.append(middleware)
    return app
