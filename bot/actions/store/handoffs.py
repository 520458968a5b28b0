"""Handoffs to a person (actions/handoff.py): one open handoff per conversation; the griffie page sees them through
HandoffRepository, always for one municipality. Plain functions that take a session: the caller owns the transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from actions.store.models import Handoff


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
