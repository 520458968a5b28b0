"""A fake signal-cli-rest-api in json-rpc mode (`MODE=json-rpc`), on 127.0.0.1, for tests.

    async with FakeSignal(number="+31600000000") as sig:
        sig.url                                   # "http://127.0.0.1:<port>": what SIGNAL_API_URL would be
        sig.user_says("+31611111111", "hallo")    # a one-to-one text from that number (or from a uuid: hidden number)
        sig.user_sends_file("+31611111111", data, "image/jpeg", filename=None, text=None)  # a message with an
                                                  # attachment, stored as signal-cli stores it; returns its id
        sig.attachments                           # id -> bytes still stored; sig.deleted: ids deleted, in order
        sig.push(receipt("+31611111111"))         # any envelope: see the builders below
        sig.push_frame('{"error": "..."}')        # a raw websocket frame
        await sig.wait_for_connections(2)         # until 2 receive websockets were accepted in all
        sig.connections                           # receive websockets accepted so far
        await sig.drop_websockets()               # abort every receive websocket (no close frame)
        bodies = await sig.wait_for_sends("+31611111111", 1)  # the POST /v2/send bodies to that recipient
        sig.sent                                  # every accepted send body, in order
        sig.fail_sends(2)                         # the next 2 valid sends answer 500 (status=... for another)
        sig.failed_sends                          # how many sends were failed that way

Envelope builders: `text_message(source, text, group_id=None, attachments=None)`, `receipt(source)`,
`typing(source)`, `sync_sent(own_number, destination, text)`. `sig.push(envelope)` wraps one as the API does
(`{"envelope": ..., "account": number}`) and sends it to every connected websocket.

Frames pushed while no websocket is connected are kept and go, in order, to the next websocket that connects.
Beware: the real API does NOT do that in json-rpc mode; it drops them (issue #834 below). Pass
`keep_while_disconnected=False` to model the real behaviour.

What this follows (bbernhard/signal-cli-rest-api, src/api/api.go, src/client/client.go, src/client/jsonrpc2.go,
doc/EXAMPLES.md; signal-cli man/signal-cli-jsonrpc.5.adoc and its org.asamk.signal.json records):
- `GET /v1/receive/{number}` is a websocket in json-rpc mode. Each text frame is the `params` of signal-cli's
  `receive` notification: `{"envelope": {"source", "sourceNumber", "sourceUuid", "sourceName", "sourceDevice",
  "timestamp", "dataMessage" | "receiptMessage" | "typingMessage" | "syncMessage": {...}}, "account": number}`;
  a group message has `dataMessage.groupInfo = {"groupId", "type": "DELIVER"}`. Errors come as `{"error": ...}`
  frames. A message that arrives while no websocket listens is lost (issues #537, #664, #834).
- `POST /v2/send {"message", "number", "recipients": [...]}` answers 201 `{"timestamp": "<ms, as a string>"}`;
  400 `{"error": ...}` for a body that is not JSON of that shape, no recipients, no number, a number that is
  not registered ("Number not registered with JSON-RPC"), and for signal-cli's own send errors (it refuses an
  empty message without attachments).
- Received attachments are stored by signal-cli and listed in `dataMessage.attachments` as `{"contentType",
  "filename" (null when the phone gave none), "id" (the stored file's name), "size", "width", "height", "caption",
  "uploadTimestamp"}`; `GET /v1/attachments/{id}` serves the bytes (application/octet-stream), `DELETE
  /v1/attachments/{id}` removes them (204); an unknown id answers 404 `{"error": ...}`.
- `GET /v1/health` answers 204; `GET /v1/about` answers `{"versions": ["v1", "v2"], "build": 2,
  "mode": "json-rpc", "version": ...}`.
Deliberate differences: the receive websocket of another number than `number` is refused with 400 (the real
API accepts it and stays silent), so a wrong SIGNAL_NUMBER or a badly encoded '+' fails a test loudly; no pings.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

from aiohttp import web

INVALID = "Couldn't process request - invalid request"


def _now_ms() -> int:
    return int(time.time() * 1000)


def _envelope(source: str, **content: object) -> dict:
    """A sender is a number ('+31...') or, when they hide their number, a uuid."""
    number = source if source.startswith("+") else None
    sender_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, source)) if number else source
    now = _now_ms()
    return {"source": number or sender_uuid, "sourceNumber": number, "sourceUuid": sender_uuid, "sourceName": "",
            "sourceDevice": 1, "timestamp": now, "serverReceivedTimestamp": now, "serverDeliveredTimestamp": now,
            **content}


def text_message(source: str, text: str | None, *, group_id: str | None = None, attachments: list[dict] | None = None) -> dict:
    data: dict = {"timestamp": _now_ms(), "expiresInSeconds": 0, "viewOnce": False, "mentions": [],
                  "attachments": attachments or [], "contacts": []}
    if text is not None:
        data["message"] = text
    if group_id:
        data["groupInfo"] = {"groupId": group_id, "type": "DELIVER"}
    return _envelope(source, dataMessage=data)


def receipt(source: str) -> dict:
    now = _now_ms()
    return _envelope(source, receiptMessage={"when": now, "isDelivery": True, "isRead": False, "isViewed": False,
                                             "timestamps": [now - 1000]})


def typing(source: str) -> dict:
    return _envelope(source, typingMessage={"action": "STARTED", "timestamp": _now_ms()})


def sync_sent(own_number: str, destination: str, text: str) -> dict:
    """What a linked phone of the bot's own account sent: signal-cli reports it as a sync message."""
    return _envelope(own_number, syncMessage={"sentMessage": {
        "destination": destination, "destinationNumber": destination, "timestamp": _now_ms(), "message": text,
        "expiresInSeconds": 0, "viewOnce": False}})


