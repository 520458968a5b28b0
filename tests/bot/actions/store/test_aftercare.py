"""Aftercare in the database (issue 14 item 1), with a fake clock, on SQLite and PostgreSQL: consent and the
schedule, the atomic claim (two workers in threads never send a check-in twice), stop, and erasure (purge and
"verwijder mijn gegevens")."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from actions import aftercare as worker
from actions import knowledge
from actions.store import aftercare, erasure, reports, retention
from actions.store.models import Report
from tests.bot.actions.store.test_lifecycle import draft

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
DAY = timedelta(days=1)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _plan(session, consent: bool = True, draft_id: str = "d-care", key: str = "leiden"):
    report, _ = reports.submit_report(session, draft(draft_id, key=key), now=T0)
    days = knowledge.aftercare(key).days
    aftercare.record_consent(session, report, consent, [timedelta(days=d) for d in days],
                             knowledge.aftercare(key).section, now=T0 + timedelta(minutes=1))
    return report


def test_the_default_moments_are_the_protocols_three_conversations():
    # 24 hours, three days, four weeks (the start of "na 4 - 6 weken"): Nunspeet H8, Nijmegen §6.3, Leiden §7.3,
    # Midden-Delfland §5.3 each quote them (their `aftercare:` sections; test_knowledge checks the quotes).
    for key in ("_model", "nunspeet", "nijmegen", "leiden", "midden-delfland", "alkmaar", "onbekend"):
        assert knowledge.aftercare(key).days == (1.0, 3.0, 28.0), key
    assert knowledge.aftercare("leiden").section == "§7.3 Opvang en nazorg (Interne nazorg)"
    # Alkmaar §7 names no moments: its file says so, and the section names where the moments come from.
    alkmaar = knowledge.aftercare("alkmaar")
    assert alkmaar.note and alkmaar.section.startswith("§7 Nazorg; momenten: Nunspeet Hoofdstuk 8")
    assert knowledge.aftercare("nijmegen").support_line["phone"] == "0800 2800 200"


def test_a_protocol_file_may_set_its_own_moments(tmp_path, monkeypatch):
    import shutil

    from actions import config

    for path in config.PROTOCOLS_DIR.glob("*.yml"):
        shutil.copy(path, tmp_path / path.name)
    text = (tmp_path / "leiden.yml").read_text(encoding="utf-8").replace("    - days: 28\n", "    - days: 42\n")
    (tmp_path / "leiden.yml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(config, "PROTOCOLS_DIR", tmp_path)
    knowledge.aftercare.cache_clear()
    try:
        assert knowledge.aftercare("leiden").days == (1.0, 3.0, 42.0)
        assert knowledge.aftercare("nijmegen").days == (1.0, 3.0, 28.0)
    finally:
        knowledge.aftercare.cache_clear()


def test_consent_schedules_three_check_ins_after_filing(session):
    report = _plan(session)
    rows = aftercare.checkins(session, report.id)
    assert [(_utc(c.due_at), c.state) for c in rows] == [(T0 + DAY, "pending"), (T0 + 3 * DAY, "pending"),
                                                          (T0 + 28 * DAY, "pending")]
    plan = aftercare.plan_for(session, report.id)
    assert plan.consent and plan.section == "§7.3 Opvang en nazorg (Interne nazorg)"
    # a second answer (a repeated "ja") keeps the first plan
    again, created = aftercare.record_consent(session, report, False, [DAY], None)
    assert not created and again.consent and len(aftercare.checkins(session, report.id)) == 3


def test_without_consent_nothing_is_scheduled(session):
    report = _plan(session, consent=False)
    assert aftercare.plan_for(session, report.id).consent is False
    assert aftercare.checkins(session, report.id) == []
    assert aftercare.due_checkin_ids(session, T0 + 60 * DAY) == []


def test_only_due_check_ins_are_claimed_and_a_claim_is_taken_once(session):
    report = _plan(session)
    first, second, _third = (c.id for c in aftercare.checkins(session, report.id))
    assert aftercare.due_checkin_ids(session, T0 + DAY - timedelta(seconds=1)) == []
    assert aftercare.due_checkin_ids(session, T0 + DAY) == [first]
    assert not aftercare.claim(session, second, T0 + DAY)  # not due yet
    assert aftercare.claim(session, first, T0 + DAY)
    assert not aftercare.claim(session, first, T0 + DAY)  # held by the first claim
    assert aftercare.due_checkin_ids(session, T0 + DAY) == []
    # a worker that died while sending: after the lease another may take it
    assert aftercare.claim(session, first, T0 + DAY + aftercare.LEASE + timedelta(seconds=1))


def test_stop_ends_every_remaining_check_in_at_once(session):
    report = _plan(session)
    aftercare.mark_sent(session, aftercare.checkins(session, report.id)[0].id, T0 + DAY)
    assert aftercare.stop(session, report.id, "melder", T0 + 2 * DAY) == 2
    session.expire_all()
    assert [c.state for c in aftercare.checkins(session, report.id)] == ["sent", "cancelled", "cancelled"]
    assert aftercare.due_checkin_ids(session, T0 + 60 * DAY) == []
    plan = aftercare.plan_for(session, report.id)
    assert plan.stopped_by == "melder" and _utc(plan.stopped_at) == T0 + 2 * DAY


def test_a_check_in_cancelled_while_it_was_sent_stays_cancelled(session):
    report = _plan(session)
    first = aftercare.checkins(session, report.id)[0].id
    assert aftercare.claim(session, first, T0 + DAY)
    aftercare.stop(session, report.id, "melder", T0 + DAY)  # "stop" while the worker was sending it
    assert aftercare.mark_sent(session, first, T0 + DAY) is False
    session.expire_all()
    assert [c.state for c in aftercare.checkins(session, report.id)] == ["cancelled"] * 3


def test_the_inbox_status_says_when_next_and_the_last_answer(session):
    report = _plan(session)
    [status] = aftercare.status_of(session, [report.id]).values()
    assert status.next_at == T0 + DAY and status.last_answer is None and status.open
    aftercare.mark_sent(session, aftercare.checkins(session, report.id)[0].id, T0 + DAY)
    aftercare.record_answer(session, report.id, "niet_goed", T0 + DAY + timedelta(hours=1))
    session.expire_all()
    status = aftercare.status_of(session, [report.id])[report.id]
    assert (status.next_at, status.last_answer, status.sent, status.planned) == (T0 + 3 * DAY, "niet_goed", 1, 3)
    assert aftercare.checkins(session, report.id)[0].answer == "niet_goed"


def test_purge_erases_the_aftercare_with_the_report(session, monkeypatch):
    from actions.store import tracker

    monkeypatch.setattr(tracker, "erase_conversation", lambda conversation_id: "test")
    report = _plan(session)
    aftercare.record_answer(session, report.id, "goed", T0 + DAY)
    report.erase_after = T0 + 2 * DAY
    session.flush()
    assert [p.reference for p in retention.purge_expired(now=T0 + 3 * DAY)] == [report.reference]
    for model in (aftercare.AftercarePlan, aftercare.AftercareCheckin, Report):
        assert session.scalar(select(func.count()).select_from(model)) == 0


def test_asking_for_erasure_stops_the_check_ins_and_forgets_the_answers(session):
    report = _plan(session)
    aftercare.mark_sent(session, aftercare.checkins(session, report.id)[0].id, T0 + DAY)
    aftercare.record_answer(session, report.id, "niet_goed", T0 + DAY)
    erasure.mark_for_erasure(session, "id-1", T0 + 30 * DAY)  # what "verwijder mijn gegevens" does
    assert aftercare.forget_erased(session) == 1
    assert aftercare.forget_erased(session) == 0  # once
    session.expire_all()
    plan = aftercare.plan_for(session, report.id)
    assert (plan.stopped_by, plan.last_answer) == ("wissen", None)
    assert [(c.state, c.answer) for c in aftercare.checkins(session, report.id)] == [
        ("sent", None), ("cancelled", None), ("cancelled", None)]


def test_two_workers_never_send_a_check_in_twice(migrated_url, monkeypatch):
    """Two worker threads, each with its own database connections, committing for real (not the rolled-back
    test transaction): every due check-in is sent exactly once. On PostgreSQL with TEST_POSTGRES_URL."""
    from actions import config
    from actions.store import db

    monkeypatch.setenv("DATABASE_URL", migrated_url)
    engine = create_engine(config.database_url())
    monkeypatch.setattr(db, "engine", lambda url=None: engine)
    ids = []
    now = T0 + 3 * DAY
    with Session(engine) as session, session.begin():
        for n in range(4):
            ids.append(_plan(session, draft_id=f"d-two-{n}").id)
        for n in range(2):  # just filed: each gets the question "may I check in later?", once
            report, _ = reports.submit_report(session, draft(f"d-new-{n}"), now=now - timedelta(minutes=5))
            ids.append(report.id)
    sent: list[tuple[str, str]] = []
    lock = threading.Lock()

    def slow_sender(channel, conversation_id, text, buttons, marker=None, key=None):
        time.sleep(0.05)  # both workers are busy at the same time
        with lock:
            sent.append((conversation_id, text))

    start = threading.Barrier(2)
    counts: list[int] = []

    def one_worker():
        start.wait()
        counts.append(worker.send_due(now, slow_sender))

    try:
        threads = [threading.Thread(target=one_worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        # 4 reports x 2 due check-ins (day 1 and day 3), and 2 questions: 10 rows, each sent by exactly one worker
        assert sum(counts) == len(sent) == 10
        with Session(engine) as session:
            states = session.execute(select(aftercare.AftercareCheckin.state, func.count())
                                     .where(aftercare.AftercareCheckin.report_id.in_(ids))
                                     .group_by(aftercare.AftercareCheckin.state)).all()
            assert dict(states) == {"sent": 10, "pending": 4}
        assert worker.send_due(now, slow_sender) == 0  # a third round sends nothing more
    finally:
        with Session(engine) as session, session.begin():
            for report_id in ids:
                aftercare.delete_for_report(session, report_id)
                erasure.delete_report(session, session.get(Report, report_id))
        engine.dispose()


@pytest.mark.parametrize("answer", ["geweldig", ""])
def test_an_unknown_answer_is_refused(session, answer):
    report = _plan(session)
    with pytest.raises(ValueError):
        aftercare.record_answer(session, report.id, answer)
