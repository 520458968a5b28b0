"""store/outbox.py: a report's notification rows follow the contact's configured routes; the claim, delivered,
not delivered. Each test runs in a rolled-back transaction. The delivery worker's tests: tests/bot/actions/test_outbox.py."""

from __future__ import annotations

from datetime import timedelta

from actions.store import outbox, reports
from tests.bot.actions.store.test_lifecycle import T0, draft


def test_outbox_rows_follow_the_configured_routes(session):
    report, _ = reports.submit_report(session, draft(), now=T0)
    rows = outbox.queue_contact_notifications(
        session, report, "filed", T0, routes={"email": "griffie@leiden.example", "webhook": "https://x.example/h"})
    assert [(r.route, r.state) for r in rows] == [("email", "pending"), ("webhook", "pending")]
    assert outbox.undelivered_report_ids(session, [report.id]) == {report.id}
    assert outbox.due_outbox_ids(session, T0) == [r.id for r in rows]
    assert outbox.claim(session, rows[0].id, T0)
    assert not outbox.claim(session, rows[0].id, T0)  # a second worker gets nothing
    assert outbox.due_outbox_ids(session, T0) == [rows[1].id]
    outbox.mark_delivered(session, rows[0].id, T0)
    assert outbox.undelivered_report_ids(session, [report.id]) == set()


def test_an_unknown_route_is_recorded_as_unconfigured(session):
    report, _ = reports.submit_report(session, draft(key=None), now=T0)
    [row] = outbox.queue_contact_notifications(session, report, "filed", T0)
    assert (row.route, row.state, row.next_attempt_at) == ("none", "unconfigured", None)
    assert outbox.due_outbox_ids(session, T0 + timedelta(days=1)) == []
