"""store/audit.py: the audit log is append-only in the database and holds no content. Each test runs in a
rolled-back transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from actions.store import audit, reports
from actions.store.models import AuditEntry
from tests.bot.actions.store.test_lifecycle import T0, draft


def test_audit_rows_carry_no_content_and_cannot_be_changed(session):
    report, _ = reports.submit_report(session, draft(), now=T0)
    audit.record_audit(session, "griffier.leiden", "read", report=report, address="10.0.0.7", now=T0)
    audit.record_audit(session, "griffier.leiden", "exported", reference=None, address="10.0.0.7",
                       detail="2026-01-01 t/m 2026-12-31, 1 melding", now=T0)
    [read] = audit.audit_entries(session, reference=report.reference)
    assert (read.actor, read.action, read.address, read.report_id) == ("griffier.leiden", "read", "10.0.0.7", report.id)
    with pytest.raises(ValueError):
        audit.record_audit(session, "x", "looked", report=report)
    columns = {c.name for c in AuditEntry.__table__.columns}
    assert columns == {"id", "at", "actor", "action", "report_id", "reference", "address", "detail"}
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError), session.begin_nested():
            session.execute(text(statement))
    assert len(audit.audit_entries(session)) == 2
