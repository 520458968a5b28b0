"""The web widget's server side: its files, the conversation history it shows after a reload or a
dropped connection, and a demo page.

The widget itself talks to Rasa's socket.io channel directly. This app only serves:

- `GET /widget/static/{name}`: the widget's JavaScript and CSS, and socket.io-client from node_modules
  (`npm ci` in channels/widget);
- `GET /widget/history/{session_token}`: what was said in a conversation, read from Rasa's tracker, so bot
  messages sent while the browser was away (a griffier's answer) are not lost. Only with the signed token the
  Rasa server gave that browser (channels/widget/session.py, WIDGET_SECRET): a session id alone reads nothing;
- `POST /widget/evidence` (issue 14): a photo, screenshot or PDF from the widget's upload button (the file as the
  body, its name in `X-File-Name`, percent-encoded), or a message's text (`Content-Type: text/plain`) whose links
  are kept. Only with the signed session token (`Authorization: Bearer <token>`); checked and kept with the
  report by channels.evidence; answers `{"ok", "message"}` with the Dutch text for the user;
- `GET /demo`: a plain griffie page with the widget on it.

Environment: RASA_URL and RASA_TOKEN (through RasaClient), RASA_PUBLIC_URL (the Rasa address the
browser uses; default RasaClient.url).
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from aiohttp import web

from channels import evidence, transcript
from channels.rasa_client import RasaClient, RasaUnavailable
from channels.widget import session as widget_session
from core.config import get_settings
from core.texts import DANGER_LINE

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SOCKET_IO = HERE / "node_modules" / "socket.io-client" / "dist"
JS, CSS, JSON = "text/javascript; charset=utf-8", "text/css; charset=utf-8", "application/json; charset=utf-8"
STATIC = {
    "meldhulp-widget.js": (HERE / "static" / "meldhulp-widget.js", JS),
    "meldhulp-widget.css": (HERE / "static" / "meldhulp-widget.css", CSS),
    "demo.css": (HERE / "static" / "demo.css", CSS),
    "socket.io.min.js": (SOCKET_IO / "socket.io.min.js", JS),
    "socket.io.min.js.map": (SOCKET_IO / "socket.io.min.js.map", JSON),
}
# Short, so a new widget version reaches users within minutes; ETag/Last-Modified make revalidation cheap.
STATIC_CACHE = "public, max-age=300"

# The Rasa server's widget channel (bot/connectors.py) makes session ids of 32 hex and signs them; the signed
# token is the key to a conversation, the id alone is not (it shows in the griffie page and in Rasa's API).
SESSION_ID = widget_session.SESSION_ID
MESSAGE_ID = re.compile(r"[0-9a-f]{8,64}")  # the widget's own id for a user message (dedup after a reconnect)

# The upload comes from the page that embeds the widget, possibly another site; no cookies are involved (the signed
# token in the Authorization header is the only key), so any origin may post, as for the history.
EVIDENCE_CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "POST, OPTIONS",
                 "Access-Control-Allow-Headers": "Authorization, Content-Type, X-File-Name", "Access-Control-Max-Age": "600",
                 "Cache-Control": "no-store"}
NO_SESSION = "Het gesprek is verlopen. Laad de pagina opnieuw en probeer het nog eens."
NO_LINK = "Ik zag geen link in uw bericht."
MAX_LINK_TEXT = 20_000

UNAVAILABLE = "De chat is even niet bereikbaar. Probeer het over een paar minuten opnieuw. " + DANGER_LINE


def conversation(tracker: dict) -> list[dict]:
    """User and bot messages as the widget shows them (channels.transcript); no internals.

    Bot texts are split on blank lines and the buttons go with the last part, exactly as Rasa's socket.io
    channel sends them, so the widget can match these messages one to one with what it already shows.
    A button press is shown with the button's title, as the widget showed it, not its payload.
    """
    messages: list[dict] = []
    for turn in transcript.turns(tracker.get("events") or []):
        if turn.kind == "user":
            message = {"sender": "user", "text": turn.text}
            message_id = turn.metadata.get("widget_message_id")
            if isinstance(message_id, str) and MESSAGE_ID.fullmatch(message_id):
                message["id"] = message_id
            messages.append(message)
        elif turn.kind == "bot":
            parts = turn.text.strip().split("\n\n")  # as rasa.core.channels.socketio.SocketIOOutput
            messages += [{"sender": "bot", "text": part, "buttons": []} for part in parts[:-1]]
            messages.append({"sender": "bot", "text": parts[-1], "buttons": turn.buttons})
    return messages


def _origin(url: str) -> tuple[str, str]:
    """('https://rasa.example.nl', 'wss://rasa.example.nl') for the CSP; refuses anything odd."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not re.fullmatch(r"[A-Za-z0-9.\-:\[\]]+", parts.netloc or ""):
        raise ValueError(f"RASA_PUBLIC_URL must be an http(s) address, not {url!r}")
    ws = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc}", f"{ws}://{parts.netloc}"


