"""Messages a bridge delivered, by the sender's idempotency key (channels/idempotency.py), so that a retry after a
restart of the bridge is not delivered a second time.

Only a SHA-256 of the key is kept (the aftercare worker's keys name a check-in and its report's reference), with
the time it was sent; a key is forgotten after KEEP (the worker retries for hours, not days). Plain functions that
take a session, as store/reports.py: the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from actions.store.models import Base

KEEP = timedelta(days=7)


class SentMessage(Base):
    __tablename__ = "sent_messages"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def was_sent(session: Session, key: str, now: datetime | None = None) -> bool:
    """True when a message with this key was delivered less than KEEP ago."""
    now = now or datetime.now(UTC)
    found = select(SentMessage.key_hash).where(SentMessage.key_hash == key_hash(key), SentMessage.sent_at >= now - KEEP)
    return session.scalar(found) is not None


def record(session: Session, key: str, now: datetime | None = None) -> None:
    """Remember that the message with this key was delivered; forget keys older than KEEP."""
    now = now or datetime.now(UTC)
    session.execute(delete(SentMessage).where(SentMessage.sent_at < now - KEEP))
    row = session.get(SentMessage, key_hash(key))
    if row is None:
        session.add(SentMessage(key_hash=key_hash(key), sent_at=now))
    else:
        row.sent_at = now
    session.flush()
