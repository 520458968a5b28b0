"""Evidence (bewijs) with a report (issue 14): photos, screenshots and PDFs a user sends in a messenger or the
widget, and links they write. The intake (checking the file, stripping metadata) is channels/evidence.py; this
module keeps what passed it.

Everything a user sent is encrypted at rest with the report key (the same Fernet as the report's story): the
file itself, its name as sent and a link's text. What stays readable is only what the griffie list and the
export show without content: the kind (image, pdf, link), the media type and the size.

Which report evidence belongs to:
- sent after a report was filed from the same messenger identity (actions/identity.py): that identity's
  newest report, but only while it is open (not afgesloten or ingetrokken) and was filed at most
  EVIDENCE_JOIN_HOURS ago (`report_id` is set when it arrives). A Telegram or Signal chat id never changes, so
  without this a photo of a new incident months later would join an old, closed report;
- otherwise (sent before filing, or too late for the newest report) it waits (`report_id` empty) and is part of
  the next report that identity files: the first report of that identity filed at or after it arrived. It joins
  that report by this rule, wherever evidence is read (the griffie page, the export, purge), so filing needs no
  extra step;
- evidence that no report took is erased after EVIDENCE_UNFILED_DAYS, or at once when the user asks to erase
  their data ('verwijder mijn gegevens').
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, DateTime, ForeignKey, Integer, LargeBinary, String, delete, exists, func, or_, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

from actions.store import db
from actions.store import reports as reports_store
from actions.store.crypto import EncryptedText, fernet
from actions.store.models import FINAL_STATUSES, Base, Report

KINDS = ("image", "pdf", "link")
# kind -> (one, several), as the user and the griffie read them
NOUNS = {"image": ("foto", "foto's"), "pdf": ("PDF-bestand", "PDF-bestanden"), "link": ("link", "links")}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}
log = logging.getLogger(__name__)


class EncryptedBytes(TypeDecorator):
    """Bytes stored as a Fernet token (the report key) and read back as the original bytes."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else fernet().encrypt(bytes(value))

    def process_result_value(self, value, dialect):
        return None if value is None else fernet().decrypt(bytes(value))


class Evidence(Base):
    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    identity_hash: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))  # telegram, signal, socketio
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(UTC))
    kind: Mapped[str] = mapped_column(String(16))  # a key of KINDS
    media_type: Mapped[str] = mapped_column(String(64))  # image/jpeg, image/png, image/webp, application/pdf, text/uri-list
    size: Mapped[int] = mapped_column(Integer)  # bytes of what is kept (the cleaned file, or the link)
    name: Mapped[str | None] = mapped_column(EncryptedText)  # the file name as sent (may name a person), or None
    # The file, or a link's text; loaded only when it is served (never for a list).
    content: Mapped[bytes] = mapped_column(EncryptedBytes, nullable=False, deferred=True)


@dataclass(frozen=True)
class Stored:
    """What the user is told after one item was kept."""

    evidence_id: int
    report_reference: str | None  # the filed report it joined, or None: it waits for the report in this conversation


def _next_report_id() -> ColumnElement:
    """The id of the first report the evidence's identity filed at or after it arrived (a correlated scalar
    subquery): the report that takes evidence that arrived unfiled."""
    later = aliased(Report)
    return (select(later.id).where(later.identity_hash == Evidence.identity_hash, later.created_at >= Evidence.received_at)
            .order_by(later.created_at, later.id).limit(1).scalar_subquery())


def _waiting() -> ColumnElement[bool]:
    """Evidence not joined to a report when it arrived."""
    return Evidence.report_id.is_(None) & Evidence.identity_hash.is_not(None)


def _of_report(report: Report) -> ColumnElement[bool]:
    """Evidence of `report`: joined to it when it arrived, or waiting for the next report of its identity when
    that report is `report`."""
    return or_(Evidence.report_id == report.id,
               _waiting() & (Evidence.identity_hash == report.identity_hash)
               & (_next_report_id() == report.id))


def _unclaimed() -> ColumnElement[bool]:
    """Evidence that no report has: not joined when it arrived, and no report of its identity filed since."""
    return Evidence.report_id.is_(None) & ~exists().where(
        Report.identity_hash == Evidence.identity_hash, Report.created_at >= Evidence.received_at)


