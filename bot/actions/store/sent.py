"""Messages a bridge delivered, by the sender's idempotency key (channels/idempotency.py), so that a retry after a
restart of the bridge is not delivered a second time.

Only an HMAC-SHA256 of the key is kept, under the bridge's own secret (BRIDGE_TOKEN), with the time it was sent: the
aftercare worker's keys name a check-in and its report's reference, which a plain hash would give away to anyone who
tries the references one by one. A key is forgotten after KEEP (the worker retries for hours, not days): by the next
delivery after that, and by `make purge` (retention.purge_expired). Plain functions that take a session, as
store/reports.py: the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, DateTime, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from actions.store.models import Base

KEEP = timedelta(days=7)


class SentMessage(Base):
    __tablename__ = "sent_messages"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


def key_hash(key: str, secret: str) -> str:
    return hmac.new(secret.encode("utf-8"), key.encode("utf-8"), hashlib.sha256).hexdigest()


def was_sent(session: Session, key: str, secret: str, now: datetime | None = None) -> bool:
    """True when a message with this key was delivered less than KEEP ago."""
    now = (now or datetime.now(UTC)).astimezone(UTC)  # SQLite compares the stored UTC times as text
    found = select(SentMessage.key_hash).where(SentMessage.key_hash == key_hash(key, secret),
                                               SentMessage.sent_at >= now - KEEP)
    return session.scalar(found) is not None


def record(session: Session, key: str, secret: str, now: datetime | None = None) -> None:
    """Remember that the message with this key was delivered; forget keys older than KEEP."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    forget_old(session, now)
    row = session.get(SentMessage, key_hash(key, secret))
    if row is None:
        session.add(SentMessage(key_hash=key_hash(key, secret), sent_at=now))
    else:
        row.sent_at = now
    session.flush()


def forget_old(session: Session, now: datetime | None = None) -> int:
    """Delete the keys delivered longer than KEEP ago; returns how many."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    result = cast(CursorResult, session.execute(delete(SentMessage).where(SentMessage.sent_at < now - KEEP)))
    return result.rowcount
