"""store/erasure.py: retention counts from closing; deleting a report takes its history and outbox rows along,
the audit rows stay. Each test runs in a rolled-back transaction. The purge itself: test_retention.py."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import select

from actions.store import audit, erasure, reports
from actions.store.models import OutboxMessage, ReportEvent
from tests.bot.actions.store.test_lifecycle import T0, draft


def test_closing_sets_closed_at_and_retention_counts_from_it(session):
    report, _ = reports.submit_report(session, draft(), now=T0)
    reports.change_status(session, report.id, "afgesloten", None, "g", notify_user=False, now=T0)
    assert report.closed_at == T0 or report.closed_at.replace(tzinfo=UTC) == T0
    days = {"afgesloten": 1825}
    assert erasure.reports_due_for_purge(session, T0 + timedelta(days=1824), days) == []
    assert erasure.reports_due_for_purge(session, T0 + timedelta(days=1825), days) == [report]


def test_delete_report_takes_history_and_outbox_along(session):
    report, _ = reports.submit_report(session, draft(), now=T0)
    reports.add_addition(session, report, "nog iets", now=T0)
    audit.record_audit(session, "g", "read", report=report)
    report_id = report.id
    erasure.delete_report(session, report)
    assert session.scalars(select(ReportEvent).where(ReportEvent.report_id == report_id)).all() == []
    assert session.scalars(select(OutboxMessage).where(OutboxMessage.report_id == report_id)).all() == []
    assert len(audit.audit_entries(session)) == 2  # the audit rows stay
