"""The griffie inbox shows open aftercare (issue 14 item 1): a "Nazorg" column in the list and a line on the detail
page, "nazorg: volgende check-in op ..., laatste antwoord ...", highlighted when the user asked for contact; and
the Jaaroverzicht in the navigation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.store import aftercare
from actions.store.models import Report
from channels.griffie.pages import when

GRIFFIER = "griffie-leiden"


def _plan(site, key: str, consent: bool = True) -> tuple[str, datetime]:
    filed = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with Session(site.connection) as session:
        report = session.scalar(select(Report).where(Report.reference == site.references[key]))
        report.created_at = filed
        aftercare.record_consent(session, report, consent, [timedelta(days=1), timedelta(days=3), timedelta(days=28)],
                                 "§7.3", now=filed)
        session.flush()
        return report.reference, filed


async def test_the_inbox_and_the_detail_page_show_the_next_check_in_and_the_last_answer(site):
    reference, filed = _plan(site, "leiden-nieuw")
    await site.login(GRIFFIER)
    page = await (await site.client.get("/griffie/meldingen")).text()
    assert '<th scope="col">Nazorg</th>' in page
    assert f"nazorg: volgende check-in op {when(filed + timedelta(days=1))}" in page

    with Session(site.connection) as session:
        report = session.scalar(select(Report).where(Report.reference == reference))
        first = aftercare.checkins(session, report.id)[0]
        aftercare.mark_sent(session, first.id, filed + timedelta(days=1))
        aftercare.record_answer(session, report.id, "niet_goed", filed + timedelta(days=1, hours=2))
        session.flush()
    page = await (await site.client.get("/griffie/meldingen")).text()
    expected = (f"nazorg: volgende check-in op {when(filed + timedelta(days=3))}, laatste antwoord niet goed "
                f"({when(filed + timedelta(days=1, hours=2))})")
    assert f'<strong class="warn">{expected}</strong>' in page
    detail = await (await site.client.get(f"/griffie/meldingen/{reference}")).text()
    assert f"<dt>Nazorg</dt><dd>{expected}</dd>" in detail


async def test_no_consent_and_not_asked_are_told_apart(site):
    _plan(site, "leiden-nieuw", consent=False)
    await site.login(GRIFFIER)
    detail = await (await site.client.get(f"/griffie/meldingen/{site.references['leiden-nieuw']}")).text()
    assert "<dt>Nazorg</dt><dd>nazorg: melder wilde geen check-ins</dd>" in detail
    other = await (await site.client.get(f"/griffie/meldingen/{site.references['leiden-afgesloten']}")).text()
    assert "<dt>Nazorg</dt><dd>niet gevraagd</dd>" in other


async def test_the_navigation_links_the_yearly_overview(site):
    await site.login(GRIFFIER)
    page = await (await site.client.get("/griffie/meldingen")).text()
    assert '<a href="/griffie/jaaroverzicht">Jaaroverzicht</a>' in page
    overview = await (await site.client.get("/griffie/jaaroverzicht")).text()
    assert '<a href="/griffie/jaaroverzicht" aria-current="page">Jaaroverzicht</a>' in overview
