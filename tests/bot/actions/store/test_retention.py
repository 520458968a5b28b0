"""Retention and erasure (AVG) with a fake clock, on SQLite and PostgreSQL: an expired report, its history,
outbox rows, handoffs and its conversation's tracker events are gone from every store; the audit row stays,
without content. Rasa's tracker store is a separate database here, with the table Rasa 3.6's SQLTrackerStore
makes (events: sender_id, type_name, timestamp, intent_name, action_name, data)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, func, select, text

from actions.store import audit, erasure, reports, retention
from actions.store import outbox as outbox_store
from actions.store import tracker as tracker_store
from actions.store.models import Handoff, OutboxMessage, Report, ReportEvent
from tests.bot.actions.store.test_lifecycle import STORY, draft

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
_metadata = MetaData()
EVENTS = Table("events", _metadata, Column("id", Integer, primary_key=True), Column("sender_id", String(255), index=True),
               Column("type_name", String(255)), Column("timestamp", Float), Column("intent_name", String(255)),
               Column("action_name", String(255)), Column("data", Text))


@pytest.fixture
def rasa_tracker_store(migrated_url, tmp_path, monkeypatch):
    """Rasa's SQL tracker store, on the same kind of database as the report store; TRACKER_STORE_URL points at it."""
    if migrated_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'rasa.db'}"
    else:
        admin = create_engine(os.environ["TEST_POSTGRES_URL"].replace("postgresql://", "postgresql+psycopg://"),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            if not c.execute(text("SELECT 1 FROM pg_database WHERE datname = 'meldhulp_rasa_test'")).first():
                c.execute(text("CREATE DATABASE meldhulp_rasa_test"))
        admin.dispose()
        url = os.environ["TEST_POSTGRES_URL"].rsplit("/", 1)[0] + "/meldhulp_rasa_test"
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    engine = tracker_store._engine(url)
    _metadata.drop_all(engine)
    _metadata.create_all(engine)
    yield engine
    _metadata.drop_all(engine)


def _say(engine, sender: str, words: str, when: datetime | None = None) -> None:
    with engine.begin() as c:
        c.execute(EVENTS.insert(), [{"sender_id": sender, "type_name": "user", "intent_name": "incident_d",
                                     "timestamp": when.timestamp() if when else 1.0,
                                     "data": json.dumps({"event": "user", "text": words})}])


def _events(engine, sender: str) -> int:
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(EVENTS).where(EVENTS.c.sender_id == sender)).scalar_one()


