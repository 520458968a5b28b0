"""The outbox: notifications until delivered (one row per message; the delivery worker is actions/outbox.py).
Rows for the report's contact, the tracker erasures, the claim a worker takes, delivered or failed.
Plain functions that take a session: the caller owns the transaction (`with db.transaction() as session:`).

The griffie side (channels/griffie, through store/inbox.py) uses undelivered_report_ids, mark_delivered and mark_failed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from actions.store.aftercare import AftercareCheckin
from actions.store.models import OutboxMessage, Report

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
