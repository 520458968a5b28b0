"""Evidence in the griffie app (issue 14): the list on a report's page and its printable page, and one file to
download.

Only the account the report is routed to gets it (inbox.report_for: `readable_by` in the query; anyone else
gets 404 as if it did not exist), and every download is audited like a read of the report ("gelezen", with the
item's number and kind; never its name or content). A file is always served as a download
(`Content-Disposition: attachment`), with `X-Content-Type-Options: nosniff` and a CSP that allows nothing and
sandboxes it, so even a file that slipped past the intake cannot run in the griffie's browser. Links are shown
as text, not as clickable links: a griffier copies one deliberately.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.store import db, inbox
from actions.store import evidence as store
from actions.store.models import Report
from channels.griffie.pages import client_address, content_account, dutch_date, e

FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
KIND_LABELS = {"image": "foto", "pdf": "PDF-bestand", "link": "link"}


def size_text(size: int) -> str:
    """'830 bytes', '12 kB', '2,4 MB'."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{round(size / 1000)} kB"
    return f"{size / 1_000_000:.1f} MB".replace(".", ",")


def section(reference: str, printable: bool = False) -> str:
    """The evidence of a report as HTML: how many, and a table (number, received, kind, name or link, size, and
    on the report's page a download link). The caller has checked that the account may read this report."""
    with db.session() as session:
        report = session.scalar(select(Report).where(Report.reference == reference))
        items = store.for_report(session, report) if report is not None else []
        rows = []
        for number, item in enumerate(items, start=1):
            if item.kind == "link":
                what = f"<code>{e(item.content.decode('utf-8', 'replace'))}</code>"
            else:
                what = e(item.name or f"bewijs-{number}.{store.EXTENSIONS.get(item.media_type, 'bin')}")
                if not printable:
                    what = (f'<a href="/griffie/meldingen/{e(reference)}/bewijs/{item.id}" download>{what}</a>')
            rows.append(f"<tr><td>{number}</td><td>{e(dutch_date(item.received_at))}</td>"
                        f"<td>{e(KIND_LABELS.get(item.kind, item.kind))}</td><td>{what}</td>"
                        f"<td>{e(size_text(item.size) if item.kind != 'link' else '–')}</td></tr>")
    if not rows:
        return ("<p>Geen bewijsstukken. Vraag de melder om screenshots, berichten, brieven of namen van getuigen te "
                "bewaren; de politie vraagt ernaar bij een aangifte.</p>")
    intro = (f"<p>{len(rows)} bewijsstuk{'ken' if len(rows) != 1 else ''} van de melder: {e(store.counted(items))}. "
             + ("" if printable else "Een bestand opent als download; het bekijken wordt gelogd. ")
             + "Foto's zijn zonder locatie- en cameragegevens bewaard.</p>")
    return (intro + '<table><caption>Bewijsstukken</caption><thead><tr><th scope="col">Nr.</th><th scope="col">Ontvangen</th>'
            '<th scope="col">Soort</th><th scope="col">Bestand of link</th><th scope="col">Grootte</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _numbered(session: Session, report: Report, evidence_id: int) -> tuple[int, store.Evidence] | None:
    """(its number in the report's list, the item with its content) when the item belongs to the report."""
    item = store.get(session, report, evidence_id)
    if item is None or item.kind == "link":
        return None
    return [i.id for i in store.for_report(session, report)].index(item.id) + 1, item


async def download(request: web.Request) -> web.Response:
    account, _ = content_account(request)
    raw_id = request.match_info["evidence_id"]
    # ASCII digits only: '²'.isdigit() is True but int('²') fails (a 500); anything else is simply not found
    evidence_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 18 else 0
    reader, reference = str(account.reader), request.match_info["reference"][:32]
    with db.session() as session:
        report = inbox.report_for(session, reader, reference)
        found = _numbered(session, report, evidence_id) if report is not None else None
        if found is not None:
            number, item = found
            content, media_type, kind = item.content, item.media_type, item.kind
    if found is None:
        raise web.HTTPNotFound(text="Dit bewijsstuk bestaat niet of is niet aan u gericht.")
    with db.transaction() as session:
        inbox.audit(session, account.username, "read", inbox.report_for(session, reader, reference),
                    client_address(request), detail=f"bewijsstuk {number} ({KIND_LABELS.get(kind, kind)}) gedownload")
    name = f"bewijs-{reference}-{number}.{store.EXTENSIONS.get(media_type, 'bin')}"
    return web.Response(body=content, content_type=media_type,
                        headers={**FILE_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/griffie/meldingen/{reference}/bewijs/{evidence_id}", download)
