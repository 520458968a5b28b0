"""The only place that queries the database: plain functions that take a session (crud-style).
Callers own the session and the transaction (`with db.transaction() as session:`).

Sections: protocols; reports (filing); a report after filing (status, withdrawing, additions, the user's
identity); the outbox (notifications until delivered); the audit log; retention and erasure; handoffs.
The griffie side (channels/griffie) uses: change_status, status_history, additions, undelivered_report_ids,
delivery_state, mark_delivered, mark_failed, record_audit, audit_entries, STATUS_LABELS / STATUS_NEXT
(store.models) and AUDIT_ACTIONS."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session, aliased, selectinload

from actions.knowledge import AdviceRule, Protocol, RouteRule, SupportLine
from actions.report_fields import ReportDraft
from actions.store.aftercare import AftercareCheckin
from actions.store.models import (
    FINAL_STATUSES,
    STATUS_LABELS,
    STATUS_NEXT,
    Advice,
    AuditEntry,
    Handoff,
    Municipality,
    OutboxMessage,
    Report,
    ReportEvent,
    Route,
)
from actions.store.models import SupportLine as SupportLineRow

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


def new_reference(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    suffix = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
    return f"MLD-{now:%Y%m%d}-{suffix}"


# --- protocols -------------------------------------------------------------------------------------


def municipalities(session: Session) -> list[Municipality]:
    """Every loaded protocol's municipality (with the general route, key MODEL_KEY), by key."""
    return list(session.scalars(select(Municipality).order_by(Municipality.key)))


def protocol(session: Session, key: str) -> Protocol | None:
    """One municipality's protocol knowledge as a plain object (no session needed afterwards)."""
    m = session.scalar(
        select(Municipality)
        .where(Municipality.key == key)
        .options(selectinload(Municipality.support_lines), selectinload(Municipality.routes), selectinload(Municipality.advice))
    )
    if m is None:
        return None
    return Protocol(
        key=m.key,
        name=m.name or m.key,
        protocol=m.protocol,
        register=m.register,
        functions=dict(m.functions or {}),
        routes={r.role: RouteRule(r.contact, tuple(r.informs or ()), r.section, r.quote, r.named, r.note) for r in m.routes},
        advice_rules={a.category: AdviceRule(a.approach, tuple(a.steps), a.reporting, a.section, a.quote) for a in m.advice},
        support_lines=tuple(SupportLine(s.name, s.section, s.what, s.phone, s.url) for s in m.support_lines),
        online=m.online,
        aangifte=m.aangifte,
        aliases=tuple(m.aliases or ()),
    )


def replace_protocol(session: Session, data: dict) -> None:
    """Replace one municipality's knowledge with the content of its YAML file."""
    existing = session.get(Municipality, data["key"])
    if existing is not None:
        session.delete(existing)  # the ORM cascade removes its routes, lines and advice
        session.flush()
    municipality = Municipality(
        key=data["key"],
        name=data.get("municipality"),
        protocol=data.get("protocol"),
        source=data.get("source"),
        year=data.get("year"),
        register=data.get("register"),
        aliases=list(data.get("aliases") or []),
        functions=dict(data.get("functions") or {}),
        online=data.get("online"),
        aangifte=data.get("aangifte"),
    )
    municipality.routes = [
        Route(
            role=role,
            contact=r["contact"],
            informs=list(r.get("informs") or []),
            section=r["section"],
            quote=r.get("quote"),
            named=bool(r.get("named", True)),
            note=r.get("note"),
        )
        for role, r in data["routes"].items()
    ]
    municipality.support_lines = [
        SupportLineRow(
            position=i,
            key=s["key"],
            name=s["name"],
            what=s.get("what"),
            phone=s.get("phone"),
            url=s.get("url"),
            section=s["section"],
        )
        for i, s in enumerate(data.get("support_lines") or [])
    ]
    municipality.advice = [
        Advice(
            category=category,
            approach=a["approach"],
            steps=list(a["steps"]),
            reporting=a["reporting"],
            reporting_text=a["reporting_text"],
            quote=a.get("quote"),
            section=a["section"],
        )
        for category, a in data["advice"].items()
    ]
    session.add(municipality)
    session.flush()


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


# --- the outbox: notifications until delivered ------------------------------------------------------------------

CONTACT_ROUTES = ("email", "telegram_chat_id", "webhook")  # notify.py's routes, in its order


