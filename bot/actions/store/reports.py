"""Reports: filing (references, idempotent per draft) and a report after filing (status, withdrawing, additions,
the user's messages about it, the user's identity). Plain functions that take a session: the caller owns the
transaction (`with db.transaction() as session:`).

The griffie side (channels/griffie, through store/inbox.py) uses change_status, status_history, additions,
queue_user_message and STATUS_FOR_USER; STATUS_LABELS / STATUS_NEXT are in store/models.py."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from actions.report_fields import ReportDraft
from actions.store.audit import record_audit
from actions.store.models import (
    FINAL_STATUSES,
    STATUS_LABELS,
    STATUS_NEXT,
    OutboxMessage,
    Report,
    ReportEvent,
)
from actions.store.outbox import queue_contact_notifications

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


def new_reference(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    suffix = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
    return f"MLD-{now:%Y%m%d}-{suffix}"


# --- reports ---------------------------------------------------------------------------------------


def report_by_draft(session: Session, draft_id: str) -> Report | None:
    return session.scalar(select(Report).where(Report.draft_id == draft_id))


def report_by_reference(session: Session, reference: str) -> Report | None:
    return session.scalar(select(Report).where(Report.reference == reference))


def reports_readable_by(session: Session, reader: str) -> list[Report]:
    return list(session.scalars(select(Report).where(Report.readable_by == reader).order_by(Report.created_at)))


def submit_report(session: Session, draft: ReportDraft, now: datetime | None = None) -> tuple[Report, bool]:
    """Write one report for a confirmed draft; return (report, created).

    A second confirmation of the same draft returns the first report (created=False). The first history row
    (status "nieuw", by the user) is written with it; the caller adds the notifications
    (queue_contact_notifications) in the same transaction.
    """
    existing = report_by_draft(session, draft.draft_id)
    if existing is not None:
        return existing, False
    now = now or datetime.now(UTC)
    reference = new_reference(now)
    while report_by_reference(session, reference) is not None:
        reference = new_reference(now)
    report = Report(reference=reference, created_at=now, status="nieuw", status_changed_at=now, **draft.row())
    session.add(report)
    session.flush()
    session.add(ReportEvent(report_id=report.id, at=now, kind="status", status="nieuw", actor=USER))
    session.flush()
    return report, True


# --- a report after filing: status, withdrawing, additions --------------------------------------------------------

USER = "melder"  # the actor of what the user did (history and audit rows)
SYSTEM = "systeem"

# What the user hears about a status (B1 Dutch; never the griffie's internal note).
STATUS_FOR_USER = {
    "nieuw": "Uw melding is ontvangen. Er is nog niemand mee bezig.",
    "in_behandeling": "Uw melding wordt behandeld.",
    "aangifte_gedaan": "Er is aangifte gedaan bij de politie.",
    "doorverwezen": "Uw melding is doorgestuurd naar een andere organisatie die u verder helpt.",
    "afgesloten": "Uw melding is afgesloten.",
    "ingetrokken": "U heeft deze melding ingetrokken.",
}


class StatusError(ValueError):
    """A status change the workflow does not allow (STATUS_NEXT), or an unknown status."""


@dataclass(frozen=True)
class UserNotice:
    """A message for the user about their report, queued in the outbox (kind "user"): deliver `text` to
    `conversation_id` through `channel`, then call mark_delivered(outbox_id) or mark_failed(outbox_id, error)."""

    outbox_id: int
    report_id: int
    reference: str
    conversation_id: str
    channel: str | None
    text: str


def user_status_text(report: Report) -> str:
    """What the user is told about the status of a report: reference, status sentence, since when."""
    since = report.status_changed_at or report.created_at
    when = f" (sinds {_dutch_day(since)})" if since else ""
    return f"Melding {report.reference}: {STATUS_FOR_USER.get(report.status, 'de status is onbekend.')}{when}"


def _dutch_day(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    months = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
              "november", "december")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(ZoneInfo("Europe/Amsterdam"))
    return f"{local.day} {months[local.month - 1]} {local.year}"


def _set_status(session: Session, report: Report, new_status: str, note: str | None, actor: str, now: datetime) -> None:
    report.status = new_status
    report.status_changed_at = now
    report.closed_at = now if new_status in FINAL_STATUSES else None
    session.add(ReportEvent(report_id=report.id, at=now, kind="status", status=new_status, actor=actor, note=note))
    session.flush()


def change_status(session: Session, report_id: int, new_status: str, note: str | None, account: str,
                  notify_user: bool, now: datetime | None = None) -> UserNotice | None:
    """The griffie changes a report's status (STATUS_NEXT decides what may follow), with an internal note
    (encrypted, never shown to the user) recorded in the history by `account`.

    With notify_user the user's message (reference, new status, no note) is queued in the outbox and returned,
    for channels/griffie/deliver.py to send; None otherwise. Raises StatusError for a change the workflow does
    not allow and LookupError for an unknown report. The caller writes the audit row (record_audit, action
    "changed", with its address), in the same transaction.
    """
    now = now or datetime.now(UTC)
    report = session.get(Report, report_id)
    if report is None:
        raise LookupError(f"no report {report_id}")
    if new_status not in STATUS_LABELS or new_status not in STATUS_NEXT.get(report.status, ()):
        raise StatusError(f"{report.status} -> {new_status} is not allowed")
    _set_status(session, report, new_status, note, account, now)
    if not notify_user:
        return None
    return queue_user_message(session, report, user_status_text(report), now=now)


def queue_user_message(session: Session, report: Report, text: str, now: datetime | None = None) -> UserNotice:
    """Queue a message for the user who filed `report` (outbox kind "user") and return what to send."""
    now = now or datetime.now(UTC)
    row = OutboxMessage(report_id=report.id, kind="user", event="status", route="messenger",
                        target=report.conversation_id, text=text, state="pending", attempts=0,
                        created_at=now, next_attempt_at=now)
    session.add(row)
    session.flush()
    return UserNotice(row.id, report.id, report.reference, report.conversation_id, report.identity_channel, text)


def pending_user_messages(session: Session, now: datetime | None = None, limit: int = 50) -> list[UserNotice]:
    """User messages still to deliver (e.g. the griffie side retrying after its own failure), oldest first."""
    now = now or datetime.now(UTC)
    rows = session.execute(
        select(OutboxMessage, Report)
        .join(Report, Report.id == OutboxMessage.report_id)
        .where(OutboxMessage.kind == "user", OutboxMessage.state == "pending",
               or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
        .order_by(OutboxMessage.id).limit(limit)
    ).all()
    return [UserNotice(m.id, r.id, r.reference, r.conversation_id, r.identity_channel, m.text or "") for m, r in rows]


def status_history(session: Session, report_id: int) -> list[ReportEvent]:
    """The status changes of a report, oldest first (.at, .status, .actor, .note: the internal note)."""
    return list(session.scalars(select(ReportEvent).where(ReportEvent.report_id == report_id, ReportEvent.kind == "status")
                                .order_by(ReportEvent.at, ReportEvent.id)))


def additions(session: Session, report_id: int) -> list[ReportEvent]:
    """What the user added to a report later, oldest first (.at, .note: the text, decrypted)."""
    return list(session.scalars(select(ReportEvent).where(ReportEvent.report_id == report_id, ReportEvent.kind == "addition")
                                .order_by(ReportEvent.at, ReportEvent.id)))


def reports_of_identity(session: Session, identity_hash: str) -> list[Report]:
    """The reports filed from one messenger identity (actions/identity.py), newest first."""
    return list(session.scalars(select(Report).where(Report.identity_hash == identity_hash)
                                .order_by(Report.created_at.desc(), Report.id.desc())))


def report_of_identity(session: Session, identity_hash: str, reference: str) -> Report | None:
    """One report by reference, only when filed from this identity (else None: as if it did not exist)."""
    return session.scalar(select(Report).where(Report.reference == reference.upper(), Report.identity_hash == identity_hash))


def withdraw(session: Session, report: Report, now: datetime | None = None) -> bool:
    """The user withdraws a report: status "ingetrokken" in the history (nothing deleted), the contact is
    notified through the outbox, an audit row. False when it was closed or withdrawn already."""
    now = now or datetime.now(UTC)
    if report.status in FINAL_STATUSES:
        return False
    _set_status(session, report, "ingetrokken", None, USER, now)
    queue_contact_notifications(session, report, "withdrawn", now)
    record_audit(session, USER, "changed", report=report, detail="ingetrokken door de melder", now=now)
    return True


def add_addition(session: Session, report: Report, text: str, now: datetime | None = None) -> ReportEvent:
    """The user adds to a report: stored encrypted as a history row, the contact notified, an audit row."""
    now = now or datetime.now(UTC)
    event = ReportEvent(report_id=report.id, at=now, kind="addition", actor=USER, note=text)
    session.add(event)
    session.flush()
    queue_contact_notifications(session, report, "addition", now)
    record_audit(session, USER, "changed", report=report, detail="aanvulling door de melder", now=now)
    return event