def lock_conversation(session: Session, conversation_id: str) -> None:
    """Hold a lock on one conversation's evidence until the transaction ends (PostgreSQL: an advisory
    transaction lock on a hash of the conversation id), so the limits are checked and the rows written by one
    upload at a time. SQLite needs none: it lets one writer at a time and refuses a stale one."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(b"evidence\x00" + conversation_id.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def count_for_conversation(session: Session, conversation_id: str) -> int:
    return session.scalar(select(func.count(Evidence.id)).where(Evidence.conversation_id == conversation_id)) or 0


def bytes_for_conversation(session: Session, conversation_id: str) -> int:
    """All bytes kept for a conversation (EVIDENCE_MAX_CONVERSATION_BYTES)."""
    return session.scalar(select(func.coalesce(func.sum(Evidence.size), 0))
                          .where(Evidence.conversation_id == conversation_id)) or 0


def report_to_join(session: Session, identity_hash: str | None, now: datetime, join_hours: int) -> Report | None:
    """The report evidence arriving at `now` joins: the identity's newest report, when it is open and was filed at
    most `join_hours` ago; else None (the evidence waits for the next report)."""
    if not identity_hash:
        return None
    reports = reports_store.reports_of_identity(session, identity_hash)
    newest = reports[0] if reports else None
    if newest is None or newest.status in FINAL_STATUSES:
        return None
    filed = newest.created_at if newest.created_at.tzinfo else newest.created_at.replace(tzinfo=UTC)
    return newest if now - timedelta(hours=join_hours) <= filed <= now else None


def add(session: Session, *, conversation_id: str, identity_hash: str | None, channel: str, kind: str, media_type: str,
        content: bytes, report: Report | None, name: str | None = None, now: datetime | None = None) -> Stored:
    """Keep one item (already checked by the intake). It joins `report` (`report_to_join`), or waits (None)."""
    if kind not in KINDS:
        raise ValueError(f"unknown evidence kind {kind!r}")
    now = now or datetime.now(UTC)
    row = Evidence(report_id=report.id if report else None, conversation_id=conversation_id[:128],
                   identity_hash=identity_hash, channel=channel[:32], received_at=now, kind=kind,
                   media_type=media_type[:64], size=len(content), name=(name or None), content=content)
    session.add(row)
    session.flush()
    return Stored(row.id, report.reference if report else None)


def for_report(session: Session, report: Report) -> list[Evidence]:
    """The evidence of a report in the order it arrived (without the files themselves)."""
    return list(session.scalars(select(Evidence).where(_of_report(report)).order_by(Evidence.received_at, Evidence.id)))


def get(session: Session, report: Report, evidence_id: int) -> Evidence | None:
    """One item with its content, only when it belongs to `report` (else None)."""
    return session.scalar(select(Evidence).where(Evidence.id == evidence_id, _of_report(report)))


@dataclass(frozen=True)
class Item:
    """An item as the export and the printable page list it: no content, no name as sent."""

    number: int  # 1, 2, ... within the report
    kind: str
    media_type: str
    size: int
    received_at: datetime


def summary(session: Session, reports: list[Report]) -> dict[int, list[Item]]:
    """report id -> its items (for the export of a period)."""
    return {report.id: [Item(n, r.kind, r.media_type, r.size, r.received_at)
                        for n, r in enumerate(for_report(session, report), start=1)] for report in reports}


def counted(items: list[Item] | list[Evidence]) -> str:
    """'2 foto's, 1 link' ('geen' for none)."""
    parts = []
    for kind in KINDS:
        number = sum(1 for item in items if item.kind == kind)
        if number:
            parts.append(f"{number} {NOUNS[kind][0 if number == 1 else 1]}")
    return ", ".join(parts) or "geen"


def waiting_count(session: Session, identity_hash: str) -> int:
    """Items of this identity that no report has yet: what the next report it files takes."""
    return session.scalar(select(func.count(Evidence.id)).where(Evidence.identity_hash == identity_hash,
                                                               _unclaimed())) or 0


def summary_lines(identity_hash: str) -> list[str]:
    """The summary's line before filing ('- Bewijs: 2 bestanden'); none without evidence, or when the database
    cannot say (the summary is shown all the same)."""
    try:
        with db.session() as session:
            number = waiting_count(session, identity_hash)
    except SQLAlchemyError as error:
        log.error("evidence not counted for the summary (%s)", type(error).__name__)
        return []
    return [f"- Bewijs: {number} {'bestand' if number == 1 else 'bestanden'}"] if number else []


def delete_for_report(session: Session, report: Report) -> int:
    """Erase a report's evidence (purge), also what its conversation sent that no report has (never the evidence
    waiting in the same chat for a later report: that report has it)."""
    ids = list(session.scalars(select(Evidence.id).where(or_(
        _of_report(report), _unclaimed() & (Evidence.conversation_id == report.conversation_id)))))
    if not ids:
        return 0
    result = cast(CursorResult, session.execute(delete(Evidence).where(Evidence.id.in_(ids))))
    session.flush()
    return result.rowcount


def delete_unfiled_of_identity(session: Session, identity_hash: str) -> int:
    """'verwijder mijn gegevens': erase at once what this identity sent that no report has. Evidence of a report
    goes with the report (purge, after ERASURE_REPORT_DAYS)."""
    result = cast(CursorResult, session.execute(
        delete(Evidence).where(Evidence.identity_hash == identity_hash, _unclaimed())
        .execution_options(synchronize_session=False)))
    return result.rowcount


def delete_unfiled(session: Session, now: datetime, days: int) -> int:
    """Erase evidence older than `days` that no report has (purge_expired and each new upload run this)."""
    result = cast(CursorResult, session.execute(
        delete(Evidence).where(_unclaimed(), Evidence.received_at < now - timedelta(days=days))
        .execution_options(synchronize_session=False)))
    return result.rowcount
