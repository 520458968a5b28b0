"""The audit log: append-only (the database refuses changes), never content. Who did what to which report, from where.
Plain functions that take a session: the caller owns the transaction (`with db.transaction() as session:`).

The griffie side (channels/griffie, through store/inbox.py) uses record_audit, audit_entries and AUDIT_ACTIONS."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.store.models import AuditEntry, Report

AUDIT_ACTIONS = {  # key -> Dutch label for the audit page
    "read": "gelezen",
    "changed": "gewijzigd",
    "exported": "geëxporteerd",
    "printed": "afgedrukt",
    "purged": "gewist (bewaartermijn)",
    "erased": "gewist (op verzoek)",
}


def record_audit(session: Session, actor: str, action: str, *, report: Report | None = None,
                 reference: str | None = None, address: str | None = None, detail: str | None = None,
                 now: datetime | None = None) -> AuditEntry:
    """Append one audit row: `actor` (account name, "melder", "systeem:purge", "cli:<user>") did `action`
    (a key of AUDIT_ACTIONS) to `report` (or the report `reference`, or none: an export of a period) from
    `address` (IP or host). `detail` says what, never content (e.g. "nieuw -> in behandeling", a period)."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(at=now or datetime.now(UTC), actor=actor[:128], action=action,
                       report_id=report.id if report is not None else None,
                       reference=report.reference if report is not None else reference,
                       address=(address or "")[:64] or None, detail=(detail or "")[:256] or None)
    session.add(entry)
    session.flush()
    return entry


def audit_entries(session: Session, since: datetime | None = None, until: datetime | None = None,
                  reference: str | None = None, limit: int = 500) -> list[AuditEntry]:
    """Audit rows, newest first; `since` inclusive, `until` exclusive; optionally for one reference."""
    query = select(AuditEntry)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if reference:
        query = query.where(AuditEntry.reference == reference)
    return list(session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))
