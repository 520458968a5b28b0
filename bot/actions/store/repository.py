"""The only place that queries the database. Callers own the session and the transaction."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from actions.store.models import Advice, Handoff, Municipality, Report, Route, SupportLine

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


def new_reference(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    suffix = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
    return f"MLD-{now:%Y%m%d}-{suffix}"


class ProtocolRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[Municipality]:
        return list(self.session.scalars(select(Municipality).order_by(Municipality.key)))

    def get(self, key: str) -> Municipality | None:
        return self.session.scalar(
            select(Municipality)
            .where(Municipality.key == key)
            .options(selectinload(Municipality.support_lines))
        )

    def route(self, key: str, role: str) -> Route | None:
        return self.session.scalar(select(Route).where(Route.municipality_key == key, Route.role == role))

    def advice(self, key: str, category: str) -> Advice | None:
        return self.session.scalar(
            select(Advice).where(Advice.municipality_key == key, Advice.category == category)
        )

    def replace(self, data: dict) -> None:
        """Replace one municipality's knowledge with the content of its YAML file."""
        existing = self.session.get(Municipality, data["key"])
        if existing is not None:
            self.session.delete(existing)  # the ORM cascade removes its routes, lines and advice
            self.session.flush()
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
            SupportLine(
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
        self.session.add(municipality)
        self.session.flush()


class ReportRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_draft(self, draft_id: str) -> Report | None:
        return self.session.scalar(select(Report).where(Report.draft_id == draft_id))

    def by_reference(self, reference: str) -> Report | None:
        return self.session.scalar(select(Report).where(Report.reference == reference))

    def readable_by(self, reader: str) -> list[Report]:
        return list(
            self.session.scalars(
                select(Report).where(Report.readable_by == reader).order_by(Report.created_at)
            )
        )

    def submit(self, draft: dict) -> tuple[Report, bool]:
        """Write one report for a confirmed draft; return (report, created).

        A second confirmation of the same draft returns the first report (created=False).
        """
        existing = self.by_draft(draft["draft_id"])
        if existing is not None:
            return existing, False
        reference = new_reference()
        while self.by_reference(reference) is not None:
            reference = new_reference()
        report = Report(reference=reference, **draft)
        self.session.add(report)
        self.session.flush()
        return report, True


class HandoffRepository:
    """Handoffs, always seen through one municipality: a griffie only ever gets its own."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def open_for_conversation(self, conversation_id: str) -> Handoff | None:
        return self.session.scalar(
            select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.status == "open")
        )

    def start(self, **fields) -> tuple[Handoff, bool]:
        """An open handoff for the conversation; (existing, False) when one is already open."""
        existing = self.open_for_conversation(fields["conversation_id"])
        if existing is not None:
            return existing, False
        handoff = Handoff(**fields)
        self.session.add(handoff)
        self.session.flush()
        return handoff, True

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

    def set_status(self, handoff_id: int, status: str, notified_via: str | None) -> None:
        handoff = self.session.get(Handoff, handoff_id)
        if handoff is not None:
            handoff.status, handoff.notified_via = status, notified_via

    def close(self, municipality_key: str, handoff_id: int, closed_by: str) -> bool:
        """Close an open handoff; False when it was not open (closed already, e.g. a second click)."""
        result = self.session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.municipality_key == municipality_key, Handoff.status == "open")
            .values(status="closed", closed_by=closed_by, closed_at=datetime.now(UTC))
        )
        return result.rowcount == 1

    def reopen(self, municipality_key: str, handoff_id: int) -> None:
        self.session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.municipality_key == municipality_key)
            .values(status="open", closed_by=None, closed_at=None)
        )
