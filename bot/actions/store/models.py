"""Tables: the protocol knowledge (loaded from protocols/*.yml), the reports and what happens to them after
filing (status history and additions, the notification outbox, the audit log), and the handoffs."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from actions.report_fields import REPORT_FIELDS, ReportField
from actions.store.crypto import EncryptedText


class Base(DeclarativeBase):
    pass


# The status workflow of a report (issue 11): key -> what the user and the griffie read.
STATUS_LABELS = {
    "nieuw": "nieuw",
    "in_behandeling": "in behandeling",
    "aangifte_gedaan": "aangifte gedaan",
    "doorverwezen": "doorverwezen",
    "afgesloten": "afgesloten",
    "ingetrokken": "ingetrokken",
}
# Which status may follow which, for the griffie (the user can only withdraw, from any open status).
STATUS_NEXT: dict[str, tuple[str, ...]] = {
    "nieuw": ("in_behandeling", "doorverwezen", "afgesloten"),
    "in_behandeling": ("aangifte_gedaan", "doorverwezen", "afgesloten"),
    "aangifte_gedaan": ("afgesloten",),
    "doorverwezen": ("afgesloten",),
    "afgesloten": (),
    "ingetrokken": (),
}
FINAL_STATUSES = ("afgesloten", "ingetrokken")  # these set reports.closed_at, from which retention counts


class Municipality(Base):
    __tablename__ = "municipalities"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(128))
    protocol: Mapped[str | None] = mapped_column(String(256))
    source: Mapped[str | None] = mapped_column(String(128))
    year: Mapped[int | None] = mapped_column(Integer)
    register: Mapped[str | None] = mapped_column(String(256))
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    functions: Mapped[dict] = mapped_column(JSON, default=dict)
    online: Mapped[dict | None] = mapped_column(JSON)
    aangifte: Mapped[dict | None] = mapped_column(JSON)

    routes: Mapped[list[Route]] = relationship(back_populates="municipality", cascade="all, delete-orphan")
    support_lines: Mapped[list[SupportLine]] = relationship(
        back_populates="municipality", cascade="all, delete-orphan", order_by="SupportLine.position"
    )
    advice: Mapped[list[Advice]] = relationship(back_populates="municipality", cascade="all, delete-orphan")


class Route(Base):
    __tablename__ = "routes"
    __table_args__ = (UniqueConstraint("municipality_key", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_key: Mapped[str] = mapped_column(ForeignKey("municipalities.key", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(64))
    contact: Mapped[str] = mapped_column(String(64))
    informs: Mapped[list] = mapped_column(JSON, default=list)
    section: Mapped[str] = mapped_column(String(256))
    quote: Mapped[str | None] = mapped_column(Text)
    named: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)

    municipality: Mapped[Municipality] = relationship(back_populates="routes")


class SupportLine(Base):
    __tablename__ = "support_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_key: Mapped[str] = mapped_column(ForeignKey("municipalities.key", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(256))
    what: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(String(256))
    section: Mapped[str] = mapped_column(String(256))

    municipality: Mapped[Municipality] = relationship(back_populates="support_lines")


class Advice(Base):
    __tablename__ = "advice"
    __table_args__ = (UniqueConstraint("municipality_key", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_key: Mapped[str] = mapped_column(ForeignKey("municipalities.key", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(16))  # A, B, C, D, D_fysiek
    approach: Mapped[str] = mapped_column(String(256))
    steps: Mapped[list] = mapped_column(JSON)
    reporting: Mapped[str] = mapped_column(String(32))
    reporting_text: Mapped[str] = mapped_column(Text)
    quote: Mapped[str | None] = mapped_column(Text)  # verbatim from the protocol (checked by the tests)
    section: Mapped[str] = mapped_column(String(256))

    municipality: Mapped[Municipality] = relationship(back_populates="advice")


def _column_type(field: ReportField) -> EncryptedText | String:
    return EncryptedText() if field.encrypted else String(64)


class Report(Base):
    """A melding (one confirmed actions.report_fields.ReportDraft). Free text is encrypted at rest;
    `readable_by` says which contact may read it."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    # One draft (one summary the user confirmed) gives one report, however often "ja" is sent.
    draft_id: Mapped[str] = mapped_column(String(64), unique=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=lambda: datetime.now(UTC)
    )
    municipality: Mapped[str | None] = mapped_column(String(128))
    municipality_key: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(8))
    subkind: Mapped[str | None] = mapped_column(String(64))
    reporting: Mapped[str | None] = mapped_column(String(32))
    acute: Mapped[bool] = mapped_column(Boolean, default=False)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_function: Mapped[str | None] = mapped_column(String(64))
    readable_by: Mapped[str] = mapped_column(String(128))  # e.g. "leiden:griffier"
    status: Mapped[str] = mapped_column(String(32), default="nieuw")  # a key of STATUS_LABELS
    # Who filed it: a keyed hash (HMAC, IDENTITY_SECRET) of the channel and the sender id, never the id itself;
    # status questions and withdrawing work only from the same identity (actions/identity.py).
    identity_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    identity_channel: Mapped[str | None] = mapped_column(String(32))
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # reached a FINAL_STATUS
    erase_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the user asked for erasure
    # One column per field of the report form (actions/report_fields.py): free text encrypted,
    # a choice (the medium) as its key. A new field there needs only an Alembic migration here.
    locals().update({f.column: mapped_column(f.column, _column_type(f), nullable=True) for f in REPORT_FIELDS})
    cues: Mapped[str | None] = mapped_column(EncryptedText)  # JSON text of the cues the bot saw


