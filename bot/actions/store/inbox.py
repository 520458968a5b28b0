"""The griffie's queries on reports (the Meldingen inbox, the export, the audit view).

Every query that returns report content takes the reader ("leiden:griffier", an account's function in its
municipality) and puts it in the WHERE clause: a report routed elsewhere is never loaded, so it cannot leak
through a forgotten filter in Python. Dates are calendar days in Amsterdam time, turned into UTC bounds here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from actions.store import audit as audit_store
from actions.store import outbox, reports
from actions.store.models import STATUS_LABELS, STATUS_NEXT, AuditEntry, Report
from core.texts import DANGER_LINE

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class Filters:
    """What the inbox is narrowed to; None means any."""

    status: str | None = None
    category: str | None = None
    since: date | None = None  # first day, inclusive
    until: date | None = None  # last day, inclusive


def day_start(day: date) -> datetime:
    """Midnight of `day` in Amsterdam, in UTC (as the reports' created_at is stored)."""
    return datetime.combine(day, time.min, AMSTERDAM).astimezone(UTC)


def _period(query: Select, since: date | None, until: date | None) -> Select:
    if since is not None:
        query = query.where(Report.created_at >= day_start(since))
    if until is not None:
        query = query.where(Report.created_at < day_start(until + timedelta(days=1)))
    return query


def reports_for(session: Session, reader: str, filters: Filters = Filters(), limit: int = 500) -> list[Report]:
    """The reports routed to `reader`, newest first, narrowed by `filters`."""
    query = select(Report).where(Report.readable_by == reader)
    if filters.status:
        query = query.where(Report.status == filters.status)
    if filters.category:
        query = query.where(Report.category == filters.category)
    query = _period(query, filters.since, filters.until)
    return list(session.scalars(query.order_by(Report.created_at.desc(), Report.id.desc()).limit(limit)))


def report_for(session: Session, reader: str, reference: str) -> Report | None:
    """One report by reference, only when it is routed to `reader` (else None, as if it did not exist)."""
    return session.scalar(select(Report).where(Report.reference == reference, Report.readable_by == reader))


def reports_in_period(session: Session, since: date | None, until: date | None, *, reader: str | None = None,
                      municipality_key: str | None = None) -> list[Report]:
    """The reports filed in a period, oldest first: for one reader (the griffie page's export), one
    municipality, or all (`make export`, the griffie's own use on the server)."""
    query = select(Report)
    if reader is not None:
        query = query.where(Report.readable_by == reader)
    if municipality_key is not None:
        query = query.where(Report.municipality_key == municipality_key)
    query = _period(query, since, until)
    return list(session.scalars(query.order_by(Report.created_at, Report.id)))


# --- status, history, additions, delivery, audit: the store's functions (reports.py, outbox.py, audit.py), for the pages ---

STATUSES = STATUS_LABELS  # the workflow's statuses (store.models), in order
AUDIT_LABELS = audit_store.AUDIT_ACTIONS  # audit action key -> Dutch label


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", (status or "onbekend").replace("_", " "))


def next_statuses(status: str | None) -> tuple[str, ...]:
    """The statuses the griffie may choose next (store.models.STATUS_NEXT)."""
    return STATUS_NEXT.get(status or "", ())


@dataclass(frozen=True)
class StatusEntry:
    at: datetime
    status: str
    by: str
    note: str | None  # internal: never shown to the user


@dataclass(frozen=True)
class Addition:
    at: datetime
    text: str


def history(session: Session, report: Report) -> list[StatusEntry]:
    """The report's status changes, oldest first, with their internal notes (decrypted)."""
    return [StatusEntry(r.at, r.status or "", r.actor, r.note) for r in reports.status_history(session, report.id)]


def additions(session: Session, report: Report) -> list[Addition]:
    """What the user added to the report later, oldest first (decrypted)."""
    return [Addition(r.at, r.note or "") for r in reports.additions(session, report.id)]


def undelivered(session: Session, report_ids: list[int]) -> set[int]:
    """Of these reports, those whose filing has not reached the routed contact yet (outbox: pending, failed,
    or no route configured): the inbox says "nog niet bezorgd"."""
    return outbox.undelivered_report_ids(session, report_ids)


def set_status(session: Session, report: Report, status: str, note: str | None, by: str,
               tell_user: str | None = None) -> reports.UserNotice | None:
    """Change the status (the workflow decides; reports.StatusError otherwise) with an internal note. With
    `tell_user`, that text is queued in the outbox for the user's messenger and returned for delivery."""
    reports.change_status(session, report.id, status, note, by, notify_user=False)
    if tell_user is None:
        return None
    return reports.queue_user_message(session, report, tell_user)


def user_news(reference: str, status: str) -> str:
    """What the user hears after a status change: the reference and the new status's sentence, never the note."""
    sentence = reports.STATUS_FOR_USER.get(status, f"De status is nu: {status_label(status)}.")
    return (f"Er is nieuws over uw melding {reference}: {sentence} "
            "U kunt altijd vragen 'hoe staat het met mijn melding'. " + DANGER_LINE)


def delivered(session: Session, notice: reports.UserNotice, error: str | None) -> None:
    """Record how the user's message went: delivered, or failed with the error's short reason (no content)."""
    if error is None:
        outbox.mark_delivered(session, notice.outbox_id)
    else:
        outbox.mark_failed(session, notice.outbox_id, error)


def audit(session: Session, actor: str, action: str, report: Report | None, address: str, detail: str = "") -> None:
    """One audit row (action: a key of audit_store.AUDIT_ACTIONS); never content."""
    audit_store.record_audit(session, actor, action, report=report, address=address, detail=detail or None)


def audit_entries(session: Session, since: date | None = None, until: date | None = None,
                  reference: str | None = None, limit: int = 500) -> list[AuditEntry]:
    """The audit log for calendar days in Amsterdam, newest first (its rows hold no content)."""
    return audit_store.audit_entries(session, since=day_start(since) if since else None,
                                     until=day_start(until + timedelta(days=1)) if until else None,
                                     reference=reference, limit=limit)


def channel_of(report: Report) -> str:
    """The messenger the user filed the report in: the recorded channel, else what the conversation id says
    (telegram:<id>, signal:<number>, a widget's 32-hex session; anything else is the REST channel)."""
    if report.identity_channel:
        return report.identity_channel
    prefix, sep, _ = report.conversation_id.partition(":")
    if sep and prefix in ("telegram", "signal"):
        return prefix
    if len(report.conversation_id) == 32 and all(c in "0123456789abcdef" for c in report.conversation_id):
        return "socketio"
    return "rest"
