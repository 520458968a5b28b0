"""The audit view for the functional administrator: who read, changed, exported or purged which report, when
and from where. It shows no content: the audit rows hold none (actions.store, append-only), and this page
shows only their columns. Every other account gets 404 here, and the administrator gets 404 on reports."""

from __future__ import annotations

from datetime import date

from aiohttp import web

from actions.store import db, inbox
from channels.griffie.pages import current_account, dutch_date, e, page


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


async def audit_page(request: web.Request) -> web.Response:
    account, csrf = current_account(request)
    if not account.admin:
        raise web.HTTPNotFound(text="Deze pagina bestaat niet of is niet voor uw account.")
    since, until = _day(request.query.get("van", "")), _day(request.query.get("tot", ""))
    reference = request.query.get("kenmerk", "").strip()[:32]
    with db.session() as session:
        entries = inbox.audit_entries(session, since=since, until=until, reference=reference or None)
    rows = "".join(
        f"<tr><td>{e(dutch_date(a.at))}</td><td>{e(a.actor)}</td><td>{e(inbox.AUDIT_LABELS.get(a.action, a.action))}</td><td>{e(a.reference or '–')}</td>"
        f"<td>{e(a.address or '–')}</td><td>{e(a.detail or '')}</td></tr>"
        for a in entries
    )
    form = ('<form method="get" action="/griffie/audit" class="filters"><fieldset><legend>Zoeken</legend>'
            f'<div class="field"><label for="a-ref">Kenmerk</label><input id="a-ref" name="kenmerk" value="{e(reference)}"></div>'
            f'<div class="field"><label for="a-van">Vanaf datum</label><input id="a-van" name="van" type="date" value="{e(since or "")}"></div>'
            f'<div class="field"><label for="a-tot">Tot en met datum</label><input id="a-tot" name="tot" type="date" value="{e(until or "")}"></div>'
            '<button>Zoeken</button></fieldset></form>')
    table = ('<table><caption>Wie deed wat met welke melding (nieuwste eerst)</caption><thead><tr><th scope="col">Moment</th>'
             '<th scope="col">Wie</th><th scope="col">Handeling</th><th scope="col">Melding</th><th scope="col">Vanaf (adres)</th>'
             f'<th scope="col">Toelichting</th></tr></thead><tbody>{rows}</tbody></table>') if rows else "<p>Geen regels gevonden.</p>"
    intro = ("<p>Het auditlog kan niet worden gewijzigd of verwijderd. Het bevat nooit de inhoud van een melding.</p>")
    return page("Auditlog", intro + form + table, account, csrf, current="/griffie/audit")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/griffie/audit", audit_page)
