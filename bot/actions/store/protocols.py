"""Protocol knowledge in the database: the municipalities, one municipality's `Protocol` (actions/knowledge.py),
replacing one with the content of its YAML file. Plain functions that take a session: the caller owns the transaction
(`with db.transaction() as session:`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from actions.knowledge import AdviceRule, Protocol, RouteRule, SupportLine
from actions.store.models import Advice, Municipality, Route
from actions.store.models import SupportLine as SupportLineRow


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