class FakeSignal:
    def __init__(self, number: str = "+31600000000", *, keep_while_disconnected: bool = True) -> None:
        self.number = number
        self.keep_while_disconnected = keep_while_disconnected
        self.url = ""
        self.sent: list[dict] = []
        self.connections = 0
        self.failed_sends = 0
        self.attachments: dict[str, bytes] = {}
        self.deleted: list[str] = []
        self._fail: list[int] = []
        self._sockets: dict[web.WebSocketResponse, tuple[asyncio.Queue, asyncio.BaseTransport | None]] = {}
        self._kept: list[str] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> FakeSignal:
        app = web.Application()
        app.router.add_get("/v1/receive/{number}", self._receive)
        app.router.add_post("/v2/send", self._send)
        app.router.add_get("/v1/health", self._health)
        app.router.add_get("/v1/about", self._about)
        app.router.add_get("/v1/attachments/{id}", self._get_attachment)
        app.router.add_delete("/v1/attachments/{id}", self._delete_attachment)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *_: object) -> None:
        for ws in list(self._sockets):
            await ws.close()
        await self._runner.cleanup()

    # --- test controls ---------------------------------------------------------------------------------------

    def user_says(self, source: str, text: str) -> None:
        self.push(text_message(source, text))

    def user_sends_file(self, source: str, data: bytes, content_type: str, filename: str | None = None,
                        text: str | None = None, size: int | None = None) -> str:
        attachment_id = f"{uuid.uuid4().hex[:20]}.{content_type.rsplit('/', 1)[-1]}"
        self.attachments[attachment_id] = data
        attachment = {"contentType": content_type, "filename": filename, "id": attachment_id,
                      "size": len(data) if size is None else size, "width": None, "height": None, "caption": None,
                      "uploadTimestamp": _now_ms()}
        self.push(text_message(source, text, attachments=[attachment]))
        return attachment_id

    def push(self, envelope: dict) -> None:
        self.push_frame(json.dumps({"envelope": envelope, "account": self.number}))

    def push_frame(self, frame: str) -> None:
        if self._sockets:
            for queue, _ in self._sockets.values():
                queue.put_nowait(frame)
        elif self.keep_while_disconnected:
            self._kept.append(frame)

    def fail_sends(self, times: int, status: int = 500) -> None:
        self._fail += [status] * times

    async def drop_websockets(self) -> None:
        """Abort every receive websocket, as a crashed container or a broken network would."""
        sockets, self._sockets = self._sockets, {}
        for _, transport in sockets.values():
            if transport:
                transport.abort()
        await asyncio.sleep(0)

    def sends_to(self, recipient: str) -> list[dict]:
        return [body for body in self.sent if recipient in body["recipients"]]

    async def wait_for_sends(self, recipient: str, count: int, timeout: float = 10) -> list[dict]:
        """The send bodies to `recipient` once there are at least `count`; AssertionError after `timeout`."""
        await self._wait(lambda: len(self.sends_to(recipient)) >= count, timeout,
                         lambda: f"{count} sends to {recipient}, got {self.sends_to(recipient)}")
        return self.sends_to(recipient)

    async def wait_for_connections(self, count: int, timeout: float = 10) -> None:
        await self._wait(lambda: self.connections >= count, timeout,
                         lambda: f"{count} websocket connections, got {self.connections}")

    async def _wait(self, done, timeout: float, expected) -> None:
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(done)
        except TimeoutError:
            raise AssertionError(f"expected {expected()} within {timeout} s") from None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # --- the API ---------------------------------------------------------------------------------------------

    async def _receive(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["number"] != self.number:
            return web.json_response({"error": f"Number {request.match_info['number']} not registered"}, status=400)
        ws = web.WebSocketResponse()
        if not ws.can_prepare(request).ok:
            return web.json_response({"error": "websocket: the client is not using the websocket protocol"}, status=400)
        await ws.prepare(request)
        queue: asyncio.Queue = asyncio.Queue()
        for frame in self._kept:
            queue.put_nowait(frame)
        self._kept.clear()
        self._sockets[ws] = (queue, request.transport)
        self.connections += 1
        await self._notify()
        writer = asyncio.create_task(self._write(ws, queue))
        try:
            async for _ in ws:  # like the real API: read (and ignore) until the client goes away
                pass
        finally:
            writer.cancel()
            self._sockets.pop(ws, None)
        return ws

    @staticmethod
    async def _write(ws: web.WebSocketResponse, queue: asyncio.Queue) -> None:
        while True:
            await ws.send_str(await queue.get())

    async def _send(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": INVALID}, status=400)
        if not isinstance(body, dict):
            return web.json_response({"error": INVALID}, status=400)
        recipients, number, message = body.get("recipients"), body.get("number"), body.get("message")
        if (not isinstance(recipients, list | None) or not all(isinstance(r, str) for r in recipients or [])
                or not isinstance(number, str | None) or not isinstance(message, str | None)):
            return web.json_response({"error": INVALID}, status=400)
        if not recipients:
            return web.json_response({"error": "Couldn't process request - please provide at least one recipient"}, status=400)
        if not number:
            return web.json_response({"error": "Couldn't process request - please provide a valid number"}, status=400)
        if number != self.number:
            return web.json_response({"error": "Number not registered with JSON-RPC"}, status=400)
        if not message and not body.get("base64_attachments"):
            return web.json_response({"error": "Sending empty message is not allowed"}, status=400)
        if self._fail:
            self.failed_sends += 1
            return web.json_response({"error": "fake failure"}, status=self._fail.pop(0))
        self.sent.append(body)
        await self._notify()
        return web.json_response({"timestamp": str(_now_ms())}, status=201)

    async def _get_attachment(self, request: web.Request) -> web.Response:
        data = self.attachments.get(request.match_info["id"])
        if data is None:
            return web.json_response({"error": "No attachment with that name found"}, status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    async def _delete_attachment(self, request: web.Request) -> web.Response:
        if self.attachments.pop(request.match_info["id"], None) is None:
            return web.json_response({"error": "No attachment with that name found"}, status=404)
        self.deleted.append(request.match_info["id"])
        await self._notify()
        return web.Response(status=204)

    async def _health(self, _: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _about(self, _: web.Request) -> web.Response:
        return web.json_response({"versions": ["v1", "v2"], "build": 2, "mode": "json-rpc", "version": "fake"})
