"""Signed widget session tokens (issue 12): the Rasa server's socket.io channel issues them (bot/connectors.py),
the widget keeps one per tab, and the history route (app.py) checks them. Standard library only: this module
runs in both environments.

A token is `<session id>.<expiry, unix seconds>.<HMAC-SHA256 of both, base64url>`, signed with WIDGET_SECRET.
The session id (32 hex, made by the server) stays the conversation's id in Rasa; the token is what proves that
a browser was given it. Without the secret nobody can make a token for a session id they have seen (in a URL,
a log, the griffie page), and a token stops working after WIDGET_TOKEN_HOURS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

from core.config import SettingsError, get_settings

SESSION_ID = re.compile(r"[0-9a-f]{32}")
TOKEN = re.compile(r"([0-9a-f]{32})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})")
MIN_SECRET = 16


def _secret() -> bytes:
    secret = get_settings().widget_secret
    if len(secret) < MIN_SECRET:
        raise SettingsError(f"WIDGET_SECRET is not set or shorter than {MIN_SECRET} characters")
    return secret.encode()


def _sign(session_id: str, expires: int) -> str:
    digest = hmac.new(_secret(), f"{session_id}.{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue(session_id: str | None = None, now: float | None = None) -> tuple[str, str]:
    """(session id, token) for a new session, or a fresh token for `session_id`."""
    session_id = session_id or secrets.token_hex(16)
    expires = int((now or time.time()) + get_settings().widget_token_hours * 3600)
    return session_id, f"{session_id}.{expires}.{_sign(session_id, expires)}"


def verify(token: object, now: float | None = None) -> str | None:
    """The session id of a valid, unexpired token; None for anything else (never raises on input)."""
    if not isinstance(token, str) or len(token) > 100:
        return None
    match = TOKEN.fullmatch(token)
    if not match:
        return None
    session_id, expires, signature = match.groups()
    if int(expires) < (now or time.time()):
        return None
    if not hmac.compare_digest(signature.encode(), _sign(session_id, int(expires)).encode()):
        return None
    return session_id