def queue_contact_notifications(session: Session, report: Report, event: str, now: datetime | None = None,
                                routes: dict | None = None) -> list[OutboxMessage]:
    """One outbox row per configured route of the report's routed contact (CONTACTS_FILE, as the handoff uses
    it: the function's own `notify`, else the griffie's); one row with route "none" and state "unconfigured"
    when the municipality configured none. `event`: filed, withdrawn or addition."""
    from actions import knowledge

    now = now or datetime.now(UTC)
    if routes is None:
        key, function = report.municipality_key, report.contact_function or "griffier"
        routes = knowledge.handoff_config(key, function)["notify"] if key else {}
    rows = [OutboxMessage(report_id=report.id, kind="contact", event=event, route=route, target=str(routes[route]),
                          state="pending", attempts=0, created_at=now, next_attempt_at=now)
            for route in CONTACT_ROUTES if routes.get(route)]
    if not rows:
        rows = [OutboxMessage(report_id=report.id, kind="contact", event=event, route="none", target=None,
                              state="unconfigured", attempts=0, created_at=now, next_attempt_at=None)]
    session.add_all(rows)
    session.flush()
    return rows


def queue_erasure(session: Session, conversation_id: str, now: datetime | None = None,
                  delay: timedelta = timedelta(minutes=1)) -> OutboxMessage:
    """Erase a conversation's tracker events a little later (after the turn that asked for it: Rasa writes
    the tracker at the end of a turn), by the delivery worker or `make purge`."""
    now = now or datetime.now(UTC)
    row = OutboxMessage(report_id=None, kind="erase", event="erase", route="tracker", target=conversation_id,
                        state="pending", attempts=0, created_at=now, next_attempt_at=now + delay)
    session.add(row)
    session.flush()
    return row


def outbox_for(session: Session, report_id: int) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.report_id == report_id).order_by(OutboxMessage.id)))


delivery_state = outbox_for  # the griffie page's name: every notification row of a report, with its state


def undelivered_report_ids(session: Session, report_ids: Iterable[int]) -> set[int]:
    """Of these reports, those whose filing has not reached the contact yet: no "filed" notification
    delivered (pending, failed, or no route configured). The inbox shows them as "nog niet bezorgd"."""
    ids = list(report_ids)
    if not ids:
        return set()
    delivered = set(session.scalars(select(OutboxMessage.report_id).where(
        OutboxMessage.report_id.in_(ids), OutboxMessage.kind == "contact", OutboxMessage.event == "filed",
        OutboxMessage.state == "delivered")))
    return set(ids) - delivered


def due_outbox_ids(session: Session, now: datetime, kinds: tuple[str, ...] = ("contact", "erase"), limit: int = 100) -> list[int]:
    """Pending rows whose time has come and that no worker holds."""
    return list(session.scalars(
        select(OutboxMessage.id).where(
            OutboxMessage.state == "pending", OutboxMessage.kind.in_(kinds),
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        ).order_by(OutboxMessage.id).limit(limit)))


def claim(session: Session, outbox_id: int, now: datetime, lease: timedelta = timedelta(minutes=5)) -> bool:
    """Take one pending row for sending, atomically (one UPDATE with the conditions in its WHERE): of two
    workers only one gets rowcount 1. Commit before sending, so the other worker sees the claim."""
    result = cast(CursorResult, session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.state == "pending",
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .values(claimed_until=now + lease, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ))
    return result.rowcount == 1


def mark_delivered(session: Session, outbox_id: int, now: datetime | None = None) -> None:
    session.execute(update(OutboxMessage).where(OutboxMessage.id == outbox_id).values(
        state="delivered", delivered_at=now or datetime.now(UTC), claimed_until=None, last_error=None)
        .execution_options(synchronize_session=False))


def mark_failed(session: Session, row_id: int, error: str, now: datetime | None = None,
                retry_after: timedelta | None = None,
                table: type[OutboxMessage] | type[AftercareCheckin] = OutboxMessage) -> None:
    """A failed attempt: pending again after `retry_after`, or "failed" (given up) when None.
    `error` is a class name or a short reason, never content. `table`: the outbox, or any table with the same
    delivery columns (the aftercare check-ins)."""
    now = now or datetime.now(UTC)
    values: dict[str, Any] = {"claimed_until": None, "last_error": error[:128]}
    if retry_after is None:
        values["state"] = "failed"
    else:
        values["next_attempt_at"] = now + retry_after
    session.execute(update(table).where(table.id == row_id).values(**values)
                    .execution_options(synchronize_session=False))


# --- the audit log (append-only, never content) -----------------------------------------------------------------

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


# --- retention and erasure ---------------------------------------------------------------------------------------


def reports_due_for_purge(session: Session, now: datetime, retention_days: dict[str, int]) -> list[Report]:
    """Reports past retention: closed (a FINAL_STATUS, closed_at) longer ago than that status's days, or
    marked for erasure (erase_after) at or before `now`."""
    expired = [Report.erase_after <= now]
    for status, days in retention_days.items():
        expired.append((Report.status == status) & (Report.closed_at <= now - timedelta(days=days)))
    return list(session.scalars(select(Report).where(or_(*expired)).order_by(Report.id)))


