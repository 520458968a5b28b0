"""Delivering the outbox (store.models.OutboxMessage): notifications to the routed contact about a report
(filed, withdrawn, addition) and erasing a conversation's tracker events after the user asked for it.

A row is written in the same transaction as what it is about, so nothing is lost when a server stops. Delivery
claims a row first (one atomic UPDATE, committed before sending: two workers never send the same row), sends,
and records the result; a failure leaves it pending with a later next_attempt_at (backoff), and after
OUTBOX_MAX_ATTEMPTS it is given up ("failed", shown in the inbox as not delivered). A worker that dies between
sending and recording sends that row again after the claim's lease (5 minutes): at least once, never twice by
two live workers.

The text of a contact notification is made here, at sending time, from the report row: reference, category,
time, role, municipality and the link to the griffie page. Never the story, names or other free text.

    python -m actions.outbox          # the delivery worker: a loop (OUTBOX_POLL_SECONDS)
    python -m actions.outbox --once   # deliver what is due now and stop
"""

from __future__ import annotations

import logging
import sys
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from actions import knowledge, notify, worker
from actions.store import db, erasure
from actions.store import outbox as outbox_store
from actions.store.models import OutboxMessage, Report
from channels.retry import backoff
from core.config import get_settings

log = logging.getLogger(__name__)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MOST_WAIT = timedelta(hours=6)
_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december")


def dutch_time(moment: datetime) -> str:
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(AMSTERDAM)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"


def report_link(reference: str) -> str:
    return f"{get_settings().griffie_url.rstrip('/')}/griffie/meldingen/{reference}"


def contact_message(report: Report, event: str) -> tuple[str, str, dict]:
    """(subject, body, webhook payload) for the routed contact: no free text of the report, ever."""
    role = knowledge.ROLE_LABELS.get(report.role or "", report.role or "onbekend")
    category = f"{report.category}-gedrag" if report.category else "nog niet bepaald"
    link = report_link(report.reference)
    lead, subject = {
        "filed": ("Er is een nieuwe melding ingediend via Meldhulp.", f"Meldhulp: nieuwe melding {report.reference}"),
        "withdrawn": ("De melder heeft deze melding ingetrokken.", f"Meldhulp: melding {report.reference} ingetrokken"),
        "addition": ("De melder heeft iets toegevoegd aan deze melding.",
                     f"Meldhulp: aanvulling op melding {report.reference}"),
    }[event]
    body = (
        f"{lead}\n"
        f"Meldingsnummer: {report.reference}\n"
        f"Soort gedrag: {category}\n"
        f"Ingediend: {dutch_time(report.created_at)}\n"
        f"Rol van de melder: {role}\n"
        f"Gemeente: {report.municipality or report.municipality_key or 'onbekend'}\n"
        f"Lees de melding op de griffiepagina (inloggen nodig): {link}\n"
        "Het verhaal en namen staan om privacyredenen niet in dit bericht."
    )
    payload = {"event": f"report_{event}", "reference": report.reference, "category": report.category,
               "created_at": report.created_at.isoformat() if report.created_at else None, "role": report.role,
               "municipality": report.municipality_key, "url": link}
    return subject, body, payload


def _send_contact(row: OutboxMessage, report: Report) -> None:
    if row.kind == "aftercare":  # "nazorg gevraagd" (actions/aftercare.py), through the same routes
        from actions.aftercare import contact_notice

        subject, body, payload = contact_notice(report)
    else:
        subject, body, payload = contact_message(report, row.event)
    target = row.target or ""
    if row.route == "email":
        notify.send_email(target, subject, body)
    elif row.route == "telegram_chat_id":
        notify.send_telegram(target, f"{subject}\n\n{body}")
    elif row.route == "webhook":
        notify.send_webhook(target, {**payload, "subject": subject, "text": body})
    else:
        raise notify.NotifyError(f"unknown route {row.route}")


def _erase(row: OutboxMessage) -> None:
    from actions.store import tracker

    conversation_id = row.target or ""
    tracker.erase_conversation(conversation_id)
    with db.transaction() as session:
        erasure.delete_handoffs(session, conversation_id)


def retry_after(attempts: int) -> timedelta | None:
    """How long to wait after a failed attempt (backoff up to MOST_WAIT), or None: given up. The outbox's rows
    and the aftercare check-ins both follow it."""
    settings = get_settings()
    if attempts >= settings.outbox_max_attempts:
        return None
    return timedelta(seconds=backoff(attempts, settings.outbox_retry_seconds, MOST_WAIT.total_seconds()))


def deliver_one(outbox_id: int, now: datetime | None = None) -> bool:
    """Claim, send and record one row; True when it was delivered now (False: someone else has it, or it failed)."""
    now = now or datetime.now(UTC)
    with db.transaction() as session:
        if not outbox_store.claim(session, outbox_id, now):
            return False
    with db.session() as session:
        row = session.get(OutboxMessage, outbox_id)
        report = session.get(Report, row.report_id) if row is not None and row.report_id is not None else None
        if row is None:
            return False
        session.expunge_all()  # plain objects from here on: sending may take a while
    try:
        if row.kind == "erase":
            _erase(row)
        elif report is None:
            raise LookupError("report gone")
        else:
            _send_contact(row, report)
    except Exception as error:  # any failure: record its class (never a message: it could hold content)
        attempts = row.attempts or 1  # the claim counted this attempt
        retry = retry_after(attempts)
        log.warning("outbox %s (%s via %s) attempt %s failed: %s", outbox_id, row.kind, row.route, attempts,
                    type(error).__name__)
        with db.transaction() as session:
            outbox_store.mark_failed(session, outbox_id, type(error).__name__, now=now, retry_after=retry)
        return False
    with db.transaction() as session:
        outbox_store.mark_delivered(session, outbox_id, now=now)
    log.info("outbox %s (%s via %s) delivered", outbox_id, row.kind, row.route)
    return True


def deliver_pending(now: datetime | None = None, kinds: tuple[str, ...] = ("contact", "erase")) -> int:
    """Deliver every due row (kinds: contact notifications and erasures); returns how many were delivered."""
    now = now or datetime.now(UTC)
    with db.session() as session:
        ids = outbox_store.due_outbox_ids(session, now, kinds)
    return sum(deliver_one(outbox_id, now) for outbox_id in ids)


def deliver_for_report(report_id: int, event: str = "filed", now: datetime | None = None) -> list[str]:
    """Try a report's pending contact notifications of `event` at once (right after filing); returns the
    routes that delivered (empty: not delivered, the worker retries)."""
    now = now or datetime.now(UTC)
    with db.session() as session:
        rows = [(m.id, m.route) for m in outbox_store.outbox_for(session, report_id)
                if m.kind == "contact" and m.event == event and m.state == "pending"]
    return [route for outbox_id, route in rows if deliver_one(outbox_id, now)]


def run(stop: threading.Event, poll_seconds: float) -> None:
    """The worker loop: deliver what is due, wait, again (actions/worker.py)."""
    worker.loop("outbox", deliver_pending, stop, poll_seconds)


def main(argv: list[str] | None = None) -> int:
    return worker.main("outbox", __doc__ or "", deliver_pending, get_settings().outbox_poll_seconds, argv)


if __name__ == "__main__":
    sys.exit(main())
