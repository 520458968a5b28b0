"""What the Telegram and Signal bridges share.

- `RasaForwarder`: hands user messages to Rasa one at a time per user, in order. While Rasa cannot be
  reached a message is retried with backoff, never dropped, and the user hears once that it is delayed.
- `send_app`: the small HTTP API through which the griffie page answers a user on this channel
  (`POST /send`, bearer token `BRIDGE_TOKEN`), plus `GET /health` for the deployment's health checks.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
from collections.abc import Awaitable, Callable

from aiohttp import web

from channels.rasa_client import RasaClient, RasaTimeout, RasaUnavailable, sender_id
from channels.retry import backoff, retry
from core.texts import DANGER_LINE

log = logging.getLogger(__name__)

DELAYED = (
    "Ik ben even niet bereikbaar. Uw bericht is bewaard en komt door zodra ik weer werk. "
    + DANGER_LINE
)

Reply = Callable[[str, list[dict]], Awaitable[None]]  # (address, Rasa's messages)
Notice = Callable[[str, str], Awaitable[None]]  # (address, text)


class RasaForwarder:
    def __init__(self, client: RasaClient, channel: str, reply: Reply, notice: Notice | None = None,
                 first_delay: float = 1.0, max_delay: float = 60.0) -> None:
        self.client, self.channel, self.reply, self.notice = client, channel, reply, notice
        self.first_delay, self.max_delay = first_delay, max_delay
        self._queues: dict[str, asyncio.Queue] = {}
        self._workers: dict[str, asyncio.Task] = {}

    async def submit(self, address: str, text: str) -> None:
        """Queue a user's message; it reaches Rasa after that user's earlier messages."""
        queue = self._queues.setdefault(address, asyncio.Queue())
        await queue.put(text)
        if address not in self._workers or self._workers[address].done():
            self._workers[address] = asyncio.create_task(self._work(address, queue))

    async def _work(self, address: str, queue: asyncio.Queue) -> None:
        while not queue.empty():
            text = await queue.get()
            try:
                replies = await self._deliver(address, text)
                await self.reply(address, replies)
            except Exception:  # keep serving this user; the error is logged without the message
                log.exception("could not handle a %s message", self.channel)
            finally:
                queue.task_done()

    async def _deliver(self, address: str, text: str) -> list[dict]:
        def delay(attempt: int, error: Exception) -> float | None:
            # A timeout is not retried: Rasa got the message and may still act on it.
            if isinstance(error, RasaTimeout) or not isinstance(error, RasaUnavailable):
                return None
            return backoff(attempt, self.first_delay, self.max_delay)

        async def tell_once(attempt: int, error: Exception, _: float) -> None:
            log.warning("Rasa unavailable (%s); retrying a %s message", error, self.channel)
            if attempt == 1 and self.notice:
                try:
                    await self.notice(address, DELAYED)
                except Exception:
                    log.exception("could not tell the user about the delay")

        try:
            return await retry(lambda: self.client.send(sender_id(self.channel, address), text, {"channel": self.channel}),
                               attempts=None, delay=delay, before_retry=tell_once)
        except RasaTimeout:
            # A second copy could answer the next question.
            log.warning("Rasa did not answer a %s message in time; not sending it again", self.channel)
            return []

    async def join(self) -> None:
        """Wait until every queued message has been handled (tests, shutdown)."""
        for queue in list(self._queues.values()):
            await queue.join()

    async def close(self) -> None:
        for task in self._workers.values():
            task.cancel()
        await asyncio.gather(*self._workers.values(), return_exceptions=True)


Deliver = Callable[[str, str, list[dict]], Awaitable[None]]  # (address, text, buttons)


def send_app(deliver: Deliver, token: str) -> web.Application:
    """`POST /send {"recipient", "text", "buttons"?}` with `Authorization: Bearer <token>`; `GET /health`."""

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def send(request: web.Request) -> web.Response:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not token or not hmac.compare_digest(given.encode(), token.encode()):
            return web.json_response({"ok": False, "error": "unauthorized"}, status=401)
        try:
            body = await request.json()
            recipient, text, buttons = body["recipient"], body["text"], body.get("buttons") or []
            if not (isinstance(recipient, str) and recipient and isinstance(text, str) and text.strip()
                    and isinstance(buttons, list)):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return web.json_response({"ok": False, "error": "expected recipient, text and optional buttons"}, status=400)
        try:
            await deliver(recipient, text, buttons)
        except ValueError:  # e.g. a recipient that is no chat id or number for this channel
            return web.json_response({"ok": False, "error": "invalid recipient"}, status=400)
        except Exception as error:
            log.warning("could not deliver a griffie message: %s", type(error).__name__)
            return web.json_response({"ok": False, "error": type(error).__name__}, status=502)
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/health", health)
    app.router.add_post("/send", send)
    return app


def stop_on_signals() -> asyncio.Event:
    """An event that SIGTERM or SIGINT sets: a bridge runs until it is set."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)  # health checks every few seconds would flood the log
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
