"""POST /send at most once per idempotency key (the `Idempotency-Key` header), for the bridges.

The aftercare worker (actions/aftercare.py) sends a check-in through a bridge's POST /send and retries when it gets no
answer in time. A slow bridge (Telegram's own retries) may deliver the first request after the worker gave up on
it; the retry would then reach the user a second time. So the worker names each check-in with a key, and a bridge
remembers the keys it delivered: a key seen again is answered "ok" without sending, a key still being delivered gets
409 (the worker tries again later, when it is either delivered or failed). The delivered keys are kept in the
database (actions/store/sent.py: an HMAC of each under the bridge token, for seven days), so a retry that reaches
the bridge after a restart is not sent again; the newest MAX_KEYS are also kept in memory, to answer a retry without
a query. Left: a bridge that stops between delivering a message and storing its key (or whose database fails just
then) forgets that one key, and its retry is sent again; and "being delivered" is known only inside one process, so
one bridge process per channel (as docker-compose runs them). When the database does not answer before sending, a
keyed request gets 503 and nothing is sent (the worker retries).
A request without the key is sent as before (the griffie's answers).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from actions.store import db, sent

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
MAX_KEYS = 10_000
MAX_KEY_LENGTH = 128

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _was_sent(key: str, secret: str) -> bool:
    with db.session() as session:
        return sent.was_sent(session, key, secret)


def _record(key: str, secret: str) -> None:
    with db.transaction() as session:
        sent.record(session, key, secret)


def once(app: web.Application, token: str, max_keys: int = MAX_KEYS) -> web.Application:
    """`app` (from channels.bridge.send_app) with POST /send done at most once per key; returns it."""
    delivered: OrderedDict[str, None] = OrderedDict()
    busy: set[str] = set()

    def remember(key: str) -> None:
        delivered[key] = None
        while len(delivered) > max_keys:
            delivered.popitem(last=False)

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
            try:
                if await asyncio.to_thread(_was_sent, key, token):
                    remember(key)
                    return web.json_response({"ok": True, "duplicate": True})
            except SQLAlchemyError as error:
                log.warning("idempotency: no answer from the database (%s; migrated? make db); nothing sent, the "
                            "sender retries", type(error).__name__)
                return web.json_response({"ok": False, "error": "try again later"}, status=503)
            response = await handler(request)
            if response.status == 200:
                remember(key)
                try:
                    await asyncio.to_thread(_record, key, token)
                except SQLAlchemyError as error:  # delivered: kept in memory; lost only if the bridge restarts now
                    log.warning("idempotency: a delivered key was not stored (%s)", type(error).__name__)
            return response
        finally:
            busy.discard(key)

    app.middlewares.append(middleware)
    return app
