"""Two fixes so Rasa 3.6's socket.io channel (the web widget) works with this environment, applied when
the Rasa server loads our channels (bot/connectors.py), before any browser connects.

1. Sanic 21.12's WebSocket receive hands a coroutine to asyncio.wait(), which Python 3.11 refuses
   (TypeError): every WebSocket closed right after it opened ("Invalid frame header" in the browser).
   Wrapping the coroutine in a task is what asyncio.wait() itself did up to Python 3.10.
2. Rasa calls `sio.enter_room(...)` without `await` (RasaHQ/rasa#13027): since python-socketio 5.x it is a
   coroutine, so with session_persistence the browser never joined its session's room and got no bot
   messages. Here the call is started as a task, so it happens whether or not the caller awaits it.

When they can go:
1. when Sanic is 22.x or later (it wraps the coroutine itself; Rasa 3.6 pins Sanic 21.12) or the server runs on
   Python 3.10: then remove the first patch and check that the widget still connects
   (tests/e2e/test_widget_browser.py);
2. when Rasa awaits `enter_room` in rasa/core/channels/socketio.py (`grep -n "enter_room" .venv-rasa/lib/*/
   site-packages/rasa/core/channels/socketio.py` shows `await sio.enter_room`): then remove the second patch.
"""

from __future__ import annotations

import asyncio

from sanic.server.websockets.frame import WebsocketFrameAssembler
from socketio import AsyncServer

_get = WebsocketFrameAssembler.get
_enter_room = AsyncServer.enter_room


def _get_as_task(self, timeout: float | None = None) -> asyncio.Task:
    return asyncio.ensure_future(_get(self, timeout))


def _enter_room_as_task(self, sid, room, namespace=None) -> asyncio.Task:
    return asyncio.ensure_future(_enter_room(self, sid, room, namespace))


def apply() -> None:
    WebsocketFrameAssembler.get = _get_as_task  # patch 1: Sanic 21.12 on Python 3.11
    AsyncServer.enter_room = _enter_room_as_task  # patch 2: RasaHQ/rasa#13027
