"""What every griffie page shares: the HTML frame (escaped, under a strict CSP), the logged-in account,
CSRF-checked forms and Dutch dates."""

from __future__ import annotations

import hmac
import html
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from channels.griffie.accounts import Account, Accounts
from channels.griffie.session import COOKIE, csrf_token, read_cookie
from channels.rasa_client import RasaClient

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CSP = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")

ACCOUNTS, RASA, SECRET = web.AppKey("accounts", Accounts), web.AppKey("rasa", RasaClient), web.AppKey("secret", str)


def e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _nav(account: Account, current: str) -> str:
    if account.admin:
        links = [("/griffie/audit", "Auditlog")]
    else:
        links = [("/griffie/meldingen", "Meldingen"), ("/griffie/", "Overdrachten"), ("/griffie/jaaroverzicht", "Jaaroverzicht")]
    current_mark = ' aria-current="page"'
    items = "".join(
        f'<li><a href="{href}"{current_mark if href == current else ""}>{e(text)}</a></li>' for href, text in links
    )
    return f'<nav aria-label="Hoofdmenu"><ul>{items}</ul></nav>'


def page(title: str, body: str, account: Account | None = None, csrf: str = "", current: str = "",
         headers: Mapping[str, str] | None = None) -> web.Response:
    logout = (f'<form method="post" action="/griffie/logout"><input type="hidden" name="csrf" value="{e(csrf)}">'
              f'<button class="secondary">Uitloggen</button></form>') if account else ""
    who = f"<p>{e(account.display_name)}</p>" if account else ""
    nav = _nav(account, current) if account else ""
    text = (f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>{e(title)} – Meldhulp griffie</title>'
            f'<link rel="stylesheet" href="/griffie/static/griffie.css"></head><body><header><p><strong>Meldhulp – griffie</strong>'
            f'</p>{who}{logout}</header>{nav}<main><h1>{e(title)}</h1>{body}</main></body></html>')
    return web.Response(text=text, content_type="text/html",
                        headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store", **(headers or {})})


def current_account(request: web.Request) -> tuple[Account, str]:
    """The logged-in account and its CSRF token; a redirect to the login without a valid cookie."""
    cookie = request.cookies.get(COOKIE)
    username = read_cookie(request.app[SECRET], cookie)
    account = request.app[ACCOUNTS].get(username) if username else None
    if account is None:
        raise web.HTTPFound("/griffie/login")
    return account, csrf_token(request.app[SECRET], cookie or "")


def content_account(request: web.Request) -> tuple[Account, str]:
    """An account that may see content (reports, handoffs): the functional administrator gets 404."""
    account, csrf = current_account(request)
    if account.admin:
        raise web.HTTPNotFound(text="Deze pagina bestaat niet of is niet voor uw account.")
    return account, csrf


async def checked_form(request: web.Request, csrf: str) -> Mapping[str, Any]:
    form = await request.post()
    if not hmac.compare_digest(str(form.get("csrf", "")).encode(), csrf.encode()):
        raise web.HTTPForbidden(text="Ongeldig formulier. Laad de pagina opnieuw.")
    return form


def client_address(request: web.Request) -> str:
    """Where a request came from, for the audit log (the proxy's address when one is in front)."""
    return (request.remote or "")[:64]


def local(moment: datetime | float | None) -> datetime | None:
    if moment is None:
        return None
    if isinstance(moment, int | float):
        return datetime.fromtimestamp(moment, AMSTERDAM)
    if moment.tzinfo is None:  # SQLite drops the zone; we store UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(AMSTERDAM)


def utc_timestamp(moment: datetime | None) -> float | None:
    """A stored moment as a Unix timestamp (SQLite drops the zone; we store UTC), to compare with Rasa's events."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def when(moment: datetime | float | None) -> str:
    """Short Dutch date and time: 04-12-2026 14:05."""
    shown = local(moment)
    return shown.strftime("%d-%m-%Y %H:%M") if shown else ""


def dutch_date(moment: datetime | date | None, with_time: bool = True) -> str:
    """Readable Dutch date: 4 december 2026, 14:05 (Amsterdam time)."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        shown = local(moment)
        assert shown is not None
        text = f"{shown.day} {MONTHS[shown.month - 1]} {shown.year}"
        return f"{text}, {shown:%H:%M}" if with_time else text
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
