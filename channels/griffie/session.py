"""The griffie's login cookie: a server-side session (actions/store/auth.py) behind a signed cookie, a CSRF token
per session, and a CSRF token for the login form itself.

The cookie is `<session id>|<expiry>|<HMAC-SHA256 with GRIFFIE_SECRET>`: a forged or altered cookie is refused
without a database query, and a signed one counts only while its session is live in the database (logout revokes
it there, so a copied cookie is dead after logout, on every server).

The login form (before anyone is logged in) gets a double-submit token: the login page sets a random nonce in a
short-lived HttpOnly cookie and puts HMAC(nonce) in the form; the login only counts when both match, so another
site cannot post a login in the user's browser (login CSRF).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import UTC, datetime

from actions.store import auth

COOKIE = "meldhulp_griffie"
LOGIN_COOKIE = "meldhulp_griffie_login"  # the login form's nonce
LIFETIME = auth.SESSION_SECONDS
LOGIN_FORM_LIFETIME = 3600


def _sign(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def make_cookie(secret: str, username: str, now: float | None = None) -> str:
    """Start a server-side session for `username` and return its cookie value."""
    moment = datetime.fromtimestamp(now, UTC) if now is not None else None
    session_id, expires = auth.start_session(username, moment)
    value = f"{session_id}|{int(expires.timestamp())}"
    return f"{value}|{_sign(secret, value)}"


def _session_id(secret: str, cookie: str | None, now: float | None = None) -> str | None:
    if not cookie or cookie.count("|") != 2:
        return None
    session_id, expires, signature = cookie.split("|")
    if not hmac.compare_digest(signature, _sign(secret, f"{session_id}|{expires}")):
        return None
    if not expires.isdigit() or int(expires) < (now or time.time()):
        return None
    return session_id


def read_cookie(secret: str, cookie: str | None, now: float | None = None) -> str | None:
    """The username of a live session, or None for a missing, forged, expired or logged-out cookie."""
    session_id = _session_id(secret, cookie, now)
    if session_id is None:
        return None
    return auth.session_user(session_id, datetime.fromtimestamp(now, UTC) if now is not None else None)


def revoke(secret: str, cookie: str | None) -> bool:
    """Logout: the cookie's session is revoked in the database (True when it was live)."""
    session_id = _session_id(secret, cookie)
    return auth.end_session(session_id) if session_id else False


def csrf_token(secret: str, cookie: str) -> str:
    return _sign(secret, "csrf:" + cookie)


def login_nonce() -> str:
    return secrets.token_hex(16)


def login_csrf(secret: str, nonce: str) -> str:
    return _sign(secret, "login-csrf:" + nonce)


def login_csrf_ok(secret: str, nonce: str | None, given: str | None) -> bool:
    if not nonce or not given:
        return False
    return hmac.compare_digest(given.encode(), login_csrf(secret, nonce).encode())
