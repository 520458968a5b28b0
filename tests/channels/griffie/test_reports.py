"""Meldingen in the griffie web app (the real aiohttp app, the test database): the inbox with its filters,
the detail page (decrypted answers, cues, the conversation of that report's session, status history),
the status form (CSRF, the workflow, the user's news without the internal note), the printable page,
the export (no free text), the audit rows written by reading, changing and exporting."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from actions.store import inbox
from actions.store.models import Report
from channels.griffie import demo_data, export
from channels.griffie.pages import dutch_date

GRIFFIER = "griffie-leiden"


def audit_rows(site, reference=None):
    from sqlalchemy.orm import Session

    with Session(site.connection) as session:
        return [a for a in inbox.audit_entries(session) if reference is None or a.reference == reference]


async def test_the_inbox_lists_reference_date_category_role_and_status_with_filters(site):
    await site.login(GRIFFIER)
    page = await (await site.client.get("/griffie/meldingen")).text()
    for key in ("leiden-nieuw", "leiden-afgesloten"):
        assert site.references[key] in page
    assert "D – bedreiging, intimidatie of geweld" in page and "raadslid" in page and "in behandeling" in page
    assert dutch_date(datetime.now(UTC), with_time=False) in page  # "4 december 2026": Dutch dates

    only_new = await (await site.client.get("/griffie/meldingen?status=nieuw")).text()
    assert site.references["leiden-nieuw"] in only_new and site.references["leiden-afgesloten"] not in only_new
    only_a = await (await site.client.get("/griffie/meldingen?categorie=A")).text()
    assert site.references["leiden-afgesloten"] in only_a and site.references["leiden-nieuw"] not in only_a

    # Date range: a report filed 40 days ago falls outside "the last week" and inside "last month and a half".
    old = datetime.now(UTC) - timedelta(days=40)
    site.connection.execute(update(Report).where(Report.reference == site.references["leiden-doorverwezen"]).values(created_at=old))
    week = (datetime.now(UTC) - timedelta(days=7)).date().isoformat()
    recent = await (await site.client.get(f"/griffie/meldingen?van={week}")).text()
    assert site.references["leiden-doorverwezen"] not in recent and site.references["leiden-nieuw"] in recent
    until = (old + timedelta(days=1)).date().isoformat()
    earlier = await (await site.client.get(f"/griffie/meldingen?tot={until}")).text()
    assert site.references["leiden-doorverwezen"] in earlier and site.references["leiden-nieuw"] not in earlier
    # Nonsense in the query string is ignored, never echoed.
    odd = await (await site.client.get("/griffie/meldingen?status=<script>&van=gisteren")).text()
    assert "<script>" not in odd and site.references["leiden-nieuw"] in odd


async def test_the_detail_page_shows_everything_decrypted_with_the_conversation_and_writes_an_audit_row(site):
    reference = site.references["leiden-in_behandeling"]
    filed = datetime.now(UTC).timestamp()
    site.rasa.trackers["demo-leiden-in_behandeling"] = [
        {"event": "action", "name": "action_session_start", "timestamp": filed - 86400},
        {"event": "user", "text": "een ander verhaal van gisteren", "timestamp": filed - 86000},
        {"event": "action", "name": "action_session_start", "timestamp": filed - 600},
        {"event": "user", "text": "<b>Ze schelden</b> mij uit op Facebook", "timestamp": filed - 500},
        {"event": "bot", "text": "Zal ik de melding indienen?", "timestamp": filed - 10,
         "data": {"buttons": [{"title": "Ja", "payload": "/affirm"}]}},
        {"event": "user", "text": "/affirm", "timestamp": filed - 5},
        {"event": "slot", "name": "report_what", "value": "geheim slot"},
    ]
    await site.login(GRIFFIER)
    response = await site.client.get(f"/griffie/meldingen/{reference}")
    page = await response.text()
    assert response.status == 200 and "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "Demo (in behandeling): scheldwoorden onder mijn bericht op Facebook" in page  # decrypted answer
    assert "sociale media" in page and "Demo: een man van ongeveer 40" in page  # choice label, free text
    assert "C – &#x27;jij&#x27;-gedrag (persoonlijk gericht)" in page and "&#x27;Demo&#x27;" in page  # category and cues
    assert "&lt;b&gt;Ze schelden&lt;/b&gt; mij uit" in page and "<b>Ze schelden" not in page  # escaped
    assert "[Knoppen: Ja]" in page and "/affirm" not in page.split("<h2>Gesprek</h2>")[1]
    assert "een ander verhaal van gisteren" not in page  # another session of the same person
    assert "geheim slot" not in page
    assert "Bewijs" in page and "Afdrukbare versie" in page
    [row] = audit_rows(site, reference)
    assert (row.actor, row.action) == (GRIFFIER, "read") and row.address
    assert "scheldwoorden" not in json.dumps(row.__dict__, default=str)


async def test_a_status_change_needs_the_csrf_token_follows_the_workflow_and_keeps_its_note(site):
    reference = site.references["leiden-nieuw"]
    path = f"/griffie/meldingen/{reference}"
    await site.login(GRIFFIER)
    forged = await site.client.post(f"{path}/status", data={"status": "in_behandeling", "note": "x"})
    assert forged.status == 403
    token = await site.csrf(path)
    skipped = await site.client.post(f"{path}/status", data={"csrf": token, "status": "aangifte_gedaan"},
                                     allow_redirects=False)
    assert skipped.headers["Location"] == f"{path}?msg=invalid"  # nieuw -> aangifte gedaan is not a step
    changed = await site.client.post(f"{path}/status", data={"csrf": token, "status": "in_behandeling",
                                                            "note": "Gebeld met <de melder>"}, allow_redirects=False)
    assert changed.headers["Location"] == f"{path}?msg=status"
    page = await (await site.client.get(changed.headers["Location"])).text()
    assert "De status is gewijzigd." in page and "Gebeld met &lt;de melder&gt;" in page
    history = page.split("Statusgeschiedenis")[1]
    assert "in behandeling" in history and GRIFFIER in history
    assert site.rasa.appended == []  # nobody was told: the box was not ticked
    assert [a.action for a in audit_rows(site, reference)].count("changed") == 1


async def test_the_user_can_be_told_about_a_new_status_without_the_internal_note(site):
    widget_session = "0123456789abcdef0123456789abcdef"
    site.connection.execute(update(Report).where(Report.reference == site.references["leiden-nieuw"])
                            .values(conversation_id=widget_session))
    path = f"/griffie/meldingen/{site.references['leiden-nieuw']}"
    await site.login(GRIFFIER)
    token = await site.csrf(path)
    response = await site.client.post(f"{path}/status", data={"csrf": token, "status": "in_behandeling",
                                                             "note": "intern: dader is de buurman", "tell": "1"},
                                      allow_redirects=False)
    assert response.headers["Location"] == f"{path}?msg=status-told"
    [(cid, query, events)] = site.rasa.appended
    assert cid == widget_session and query["output_channel"] == "socketio"
    text = events[0]["text"]
    assert text.startswith("Er is nieuws over uw melding " + site.references["leiden-nieuw"])
    assert "wordt behandeld" in text and "buurman" not in text


async def test_a_user_who_cannot_be_reached_is_reported_and_the_status_still_changes(site):
    path = f"/griffie/meldingen/{site.references['leiden-nieuw']}"  # a REST conversation: no way to send later
    await site.login(GRIFFIER)
    token = await site.csrf(path)
    response = await site.client.post(f"{path}/status", data={"csrf": token, "status": "in_behandeling", "tell": "1"},
                                      allow_redirects=False)
    assert response.headers["Location"] == f"{path}?msg=status-not-told"
    page = await (await site.client.get(response.headers["Location"])).text()
    assert "kon geen bericht krijgen" in page and "<dd>in behandeling" in page


async def test_the_printable_page_has_what_an_aangifte_needs(site):
    reference = site.references["leiden-aangifte_gedaan"]
    await site.login(GRIFFIER)
    page = await (await site.client.get(f"/griffie/meldingen/{reference}/afdrukken")).text()
    for label in ("Wat is er gebeurd", "Wanneer", "Waar", "Wie (dader)", "Hoe (kanaal)", "Getuigen", "Categorie (ABCD)"):
        assert f"<dt>{label}</dt>" in page, label
    assert "Bewijsstukken" in page
    assert "een e-mail waarin staat dat mijn auto in brand gaat" in page and "e-mail" in page
    assert [a.action for a in audit_rows(site, reference)] == ["printed"]
    css = await (await site.client.get("/griffie/static/griffie.css")).text()
    assert "@media print" in css


async def test_the_export_has_a_header_one_row_per_report_and_no_free_text(site):
    await site.login(GRIFFIER)
    today = datetime.now(inbox.AMSTERDAM).date()  # the export's days are Amsterdam's (23:00 UTC is tomorrow there)
    response = await site.client.get(f"/griffie/export?van={today - timedelta(days=1)}&tot={today + timedelta(days=1)}")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    text = await response.text()
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == export.HEADER
    assert sorted(r[0] for r in rows[1:]) == sorted(site.references[d.key] for d in demo_data.REPORTS
                                                   if d.readable_by == "leiden:griffier")
    for words in ("Demo (", "een man van ongeveer 40", "stadhuis", "schreeuwend", "besluit van de raad"):
        assert words not in text, words
    assert "face to face" in text or "persoonlijk" in text  # the medium is a choice, not free text
    [row] = [a for a in audit_rows(site) if a.action == "exported"]
    assert row.actor == GRIFFIER and row.reference is None and "5 meldingen" in (row.detail or "")
    as_json = json.loads(await (await site.client.get(f"/griffie/export?van={today}&tot={today}&formaat=json")).text())
    assert as_json["velden"] == export.HEADER and len(as_json["meldingen"]) == 5
    wrong = await site.client.get("/griffie/export?van=2026-12-31&tot=2026-01-01")
    assert wrong.status == 200 and "Kies een begin- en einddatum" in await wrong.text()


def test_only_choice_fields_of_the_report_table_are_exported():
    from actions.report_fields import REPORT_FIELDS

    for field in REPORT_FIELDS:
        assert (field.column in export.HEADER) == (not field.encrypted), field.name
    assert "cues" not in export.HEADER


async def test_the_audit_log_shows_who_did_what_from_where_without_content(site):
    reference = site.references["leiden-nieuw"]
    await site.login(GRIFFIER)
    await site.client.get(f"/griffie/meldingen/{reference}")
    await site.login("beheer")
    response = await site.client.get("/griffie/audit")
    page = await response.text()
    assert response.status == 200 and reference in page and GRIFFIER in page and "gelezen" in page
    assert "127.0.0.1" in page
    assert "Demo" not in page and "hij riep" not in page
    assert reference in await (await site.client.get(f"/griffie/audit?kenmerk={reference}")).text()
    assert reference not in await (await site.client.get("/griffie/audit?kenmerk=MLD-0")).text()


async def test_a_notification_still_in_the_outbox_shows_as_not_yet_delivered(site):
    from sqlalchemy import select

    from actions.store.models import OutboxMessage

    report_id = site.connection.execute(select(Report.id).where(Report.reference == site.references["leiden-nieuw"])).scalar_one()
    site.connection.execute(OutboxMessage.__table__.insert().values(
        report_id=report_id, kind="contact", event="filed", route="email", target="griffie@leiden.example",
        state="pending", attempts=1, created_at=datetime.now(UTC)))
    await site.login(GRIFFIER)
    page = await (await site.client.get("/griffie/meldingen")).text()
    rows = page.split("<tr>")
    [row] = [r for r in rows if site.references["leiden-nieuw"] in r]
    assert "nog niet bezorgd" in row
    assert sum("nog niet bezorgd" in r for r in rows) == 1


def test_the_cues_shown_are_those_that_decided_the_category():
    """nlu.triage marks a D word the model gave almost no D as not counted: the griffie does not see it as a signal."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from channels.griffie.reports import _facts

    report = SimpleNamespace(
        reference="MH-TEST", created_at=datetime(2026, 12, 5, tzinfo=UTC), municipality="Leiden", role="raadslid",
        category="A", reporting="optional", acute=False, online=False, status="nieuw",
        cues=json.dumps([{"text": "dreigt", "kind": "bedreiging", "category": "D", "counted": False},
                         {"text": "huilde", "kind": "emotie", "category": "A"}]))
    facts = dict(_facts(report, undelivered=False))
    assert "dreigt" not in facts["Signalen die de assistent zag"]
    assert "'huilde'" in facts["Signalen die de assistent zag"]  # older reports have no "counted": shown
