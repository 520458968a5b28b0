"""Meldingen: the reports routed to the logged-in account (its function in its municipality), a detail page
with every answer (decrypted), the conversation and the status history, the status form, a printable page
for an aangifte or the GIR, and the export of a period.

Access is decided in the query (actions.store.inbox: `readable_by` in the WHERE clause): a report routed to
someone else answers 404 as if it did not exist. Every page that shows a report's content, every status
change and every export writes an audit row (who, what, which report, from where; never content).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from actions.knowledge import ROLE_LABELS
from actions.report_fields import answers_of
from actions.store import aftercare, db, inbox
from actions.store.models import Report
from actions.texts import SUBKIND
from channels import transcript
from channels.griffie import deliver, export
from channels.griffie import evidence as bewijs
from channels.griffie.accounts import Account
from channels.griffie.pages import (
    RASA,
    checked_form,
    client_address,
    content_account,
    dutch_date,
    e,
    page,
    utc_timestamp,
    when,
)
from channels.rasa_client import RasaUnavailable
from nlu.triage import counted_cues

log = logging.getLogger(__name__)

CATEGORIES = {"A": "A – 'ik'-gedrag (emotie)", "B": "B – 'jullie'-gedrag (kritiek op beleid)",
              "C": "C – 'jij'-gedrag (persoonlijk gericht)", "D": "D – bedreiging, intimidatie of geweld"}
NOTICES = {  # fixed texts only: nothing from the query string is echoed
    "status": ("notice", "De status is gewijzigd."),
    "status-told": ("notice", "De status is gewijzigd en de melder heeft een bericht gekregen."),
    "status-not-told": ("error", "De status is gewijzigd, maar de melder kon geen bericht krijgen via dit kanaal."),
    "same": ("error", "Kies een nieuwe status."),
    "invalid": ("error", "Die status kan nu niet worden gekozen."),
}
NOT_DELIVERED = '<br><strong class="warn">nog niet bezorgd</strong>'


def role_label(role: str | None) -> str:
    return ROLE_LABELS.get(role or "", role or "onbekend")


def category_label(category: str | None) -> str:
    return CATEGORIES.get(category or "", category or "niet bepaald")


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request: web.Request) -> inbox.Filters:
    status = request.query.get("status", "")
    category = request.query.get("categorie", "")
    return inbox.Filters(status=status if status in inbox.STATUSES else None,
                         category=category if category in CATEGORIES else None,
                         since=_day(request.query.get("van", "")), until=_day(request.query.get("tot", "")))


def _options(choices: dict[str, str], chosen: str | None) -> str:
    return '<option value="">alle</option>' + "".join(
        f'<option value="{e(key)}"{" selected" if key == chosen else ""}>{e(text)}</option>' for key, text in choices.items()
    )


def _filter_form(filters: inbox.Filters) -> str:
    return ('<form method="get" action="/griffie/meldingen" class="filters"><fieldset><legend>Filteren</legend>'
            f'<div class="field"><label for="f-status">Status</label><select id="f-status" name="status">{_options(inbox.STATUSES, filters.status)}</select></div>'
            f'<div class="field"><label for="f-cat">Categorie</label><select id="f-cat" name="categorie">{_options(CATEGORIES, filters.category)}</select></div>'
            f'<div class="field"><label for="f-van">Vanaf datum</label><input id="f-van" name="van" type="date" value="{e(filters.since or "")}"></div>'
            f'<div class="field"><label for="f-tot">Tot en met datum</label><input id="f-tot" name="tot" type="date" value="{e(filters.until or "")}"></div>'
            '<button>Toon meldingen</button> <a href="/griffie/meldingen">Alle meldingen</a></fieldset></form>')


def _export_form(filters: inbox.Filters) -> str:
    return ('<form method="get" action="/griffie/export" class="filters"><fieldset><legend>Exporteren (CSV of JSON)</legend>'
            '<p>Per melding één regel: kenmerk, datum, gemeente, rol, categorie, kanaal en status. Geen verhaal, '
            'geen namen.</p>'
            f'<div class="field"><label for="x-van">Vanaf datum</label><input id="x-van" name="van" type="date" required value="{e(filters.since or "")}"></div>'
            f'<div class="field"><label for="x-tot">Tot en met datum</label><input id="x-tot" name="tot" type="date" required value="{e(filters.until or "")}"></div>'
            '<div class="field"><label for="x-fmt">Formaat</label><select id="x-fmt" name="formaat"><option value="csv">CSV (Excel)</option>'
            '<option value="json">JSON</option></select></div><button>Exporteren</button></fieldset></form>')


async def inbox_page(request: web.Request) -> web.Response:
    account, csrf = content_account(request)
    filters = _filters(request)
    with db.session() as session:
        reports = inbox.reports_for(session, str(account.reader), filters)
        undelivered = inbox.undelivered(session, [r.id for r in reports])
        care = aftercare.status_of(session, [r.id for r in reports])
        rows = "".join(
            f'<tr><td><a href="/griffie/meldingen/{e(r.reference)}">{e(r.reference)}</a></td>'
            f"<td>{e(dutch_date(r.created_at))}</td><td>{e(category_label(r.category))}</td>"
            f"<td>{e(role_label(r.role))}</td><td>{e(inbox.status_label(r.status))}"
            f"{NOT_DELIVERED if r.id in undelivered else ''}</td><td>{_aftercare_cell(care.get(r.id))}</td></tr>"
            for r in reports
        )
    table = ('<table><caption>Meldingen voor u</caption><thead><tr><th scope="col">Kenmerk</th><th scope="col">Ingediend</th>'
             '<th scope="col">Categorie</th><th scope="col">Rol van de melder</th><th scope="col">Status</th>'
             '<th scope="col">Nazorg</th></tr></thead>'
             f"<tbody>{rows}</tbody></table>") if rows else "<p>Er zijn geen meldingen die bij dit filter passen.</p>"
    intro = (f"<p>Hier staan de meldingen die volgens het protocol naar u gaan ({e(account.function)}, "
             f"{e(account.municipality)}). 'Nog niet bezorgd' betekent: de melding is opgeslagen, maar het bericht "
             "erover heeft de contactpersoon nog niet bereikt (het versturen mislukte of er is geen adres ingesteld). "
             "'Nazorg' zegt wanneer Meldhulp de melder weer vraagt hoe het gaat, en het laatste antwoord; bij 'niet goed' "
             "of 'wil praten' krijgt u ook een bericht.</p>")
    return page("Meldingen", intro + _filter_form(filters) + table + _export_form(filters), account, csrf,
                current="/griffie/meldingen")


def aftercare_text(status: aftercare.Status | None) -> str:
    """'nazorg: volgende check-in op ..., laatste antwoord ...' (issue 14); '' when the user was not asked."""
    if status is None:
        return ""
    if status.consent is None:
        return "nazorg: gevraagd, nog geen antwoord"
    if not status.consent:
        return "nazorg: melder wilde geen check-ins"
    parts = [f"volgende check-in op {when(status.next_at)}" if status.next_at else
             ("gestopt" if status.stopped else f"{status.sent} van {status.planned} check-ins verstuurd")]
    if status.last_answer:
        parts.append(f"laatste antwoord {aftercare.ANSWERS.get(status.last_answer, status.last_answer)} "
                     f"({when(status.last_answer_at)})")
    return "nazorg: " + ", ".join(parts)


def _aftercare_cell(status: aftercare.Status | None) -> str:
    text = aftercare_text(status)
    if not text:
        return "–"
    if status is not None and status.open and status.last_answer in aftercare.NEEDS_CONTACT:
        return f'<strong class="warn">{e(text)}</strong>'
    return e(text)


def _find(session: Any, account: Account, request: web.Request) -> Report | None:
    """The report of the URL when it is routed to this account. Callers raise NOT_FOUND *after* their session
    block: an exception inside a transaction rolls it back, and there is nothing to roll back for a 404."""
    return inbox.report_for(session, str(account.reader), request.match_info["reference"][:32])


def _not_found() -> web.HTTPNotFound:
    return web.HTTPNotFound(text="Deze melding bestaat niet of is niet aan u gericht.")


def report_session(events: list[dict], filed_at: datetime) -> list[dict]:
    """The Rasa session in which the report was filed: from its session start to the next one (a messenger id
    never changes, so other stories of the same person are in the same tracker and are not part of this report)."""
    filed = utc_timestamp(filed_at) or 0
    starts = sorted(ev.get("timestamp", 0) for ev in events
                    if ev.get("event") == "action" and ev.get("name") == "action_session_start")
    since = max((s for s in starts if s <= filed), default=0)
    until = min((s for s in starts if s > filed), default=float("inf"))
    return [ev for ev in events if since <= ev.get("timestamp", since) < until]


def _transcript(events: list[dict]) -> str:
    items = []
    for turn in transcript.turns(events):
        if turn.kind == "user":
            items.append(("user", "Melder", turn.text, when(turn.timestamp)))
        elif turn.kind == "bot":
            griffie = turn.metadata.get("from") == "griffie"
            text = turn.text + ("\n[Knoppen: " + " / ".join(b["title"] for b in turn.buttons) + "]" if turn.buttons else "")
            items.append(("griffie" if griffie else "bot", "Griffie" if griffie else "Assistent", text, when(turn.timestamp)))
        elif turn.kind in ("pause", "resume"):
            text = "Gesprek overgedragen aan de griffie" if turn.kind == "pause" else "Gesprek teruggegeven aan de assistent"
            items.append(("event", "", text, when(turn.timestamp)))
    if not items:
        return "<p>Er is geen gesprek (meer) bewaard bij deze melding.</p>"
    return '<ol class="log" aria-label="Gesprek">' + "".join(
        f'<li class="{cls}"><span class="who">{e(who)} <small>{e(at)}</small></span>{e(text)}</li>'
        for cls, who, text, at in items) + "</ol>"


def _facts(report: Report, undelivered: bool) -> list[tuple[str, str]]:
    cues = []
    with contextlib.suppress(ValueError):
        cues = json.loads(report.cues or "[]")
    cue_text = "; ".join(f"'{c.get('text', '')}' ({SUBKIND.get(c.get('kind', ''), c.get('kind', ''))}, {c.get('category', '')})"
                         for c in counted_cues(cues)) or "geen"
    return [
        ("Kenmerk", report.reference),
        ("Ingediend", dutch_date(report.created_at)),
        ("Gemeente", report.municipality or ""),
        ("Rol van de melder", role_label(report.role)),
        ("Categorie", category_label(report.category)),
        ("Melden is", "verplicht" if report.reporting == "required" else "niet verplicht"),
        ("Acuut gevaar genoemd", "ja" if report.acute else "nee"),
        ("Online", "ja" if report.online else "nee"),
        ("Signalen die de assistent zag", cue_text),
        ("Status", inbox.status_label(report.status) + (" (bericht nog niet bezorgd)" if undelivered else "")),
    ]


def _dl(pairs: list[tuple[str, Any]]) -> str:
    return "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v if v not in (None, '') else '–')}</dd>" for k, v in pairs) + "</dl>"


def _answers(report: Report) -> list[tuple[str, Any]]:
    return [(f.label, f.shown(value)) for f, value in answers_of(report)]


def _history(entries: list[inbox.StatusEntry]) -> str:
    if not entries:
        return "<p>Nog geen wijzigingen.</p>"
    rows = "".join(f"<tr><td>{e(dutch_date(h.at))}</td><td>{e(inbox.status_label(h.status))}</td><td>{e(h.by)}</td>"
                   f"<td>{e(h.note or '–')}</td></tr>" for h in entries)
    return ('<table><caption>Statusgeschiedenis</caption><thead><tr><th scope="col">Datum</th><th scope="col">Status</th>'
            f'<th scope="col">Door</th><th scope="col">Notitie (intern)</th></tr></thead><tbody>{rows}</tbody></table>')


def _additions(entries: list[inbox.Addition]) -> str:
    if not entries:
        return "<p>De melder heeft niets toegevoegd.</p>"
    return "<ul>" + "".join(f"<li><strong>{e(dutch_date(a.at))}</strong>: {e(a.text)}</li>" for a in entries) + "</ul>"


def _status_form(report: Report, csrf: str) -> str:
    allowed = inbox.next_statuses(report.status)
    if not allowed:
        return f"<p>Deze melding is {e(inbox.status_label(report.status))}: de status kan niet meer veranderen.</p>"
    choices = "".join(f'<option value="{e(key)}">{e(inbox.status_label(key))}</option>' for key in allowed)
    return (f'<form method="post" action="/griffie/meldingen/{e(report.reference)}/status">'
            f'<input type="hidden" name="csrf" value="{e(csrf)}">'
            f'<div class="field"><label for="s-status">Nieuwe status</label><select id="s-status" name="status" required>{choices}</select></div>'
            '<label for="s-note">Notitie (alleen intern, de melder ziet dit niet)</label>'
            '<textarea id="s-note" name="note" rows="3"></textarea>'
            '<p class="check"><input type="checkbox" id="s-tell" name="tell" value="1">'
            '<label for="s-tell">Stuur de melder een bericht: "Er is nieuws over uw melding" met de nieuwe status '
            '(zonder uw notitie)</label></p>'
            '<button>Status wijzigen</button></form>')


@contextlib.contextmanager
def _opened(request: web.Request, account: Account, action: str) -> Iterator[tuple[Session, Report]]:
    """The report this request names, if this account may see it (else 404, and nothing is audited), in a
    transaction that records `action` ("read", "printed") in the audit log."""
    with db.session() as session:
        found = _find(session, account, request) is not None
    if not found:
        raise _not_found()
    with db.transaction() as session:
        report = _find(session, account, request)
        assert report is not None
        inbox.audit(session, account.username, action, report, client_address(request))
        yield session, report


async def detail_page(request: web.Request) -> web.Response:
    account, csrf = content_account(request)
    with _opened(request, account, "read") as (session, report):
        undelivered = report.id in inbox.undelivered(session, [report.id])
        facts, answers = _facts(report, undelivered), _answers(report)
        facts.append(("Nazorg", aftercare_text(aftercare.status_of(session, [report.id]).get(report.id))
                      or "niet gevraagd"))
        history, additions = inbox.history(session, report), inbox.additions(session, report)
        conversation_id, filed_at, reference = report.conversation_id, report.created_at, report.reference
        status_form = _status_form(report, csrf)
    try:
        tracker = await request.app[RASA].tracker(conversation_id)
        conversation = _transcript(report_session(tracker.get("events") or [], filed_at))
    except RasaUnavailable:
        conversation = '<p class="error">Het gesprek kan nu niet worden geladen: de assistent is niet bereikbaar.</p>'
    notice = ""
    if request.query.get("msg") in NOTICES:
        cls, text = NOTICES[request.query["msg"]]
        notice = f'<p class="{cls}" role="status">{e(text)}</p>'
    body = (f"{notice}<p><a href=\"/griffie/meldingen/{e(reference)}/afdrukken\">Afdrukbare versie (voor aangifte of GIR)</a>"
            " · <a href=\"/griffie/meldingen\">Alle meldingen</a></p>"
            f"<h2>Gegevens</h2>{_dl(facts)}<h2>Antwoorden van de melder</h2>{_dl(answers)}"
            f"<h2>Toegevoegd door de melder</h2>{_additions(additions)}<h2>Bewijs</h2>{bewijs.section(reference)}"
            f"<h2>Status</h2>{_history(history)}{status_form}<h2>Gesprek</h2>{conversation}")
    return page(f"Melding {reference}", body, account, csrf, current="/griffie/meldingen")


async def change_status(request: web.Request) -> web.Response:
    account, csrf = content_account(request)
    form = await checked_form(request, csrf)
    new = str(form.get("status", ""))
    note = str(form.get("note", "")).strip()[:4000]
    with db.session() as session:
        report = _find(session, account, request)
        current = report.status if report is not None else None
        base = f"/griffie/meldingen/{report.reference}" if report is not None else ""
    if report is None:
        raise _not_found()
    if new == current:
        raise web.HTTPSeeOther(f"{base}?msg=same")
    if new not in inbox.next_statuses(current):
        raise web.HTTPSeeOther(f"{base}?msg=invalid")
    tell = bool(form.get("tell"))
    with db.transaction() as session:
        report = _find(session, account, request)
        assert report is not None
        news = inbox.user_news(report.reference, new) if tell else None
        notice = inbox.set_status(session, report, new, note or None, account.username, tell_user=news)
        inbox.audit(session, account.username, "changed", report, client_address(request),
                    detail=f"{inbox.status_label(current)} → {inbox.status_label(new)}" + ("; melder bericht" if tell else ""))
        channel = inbox.channel_of(report)
    if notice is None:
        raise web.HTTPSeeOther(f"{base}?msg=status")
    error = None
    try:
        await deliver.send(request.app[RASA], notice.conversation_id, notice.channel or channel, notice.text,
                           sender=account.username)
    except deliver.DeliveryFailed as failure:
        log.warning("status news not delivered: %s", failure)
        error = type(failure).__name__
    with db.transaction() as session:
        inbox.delivered(session, notice, error)
    if error is not None:
        raise web.HTTPSeeOther(f"{base}?msg=status-not-told")
    raise web.HTTPSeeOther(f"{base}?msg=status-told")


async def print_page(request: web.Request) -> web.Response:
    account, csrf = content_account(request)
    with _opened(request, account, "printed") as (session, report):
        answers = {f.name: f.shown(value) for f, value in answers_of(report)}
        reference = report.reference
        gir = [
            ("Kenmerk", report.reference),
            ("Datum van de melding", dutch_date(report.created_at)),
            ("Gemeente", report.municipality),
            ("Melder (functie)", role_label(report.role)),
            ("Categorie (ABCD)", category_label(report.category)),
            ("Wat is er gebeurd", answers.get("what")),
            ("Wanneer", answers.get("when")),
            ("Waar", answers.get("where")),
            ("Wie (dader)", answers.get("who")),
            ("Hoe (kanaal)", answers.get("medium")),
            ("Waarmee", answers.get("with_what")),
            ("Op welke wijze", answers.get("how")),
            ("Waarom (volgens de melder)", answers.get("why")),
            ("Getuigen", answers.get("witnesses") or "niet gevraagd in het gesprek; vraag de melder"),
            ("Status", inbox.status_label(report.status)),
        ]
        additions = _additions(inbox.additions(session, report))
    body = (f'<p class="noprint">Druk deze pagina af of bewaar haar als PDF met de afdrukfunctie van uw browser '
            f'(Ctrl+P). <a href="/griffie/meldingen/{e(reference)}">Terug naar de melding</a></p>'
            f'<p>Gegevens voor een aangifte bij de politie of voor het Gemeentelijk Incidenten Registratiesysteem (GIR). '
            f'Afgedrukt op {e(dutch_date(datetime.now(inbox.AMSTERDAM)))}. Vertrouwelijk.</p>'
            f"{_dl(gir)}<h2>Toegevoegd door de melder</h2>{additions}<h2>Bewijs</h2>{bewijs.section(reference, printable=True)}"
            "<h2>Bewijsstukken (in te vullen)</h2><ol class=\"lines\"><li></li><li></li><li></li></ol>")
    return page(f"Melding {reference}", body, account, csrf, current="/griffie/meldingen")


async def export_download(request: web.Request) -> web.StreamResponse:
    account, csrf = content_account(request)
    since, until = _day(request.query.get("van", "")), _day(request.query.get("tot", ""))
    fmt = "json" if request.query.get("formaat") == "json" else "csv"
    if since is None or until is None or since > until:
        return page("Exporteren", '<p class="error" role="alert">Kies een begin- en einddatum (het begin vóór het einde).</p>'
                    '<p><a href="/griffie/meldingen">Terug naar de meldingen</a></p>', account, csrf,
                    current="/griffie/meldingen")
    with db.transaction() as session:
        reports = inbox.reports_in_period(session, since, until, reader=str(account.reader))
        undelivered = inbox.undelivered(session, [r.id for r in reports])
        rows = export.rows(reports, undelivered)
        inbox.audit(session, account.username, "exported", None, client_address(request),
                    detail=f"{since.isoformat()} t/m {until.isoformat()}, {len(rows)} meldingen, {fmt}")
    name = f"meldingen-{account.municipality}-{account.function}-{since.isoformat()}-{until.isoformat()}.{fmt}"
    text = export.as_json(rows) if fmt == "json" else export.as_csv(rows)
    content_type = "application/json" if fmt == "json" else "text/csv"
    return web.Response(text=text, content_type=content_type, charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
                                 "X-Content-Type-Options": "nosniff"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/griffie/meldingen", inbox_page)
    app.router.add_get("/griffie/meldingen/{reference}", detail_page)
    app.router.add_post("/griffie/meldingen/{reference}/status", change_status)
    app.router.add_get("/griffie/meldingen/{reference}/afdrukken", print_page)
    app.router.add_get("/griffie/export", export_download)
