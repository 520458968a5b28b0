"""A signed login cookie (HMAC with GRIFFIE_SECRET) and a CSRF token per login. No server-side state."""

from __future__ import annotations

import hashlib
import hmac
import time

COOKIE = "meldhulp_griffie"
LIFETIME = 8 * 3600  # one working day


def _sign(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def make_cookie(secret: str, username: str, now: float | None = None) -> str:
    expires = int((now or time.time()) + LIFETIME)
    value = f"{username}|{expires}"
    return f"{value}|{_sign(secret, value)}"


def read_cookie(secret: str, cookie: str | None, now: float | None = None) -> str | None:
    """The username, or None for a missing, forged or expired cookie."""
    if not cookie or cookie.count("|") != 2:
        return None
    username, expires, signature = cookie.split("|")
    if not hmac.compare_digest(signature, _sign(secret, f"{username}|{expires}")):
        return None
    if not expires.isdigit() or int(expires) < (now or time.time()):
        return None
    return username


def csrf_token(secret: str, cookie: str) -> str:
    return _sign(secret, "csrf:" + cookie)