def _count(session, model, **where) -> int:
    query = select(func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return session.execute(query).scalar_one()


def test_retention_setting_is_read_per_status(monkeypatch):
    monkeypatch.setenv("REPORT_RETENTION", "afgesloten=1825, ingetrokken=30")
    assert retention.retention_days() == {"afgesloten": 1825, "ingetrokken": 30}
    from core.config import SettingsError

    for wrong in ("nieuw=3", "afgesloten", "afgesloten=vijf"):
        with pytest.raises(SettingsError):
            retention.retention_days(wrong)


def test_purge_with_a_fake_clock_erases_every_store_and_keeps_a_contentless_audit_row(session, rasa_tracker_store,
                                                                                       monkeypatch):
    monkeypatch.setenv("REPORT_RETENTION", "afgesloten=1825")
    old, _ = reports.submit_report(session, draft("d-old"), now=T0)
    young, _ = reports.submit_report(session, draft("d-young", identity="id-2"), now=T0)
    young.conversation_id = "socketio-young"
    open_one, _ = reports.submit_report(session, draft("d-open", identity="id-3"), now=T0)
    open_one.conversation_id = "socketio-open"
    reports.add_addition(session, old, "een aanvulling", now=T0)
    outbox_store.queue_contact_notifications(session, old, "filed", T0, routes={"email": "g@x.example"})
    session.add(Handoff(conversation_id=old.conversation_id, channel="telegram", municipality_key="leiden", status="closed"))
    reports.change_status(session, old.id, "afgesloten", "intern", "g", notify_user=True, now=T0 + timedelta(days=10))
    reports.change_status(session, young.id, "afgesloten", None, "g", notify_user=False, now=T0 + timedelta(days=400))
    session.flush()
    for sender in (old.conversation_id, young.conversation_id, open_one.conversation_id):
        _say(rasa_tracker_store, sender, STORY)
    old_id, old_ref, old_sender = old.id, old.reference, old.conversation_id

    # the day before the five years are up: nothing goes
    assert retention.purge_expired(T0 + timedelta(days=10 + 1824)) == []
    purged = retention.purge_expired(T0 + timedelta(days=10 + 1825), address="purge-host")

    assert [p.reference for p in purged] == [old_ref] and purged[0].why == "bewaartermijn afgesloten (1825 dagen)"
    session.expire_all()
    assert session.get(Report, old_id) is None
    assert _count(session, ReportEvent, report_id=old_id) == 0
    assert _count(session, OutboxMessage, report_id=old_id) == 0
    assert _count(session, Handoff, conversation_id=old_sender) == 0
    assert _events(rasa_tracker_store, old_sender) == 0
    # the others are untouched: closed later, or still open
    assert _events(rasa_tracker_store, "socketio-young") == 1 and _events(rasa_tracker_store, "socketio-open") == 1
    assert session.get(Report, young.id) is not None and session.get(Report, open_one.id) is not None
    [entry] = [a for a in audit.audit_entries(session, reference=old_ref) if a.action == "purged"]
    assert (entry.action, entry.actor, entry.address, entry.report_id) == ("purged", "systeem:purge", "purge-host", None)
    stored = " ".join(str(v) for v in (entry.actor, entry.action, entry.reference, entry.address, entry.detail))
    assert STORY not in stored and "aanvulling" not in stored and "intern" not in stored


def test_a_users_erasure_request_marks_reports_and_the_purge_honours_it(session, rasa_tracker_store):
    report, _ = reports.submit_report(session, draft("d-erase", identity="id-9"), now=T0)
    _say(rasa_tracker_store, report.conversation_id, STORY)
    erasure.mark_for_erasure(session, "id-9", T0 + timedelta(days=30))
    session.flush()
    assert retention.purge_expired(T0 + timedelta(days=29)) == []
    [purged] = retention.purge_expired(T0 + timedelta(days=30))
    assert purged.why == "verzoek melder" and _events(rasa_tracker_store, report.conversation_id) == 0


def test_when_the_tracker_store_is_unreachable_the_report_stays(session, monkeypatch):
    monkeypatch.setenv("TRACKER_STORE_URL", "")
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # nothing listens
    report, _ = reports.submit_report(session, draft("d-keep"), now=T0)
    erasure.mark_for_erasure(session, "id-1", T0)
    session.flush()
    assert retention.purge_expired(T0 + timedelta(days=1)) == []
    session.expire_all()
    assert session.get(Report, report.id) is not None
    assert [a for a in audit.audit_entries(session, reference=report.reference) if a.action == "purged"] == []


def test_queued_erasure_runs_after_the_turn(session, rasa_tracker_store):
    from actions import outbox

    _say(rasa_tracker_store, "telegram:77", STORY)
    session.add(Handoff(conversation_id="telegram:77", channel="telegram", municipality_key="leiden", status="open"))
    row = outbox_store.queue_erasure(session, "telegram:77", now=T0)
    session.flush()
    assert outbox.deliver_pending(T0) == 0  # not during the turn that asked for it
    assert outbox.deliver_pending(T0 + timedelta(minutes=1)) == 1
    assert _events(rasa_tracker_store, "telegram:77") == 0 and _count(session, Handoff, conversation_id="telegram:77") == 0
    session.refresh(row)
    assert row.state == "delivered"


def test_a_conversation_without_a_report_is_erased_some_days_after_its_last_message(session, rasa_tracker_store,
                                                                                   monkeypatch):
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "10")
    report, _ = reports.submit_report(session, draft("d-filed"), now=T0)
    session.add(Handoff(conversation_id="telegram:silent", channel="telegram", municipality_key="leiden", status="closed"))
    session.flush()
    _say(rasa_tracker_store, report.conversation_id, STORY, when=T0)  # filed: stays with its report
    _say(rasa_tracker_store, "telegram:silent", STORY, when=T0)  # no report, silent since T0
    _say(rasa_tracker_store, "telegram:talking", STORY, when=T0)
    _say(rasa_tracker_store, "telegram:talking", "nog iets", when=T0 + timedelta(days=20))  # its last message is later

    assert retention.prune_conversations(T0 + timedelta(days=9)) == 0
    assert retention.prune_conversations(T0 + timedelta(days=11)) == 1
    assert _events(rasa_tracker_store, "telegram:silent") == 0
    assert _count(session, Handoff, conversation_id="telegram:silent") == 0
    assert _events(rasa_tracker_store, "telegram:talking") == 2
    assert _events(rasa_tracker_store, report.conversation_id) == 1
    assert retention.prune_conversations(T0 + timedelta(days=29)) == 0
    assert retention.prune_conversations(T0 + timedelta(days=31)) == 1  # 10 days after its last message
    assert _events(rasa_tracker_store, "telegram:talking") == 0


def test_without_an_sql_tracker_store_there_is_nothing_to_prune(session, monkeypatch):
    monkeypatch.setenv("TRACKER_STORE_URL", "")
    assert retention.prune_conversations(T0) is None