DEMO_PAGE = """<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hulp na agressie of bedreiging - Griffie Gemeente Voorbeeld</title>
<link rel="stylesheet" href="/widget/static/demo.css">
</head>
<body>
<header class="site-header">
  <p class="site-name">Gemeente Voorbeeld <span aria-hidden="true">·</span> Griffie</p>
</header>
<main>
  <h1>Hulp na agressie of bedreiging</h1>
  <p>Bent u raadslid, commissielid, wethouder of burgemeester? Of bent u familie van iemand met zo'n functie?
    Had u een vervelende of bedreigende ontmoeting? Vertel het hieronder aan Meldhulp.
    U hoort wat u kunt doen en wie u helpt.</p>
  <div id="meldhulp-chat" data-server="{server}" data-history="/widget/history" data-evidence="/widget/evidence" data-evidence-max-mb="{max_mb}"></div>
  <p class="note">Dit is een voorbeeldpagina. Het gesprek blijft bewaard zolang dit tabblad open is.</p>
</main>
<script src="/widget/static/meldhulp-widget.js" defer></script>
</body>
</html>
"""


def add_routes(app: web.Application, rasa: RasaClient) -> None:
    """Add the widget's routes (static files, history, demo page) to a web app."""
    public_url = (get_settings().rasa_public_url or rasa.url).rstrip("/")
    http_origin, ws_origin = _origin(public_url)
    demo_headers = {
        # No inline scripts or styles at all: even if some text ever reached the page as HTML, it could not run.
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            f"connect-src 'self' {http_origin} {ws_origin}; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    demo_html = DEMO_PAGE.replace("{server}", html.escape(public_url, quote=True)).replace(
        "{max_mb}", str(max(1, round(evidence.max_bytes() / 1_000_000))))  # as the refusal says it (TOO_LARGE)

    async def static(request: web.Request) -> web.StreamResponse:
        entry = STATIC.get(request.match_info["name"])
        if entry is None:
            raise web.HTTPNotFound()
        path, content_type = entry
        if not path.is_file():
            log.warning("%s is missing: run 'npm ci' in channels/widget", path)
            raise web.HTTPNotFound()
        headers = {"Content-Type": content_type, "Cache-Control": STATIC_CACHE, "X-Content-Type-Options": "nosniff"}
        return web.FileResponse(path, headers=headers)

    async def history(request: web.Request) -> web.Response:
        # The page embedding the widget may live on another site than this app; no cookies are involved
        # (the signed token in the URL is the only key), so any origin may read it.
        headers = {"Cache-Control": "no-store", "Access-Control-Allow-Origin": "*"}
        session_id = widget_session.verify(request.match_info["session_token"])
        if session_id is None:
            return web.json_response({"error": "Dit gesprek bestaat niet."}, status=404, headers=headers)
        try:
            tracker = await rasa.tracker(session_id)
        except RasaUnavailable as error:
            log.warning("history: Rasa unavailable (%s)", error)
            return web.json_response({"error": UNAVAILABLE}, status=503, headers=headers)
        return web.json_response({"messages": conversation(tracker or {})}, headers=headers)

    async def evidence_options(_: web.Request) -> web.Response:
        return web.Response(status=204, headers=EVIDENCE_CORS)

    async def evidence_upload(request: web.Request) -> web.Response:
        def answer(status: int, ok: bool, message: str) -> web.Response:
            return web.json_response({"ok": ok, "message": message}, status=status, headers=EVIDENCE_CORS)

        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        session_id = widget_session.verify(token)
        if session_id is None:
            return answer(401, False, NO_SESSION)
        sender = evidence.Sender("socketio", session_id)  # the conversation as Rasa's widget channel names it
        limit = evidence.max_bytes() if request.content_type != "text/plain" else MAX_LINK_TEXT
        if request.content_length is not None and request.content_length > limit:
            return answer(413, False, evidence.too_large().text)
        data = bytearray()
        async for chunk in request.content.iter_chunked(65536):  # read ourselves: the app's client_max_size is small
            data += chunk
            if len(data) > limit:
                return answer(413, False, evidence.too_large().text)
        if request.content_type == "text/plain":
            result = await asyncio.to_thread(evidence.receive_links, sender, bytes(data).decode("utf-8", "replace"))
            kept, message = result if result is not None else (False, NO_LINK)
        else:
            name = unquote(request.headers.get("X-File-Name", ""))[:300] or None
            kept, message = await asyncio.to_thread(evidence.receive_file, sender, bytes(data), name)
        return answer(200 if kept else 422, kept, message)

    async def demo(_: web.Request) -> web.Response:
        return web.Response(text=demo_html, content_type="text/html", charset="utf-8", headers=demo_headers)

    app.router.add_get("/widget/static/{name}", static)
    app.router.add_get("/widget/history/{session_token}", history)
    app.router.add_route("OPTIONS", "/widget/evidence", evidence_options)
    app.router.add_post("/widget/evidence", evidence_upload)
    app.router.add_get("/demo", demo)
