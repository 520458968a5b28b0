"""Evidence in the griffie app (issue 14): listed on the report's page and its printable page, downloadable only
by the account the report is routed to (as an attachment, nosniff, sandboxed), audited; in the export as count,
neutral names, types and sizes, never the name as sent or a link's text."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

from sqlalchemy import text

from channels import evidence
from tests.channels import evidence_samples as samples
from tests.channels.griffie.test_reports import audit_rows


def with_evidence(site, key: str = "leiden-nieuw") -> tuple[str, list[int]]:
    """Give a demo report a messenger identity and send it a photo, a PDF and a link from there."""
    sender = evidence.Sender("telegram", f"demo-{key}")
    site.connection.execute(text("UPDATE reports SET identity_hash = :h WHERE draft_id = :d"),
                            {"h": sender.identity, "d": f"demo-{key}"})
    assert evidence.receive_file(sender, samples.jpeg_with_gps(), "Jan Jansen voor mijn deur.jpg")[0]
    assert evidence.receive_file(sender, samples.pdf(), "dreigbrief.pdf")[0]
    assert evidence.receive_links(sender, "https://x.com/dader/status/77")
    ids = site.connection.execute(text("SELECT id FROM evidence ORDER BY id")).scalars().all()
    return site.references[key], ids


async def test_the_report_page_lists_the_evidence_and_the_file_downloads_safely(site):
    reference, (photo_id, pdf_id, link_id) = with_evidence(site)
    await site.login("griffie-leiden")
    page = await (await site.client.get(f"/griffie/meldingen/{reference}")).text()
    assert "3 bewijsstukken van de melder: 1 foto, 1 PDF-bestand, 1 link." in page
    assert "Jan Jansen voor mijn deur.jpg" in page and "https://x.com/dader/status/77" in page
    assert f'href="/griffie/meldingen/{reference}/bewijs/{photo_id}"' in page
    assert "Nog geen bewijsstukken" not in page

    response = await site.client.get(f"/griffie/meldingen/{reference}/bewijs/{photo_id}")
    assert response.status == 200
    body = await response.read()
    assert body[:3] == b"\xff\xd8\xff" and not samples.has_location(body)
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Content-Disposition"] == f'attachment; filename="bewijs-{reference}-1.jpg"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"

    pdf = await site.client.get(f"/griffie/meldingen/{reference}/bewijs/{pdf_id}")
    assert await pdf.read() == samples.pdf() and pdf.headers["Content-Type"] == "application/pdf"
    assert (await site.client.get(f"/griffie/meldingen/{reference}/bewijs/{link_id}")).status == 404  # a link is text

    downloads = [a for a in audit_rows(site, reference) if a.detail and "bewijsstuk" in a.detail]
    assert sorted((a.actor, a.action, a.detail) for a in downloads) == [  # the audit page lists newest first
        ("griffie-leiden", "read", "bewijsstuk 1 (foto) gedownload"),
        ("griffie-leiden", "read", "bewijsstuk 2 (PDF-bestand) gedownload")]
    assert all("Jansen" not in (a.detail or "") for a in audit_rows(site))


async def test_only_the_account_the_report_is_routed_to_gets_the_file(site):
    reference, (photo_id, *_) = with_evidence(site)
    path = f"/griffie/meldingen/{reference}/bewijs/{photo_id}"
    for username in ("burgemeester-leiden", "griffie-nijmegen", "beheer"):
        await site.login(username)
        response = await site.client.get(path)
        assert response.status == 404, username
        assert b"\xff\xd8\xff" not in await response.read()
    site.client.session.cookie_jar.clear()
    response = await site.client.get(path, allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/griffie/login"
    assert not [a for a in audit_rows(site, reference) if a.detail and "bewijsstuk" in a.detail]


async def test_evidence_of_one_report_is_not_reachable_through_another(site):
    _, (photo_id, *_) = with_evidence(site, "leiden-nieuw")
    other = site.references["leiden-in_behandeling"]  # also routed to griffie-leiden
    await site.login("griffie-leiden")
    assert (await site.client.get(f"/griffie/meldingen/{other}/bewijs/{photo_id}")).status == 404
    assert (await site.client.get(f"/griffie/meldingen/{other}/bewijs/abc")).status == 404
    page = await (await site.client.get(f"/griffie/meldingen/{other}")).text()
    assert "Geen bewijsstukken" in page


async def test_the_printable_page_lists_names_types_and_sizes(site):
    reference, _ = with_evidence(site)
    await site.login("griffie-leiden")
    page = await (await site.client.get(f"/griffie/meldingen/{reference}/afdrukken")).text()
    assert "3 bewijsstukken van de melder: 1 foto, 1 PDF-bestand, 1 link." in page
    assert "Jan Jansen voor mijn deur.jpg" in page and "dreigbrief.pdf" in page and "PDF-bestand" in page
    assert "/bewijs/" not in page  # no download links on paper
    assert " bytes</td>" in page or " kB</td>" in page


async def test_the_export_counts_the_evidence_without_names_or_links(site):
    reference, _ = with_evidence(site)
    await site.login("griffie-leiden")
    today = date.today()
    query = f"van={today - timedelta(days=1)}&tot={today + timedelta(days=1)}"
    rows = list(csv.DictReader(io.StringIO(await (await site.client.get(f"/griffie/export?{query}")).text()), delimiter=";"))
    [row] = [r for r in rows if r["kenmerk"] == reference]
    assert row["bewijs_aantal"] == "3"
    assert row["bewijs"].startswith("bewijs-1.jpg (foto, image/jpeg, ") and "bewijs-2.pdf (PDF-bestand, application/pdf, " in row["bewijs"]
    assert row["bewijs"].endswith("bewijs-3 (link)")
    assert {r["bewijs_aantal"] for r in rows if r["kenmerk"] != reference} == {"0"}
    as_json = await (await site.client.get(f"/griffie/export?{query}&formaat=json")).text()
    assert "Jansen" not in as_json and "x.com" not in as_json and "dreigbrief" not in as_json
    assert [r["bewijs_aantal"] for r in json.loads(as_json)["meldingen"] if r["kenmerk"] == reference] == [3]


async def test_a_non_ascii_digit_in_the_address_is_not_found_not_an_error(site):
    reference, _ = with_evidence(site, "leiden-nieuw")
    await site.login("griffie-leiden")
    for odd in ("%C2%B2", "%D9%A3", "1" * 40):  # superscript two, Arabic-Indic three, an id too long for the database
        assert (await site.client.get(f"/griffie/meldingen/{reference}/bewijs/{odd}")).status == 404