def test_an_open_handoff_a_returning_user_and_days_zero_keep_the_conversation(session, rasa_tracker_store,
                                                                              monkeypatch):
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "10")
    session.add(Handoff(conversation_id="telegram:waiting", channel="telegram", municipality_key="leiden", status="open"))
    session.flush()
    _say(rasa_tracker_store, "telegram:waiting", STORY, when=T0)  # asked for the griffier, nobody closed it yet
    _say(rasa_tracker_store, "telegram:back", STORY, when=T0)
    later = T0 + timedelta(days=11)
    silent = tracker_store.silent_since(later - timedelta(days=10))
    assert set(silent) == {"telegram:waiting", "telegram:back"}
    _say(rasa_tracker_store, "telegram:back", "ik ben er weer", when=later)  # speaks again after the list was made
    assert tracker_store.erase_if_silent("telegram:back", later - timedelta(days=10)) == 0
    assert retention.prune_conversations(later) == 0
    assert _events(rasa_tracker_store, "telegram:waiting") == 1 and _events(rasa_tracker_store, "telegram:back") == 2
    assert _count(session, Handoff, conversation_id="telegram:waiting") == 1

    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "0")  # never
    assert retention.prune_conversations(T0 + timedelta(days=400)) == 0
    assert _events(rasa_tracker_store, "telegram:back") == 2


def test_a_handoff_nobody_was_told_of_does_not_keep_a_conversation_forever(session, rasa_tracker_store, monkeypatch):
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "10")
    for sender, status in (("telegram:untold", "not_notified"), ("telegram:stuck", "pending")):
        session.add(Handoff(conversation_id=sender, channel="telegram", municipality_key="leiden", status=status))
        _say(rasa_tracker_store, sender, STORY, when=T0)
    session.flush()
    assert retention.prune_conversations(T0 + timedelta(days=11)) == 2
    assert _events(rasa_tracker_store, "telegram:untold") == 0 and _count(session, Handoff, conversation_id="telegram:stuck") == 0


def test_handoffs_of_a_conversation_erased_while_deleting_them_failed_are_swept_by_a_later_run(
        session, rasa_tracker_store, monkeypatch):
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "10")
    old, young = T0 - timedelta(days=1), T0 + timedelta(days=30)
    rows = [("telegram:orphan", "closed", old), ("telegram:orphan", "closed", young),  # a younger row stays
            ("telegram:open", "open", old), ("telegram:open", "closed", old),  # an open handoff keeps its siblings
            ("telegram:talks", "closed", old), ("telegram:new", "closed", young)]
    for sender, status, made in rows:
        session.add(Handoff(conversation_id=sender, channel="telegram", municipality_key="leiden", status=status,
                            created_at=made))
    filed, _ = reports.submit_report(session, draft("d-filed"), now=T0)
    session.add(Handoff(conversation_id=filed.conversation_id, channel="telegram", municipality_key="leiden",
                        status="closed", created_at=old))
    session.flush()
    _say(rasa_tracker_store, "telegram:orphan", STORY, when=T0)
    _say(rasa_tracker_store, "telegram:talks", STORY, when=T0 + timedelta(days=20))  # still in use

    def fail(*args, **kwargs):
        raise RuntimeError("database gone")

    with monkeypatch.context() as broken:
        broken.setattr(erasure, "delete_handoffs", fail)
        broken.setattr(erasure, "delete_left_behind_handoffs", fail)
        assert retention.prune_conversations(T0 + timedelta(days=11)) == 0  # events erased, handoff rows left
    assert _events(rasa_tracker_store, "telegram:orphan") == 0
    assert _count(session, Handoff, conversation_id="telegram:orphan") == 2

    assert retention.prune_conversations(T0 + timedelta(days=12)) == 0  # nothing left to erase: the sweep finds it
    assert _count(session, Handoff, conversation_id="telegram:orphan") == 1  # the old row went, the young one stays
    assert _count(session, Handoff, conversation_id="telegram:open") == 2  # a griffier may still answer
    assert _count(session, Handoff, conversation_id="telegram:talks") == 1  # its conversation is still there
    assert _count(session, Handoff, conversation_id="telegram:new") == 1  # younger than the retention
    assert _count(session, Handoff, conversation_id=filed.conversation_id) == 1  # kept with its report


def test_the_sweep_deletes_nothing_when_the_tracker_store_cannot_tell(session, rasa_tracker_store, monkeypatch):
    """TRACKER_STORE_URL naming a database without Rasa's events table (the wrong one) must not read as "every
    conversation was erased"."""
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "10")
    session.add(Handoff(conversation_id="telegram:closed", channel="telegram", municipality_key="leiden",
                        status="closed", created_at=T0 - timedelta(days=1)))
    session.flush()
    _metadata.drop_all(rasa_tracker_store)
    assert retention.prune_conversations(T0 + timedelta(days=40)) == 0
    assert _count(session, Handoff, conversation_id="telegram:closed") == 1
    assert tracker_store.with_events(["telegram:closed"]) is None
