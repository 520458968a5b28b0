"""Rasa input channels (they run inside the Rasa server; bot/credentials.yml names them).

Who a conversation belongs to must not be something a caller can choose: the handoff answers
`telegram:<chat>` and `signal:<number>` conversations through those messengers.

- BridgeInput ("bridge"): the Telegram and Signal bridges. Every request carries `Authorization: Bearer
  <BRIDGE_TOKEN>`, and only `telegram:` and `signal:` conversation ids are accepted, only here.
- WidgetInput ("socketio"): the web widget. A browser gets its session from the server, with a signed token
  (channels/widget/session.py); only that token reopens the session, one socket at a time, and a message
  goes to the session of the socket that sent it, whatever session id the message names.
- LocalRestInput ("rest"): the plain REST channel for the terminal, tests and benchmarks, without
  Rasa's option to name another input channel in the request. Not opened in production
  (deploy/credentials.yml).

Every channel checks what it is given before Rasa sees it (issue 12): a body that is not a JSON object or has
no sender is refused with 400 and a clear message (Rasa answered 500, or filed it under the shared "default"
conversation); a text with invalid Unicode or control characters is cleaned, and one with nothing readable
left or one of Rasa's control intents typed by a user ("/restart") is answered calmly here
(channels.rasa_client.clean_user_text). Loading this module also applies the Rasa patches of bot/patches that
concern the server as a whole: log privacy, the fixed answer when an action fails, the Redis lock and the
payload guard (a typed "/intent{...}" sets no slot; only a button the bot offered in its last turn does).
"""

from __future__ import annotations

import hmac
import json
import logging
import re

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import response
from sanic.exceptions import InvalidUsage as BadRequest  # Sanic 21.12 (Rasa 3.6) has no BadRequest yet
from sanic.exceptions import Unauthorized

from channels.rasa_client import clean_user_text
from channels.widget import session as widget_session
from core.config import get_settings
from patches import log_privacy, never_silent, payload_guard, redis_lock, socketio_fixes

socketio_fixes.apply()  # see patches/socketio_fixes.py: Rasa 3.6's socket.io channel on Python 3.11
log_privacy.apply()  # see patches/log_privacy.py: no user text in the logs
never_silent.apply()  # see patches/never_silent.py: a fixed answer when an action fails
redis_lock.apply()  # see patches/redis_lock.py: Rasa's Redis lock store safe for several replicas
payload_guard.apply()  # see patches/payload_guard.py: typed "/intent{...}" sets no slot, only offered buttons do

log = logging.getLogger(__name__)
BRIDGE_ID = re.compile(r"^(?:telegram:-?\d{1,20}|signal:[+\w.-]{3,64})$")
WIDGET_ID = re.compile(r"^[0-9a-f]{32}$")
REST_ID = re.compile(r"^[^\x00-\x1f\x7f/\\\ud800-\udfff]{1,128}$")  # printable, no path separators or lone surrogates
REFUSED = "Dit gesprek is al geopend in een ander venster of tabblad. Sluit dat eerst, of begin hier opnieuw."


def guarded(on_new_message):
    """on_new_message after the text check: unreadable texts and control intents get a calm answer here."""

    async def handle(message: UserMessage) -> None:
        text, answer = clean_user_text(message.text)
        if answer is not None:
            log.info("message refused at the channel boundary (%s)", "control text" if text is None and
                     isinstance(message.text, str) and message.text.strip().startswith("/") else "unreadable")
            await message.output_channel.send_text_message(message.sender_id, answer)
            return
        message.text = text
        token = log_privacy.current_text.set(text)
        try:
            await on_new_message(message)
        finally:
            log_privacy.current_text.reset(token)

    return handle


def _bad_request(message: str):
    return response.json({"error": message}, status=400)


