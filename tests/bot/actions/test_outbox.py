"""Notification on filing (issue 11): the report and its outbox rows in one transaction, delivery at once, the
truth to the user, no story in the message, and retries from the database (restart test: SMTP down at filing,
then up: delivered exactly once)."""

from __future__ import annotations

import email.message
import socket
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from actions import outbox
from actions.report_summary import ActionReportSummary, ActionSubmitReport
from actions.store import outbox as outbox_store
from actions.store import reports
from actions.store.models import OutboxMessage, Report
from tests.bot.actions.test_report import FILLED, slots_of, summary_shown

STORY = FILLED["report_what"]


@pytest.fixture
def contacts(tmp_path, monkeypatch, smtp_server):
    def write(text: str):
        path = tmp_path / f"contacts-{len(list(tmp_path.iterdir()))}.yml"
        path.write_text(text)
        monkeypatch.setenv("CONTACTS_FILE", str(path))

    monkeypatch.setenv("SMTP_HOST", smtp_server.hostname)
    monkeypatch.setenv("SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("GRIFFIE_URL", "https://griffie.example")
    smtp_server.inbox.messages.clear()
    return write


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nobody listens here once the socket is closed


async def _file(dispatcher, tracker_factory, domain, sender="telegram:4242"):
    summary = await ActionReportSummary().run(dispatcher, tracker_factory(slots=FILLED), domain)
    tracker = summary_shown(tracker_factory(slots={**FILLED, **slots_of(summary)}, sender_id=sender))
    events = await ActionSubmitReport().run(dispatcher, tracker, domain)
    return slots_of(events)["report_reference"], dispatcher.messages[-1]["text"]


def _texts(message: email.message.Message) -> str:
    return "\n".join([str(v) for v in message.values()] + [message.get_payload(decode=True).decode()])


def _rows(connection) -> list[OutboxMessage]:
    from sqlalchemy.orm import Session

    with Session(bind=connection) as s:
        rows = list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        s.expunge_all()
    return rows


async def test_filing_notifies_the_contact_at_once_without_the_story(connection, contacts, smtp_server, dispatcher,
                                                                     tracker_factory, domain):
    contacts("leiden:\n  handoff:\n    notify: {email: griffie@leiden.example}\n")
    reference, said = await _file(dispatcher, tracker_factory, domain)

    [message] = smtp_server.inbox.messages
    body = _texts(message)
    assert message["To"] == "griffie@leiden.example" and reference in message["Subject"]
    for needed in (reference, "D-gedrag", "raadslid", "Leiden", f"https://griffie.example/griffie/meldingen/{reference}"):
        assert needed in body
    # never the story, nor any other free text of the report
    for free_text in (STORY, "ik weet waar je woont", FILLED["report_who"], FILLED["report_where"], FILLED["report_why"]):
        assert free_text.lower() not in body.lower()
    assert "De griffier heeft bericht gekregen" in said and reference in said
    [row] = _rows(connection)
    assert (row.route, row.state, row.attempts) == ("email", "delivered", 1)


async def test_without_a_configured_route_the_user_is_told_to_call(connection, contacts, dispatcher, tracker_factory, domain):
    contacts("leiden:\n  griffier: {name: Griffie Leiden}\n")
    reference, said = await _file(dispatcher, tracker_factory, domain)
    assert "opgeslagen" in said and "Neem zelf contact op met de griffier" in said and reference in said
    [row] = _rows(connection)
    assert (row.route, row.state) == ("none", "unconfigured")


async def test_restart_smtp_down_at_filing_then_delivered_exactly_once(connection, contacts, smtp_server, monkeypatch,
                                                                        dispatcher, tracker_factory, domain):
    contacts("leiden:\n  handoff:\n    notify: {email: griffie@leiden.example}\n")
    monkeypatch.setenv("SMTP_PORT", str(_closed_port()))  # the mail server is down
    reference, said = await _file(dispatcher, tracker_factory, domain)

    assert said.startswith("Uw melding is opgeslagen.") and "De griffier is nog niet bereikt; wij proberen het opnieuw." in said
    assert connection.execute(select(func.count()).select_from(Report)).scalar_one() == 1
    [row] = _rows(connection)
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "ConnectionRefusedError")
    assert smtp_server.inbox.messages == []

    # "Restart": nothing in memory, only the database. Before the backoff has passed nothing is sent ...
    monkeypatch.setenv("SMTP_PORT", str(smtp_server.port))  # the mail server is up again
    assert outbox.deliver_pending(datetime.now(UTC)) == 0
    # ... after it, the worker delivers once, and a second round (or a second worker) sends nothing more.
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert outbox.deliver_pending(later) == 1
    assert outbox.deliver_pending(later + timedelta(hours=1)) == 0
    assert outbox.deliver_one(row.id, later) is False  # claimed and delivered: never again
    assert [m["Subject"] for m in smtp_server.inbox.messages] == [f"Meldhulp: nieuwe melding {reference}"]
    [row] = _rows(connection)
    assert (row.state, row.attempts, row.last_error) == ("delivered", 2, None)


async def test_a_second_yes_does_not_notify_twice(connection, contacts, smtp_server, dispatcher, tracker_factory, domain):
    contacts("leiden:\n  handoff:\n    notify: {email: griffie@leiden.example}\n")
    summary = await ActionReportSummary().run(dispatcher, tracker_factory(slots=FILLED), domain)
    tracker = summary_shown(tracker_factory(slots={**FILLED, **slots_of(summary)}, sender_id="s"))
    await ActionSubmitReport().run(dispatcher, tracker, domain)
    await ActionSubmitReport().run(dispatcher, tracker, domain)
    assert len(smtp_server.inbox.messages) == 1 and len(_rows(connection)) == 1
    assert "heeft bericht gekregen" in dispatcher.messages[-1]["text"]


def test_backoff_then_give_up(session, monkeypatch):
    monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("OUTBOX_RETRY_SECONDS", "60")
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(_closed_port()))
    from tests.bot.actions.store.test_lifecycle import draft

    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    report, _ = reports.submit_report(session, draft(), now=t0)
    [row] = outbox_store.queue_contact_notifications(session, report, "filed", t0, routes={"email": "g@x.example"})
    session.flush()  # the same connection: the worker's sessions see it
    assert outbox.deliver_pending(t0) == 0
    session.refresh(row)
    assert row.state == "pending" and row.next_attempt_at.replace(tzinfo=UTC) == t0 + timedelta(seconds=60)
    assert outbox.deliver_pending(t0 + timedelta(seconds=30)) == 0 and row.attempts == 1  # not due yet
    assert outbox.deliver_pending(t0 + timedelta(seconds=61)) == 0
    session.refresh(row)
    assert (row.state, row.attempts) == ("failed", 2)  # given up: the inbox shows "not delivered"
    assert outbox_store.undelivered_report_ids(session, [report.id]) == {report.id}


def test_the_message_texts_name_the_event_never_free_text(session):
    from tests.bot.actions.store.test_lifecycle import STORY as LIFE_STORY
    from tests.bot.actions.store.test_lifecycle import draft

    report, _ = reports.submit_report(session, draft(), now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    for event, word in (("filed", "nieuwe melding"), ("withdrawn", "ingetrokken"), ("addition", "toegevoegd")):
        subject, body, payload = outbox.contact_message(report, event)
        assert report.reference in subject and word in (subject + body)
        assert "2 maart 2026, 10:00" in body  # Amsterdam time
        assert LIFE_STORY not in body and LIFE_STORY not in str(payload)
