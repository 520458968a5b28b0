"""A report in progress, kept when the user pauses ("ik ga later verder", issue 13): the conversation's report
slots as encrypted JSON, keyed by the identity hash of the messenger account (actions/identity.py), for 24 hours.
The same person in the same messenger picks it up on return; nobody else can, and after 24 hours it is gone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Integer, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from actions.store.crypto import EncryptedText
from actions.store.models import Base

KEEP = timedelta(hours=24)


class ReportDraftRow(Base):
    __tablename__ = "report_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity_hash: Mapped[str] = mapped_column(String(64), unique=True)
    slots: Mapped[str] = mapped_column(EncryptedText)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives naive datetimes back


def save(session: Session, identity_hash: str, slots: dict[str, Any], now: datetime | None = None) -> datetime:
    """Keep the slots for this identity (replacing an earlier draft); returns when it expires."""
    now = now or datetime.now(UTC)
    purge_expired(session, now)
    session.execute(delete(ReportDraftRow).where(ReportDraftRow.identity_hash == identity_hash))
    expires = now + KEEP
    session.add(ReportDraftRow(identity_hash=identity_hash, slots=json.dumps(slots, ensure_ascii=False), saved_at=now,
                               expires_at=expires))
    session.flush()
    return expires


def find(session: Session, identity_hash: str, now: datetime | None = None) -> dict[str, Any] | None:
    """The kept slots of this identity, or None (none kept, or older than 24 hours)."""
    now = now or datetime.now(UTC)
    row = session.scalars(select(ReportDraftRow).where(ReportDraftRow.identity_hash == identity_hash)).first()
    if row is None or _aware(row.expires_at) <= now:
        return None
    return dict(json.loads(row.slots))


def take(session: Session, identity_hash: str, now: datetime | None = None) -> dict[str, Any] | None:
    """The kept slots of this identity, removed from the store (picked up once)."""
    slots = find(session, identity_hash, now)
    session.execute(delete(ReportDraftRow).where(ReportDraftRow.identity_hash == identity_hash))
    return slots


def delete_for(session: Session, identity_hash: str) -> int:
    """Forget this identity's draft ("verwijder mijn gegevens", stop, a filed report)."""
    result = session.execute(delete(ReportDraftRow).where(ReportDraftRow.identity_hash == identity_hash))
    return int(getattr(result, "rowcount", 0) or 0)


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Delete every draft older than 24 hours (run by retention.purge_expired, `make purge`)."""
    result = session.execute(delete(ReportDraftRow).where(ReportDraftRow.expires_at <= (now or datetime.now(UTC))))
    return int(getattr(result, "rowcount", 0) or 0)
