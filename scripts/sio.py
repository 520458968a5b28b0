"""A minimal socket.io client (Engine.IO 4 over a WebSocket, `websockets` only) for the probe and the tests:
what the widget does, and what an attacker's script could do, without a browser."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit

import websockets


class SioClient:
    def __init__(self, rasa_url: str) -> None:
        parts = urlsplit(rasa_url)
        self.url = f"ws://{parts.netloc}/socket.io/?EIO=4&transport=websocket"
        self.events: asyncio.Queue = asyncio.Queue()
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._acks: dict[int, asyncio.Future] = {}
        self._next_ack = 0

    async def __aenter__(self) -> SioClient:
        self._ws = await websockets.connect(self.url, open_timeout=10)
        opened = await asyncio.wait_for(self._ws.recv(), 10)
        assert opened.startswith("0"), opened
        await self._ws.send("40")
        self._reader = asyncio.ensure_future(self._read())
        name, _ = await self.next_event(10)
        assert name == "connect", name
        return self

    async def __aexit__(self, *exc) -> None:
        if self._reader:
            self._reader.cancel()
        if self._ws:
            await self._ws.close()

    async def _read(self) -> None:
        assert self._ws is not None
        async for packet in self._ws:
            if packet == "2":  # ping
                await self._ws.send("3")
            elif packet.startswith("40"):
                await self.events.put(("connect", None))
            elif packet.startswith("42"):
                name, *args = json.loads(packet[2:])
                await self.events.put((name, args[0] if args else None))
            elif packet.startswith("43"):
                rest = packet[2:]
                digits = len(rest) - len(rest.lstrip("0123456789"))
                future = self._acks.pop(int(rest[:digits]), None)
                if future and not future.done():
                    future.set_result(json.loads(rest[digits:] or "[]"))
        await self.events.put(("closed", None))

    async def emit(self, event: str, data, ack: bool = False, timeout: float = 60):
        assert self._ws is not None
        if not ack:
            await self._ws.send("42" + json.dumps([event, data]))
            return None
        self._next_ack += 1
        future = asyncio.get_running_loop().create_future()
        self._acks[self._next_ack] = future
        await self._ws.send(f"42{self._next_ack}" + json.dumps([event, data]))
        return await asyncio.wait_for(future, timeout)

    async def next_event(self, timeout: float = 10) -> tuple[str, object]:
        return await asyncio.wait_for(self.events.get(), timeout)

    async def events_within(self, seconds: float) -> list[tuple[str, object]]:
        seen = []
        try:
            while True:
                seen.append(await asyncio.wait_for(self.events.get(), seconds))
        except TimeoutError:
            return seen

    async def session(self, token: str | None = None, session_id: str | None = None) -> tuple[str, object]:
        """session_request; ('session_confirm', {session_id, session_token}) or ('session_refused', ...)."""
        await self.emit("session_request", {"session_token": token, "session_id": session_id})
        while True:
            name, data = await self.next_event(10)
            if name in ("session_confirm", "session_refused"):
                return name, data
