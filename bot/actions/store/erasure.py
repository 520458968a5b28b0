"""Retention and erasure in the database: which reports are past retention, deleting a report with what belongs to
it, which conversations must stay, the handoff rows nothing keeps, marking a user's reports for erasure.
The purge that uses them is store/retention.py. Plain functions that take a session: the caller owns the transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select
from sqlalchemy.orm import Session, aliased

from actions.store.models import Handoff, OutboxMessage, Report, ReportEvent
from actions.store.reports import reports_of_identity


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
