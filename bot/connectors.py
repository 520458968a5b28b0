"""Rasa input channels (they run inside the Rasa server; bot/credentials.yml names them).

Who a conversation belongs to must not be something a caller can choose: the handoff answers
`telegram:<chat>` and `signal:<number>` conversations through those messengers.

- BridgeInput ("bridge"): the Telegram and Signal bridges. Every request carries `Authorization: Bearer
  <BRIDGE_TOKEN>`, and only `telegram:` and `signal:` conversation ids are accepted, only here.
- WidgetInput ("socketio"): the web widget. Only session ids of 32 hex characters (what the server
  hands out) are accepted, so a browser cannot write into a messenger user's conversation.
- LocalRestInput ("rest"): the plain REST channel for the terminal, tests and benchmarks, without
  Rasa's option to name another input channel in the request. Not opened in production
  (deploy/credentials.yml).
"""

from __future__ import annotations

import hmac
import logging
import re

from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic.exceptions import InvalidUsage as BadRequest  # Sanic 21.12 (Rasa 3.6) has no BadRequest yet
from sanic.exceptions import Unauthorized

from core.config import get_settings
from patches import socketio_fixes

socketio_fixes.apply()  # see patches/socketio_fixes.py: Rasa 3.6's socket.io channel on Python 3.11

log = logging.getLogger(__name__)
BRIDGE_ID = re.compile(r"^(?:telegram:-?\d{1,20}|signal:[+\w.-]{3,64})$")
WIDGET_ID = re.compile(r"^[0-9a-f]{32}$")


class LocalRestInput(RestInput):
    def _extract_input_channel(self, req) -> str:
        return self.name()

    async def _extract_sender(self, req) -> str | None:
        sender = req.json.get("sender")
        if isinstance(sender, str) and BRIDGE_ID.match(sender):
            raise BadRequest("telegram: and signal: conversations belong to the bridge channel")
        return sender


class BridgeInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "bridge"

    def _extract_input_channel(self, req) -> str:
        return self.name()

    async def _extract_sender(self, req) -> str | None:
        token = get_settings().bridge_token
        given = req.headers.get("Authorization", "").removeprefix("Bearer ")
        if not token or not hmac.compare_digest(given.encode(), token.encode()):
            raise Unauthorized("bridge token required")
        sender = req.json.get("sender")
        if not isinstance(sender, str) or not BRIDGE_ID.match(sender):
            raise BadRequest("expected a telegram: or signal: conversation id")
        return sender


class WidgetInput(SocketIOInput):
    def blueprint(self, on_new_message):
        async def only_widget_sessions(message) -> None:
            if not WIDGET_ID.match(message.sender_id or ""):
                log.warning("socket.io message with a session id the server did not hand out: ignored")
                return
            await on_new_message(message)

        return super().blueprint(only_widget_sessions)
