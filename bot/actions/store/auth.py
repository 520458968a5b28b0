"""Griffie login in the database (issue 12 item 5): the lockout per account and the server-side sessions.

- `claim_attempt`: every login attempt first takes one of MAX_ATTEMPTS per account and window with a single
  UPDATE ... RETURNING (the row is locked by that UPDATE), before the password is checked. Concurrent guesses
  therefore cannot check more than MAX_ATTEMPTS passwords: the sixth UPDATE matches no row. A right password
  clears the count (`clear_attempts`); a wrong one leaves it. The window starts again LOCKOUT_SECONDS after its
  first attempt. Any name gets a row (known or not), so a lockout tells nothing about which accounts exist.
- `start_session` / `session_user` / `end_session`: the login cookie carries a random session id; the database
  keeps only its SHA-256, the account and the expiry. Logout revokes the row, so the old cookie is dead on every
  server at once.

Plain functions that open their own short transaction on `db.engine()` (the login handler has no other database
work); `purge_expired` removes what no longer counts (the griffie app runs it at every successful login, and
`failed_login` at every PURGE_EVERY-th failed one).
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, Integer, String, case, delete, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from actions.store import db
from actions.store.models import Base

MAX_ATTEMPTS = 5  # per account and window
LOCKOUT_SECONDS = 15 * 60
PURGE_EVERY = 100  # every so many failed logins also purge (a flood of made-up names must not fill the table)
_failures = itertools.count(1)  # failed logins in this process (next() on it is atomic under the GIL)
SESSION_SECONDS = 8 * 3600  # one working day


class LoginAttempts(Base):
    __tablename__ = "griffie_login_attempts"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GriffieSession(Base):
    __tablename__ = "griffie_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie's session id
    username: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def _now() -> datetime:
    return datetime.now(UTC)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def claim_attempt(username: str, now: datetime | None = None) -> bool:
    """Take one login attempt for `username`; False when its MAX_ATTEMPTS of this window are used (locked)."""
    now = now or _now()
    cutoff = now - timedelta(seconds=LOCKOUT_SECONDS)
    with Session(db.engine()) as session, session.begin():
        try:
            with session.begin_nested():  # the first attempt for this name: the row, with the count at 0
                session.execute(insert(LoginAttempts).values(username=username, attempts=0, window_start=now))
        except IntegrityError:
            pass  # it exists (perhaps made by a concurrent attempt this very moment)
        expired = LoginAttempts.window_start < cutoff
        claimed = session.execute(
            update(LoginAttempts)
            .where(LoginAttempts.username == username, or_(LoginAttempts.attempts < MAX_ATTEMPTS, expired))
            .values(attempts=case((expired, 1), else_=LoginAttempts.attempts + 1),
                    window_start=case((expired, now), else_=LoginAttempts.window_start))
            .returning(LoginAttempts.attempts)
        ).scalar_one_or_none()
    return claimed is not None


def clear_attempts(username: str) -> None:
    """A right password: the count starts again."""
    with Session(db.engine()) as session, session.begin():
        session.execute(update(LoginAttempts).where(LoginAttempts.username == username).values(attempts=0))


def attempts(username: str) -> int:
    with Session(db.engine()) as session:
        row = session.get(LoginAttempts, username)
        return row.attempts if row else 0


def start_session(username: str, now: datetime | None = None) -> tuple[str, datetime]:
    """A new session for `username`: (the session id for the cookie, its expiry). Only its hash is stored."""
    now = now or _now()
    session_id = secrets.token_urlsafe(32)
    expires = now + timedelta(seconds=SESSION_SECONDS)
    with Session(db.engine()) as session, session.begin():
        session.add(GriffieSession(id_hash=_hash(session_id), username=username, created_at=now, expires_at=expires))
    return session_id, expires


def session_user(session_id: str, now: datetime | None = None) -> str | None:
    """The account of a live session (not revoked, not expired); None otherwise."""
    now = now or _now()
    with Session(db.engine()) as session:
        row = session.get(GriffieSession, _hash(session_id))
        if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
            return None
        return row.username


def end_session(session_id: str, now: datetime | None = None) -> bool:
    """Logout: the session is revoked on the server; True when it was live."""
    with Session(db.engine()) as session, session.begin():
        result = session.execute(update(GriffieSession).where(GriffieSession.id_hash == _hash(session_id),
                                                              GriffieSession.revoked_at.is_(None))
                                 .values(revoked_at=now or _now()))
        return bool(getattr(result, "rowcount", 0))


def purge_expired(now: datetime | None = None) -> int:
    """Delete sessions past their expiry (revoked or not) and attempt rows whose window is over."""
    now = now or _now()
    with Session(db.engine()) as session, session.begin():
        gone = session.execute(delete(GriffieSession).where(GriffieSession.expires_at < now))
        old = session.execute(delete(LoginAttempts).where(
            LoginAttempts.window_start < now - timedelta(seconds=LOCKOUT_SECONDS)))
        return int(getattr(gone, "rowcount", 0)) + int(getattr(old, "rowcount", 0))


def failed_login(now: datetime | None = None) -> bool:
    """A failed login: every PURGE_EVERY-th purges what no longer counts (as every successful login does); True then."""
    if next(_failures) % PURGE_EVERY:
        return False
    purge_expired(now)
    return True


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes (stored as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