class ReportEvent(Base):
    """What happened to a report after filing, in order: a status change (kind "status", with the new status and
    an internal note the user never sees) or an addition by the user (kind "addition", the text in `note`).
    Nothing is overwritten: a report's history is these rows."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(UTC))
    kind: Mapped[str] = mapped_column(String(16))  # "status" or "addition"
    status: Mapped[str | None] = mapped_column(String(32))  # the new status (kind "status")
    actor: Mapped[str] = mapped_column(String(128))  # a griffie account, "melder" (the user) or "systeem"
    note: Mapped[str | None] = mapped_column(EncryptedText)


class OutboxMessage(Base):
    """One notification to deliver, kept until delivered so a restart loses nothing (actions/outbox.py).

    kind "contact": the routed contact hears of a report (event filed / withdrawn / addition) through `route`
    (email, telegram_chat_id, webhook; "none" records that the municipality configured no route: state
    "unconfigured", never sent). Its text is made at sending time from the report row: reference, category,
    time, role, municipality, link; never free text.
    kind "user": a message for the user's messenger (`text`), delivered by the griffie side (channels/griffie).
    kind "erase": erase a conversation's tracker events (after the turn in which the user asked for it).
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # contact, user, erase
    event: Mapped[str] = mapped_column(String(32))  # filed, withdrawn, addition, status, erase
    route: Mapped[str] = mapped_column(String(32))  # email, telegram_chat_id, webhook, none, messenger, tracker
    target: Mapped[str | None] = mapped_column(String(512))  # address, chat id, URL or conversation id
    text: Mapped[str | None] = mapped_column(EncryptedText)  # kind "user" only: what the user is told
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending, delivered, failed, unconfigured
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(UTC))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # a worker is sending it
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(128))  # the error's class, never content


class AuditEntry(Base):
    """Append-only (BIO 8.15): who read, changed, exported, purged or erased which report, when, from where.
    Never content. No foreign key: the row outlives the report it is about (purge). The migration adds
    database triggers that refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(UTC), index=True)
    actor: Mapped[str] = mapped_column(String(128))  # account name, "melder", "systeem:purge", "cli:<user>"
    action: Mapped[str] = mapped_column(String(16))  # a key of store.audit.AUDIT_ACTIONS
    report_id: Mapped[int | None] = mapped_column(Integer)
    reference: Mapped[str | None] = mapped_column(String(32), index=True)
    address: Mapped[str | None] = mapped_column(String(64))  # IP address or host
    detail: Mapped[str | None] = mapped_column(String(256))  # e.g. "nieuw -> in behandeling", a period; no content


class Handoff(Base):
    """A conversation a user asked a person to take over. The transcript stays in Rasa's tracker store;
    this row says who should answer, through which channel, and whether it is still open."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(32))  # socketio, telegram, signal, rest
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(UTC))
    municipality_key: Mapped[str] = mapped_column(String(64), index=True)  # who may see it
    municipality: Mapped[str | None] = mapped_column(String(128))
    role: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(8))
    contact_function: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, closed, not_notified
    notified_via: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(64))
