"""A report after filing (issue 11): status history, the user's identity, additions, withdrawing, the outbox
rows, the audit log (append-only in the database), retention. Each test runs in a rolled-back transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from actions.report_fields import REPORT_FIELDS, ReportDraft
from actions.store import repository
from actions.store.models import AuditEntry, OutboxMessage, ReportEvent

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
STORY = "Hij zei dat hij weet waar ik woon en dat mijn kinderen moeten oppassen"


def draft(draft_id: str = "d-life", identity: str | None = "id-1", key: str | None = "leiden") -> ReportDraft:
    slots = {f.slot: f"antwoord {f.name}" for f in REPORT_FIELDS} | {
        "report_what": STORY, "report_medium": "phone", "report_draft_id": draft_id,
        "municipality": "Leiden", "municipality_key": key, "role": "raadslid", "category": "D"}
    d = ReportDraft.from_slots(slots.get, "telegram:4242")
    assert d is not None
    return ReportDraft(**{**d.__dict__, "identity_hash": identity, "identity_channel": "telegram"})


def test_filing_writes_the_first_history_row(session):
    report, created = repository.submit_report(session, draft(), now=T0)
    assert created and report.status == "nieuw" and report.identity_hash == "id-1"
    [first] = repository.status_history(session, report.id)
    assert (first.status, first.actor, first.note) == ("nieuw", "melder", None)


def test_change_status_records_the_note_and_queues_the_user_message_without_it(session):
    report, _ = repository.submit_report(session, draft(), now=T0)
    assert repository.change_status(session, report.id, "in_behandeling", "gebeld met politie", "griffier.leiden",
                                    notify_user=False, now=T0 + timedelta(hours=1)) is None
    notice = repository.change_status(session, report.id, "aangifte_gedaan", "PV 123 intern", "griffier.leiden",
                                      notify_user=True, now=T0 + timedelta(days=1))
    assert notice is not None and notice.conversation_id == "telegram:4242" and notice.channel == "telegram"
    assert report.reference in notice.text and "aangifte" in notice.text and "PV 123" not in notice.text
    history = repository.status_history(session, report.id)
    assert [h.status for h in history] == ["nieuw", "in_behandeling", "aangifte_gedaan"]
    assert history[-1].note == "PV 123 intern" and history[-1].actor == "griffier.leiden"
    stored = session.execute(text("SELECT note FROM report_events WHERE status = 'aangifte_gedaan'")).scalar_one()
    assert "PV 123" not in stored  # encrypted at rest
    assert [n.outbox_id for n in repository.pending_user_messages(session, now=T0 + timedelta(days=1))] == [notice.outbox_id]
    repository.mark_delivered(session, notice.outbox_id)
    assert repository.pending_user_messages(session, now=T0 + timedelta(days=2)) == []


def test_the_workflow_refuses_a_jump(session):
    report, _ = repository.submit_report(session, draft(), now=T0)
    with pytest.raises(repository.StatusError):
        repository.change_status(session, report.id, "aangifte_gedaan", None, "g", notify_user=False)
    with pytest.raises(repository.StatusError):
        repository.change_status(session, report.id, "gewist", None, "g", notify_user=False)


def test_closing_sets_closed_at_and_retention_counts_from_it(session):
    report, _ = repository.submit_report(session, draft(), now=T0)
    repository.change_status(session, report.id, "afgesloten", None, "g", notify_user=False, now=T0)
    assert report.closed_at == T0 or report.closed_at.replace(tzinfo=UTC) == T0
    days = {"afgesloten": 1825}
    assert repository.reports_due_for_purge(session, T0 + timedelta(days=1824), days) == []
    assert repository.reports_due_for_purge(session, T0 + timedelta(days=1825), days) == [report]


def test_the_identity_decides_who_finds_a_report(session):
    report, _ = repository.submit_report(session, draft(), now=T0)
    assert repository.report_of_identity(session, "id-1", report.reference) is report
    assert repository.report_of_identity(session, "id-1", report.reference.lower()) is report
    assert repository.report_of_identity(session, "id-2", report.reference) is None
    assert repository.reports_of_identity(session, "id-2") == []


def test_withdraw_and_addition_keep_everything_and_notify_the_contact(session):
    report, _ = repository.submit_report(session, draft(), now=T0)
    repository.add_addition(session, report, "Hij stond er gisteren weer", now=T0 + timedelta(hours=2))
    assert repository.withdraw(session, report, now=T0 + timedelta(hours=3))
    assert not repository.withdraw(session, report)  # once
    assert report.status == "ingetrokken" and report.closed_at is not None
    assert [a.note for a in repository.additions(session, report.id)] == ["Hij stond er gisteren weer"]
    events = [m.event for m in repository.outbox_for(session, report.id)]
    assert events == ["addition", "withdrawn"]  # no contact route configured here: recorded as such
    assert {m.state for m in repository.outbox_for(session, report.id)} == {"unconfigured"}
    audit = repository.audit_entries(session, reference=report.reference)
    assert [a.action for a in audit] == ["changed", "changed"] and all(a.actor == "melder" for a in audit)


def test_outbox_rows_follow_the_configured_routes(session):
    report, _ = repository.submit_report(session, draft(), now=T0)
    rows = repository.queue_contact_notifications(
        session, report, "filed", T0, routes={"email": "griffie@leiden.example", "webhook": "https://x.example/h"})
    assert [(r.route, r.state) for r in rows] == [("email", "pending"), ("webhook", "pending")]
    assert repository.undelivered_report_ids(session, [report.id]) == {report.id}
    assert repository.due_outbox_ids(session, T0) == [r.id for r in rows]
    assert repository.claim(session, rows[0].id, T0)
    assert not repository.claim(session, rows[0].id, T0)  # a second worker gets nothing
    assert repository.due_outbox_ids(session, T0) == [rows[1].id]
    repository.mark_delivered(session, rows[0].id, T0)
    assert repository.undelivered_report_ids(session, [report.id]) == set()


def test_an_unknown_route_is_recorded_as_unconfigured(session):
    report, _ = repository.submit_report(session, draft(key=None), now=T0)
    [row] = repository.queue_contact_notifications(session, report, "filed", T0)
    assert (row.route, row.state, row.next_attempt_at) == ("none", "unconfigured", None)
    assert repository.due_outbox_ids(session, T0 + timedelta(days=1)) == []


def test_audit_rows_carry_no_content_and_cannot_be_changed(session):
    report, _ = repository.submit_report(session, draft(), now=T0)
    repository.record_audit(session, "griffier.leiden", "read", report=report, address="10.0.0.7", now=T0)
    repository.record_audit(session, "griffier.leiden", "exported", reference=None, address="10.0.0.7",
                            detail="2026-01-01 t/m 2026-12-31, 1 melding", now=T0)
    [read] = repository.audit_entries(session, reference=report.reference)
    assert (read.actor, read.action, read.address, read.report_id) == ("griffier.leiden", "read", "10.0.0.7", report.id)
    with pytest.raises(ValueError):
        repository.record_audit(session, "x", "looked", report=report)
    columns = {c.name for c in AuditEntry.__table__.columns}
    assert columns == {"id", "at", "actor", "action", "report_id", "reference", "address", "detail"}
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError), session.begin_nested():
            session.execute(text(statement))
    assert len(repository.audit_entries(session)) == 2


def test_delete_report_takes_history_and_outbox_along(session):
    report, _ = repository.submit_report(session, draft(), now=T0)
    repository.add_addition(session, report, "nog iets", now=T0)
    repository.record_audit(session, "g", "read", report=report)
    report_id = report.id
    repository.delete_report(session, report)
    assert session.scalars(select(ReportEvent).where(ReportEvent.report_id == report_id)).all() == []
    assert session.scalars(select(OutboxMessage).where(OutboxMessage.report_id == report_id)).all() == []
    assert len(repository.audit_entries(session)) == 2  # the audit rows stay