def delete_report(session: Session, report: Report) -> None:
    """Delete a report with its history, additions and outbox rows (explicitly: SQLite enforces the
    foreign keys' CASCADE only with its pragma on). Audit rows stay."""
    session.execute(delete(ReportEvent).where(ReportEvent.report_id == report.id))
    session.execute(delete(OutboxMessage).where(OutboxMessage.report_id == report.id))
    session.delete(report)
    session.flush()


def _kept(conversation: Any) -> Any:
    """What keeps a conversation (one id, or a column to correlate with): a report filed in it, or a handoff that is
    open (a griffier may still answer). A handoff nobody could be told of (not_notified) or one stuck half-made
    (pending) does not keep a conversation forever."""
    handoff = aliased(Handoff)
    filed = select(Report.id).where(Report.conversation_id == conversation).exists()
    still_open = select(handoff.id).where(handoff.conversation_id == conversation, handoff.status == "open").exists()
    return or_(filed, still_open)


def conversation_kept(session: Session, conversation_id: str) -> bool:
    """Must this conversation stay (`_kept`)?"""
    return bool(session.scalar(select(_kept(conversation_id))))


def _left_behind(created_before: datetime) -> tuple[Any, ...]:
    """Handoff rows that keep nothing: made before `created_before` in a conversation nothing keeps (`_kept`; an
    open row keeps its own conversation, so it is never one of them)."""
    return (Handoff.created_at < created_before, ~_kept(Handoff.conversation_id))


def left_behind_handoff_conversations(session: Session, created_before: datetime) -> list[str]:
    """The conversations with a handoff row that keeps nothing (`_left_behind`)."""
    return list(session.scalars(select(Handoff.conversation_id).distinct().where(*_left_behind(created_before))))


def delete_left_behind_handoffs(session: Session, conversation_ids: list[str], created_before: datetime) -> int:
    """Delete the handoff rows of these conversations that still keep nothing (the same test, at the moment of
    deleting: a handoff opened or a report filed meanwhile stays, and so does a younger row)."""
    result = cast(CursorResult, session.execute(
        delete(Handoff).where(Handoff.conversation_id.in_(conversation_ids), *_left_behind(created_before))
        .execution_options(synchronize_session=False)))
    return result.rowcount


def delete_handoffs(session: Session, conversation_id: str) -> int:
    """Delete the handoff rows of a conversation (their transcripts are its tracker events)."""
    result = cast(CursorResult, session.execute(delete(Handoff).where(Handoff.conversation_id == conversation_id)))
    return result.rowcount


def mark_for_erasure(session: Session, identity_hash: str, erase_after: datetime) -> list[Report]:
    """The user asked to erase their data: their reports are erased at `erase_after` (the next purge after it).
    An earlier mark is kept."""
    reports = reports_of_identity(session, identity_hash)
    for report in reports:
        if report.erase_after is None or report.erase_after > erase_after:
            report.erase_after = erase_after
    session.flush()
    return reports


# --- handoffs --------------------------------------------------------------------------------------


def open_handoff(session: Session, conversation_id: str) -> Handoff | None:
    return session.scalar(select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.status == "open"))


def start_handoff(session: Session, **fields: Any) -> tuple[Handoff, bool]:
    """An open handoff for the conversation; (existing, False) when one is already open."""
    existing = open_handoff(session, fields["conversation_id"])
    if existing is not None:
        return existing, False
    handoff = Handoff(**fields)
    session.add(handoff)
    session.flush()
    return handoff, True


def set_handoff_status(session: Session, handoff_id: int, status: str, notified_via: str | None) -> None:
    handoff = session.get(Handoff, handoff_id)
    if handoff is not None:
        handoff.status, handoff.notified_via = status, notified_via


class HandoffRepository:
    """Handoffs, always seen through one municipality: a griffie only ever gets its own."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def for_municipality(self, municipality_key: str, limit: int = 50) -> list[Handoff]:
        """Open handoffs first, then the most recent closed ones."""
        query = (
            select(Handoff)
            .where(Handoff.municipality_key == municipality_key)
            .order_by((Handoff.status == "open").desc(), Handoff.created_at.desc())
            .limit(limit)
        )
        return list(self.session.scalars(query))

    def get(self, municipality_key: str, handoff_id: int) -> Handoff | None:
        return self.session.scalar(
            select(Handoff).where(Handoff.id == handoff_id, Handoff.municipality_key == municipality_key)
        )

    def close(self, municipality_key: str, handoff_id: int, closed_by: str) -> bool:
        """Close an open handoff; False when it was not open (closed already, e.g. a second click)."""
        result = cast(CursorResult, self.session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.municipality_key == municipality_key, Handoff.status == "open")
            .values(status="closed", closed_by=closed_by, closed_at=datetime.now(UTC))
        ))
        return result.rowcount == 1

    def reopen(self, municipality_key: str, handoff_id: int) -> None:
        self.session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.municipality_key == municipality_key)
            .values(status="open", closed_by=None, closed_at=None)
        )