class _CheckedRestInput(RestInput):
    """RestInput that refuses a body that is not a JSON object with a sender and a text message."""

    def blueprint(self, on_new_message):
        blueprint = super().blueprint(guarded(on_new_message))

        @blueprint.middleware("request")
        async def check_body(request):
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            try:
                body = json.loads(request.body.decode("utf-8", "replace") or "null")
            except ValueError:
                return _bad_request("expected a JSON object with 'sender' and 'message'")
            if not isinstance(body, dict):
                return _bad_request("expected a JSON object with 'sender' and 'message', not a list or a value")
            sender = body.get("sender")
            if not isinstance(sender, str) or not sender.strip():
                return _bad_request("'sender' (the conversation id) is required")
            if not isinstance(body.get("message"), str):  # a number, a list, null: Rasa's UserMessage would
                body["message"] = ""  # raise before guarded() sees it; "" is answered there, calmly
            if "metadata" in body and not isinstance(body["metadata"], dict | None):
                return _bad_request("'metadata' must be an object")
            request.parsed_json = body  # what Rasa reads from here on (invalid UTF-8 already replaced)
            return None

        return blueprint


class LocalRestInput(_CheckedRestInput):
    def _extract_input_channel(self, req) -> str:
        return self.name()

    async def _extract_sender(self, req) -> str | None:
        sender = req.json.get("sender")
        if isinstance(sender, str) and BRIDGE_ID.match(sender):
            raise BadRequest("telegram: and signal: conversations belong to the bridge channel")
        if not isinstance(sender, str) or not REST_ID.match(sender) or sender == "default":
            raise BadRequest("'sender' must be 1-128 printable characters without / or \\ (and not 'default')")
        return sender


class BridgeInput(_CheckedRestInput):
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
    """Rasa's socket.io channel with server-issued, signed sessions (one socket per session).

    Rasa 3.6's own channel lets any socket join any session id (`session_request`) and write into any
    conversation (`user_uttered` names its session_id): whoever knew a 32-hex id read and wrote that live
    conversation. Here:
    - `session_request {session_token}` reopens the session of a valid token (channels/widget/session.py);
      without one, or with an invalid or expired one, the socket gets a new session. The answer is
      `session_confirm {session_id, session_token}`;
    - a session already held by another connected socket is refused (`session_refused`); the holder keeps it;
    - `user_uttered` goes to the session of the socket that sent it; a socket without a session is ignored.
    Holders are per Rasa process: behind a load balancer the widget's socket stays on one replica anyway
    (one WebSocket), and a second socket on another replica still needs the token.
    """

    def blueprint(self, on_new_message):
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        namespace = self.namespace
        holder: dict[str, str] = {}  # session id -> socket id
        session_of: dict[str, str] = {}  # socket id -> session id
        handle = guarded(on_new_message)

        def release(sid: str) -> None:
            session_id = session_of.pop(sid, None)
            if session_id and holder.get(session_id) == sid:
                del holder[session_id]

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid) -> None:
            release(sid)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid, data) -> None:
            token = data.get("session_token") if isinstance(data, dict) else None
            session_id = widget_session.verify(token) if token else None
            if session_id is None:
                if token:
                    log.info("widget: a session token that is not valid (any more): new session")
                session_id, token = widget_session.issue()
            current = holder.get(session_id)
            if current and current != sid and session_of.get(current) == session_id:
                log.warning("widget: a second socket asked for a session that is open: refused")
                await sio.emit("session_refused", {"reason": REFUSED}, room=sid, namespace=namespace)
                return
            release(sid)
            holder[session_id], session_of[sid] = sid, session_id
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=namespace)
            await sio.emit("session_confirm", {"session_id": session_id, "session_token": token}, room=sid,
                           namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid, data) -> None:
            session_id = session_of.get(sid)
            if session_id is None or not isinstance(data, dict):
                log.warning("socket.io message from a socket without a session: ignored")
                return
            metadata = data.get(self.metadata_key)
            message = UserMessage(data.get("message"), SocketIOOutput(sio, self.bot_message_evt), session_id,
                                  input_channel=self.name(), metadata=metadata if isinstance(metadata, dict) else {})
            await handle(message)

        return blueprint
