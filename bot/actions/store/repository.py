"""The only place that queries the database: plain functions that take a session (crud-style).
Callers own the session and the transaction (`with db.transaction() as session:`)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, selectinload

from actions.knowledge import AdviceRule, Protocol, RouteRule, SupportLine
from actions.report_fields import ReportDraft
from actions.store.models import Advice, Handoff, Municipality, Report, Route
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


def submit_report(session: Session, draft: ReportDraft) -> tuple[Report, bool]:
    """Write one report for a confirmed draft; return (report, created).

    A second confirmation of the same draft returns the first report (created=False).
    """
    existing = report_by_draft(session, draft.draft_id)
    if existing is not None:
        return existing, False
    reference = new_reference()
    while report_by_reference(session, reference) is not None:
        reference = new_reference()
    report = Report(reference=reference, **draft.row())
    session.add(report)
    session.flush()
    return report, True


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
