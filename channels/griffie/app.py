"""The griffie page (aiohttp): log in, see this municipality's handoffs, read the conversation, answer the
user through their own channel, and hand the conversation back to the bot (Rasa's ConversationResumed).

Everything shown is escaped (html.escape); a griffie account only ever sees its own municipality:
every query goes through HandoffRepository with the account's municipality key, and another
municipality's handoff answers 404 as if it did not exist.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
import weakref
from datetime import datetime
from pathlib import Path

from aiohttp import web
from sqlalchemy.orm import Session

from actions.knowledge import ROLE_LABELS
from actions.store import auth, db
from actions.store.handoffs import HandoffRepository
from channels import transcript
from channels.griffie import audit, deliver, reports
from channels.griffie import evidence as bewijs
from channels.griffie import overview as yearly
from channels.griffie.accounts import Account, Accounts
from channels.griffie.pages import (
    ACCOUNTS,
    RASA,
    SECRET,
    checked_form,
    content_account,
    current_account,
    e,
    page,
    utc_timestamp,
    when,
)
from channels.griffie.session import (
    COOKIE,
    LIFETIME,
    LOGIN_COOKIE,
    LOGIN_FORM_LIFETIME,
    login_csrf,
    login_csrf_ok,
    login_nonce,
    make_cookie,
    revoke,
)
from channels.messengers import label as messenger_label
from channels.rasa_client import RasaClient, RasaUnavailable
from core.config import get_settings
from core.texts import DANGER_LINE

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
NOTICES = {  # fixed texts only: nothing from the query string is ever echoed
    "sent": ("notice", "Uw antwoord is verstuurd."),
    "resumed": ("notice", "Het gesprek is teruggegeven aan de assistent."),
    "empty": ("error", "Schrijf eerst een antwoord."),
    "failed": ("error", "Het versturen is niet gelukt. Probeer het opnieuw."),
    "closed": ("error", "Dit gesprek is al teruggegeven aan de assistent."),
}
RESUMED = ("{who} heeft het gesprek teruggegeven aan de assistent. U kunt mij weer alles vragen. " + DANGER_LINE)

FAILURE_DELAY = web.AppKey("failure_delay", float)
MAX_FAILURES, LOCKOUT_SECONDS = auth.MAX_ATTEMPTS, auth.LOCKOUT_SECONDS  # per account, in the database


async def login_page(request: web.Request) -> web.Response:
    failed = '<p class="error" role="alert">Gebruikersnaam of wachtwoord klopt niet.</p>' if "failed" in request.query else ""
    if "expired" in request.query:
        failed = '<p class="error" role="alert">Het formulier was verlopen. Probeer het opnieuw.</p>'
    nonce = login_nonce()  # double-submit CSRF token: the nonce in a cookie, its HMAC in the form
    response = page("Inloggen", failed + (
        '<form method="post" action="/griffie/login">'
        f'<input type="hidden" name="csrf" value="{e(login_csrf(request.app[SECRET], nonce))}">'
        '<label for="u">Gebruikersnaam</label>'
        '<input id="u" name="username" autocomplete="username" required>'
        '<label for="p">Wachtwoord</label><input id="p" name="password" type="password" autocomplete="current-password" required>'
        '<button>Inloggen</button></form>'))
    response.set_cookie(LOGIN_COOKIE, nonce, max_age=LOGIN_FORM_LIFETIME, httponly=True, samesite="Strict",
                        secure=get_settings().griffie_url.startswith("https://"), path="/griffie")
    return response


SCRYPT_AT_ONCE = 4  # password checks (scrypt, ~50 ms CPU and 16 MB each) at the same time; the others wait their turn
_scrypt_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _scrypt_gate() -> asyncio.Semaphore:
    """One semaphore per event loop (made on first use: nothing at import)."""
    loop = asyncio.get_running_loop()
    gate = _scrypt_gates.get(loop)
    if gate is None:
        gate = _scrypt_gates[loop] = asyncio.Semaphore(SCRYPT_AT_ONCE)
    return gate


def _unreadable_name(username: str) -> bool:
    """Control characters (NUL: PostgreSQL refuses it in text) or lone surrogates: no account has such a name."""
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in username)


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    if not login_csrf_ok(request.app[SECRET], request.cookies.get(LOGIN_COOKIE), str(form.get("csrf", ""))):
        raise web.HTTPFound("/griffie/login?expired")  # no form of ours (or an old tab): nothing is checked or counted
    username = str(form.get("username", ""))[:64]
    password = str(form.get("password", ""))[:256]
    # One of the 5 attempts per account and 15 minutes is taken (atomically, in the database) before the password is
    # checked, so concurrent guesses cannot check more; scrypt (~50 ms CPU) runs off the event loop.
    # A name no account can have (a NUL) is answered as a wrong password, before the database sees it.
    account = None
    async with _scrypt_gate():
        if not _unreadable_name(username) and await asyncio.to_thread(auth.claim_attempt, username):
            account = await asyncio.to_thread(request.app[ACCOUNTS].check, username, password)
        else:
            await asyncio.to_thread(request.app[ACCOUNTS].check, "", password)  # locked: the same time as a wrong password
    if account is None:
        await asyncio.to_thread(auth.failed_login)  # every 100th also purges attempt windows that are over
        await asyncio.sleep(request.app[FAILURE_DELAY])  # slows down guessing
        raise web.HTTPFound("/griffie/login?failed")
    await asyncio.to_thread(auth.clear_attempts, username)
    await asyncio.to_thread(auth.purge_expired)  # sessions past expiry, attempt windows that are over
    response = web.HTTPFound("/griffie/")
    secure = get_settings().griffie_url.startswith("https://")
    response.set_cookie(COOKIE, await asyncio.to_thread(make_cookie, request.app[SECRET], account.username),
                        max_age=LIFETIME, httponly=True, samesite="Strict", secure=secure, path="/griffie")
    response.del_cookie(LOGIN_COOKIE, path="/griffie")
    raise response


async def logout(request: web.Request) -> web.Response:
    _account_, csrf = current_account(request)
    await checked_form(request, csrf)
    revoke(request.app[SECRET], request.cookies.get(COOKIE))  # the session ends on the server: the cookie is dead
    response = web.HTTPFound("/griffie/login")
    response.del_cookie(COOKIE, path="/griffie")
    raise response


_when = when


async def overview(request: web.Request) -> web.Response:
    account, csrf = current_account(request)
    if account.admin:  # the functional administrator sees the audit log, never a conversation
        raise web.HTTPFound("/griffie/audit")
    with Session(db.engine()) as session:
        handoffs = HandoffRepository(session).for_municipality(account.municipality)
        rows = "".join(
            f'<tr><td><a href="/griffie/handoffs/{h.id}">{_when(h.created_at)}</a></td>'
            f"<td>{e(ROLE_LABELS.get(h.role or '', h.role))}</td><td>{e(h.category or '–')}</td>"
            f"<td>{e(messenger_label(h.channel))}</td><td>{e(_status(h.status))}</td></tr>"
            for h in handoffs
        )
    table = ("<table><caption>Gesprekken waarin iemand om de griffie vroeg</caption><thead><tr><th scope='col'>Gevraagd op</th>"
             "<th scope='col'>Rol</th><th scope='col'>Categorie</th><th scope='col'>Kanaal</th><th scope='col'>Status</th></tr>"
             f"</thead><tbody>{rows}</tbody></table>") if rows else "<p>Er zijn geen gesprekken.</p>"
    return page("Overdrachten", table + '<p><a href="/griffie/">Vernieuwen</a></p>', account, csrf, current="/griffie/")


def _status(status: str) -> str:
    return {"open": "wacht op antwoord", "closed": "teruggegeven", "not_notified": "melding mislukt",
            "pending": "wordt gemeld"}.get(status, status)


_utc = utc_timestamp


def this_conversation(events: list[dict], created_at: datetime, closed_at: datetime | None) -> list[dict]:
    """Only what belongs to this handoff: from the start of the Rasa session in which the user asked
    (Telegram and Signal ids never change, so earlier stories are in the same tracker) to the hand-back."""
    asked, closed = _utc(created_at), _utc(closed_at)
    starts = [e.get("timestamp", 0) for e in events
              if e.get("event") == "action" and e.get("name") == "action_session_start" and e.get("timestamp", 0) <= asked]
    since = max(starts, default=0)
    until = closed + 5 if closed is not None else float("inf")  # the hand-back's own events come just before closed_at
    return [e for e in events if since <= e.get("timestamp", since) <= until]


def _transcript(events: list[dict]) -> str:
    items = []
    for turn in transcript.turns(events):
        when = _when(turn.timestamp)
        if turn.kind == "user":
            items.append(("user", "Gebruiker", turn.text, when))
        elif turn.kind == "bot":
            griffie = turn.metadata.get("from") == "griffie"
            text = turn.text
            if turn.buttons:
                text += "\n[Knoppen: " + " / ".join(b["title"] for b in turn.buttons) + "]"
            items.append(("griffie" if griffie else "bot", "Griffie" if griffie else "Assistent", text, when))
        elif turn.kind == "pause":
            items.append(("event", "", "Gesprek overgedragen aan de griffie", when))
        elif turn.kind == "resume":
            items.append(("event", "", "Gesprek teruggegeven aan de assistent", when))
    return "".join(
        f'<li class="{cls}"><span class="who">{e(who)} <small>{e(when)}</small></span>{e(text)}</li>'
        for cls, who, text, when in items
    )


async def handoff_page(request: web.Request) -> web.Response:
    account, csrf = content_account(request)
    handoff = _load(request, account)
    notice = ""
    if request.query.get("msg") in NOTICES:
        cls, text = NOTICES[request.query["msg"]]
        notice = f'<p class="{cls}" role="status">{e(text)}</p>'
    try:
        tracker = await request.app[RASA].tracker(handoff["conversation_id"])
        events = this_conversation(tracker.get("events") or [], handoff["created_at"], handoff["closed_at"])
        transcript = f'<ol class="log" aria-label="Gesprek">{_transcript(events)}</ol>'
    except RasaUnavailable:
        transcript = '<p class="error">Het gesprek kan nu niet worden geladen: de assistent is niet bereikbaar.</p>'
    facts = (f"<p>{e(ROLE_LABELS.get(handoff['role'], handoff['role']))} uit {e(handoff['municipality'])}, "
             f"via {e(messenger_label(handoff['channel']))}. Categorie volgens de assistent: "
             f"{e(handoff['category'] or 'niet bepaald')}. Status: {e(_status(handoff['status']))}.</p>")
    actions = ""
    if handoff["status"] == "open":
        base = f"/griffie/handoffs/{handoff['id']}"
        actions = (f'<form method="post" action="{base}/reply"><input type="hidden" name="csrf" value="{e(csrf)}">'
                   '<label for="reply">Uw antwoord</label><textarea id="reply" name="text" rows="4" required></textarea>'
                   '<button>Verstuur</button></form>'
                   f'<form method="post" action="{base}/resume"><input type="hidden" name="csrf" value="{e(csrf)}">'
                   '<button class="secondary">Teruggeven aan de assistent</button></form>')
    body = (f'{notice}{facts}<h2>Gesprek</h2>{transcript}{actions}'
            f'<p><a href="/griffie/handoffs/{handoff["id"]}">Vernieuwen</a> · <a href="/griffie/">Alle overdrachten</a></p>')
    return page("Gesprek", body, account, csrf)


def _load(request: web.Request, account: Account) -> dict:
    try:
        handoff_id = int(request.match_info["handoff_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    with Session(db.engine()) as session:
        handoff = HandoffRepository(session).get(account.municipality, handoff_id)
        if handoff is None:
            raise web.HTTPNotFound(text="Dit gesprek bestaat niet of hoort niet bij uw gemeente.")
        return {c: getattr(handoff, c) for c in ("id", "conversation_id", "channel", "municipality", "role", "category", "status",
                                                  "created_at", "closed_at")}


async def reply(request: web.Request) -> web.Response:
    account, csrf = content_account(request)
    form = await checked_form(request, csrf)
    handoff = _load(request, account)
    base = f"/griffie/handoffs/{handoff['id']}"
    text = str(form.get("text", "")).strip()[:4000]
    if handoff["status"] != "open":
        raise web.HTTPSeeOther(f"{base}?msg=closed")
    if not text:
        raise web.HTTPSeeOther(f"{base}?msg=empty")
    try:
        await deliver.send(request.app[RASA], handoff["conversation_id"], handoff["channel"],
                           f"{account.display_name}: {text}", sender=account.username)
    except deliver.DeliveryFailed as error:
        log.warning("griffie reply not delivered: %s", error)
        raise web.HTTPSeeOther(f"{base}?msg=failed") from None
    raise web.HTTPSeeOther(f"{base}?msg=sent")


async def resume(request: web.Request) -> web.Response:
    account, csrf = content_account(request)
    await checked_form(request, csrf)
    handoff = _load(request, account)
    base = f"/griffie/handoffs/{handoff['id']}"
    if handoff["status"] != "open":
        raise web.HTTPSeeOther(f"{base}?msg=closed")
    # Claim it first, so a second click (or a colleague) cannot hand back twice.
    with Session(db.engine()) as session, session.begin():
        if not HandoffRepository(session).close(account.municipality, handoff["id"], account.username):
            raise web.HTTPSeeOther(f"{base}?msg=closed")
    try:
        await deliver.send(request.app[RASA], handoff["conversation_id"], handoff["channel"],
                           RESUMED.format(who=account.display_name), sender=account.username, resume=True)
    except deliver.DeliveryFailed as error:
        log.warning("handback failed: %s", error)
        with Session(db.engine()) as session, session.begin():
            HandoffRepository(session).reopen(account.municipality, handoff["id"])
        raise web.HTTPSeeOther(f"{base}?msg=failed") from None
    raise web.HTTPSeeOther(f"{base}?msg=resumed")


async def css(_: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "griffie.css", headers={"Cache-Control": "max-age=3600"})


def add_routes(app: web.Application, rasa: RasaClient, accounts: Accounts | None = None, secret: str | None = None) -> None:
    secret = secret or get_settings().griffie_secret
    if not secret or len(secret) < 16:
        raise RuntimeError("GRIFFIE_SECRET (at least 16 characters) is not set: it signs the griffie's login cookie.")
    app[ACCOUNTS], app[RASA], app[SECRET] = accounts or Accounts(), rasa, secret
    app[FAILURE_DELAY] = 1.0
    app.router.add_get("/griffie/login", login_page)
    app.router.add_post("/griffie/login", login)
    app.router.add_post("/griffie/logout", logout)
    app.router.add_get("/griffie/", overview)
    app.router.add_get("/griffie/handoffs/{handoff_id}", handoff_page)
    app.router.add_post("/griffie/handoffs/{handoff_id}/reply", reply)
    app.router.add_post("/griffie/handoffs/{handoff_id}/resume", resume)
    app.router.add_get("/griffie/static/griffie.css", css)
    reports.add_routes(app)
    audit.add_routes(app)
    yearly.add_routes(app)  # Jaaroverzicht (issue 14 item 3)
    bewijs.add_routes(app)  # Bewijs: one evidence file to download (issue 14 item 2)
