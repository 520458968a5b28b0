"""The authorisation matrix (issue 11): for every demo account × demo report, the report's pages open for exactly
the function it was routed to in its municipality and answer 404 for everyone else (decided in the query);
the functional administrator gets the audit log and 404 on every report, handoff and export."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from actions.store import inbox
from channels.griffie import demo_data


@pytest.mark.parametrize("account", demo_data.ACCOUNTS, ids=lambda a: a.username)
async def test_every_account_sees_exactly_the_reports_routed_to_it(site, account):
    await site.login(account.username)
    token = await site.csrf("/griffie/audit" if account.admin else "/griffie/meldingen")
    listing = await site.client.get("/griffie/meldingen")
    listed = await listing.text() if listing.status == 200 else ""
    for demo in demo_data.REPORTS:
        reference = site.references[demo.key]
        allowed = account.reader == demo.readable_by
        base = f"/griffie/meldingen/{reference}"
        for path in (base, f"{base}/afdrukken"):
            response = await site.client.get(path)
            assert response.status == (200 if allowed else 404), (account.username, demo.key, path)
            if allowed:
                assert demo.what in await response.text()  # decrypted
        assert (reference in listed) == allowed, (account.username, demo.key)
        # A status change on someone else's report: 404 and nothing changed.
        if not allowed:
            response = await site.client.post(f"{base}/status", data={"csrf": token, "status": "afgesloten"},
                                              allow_redirects=False)
            assert response.status == 404
    if account.admin:
        assert listing.status == 404
        assert (await site.client.get("/griffie/audit")).status == 200
        assert (await site.client.get("/griffie/export?van=2020-01-01&tot=2099-12-31")).status == 404
        assert (await site.client.get("/griffie/", allow_redirects=False)).headers["Location"] == "/griffie/audit"
        assert (await site.client.get("/griffie/handoffs/1")).status == 404
    else:
        assert listing.status == 200
        assert (await site.client.get("/griffie/audit")).status == 404


async def test_the_rows_of_others_are_never_loaded(site):
    """The reader is in the WHERE clause of every content query: the database returns nothing of another's."""
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(site.connection, "before_cursor_execute", seen)
    try:
        await site.login("burgemeester-leiden")
        reference = site.references["leiden-nieuw"]  # routed to Leiden's griffier
        assert (await site.client.get(f"/griffie/meldingen/{reference}")).status == 404
        await site.client.get("/griffie/meldingen")
    finally:
        event.remove(site.connection, "before_cursor_execute", seen)
    report_queries = [(s, p) for s, p in statements if "FROM reports" in s]
    assert report_queries and all("readable_by" in s.split("WHERE", 1)[1] for s, _ in report_queries)
    assert all("leiden:burgemeester" in str(p) for _, p in report_queries)


def test_inbox_queries_put_the_reader_in_the_where_clause(session):
    from sqlalchemy.orm import Session

    from actions.store.models import Report

    demo_data.seed(session)
    assert {r.readable_by for r in inbox.reports_for(session, "leiden:griffier")} == {"leiden:griffier"}
    assert len(inbox.reports_for(session, "leiden:griffier")) == 5
    assert inbox.reports_for(session, "utrecht:griffier") == []
    reference = session.query(Report.reference).filter(Report.readable_by == "nijmegen:griffier").scalar()
    assert inbox.report_for(session, "leiden:griffier", reference) is None
    assert inbox.report_for(session, "nijmegen:griffier", reference) is not None
    assert isinstance(session, Session)


def test_seeding_twice_writes_nothing_new(session):
    first = demo_data.seed(session)
    assert first == len(demo_data.REPORTS) or first == 0
    assert demo_data.seed(session) == 0
    statuses = {r.status for r in inbox.reports_for(session, "leiden:griffier")}
    assert statuses == set(demo_data.PATHS)  # one per status of the workflow
