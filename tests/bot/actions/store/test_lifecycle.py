"""A report after filing (issue 11, store/reports.py): status history, the user's identity, additions, withdrawing.
Each test runs in a rolled-back transaction. Its outbox rows: test_outbox.py; the audit log: test_audit.py; retention:
test_erasure.py (they, and other tests, take `draft` from here)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from actions.report_fields import REPORT_FIELDS, ReportDraft
from actions.store import audit, outbox, reports

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
    report, created = reports.submit_report(session, draft(), now=T0)
    assert created and report.status == "nieuw" and report.identity_hash == "id-1"
    [first] = reports.status_history(session, report.id)
    assert (first.status, first.actor, first.note) == ("nieuw", "melder", None)


def test_change_status_records_the_note_and_queues_the_user_message_without_it(session):
    report, _ = reports.submit_report(session, draft(), now=T0)
    assert reports.change_status(session, report.id, "in_behandeling", "gebeld met politie", "griffier.leiden",
                                 notify_user=False, now=T0 + timedelta(hours=1)) is None
    notice = reports.change_status(session, report.id, "aangifte_gedaan", "PV 123 intern", "griffier.leiden",
                                   notify_user=True, now=T0 + timedelta(days=1))
    assert notice is not None and notice.conversation_id == "telegram:4242" and notice.channel == "telegram"
    assert report.reference in notice.text and "aangifte" in notice.text and "PV 123" not in notice.text
    history = reports.status_history(session, report.id)
    assert [h.status for h in history] == ["nieuw", "in_behandeling", "aangifte_gedaan"]
    assert history[-1].note == "PV 123 intern" and history[-1].actor == "griffier.leiden"
    stored = session.execute(text("SELECT note FROM report_events WHERE status = 'aangifte_gedaan'")).scalar_one()
    assert "PV 123" not in stored  # encrypted at rest
    assert [n.outbox_id for n in reports.pending_user_messages(session, now=T0 + timedelta(days=1))] == [notice.outbox_id]
    outbox.mark_delivered(session, notice.outbox_id)
    assert reports.pending_user_messages(session, now=T0 + timedelta(days=2)) == []


def test_the_workflow_refuses_a_jump(session):
    report, _ = reports.submit_report(session, draft(), now=T0)
    with pytest.raises(reports.StatusError):
        reports.change_status(session, report.id, "aangifte_gedaan", None, "g", notify_user=False)
    with pytest.raises(reports.StatusError):
        reports.change_status(session, report.id, "gewist", None, "g", notify_user=False)


def test_the_identity_decides_who_finds_a_report(session):
    report, _ = reports.submit_report(session, draft(), now=T0)
    assert reports.report_of_identity(session, "id-1", report.reference) is report
    assert reports.report_of_identity(session, "id-1", report.reference.lower()) is report
    assert reports.report_of_identity(session, "id-2", report.reference) is None
    assert reports.reports_of_identity(session, "id-2") == []


def test_withdraw_and_addition_keep_everything_and_notify_the_contact(session):
    report, _ = reports.submit_report(session, draft(), now=T0)
    reports.add_addition(session, report, "Hij stond er gisteren weer", now=T0 + timedelta(hours=2))
    assert reports.withdraw(session, report, now=T0 + timedelta(hours=3))
    assert not reports.withdraw(session, report)  # once
    assert report.status == "ingetrokken" and report.closed_at is not None
    assert [a.note for a in reports.additions(session, report.id)] == ["Hij stond er gisteren weer"]
    events = [m.event for m in outbox.outbox_for(session, report.id)]
    assert events == ["addition", "withdrawn"]  # no contact route configured here: recorded as such
    assert {m.state for m in outbox.outbox_for(session, report.id)} == {"unconfigured"}
    entries = audit.audit_entries(session, reference=report.reference)
    assert [a.action for a in entries] == ["changed", "changed"] and all(a.actor == "melder" for a in entries)
