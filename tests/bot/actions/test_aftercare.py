"""Aftercare check-ins (issue 14 item 1) with a fake clock: the question after filing (typed or button answer),
exactly three check-ins at the
protocol's moments across worker restarts, "stop" ends them, "niet goed" reaches the contact person (no story),
no consent means none, retries with backoff. The check-in in each messenger: test_aftercare_channels.py."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions import aftercare as worker
from actions import identity
from actions.aftercare import ActionAftercareAnswer, ActionAftercareConsent, ActionAftercareOffer, answer_of
from actions.not_understood import NOT_SURE, ActionNotUnderstood
from actions.report_fields import ReportDraft
from actions.store import aftercare as store
from actions.store import erasure, reports
from actions.store.models import OutboxMessage, Report
from core.texts import DANGER_LINE
from tests.bot.actions.store.test_lifecycle import STORY, draft
from tests.conftest import asked_before

DAY = timedelta(days=1)
SENDER = "telegram:4242"


@pytest.fixture
def contacts(tmp_path, monkeypatch, smtp_server):
    path = tmp_path / "contacts.yml"
    path.write_text("leiden:\n  handoff:\n    notify: {email: griffie@leiden.example}\n")
    monkeypatch.setenv("CONTACTS_FILE", str(path))
    monkeypatch.setenv("SMTP_HOST", smtp_server.hostname)
    monkeypatch.setenv("SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("GRIFFIE_URL", "https://griffie.example")
    smtp_server.inbox.messages.clear()
    return smtp_server


class Recorder:
    """A messenger that records what the worker sent: check-ins in `sent` (channel, conversation id, text, button
    titles, fake now), the question "may I check in later?" in `offers` (the same, with the tracker marker)."""

    def __init__(self, clock: list[datetime]) -> None:
        self.clock = clock
        self.sent: list[tuple] = []
        self.offers: list[tuple] = []
        self.fail = 0
        self.keys: list[str | None] = []  # the idempotency key of every attempt

    def __call__(self, channel, conversation_id, text, buttons, marker=None, key=None):
        self.keys.append(key)
        if self.fail:
            self.fail -= 1
            raise ConnectionRefusedError
        record = (channel, conversation_id, text, [b["title"] for b in buttons], self.clock[0])
        (self.offers if marker else self.sent).append(record + ((marker,) if marker else ()))


_FILED = [0]


async def _file(connection, channel="telegram"):
    """A report filed now from SENDER in `channel` (as actions/report_summary.py files it: store.reports)."""
    _FILED[0] += 1
    d = draft(f"d-care-{_FILED[0]}", identity=identity.identity_hash(channel, SENDER))
    with Session(bind=connection) as s:
        report, _ = reports.submit_report(s, ReportDraft(**{**d.__dict__, "identity_channel": channel}))
        s.flush()
        return report.reference


def _tracker(tracker_factory, reference, intent="affirm", text="", entities=None, sender=SENDER):
    tracker = tracker_factory(slots={"report_status": "submitted", "report_reference": reference},
                              text=text, intent=intent, sender_id=sender)
    tracker.events[0]["input_channel"] = "bridge"  # the Telegram bridge's channel: identity channel "telegram"
    if entities:
        tracker.latest_message["entities"] = entities
    return tracker


async def _filed_with(connection, consent: bool | None, dispatcher, tracker_factory, domain, how="typed"):
    """File a report, let a worker ask the question, answer it (typed "ja"/"nee" or a button; None: never)."""
    reference = await _file(connection)
    clock = [datetime.now(UTC)]
    asked = Recorder(clock)
    worker.send_due(clock[0], asked)
    assert len(asked.offers) == 1
    if consent is None:
        return reference
    if how == "typed":
        tracker = _tracker(tracker_factory, reference, intent="affirm" if consent else "deny")
        await ActionAftercareConsent().run(dispatcher, tracker, domain)
    else:
        value = "ja" if consent else "nee"
        tracker = _tracker(tracker_factory, reference, intent="aftercare_answer",
                           entities=[{"entity": "aftercare_answer", "value": value}])
        await ActionAftercareAnswer().run(dispatcher, tracker, domain)
    return reference


def _report(connection, reference) -> Report:
    with Session(bind=connection) as s:
        report = s.scalar(select(Report).where(Report.reference == reference))
        s.expunge_all()
    return report


def _round(clock, moment, recorder) -> int:
    """One worker 'process': started, one round at the fake time `moment`, stopped (nothing kept in memory)."""
    clock[0] = moment
    stop = threading.Event()

    def tick():
        stop.set()  # the loop ends after this round
        return clock[0]

    worker.run(stop, 0, clock=tick, sender=recorder)
    return len(recorder.sent)


async def _first_checkin_sent(connection, dispatcher, tracker_factory, domain):
    """A report filed with consent and its first check-in sent a day later: (reference, the fake clock)."""
    reference = await _filed_with(connection, True, dispatcher, tracker_factory, domain)
    filed = _report(connection, reference).created_at.replace(tzinfo=UTC)
    clock = [filed]
    assert _round(clock, filed + DAY, Recorder(clock)) == 1
    return reference, clock


@pytest.mark.parametrize("how", ["typed", "button"])
async def test_after_filing_the_bot_asks_once_with_buttons(connection, dispatcher, tracker_factory, domain, how):
    reference = await _file(connection)
    clock = [datetime.now(UTC)]
    asked = Recorder(clock)
    assert worker.send_due(clock[0], asked) == 1 and worker.send_due(clock[0] + timedelta(minutes=1), asked) == 0
    [(channel, conversation, text, titles, _at, marker)] = asked.offers  # asked once, by one of the rounds
    assert (channel, conversation, marker) == ("telegram", SENDER, "action_aftercare_offer")
    assert text == ("Mag ik u later vragen hoe het met u gaat? Dat doe ik over een dag, over drie dagen en over "
                    "vier weken, hier in dit gesprek.")
    assert titles == ["Ja, dat mag", "Nee, liever niet"]
    if how == "typed":  # "ja" right after the question (the rules: action_aftercare_offer, affirm)
        await ActionAftercareConsent().run(dispatcher, _tracker(tracker_factory, reference), domain)
    else:
        await ActionAftercareAnswer().run(dispatcher, _tracker(tracker_factory, reference, intent="aftercare_answer",
                                          entities=[{"entity": "aftercare_answer", "value": "ja"}]), domain)
    assert dispatcher.messages[-1]["text"] == ("Goed. Ik vraag het u over een dag, over drie dagen en over vier weken. "
                                               "Wilt u dat niet meer? Typ dan 'stop met berichten'.")
    with Session(bind=connection) as s:
        report = s.scalar(select(Report).where(Report.reference == reference))
        assert store.plan_for(s, report.id).consent is True and len(store.checkins(s, report.id)) == 3


async def _unclear(dispatcher, tracker_factory, domain, reference, after=worker.OFFER_ACTION, sender=SENDER) -> list:
    """An emoji (nlu_fallback) answering what `after` asked: what action_not_understood and then
    action_aftercare_offer say (rule "Niet begrepen bij de vraag ..." in data/rules/aftercare.yml)."""
    dispatcher.messages.clear()
    tracker = _tracker(tracker_factory, reference, intent="nlu_fallback", text="🤷", sender=sender)
    assert await ActionNotUnderstood().run(dispatcher, asked_before(tracker, after), domain) == []
    assert await ActionAftercareOffer().run(dispatcher, tracker, domain) == []
    return list(dispatcher.messages)


async def test_a_message_not_understood_after_the_question_asks_it_again_and_a_typed_yes_answers(
        connection, dispatcher, tracker_factory, domain):
    """An emoji right after "may I check in later?": not "tell me what happened" but "not sure", 112 and the same
    question with its buttons; a typed "ja" after that gives consent (rule "Ja op de vraag ..."); answered, it is
    not asked again."""
    reference = await _file(connection)
    clock = [datetime.now(UTC)]
    asked = Recorder(clock)
    assert worker.send_due(clock[0], asked) == 1
    said = await _unclear(dispatcher, tracker_factory, domain, reference)
    assert said[0]["text"] == f"{NOT_SURE} {worker.DANGER}" and "112" in said[0]["text"]
    assert said[1]["text"] == asked.offers[0][2]  # the same question
    assert [b["title"] for b in said[1]["buttons"]] == ["Ja, dat mag", "Nee, liever niet"]

    await ActionAftercareConsent().run(dispatcher, _tracker(tracker_factory, reference), domain)
    with Session(bind=connection) as s:
        assert store.plan_for(s, _report(connection, reference).id).consent is True
    assert [m.get("response") for m in await _unclear(dispatcher, tracker_factory, domain, reference)] == ["utter_default"]


async def test_the_question_asked_again_is_the_open_one_not_the_last_filed(connection, dispatcher, tracker_factory,
                                                                           domain):
    """Two reports: the first one's question is open, the second one's answered by its button. The emoji after the
    first one's question asks that one again, and the typed "ja" is stored with it."""
    first = await _file(connection)
    clock = [datetime.now(UTC)]
    asked = Recorder(clock)
    assert worker.send_due(clock[0], asked) == 1
    second = await _file(connection)
    assert worker.send_due(clock[0] + timedelta(minutes=1), asked) == 1
    await ActionAftercareAnswer().run(dispatcher, _tracker(tracker_factory, second, intent="aftercare_answer",
                                      entities=[{"entity": "aftercare_answer", "value": "nee"}]), domain)
    said = await _unclear(dispatcher, tracker_factory, domain, second)  # the slot names the second report
    assert said[0]["text"].startswith(NOT_SURE) and said[1]["text"] == asked.offers[0][2]
    await ActionAftercareConsent().run(dispatcher, _tracker(tracker_factory, second), domain)
    with Session(bind=connection) as s:
        assert store.plan_for(s, _report(connection, first).id).consent is True
        assert store.plan_for(s, _report(connection, second).id).consent is False


async def test_a_message_not_understood_asks_for_words_without_an_open_question(connection, dispatcher,
                                                                                tracker_factory, domain):
    """Not after the question (after the filing itself), no question sent (a report filed over REST, or before the
    worker asked), or the report withdrawn: the plain answer, and no question asked again."""
    reference = await _file(connection)
    assert [m.get("response") for m in await _unclear(dispatcher, tracker_factory, domain, reference)] == ["utter_default"]
    clock = [datetime.now(UTC)]
    assert worker.send_due(clock[0], Recorder(clock)) == 1
    said = await _unclear(dispatcher, tracker_factory, domain, reference, after="action_submit_report")
    assert said[0].get("response") == "utter_default"  # (no rule runs the question after it here)
    with Session(bind=connection) as s:
        s.get(Report, _report(connection, reference).id).status = store.WITHDRAWN
        s.commit()
    assert [m.get("response") for m in await _unclear(dispatcher, tracker_factory, domain, reference)] == ["utter_default"]
    # a typed "ja" after that (the rule still ran the silent question) promises no check-ins for a withdrawn report
    await ActionAftercareConsent().run(dispatcher, _tracker(tracker_factory, reference), domain)
    assert dispatcher.messages[-1]["text"].startswith("Ik weet niet over welke melding dit gaat.")
    with Session(bind=connection) as s:
        assert store.plan_for(s, _report(connection, reference).id).consent is None


async def test_no_question_where_the_bot_cannot_write_first_nor_for_old_reports(connection, dispatcher,
                                                                                tracker_factory, domain):
    await _file(connection, channel="rest")
    clock = [datetime.now(UTC)]
    asked = Recorder(clock)
    assert worker.send_due(clock[0], asked) == 0 and asked.offers == []
    await _file(connection)  # a messenger, but the worker comes two hours later
    assert worker.send_due(clock[0] + timedelta(hours=2), asked) == 0 and asked.offers == []


async def test_with_consent_exactly_three_check_ins_at_the_right_times_across_restarts(
        connection, dispatcher, tracker_factory, domain):
    reference = await _filed_with(connection, True, dispatcher, tracker_factory, domain)
    filed = _report(connection, reference).created_at.replace(tzinfo=UTC)
    clock = [filed]
    sent = Recorder(clock)
    expected = []
    # every "process" below is a new worker: the schedule lives in the database only
    for moment, total in [(filed + DAY - timedelta(seconds=1), 0), (filed + DAY, 1), (filed + DAY + timedelta(hours=1), 1),
                          (filed + 3 * DAY, 2), (filed + 27 * DAY, 2), (filed + 28 * DAY, 3), (filed + 90 * DAY, 3)]:
        assert _round(clock, moment, sent) == total, moment
    for due in (filed + DAY, filed + 3 * DAY, filed + 28 * DAY):
        expected.append(("telegram", SENDER, sent.sent[0][2], ["Goed", "Niet goed", "Ik wil praten", "Stop"], due))
    assert sent.sent == expected
    assert "Hoe gaat het nu met u?" in sent.sent[0][2] and reference in sent.sent[0][2]
    assert STORY.lower() not in sent.sent[0][2].lower()


async def test_a_worker_that_dies_while_sending_is_replaced_after_the_lease_and_sends_once(
        connection, dispatcher, tracker_factory, domain):
    reference = await _filed_with(connection, True, dispatcher, tracker_factory, domain)
    filed = _report(connection, reference).created_at.replace(tzinfo=UTC)
    clock = [filed + DAY]

    def dies(*_args, **_kwargs):
        raise KeyboardInterrupt  # the process is killed after claiming, before anything reached the user

    with pytest.raises(KeyboardInterrupt):
        worker.send_due(clock[0], dies)
    sent = Recorder(clock)
    assert _round(clock, filed + DAY + timedelta(minutes=1), sent) == 0  # the claim still holds
    assert _round(clock, filed + DAY + store.LEASE + timedelta(seconds=1), sent) == 1
    assert _round(clock, filed + 2 * DAY, sent) == 1


@pytest.mark.parametrize("how", ["typed", "button"])
async def test_no_consent_no_check_ins(connection, dispatcher, tracker_factory, domain, how):
    await _filed_with(connection, False, dispatcher, tracker_factory, domain, how=how)
    assert "geen berichten" in dispatcher.messages[-1]["text"]
    clock = [datetime.now(UTC)]
    sent = Recorder(clock)
    for days in (1, 3, 28, 60):
        assert _round(clock, datetime.now(UTC) + days * DAY, sent) == 0


async def test_never_answered_the_offer_no_check_ins(connection, dispatcher, tracker_factory, domain):
    await _filed_with(connection, None, dispatcher, tracker_factory, domain)
    clock = [datetime.now(UTC)]
    assert _round(clock, datetime.now(UTC) + 60 * DAY, Recorder(clock)) == 0


@pytest.mark.parametrize("how", [{"entities": [{"entity": "aftercare_answer", "value": "stop"}]},
                                 {"text": "stop met berichten"}], ids=["button", "typed"])
async def test_stop_ends_the_remaining_check_ins_at_once(connection, dispatcher, tracker_factory, domain, how):
    reference = await _filed_with(connection, True, dispatcher, tracker_factory, domain)
    filed = _report(connection, reference).created_at.replace(tzinfo=UTC)
    clock = [filed]
    sent = Recorder(clock)
    assert _round(clock, filed + DAY, sent) == 1
    await ActionAftercareAnswer().run(dispatcher, _tracker(tracker_factory, reference, intent="aftercare_answer", **how), domain)
    assert dispatcher.messages[-1]["text"].startswith(f"Goed. U krijgt geen berichten meer over melding {reference}.")
    for days in (3, 28, 60):
        assert _round(clock, filed + days * DAY, sent) == 1
    with Session(bind=connection) as s:
        states = [c.state for c in store.checkins(s, _report(connection, reference).id)]
    assert states == ["sent", "cancelled", "cancelled"]


@pytest.mark.parametrize("answer", ["niet_goed", "praten"])
async def test_not_good_offers_the_support_line_and_reaches_the_contact_without_the_story(
        connection, contacts, dispatcher, tracker_factory, domain, answer):
    reference, clock = await _first_checkin_sent(connection, dispatcher, tracker_factory, domain)
    contacts.inbox.messages.clear()  # the filing's own notification
    tracker = _tracker(tracker_factory, reference, intent="aftercare_answer",
                       entities=[{"entity": "aftercare_answer", "value": answer}])
    await ActionAftercareAnswer().run(dispatcher, tracker, domain)
    said = dispatcher.messages[-1]["text"]
    # Leiden's aftercare section names the Ondersteuningsteam Weerbaar Bestuur (§7.3), with its website
    assert "Ondersteuningsteam Weerbaar Bestuur" in said and "weerbaarbestuur.nl" in said
    assert "Ik heb de griffier laten weten dat u nazorg vraagt." in said and DANGER_LINE in said
    [mail] = contacts.inbox.messages
    body = mail.get_payload(decode=True).decode()
    assert mail["Subject"] == f"Meldhulp: nazorg gevraagd bij melding {reference}"
    assert reference in body and "Leiden" in body and "nazorg" in body
    for free_text in (STORY, "antwoord who", "antwoord where", "antwoord why"):
        assert free_text.lower() not in (body + mail["Subject"]).lower()
    with Session(bind=connection) as s:
        report = s.scalar(select(Report).where(Report.reference == reference))
        status = store.status_of(s, [report.id])[report.id]
        [row] = [m for m in s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "aftercare"))]
    assert status.last_answer == answer and (row.state, row.route) == ("delivered", "email")


async def test_a_person_in_distress_keeps_their_aftercare_and_the_contact_hears_of_it(
        connection, contacts, dispatcher, tracker_factory, domain):
    reference = await _filed_with(connection, True, dispatcher, tracker_factory, domain)
    filed = _report(connection, reference).created_at.replace(tzinfo=UTC)
    clock = [filed]
    sent = Recorder(clock)
    assert _round(clock, filed + DAY, sent) == 1
    contacts.inbox.messages.clear()
    tracker = _tracker(tracker_factory, reference, intent="aftercare_answer",
                       text="het gaat niet goed met me, ik kan niet meer")
    await ActionAftercareAnswer().run(dispatcher, tracker, domain)
    said = dispatcher.messages[-1]["text"]
    assert "geen berichten meer" not in said and DANGER_LINE in said and "nazorg vraagt" in said
    assert len(contacts.inbox.messages) == 1
    assert _round(clock, filed + 3 * DAY, sent) == 2  # the next check-in still comes
    with Session(bind=connection) as s:
        report = _report(connection, reference)
        assert store.plan_for(s, report.id).stopped_at is None
        assert store.status_of(s, [report.id])[report.id].last_answer == "niet_goed"


async def test_good_is_thanked_and_nobody_is_bothered(connection, contacts, dispatcher, tracker_factory, domain):
    reference = await _filed_with(connection, True, dispatcher, tracker_factory, domain)
    contacts.inbox.messages.clear()
    tracker = _tracker(tracker_factory, reference, intent="aftercare_answer",
                       entities=[{"entity": "aftercare_answer", "value": "goed"}])
    await ActionAftercareAnswer().run(dispatcher, tracker, domain)
    assert dispatcher.messages[-1]["text"] == "Fijn dat het goed gaat. Dank u voor uw antwoord."
    assert contacts.inbox.messages == []


async def test_an_answer_that_is_none_of_the_four_gets_the_buttons_again(connection, dispatcher, tracker_factory, domain):
    tracker = _tracker(tracker_factory, "MLD-x", intent="aftercare_answer", text="hmm")
    await ActionAftercareAnswer().run(dispatcher, tracker, domain)
    assert [b["title"] for b in dispatcher.messages[-1]["buttons"]] == ["Goed", "Niet goed", "Ik wil praten", "Stop"]


@pytest.mark.parametrize("typed, answer", [("stop met berichten", "stop"), ("het gaat niet goed met me", "niet_goed"),
                                           ("ik wil er graag over praten", "praten"), ("het gaat goed met me", "goed"),
                                           ("het gaat slecht", "niet_goed"), ("tja", None)])
def test_typed_answers(tracker_factory, typed, answer):
    assert answer_of(tracker_factory(text=typed, intent="aftercare_answer")) == answer


@pytest.mark.parametrize("typed, answer", [
    # distress is never read as "stop" (review of issue 14): the words "niet meer" are about the person, not the messages
    ("het gaat niet goed met me, ik kan niet meer", "niet_goed"),
    ("het gaat nog steeds niet goed, ik kan het niet meer aan", "niet_goed"),
    ("Ik kan niet meer.", "niet_goed"),
    ("het gaat niet goed, stop maar met de berichten", "niet_goed"),
    ("ik wil graag praten, stuur geen berichten meer", "praten"),
    # someone else's messages are not these
    ("Het gaat goed, ik krijg geen berichten meer van hem", "goed"),
    ("Ik wil geen berichten meer van hem, verder gaat het goed", "goed"),
    ("ik krijg geen berichten meer", None),
    # a negated wish to talk is not one; unclear means the buttons again, never stop
    ("Ik wil niet praten, het gaat wel", None),
    ("ik hoef niet te bellen, het gaat prima", "goed"),
    ("ik wil niet meer", None),
    ("niet meer", None),
    # only a wish about these messages stops them
    ("stop", "stop"), (" Stop! ", "stop"), ("stoppen", "stop"), ("stop met de berichten", "stop"),
    ("Stop met deze nazorgberichten", "stop"), ("stuur me geen berichten meer", "stop"),
    ("ik wil geen berichten meer", "stop"), ("ik wil geen berichten meer van u", "stop"),
    ("het gaat goed, stuur maar geen berichten meer", "stop"),
])
def test_typed_answers_read_distress_before_stop(tracker_factory, typed, answer):
    assert answer_of(tracker_factory(text=typed, intent="aftercare_answer")) == answer


async def test_a_failed_send_is_retried_with_backoff_then_given_up(connection, dispatcher, tracker_factory, domain,
                                                                   monkeypatch):
    monkeypatch.setenv("OUTBOX_RETRY_SECONDS", "60")
    monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "3")
    reference = await _filed_with(connection, True, dispatcher, tracker_factory, domain)
    filed = _report(connection, reference).created_at.replace(tzinfo=UTC)
    clock = [filed]
    sent = Recorder(clock)
    sent.fail = 5
    t1 = filed + DAY
    assert _round(clock, t1, sent) == 0  # attempt 1 failed
    assert _round(clock, t1 + timedelta(seconds=30), sent) == 0 and sent.fail == 4  # not due again yet
    assert _round(clock, t1 + timedelta(seconds=61), sent) == 0 and sent.fail == 3  # attempt 2 failed
    assert _round(clock, t1 + timedelta(hours=1), sent) == 0 and sent.fail == 2  # attempt 3: given up
    with Session(bind=connection) as s:
        first = store.checkins(s, _report(connection, reference).id)[0]
    assert (first.state, first.attempts, first.last_error) == ("failed", 3, "ConnectionRefusedError")
    assert len(sent.keys) == 3 and len(set(sent.keys)) == 1 and sent.keys[0]  # one key for every attempt
    sent.fail = 0
    assert _round(clock, filed + 3 * DAY, sent) == 1  # the next moment is not affected


async def test_erasure_asked_means_no_more_check_ins(connection, dispatcher, tracker_factory, domain):
    reference = await _filed_with(connection, True, dispatcher, tracker_factory, domain)
    report = _report(connection, reference)
    filed = report.created_at.replace(tzinfo=UTC)
    with Session(bind=connection) as s:
        erasure.mark_for_erasure(s, report.identity_hash, filed + 30 * DAY)
        s.flush()
    clock = [filed]
    assert _round(clock, filed + 3 * DAY, Recorder(clock)) == 0


async def test_a_withdrawn_report_gets_no_more_check_ins(connection, dispatcher, tracker_factory, domain):
    reference = await _filed_with(connection, True, dispatcher, tracker_factory, domain)
    filed = _report(connection, reference).created_at.replace(tzinfo=UTC)
    clock = [filed]
    sent = Recorder(clock)
    assert _round(clock, filed + DAY, sent) == 1
    with Session(bind=connection) as s:
        reports.withdraw(s, s.scalar(select(Report).where(Report.reference == reference)), filed + 2 * DAY)
        s.flush()
    for days in (3, 28, 60):
        assert _round(clock, filed + days * DAY, sent) == 1
    with Session(bind=connection) as s:
        report = s.scalar(select(Report).where(Report.reference == reference))
        assert [c.state for c in store.checkins(s, report.id)] == ["sent", "cancelled", "cancelled"]
        assert store.plan_for(s, report.id).stopped_by == "ingetrokken"


async def test_answers_after_erasure_was_asked_are_not_kept(connection, contacts, dispatcher, tracker_factory, domain):
    reference, clock = await _first_checkin_sent(connection, dispatcher, tracker_factory, domain)
    report = _report(connection, reference)
    with Session(bind=connection) as s:
        filed = report.created_at.replace(tzinfo=UTC)
        erasure.mark_for_erasure(s, report.identity_hash, filed + 30 * DAY)  # "verwijder mijn gegevens"
        s.flush()
    contacts.inbox.messages.clear()
    await ActionAftercareAnswer().run(dispatcher, _tracker(tracker_factory, reference, intent="aftercare_answer",
                                      entities=[{"entity": "aftercare_answer", "value": "niet_goed"}]), domain)
    assert DANGER_LINE in dispatcher.messages[-1]["text"]  # still the support line and 112
    with Session(bind=connection) as s:
        assert store.plan_for(s, report.id).last_answer is None
        assert [c.answer for c in store.checkins(s, report.id)] == [None, None, None]
        assert s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "aftercare")) is None
    assert contacts.inbox.messages == []


async def test_an_unanswered_offer_cannot_be_answered_after_erasure_was_asked(connection, dispatcher, tracker_factory,
                                                                              domain):
    reference = await _filed_with(connection, None, dispatcher, tracker_factory, domain)
    report = _report(connection, reference)
    with Session(bind=connection) as s:
        erasure.mark_for_erasure(s, report.identity_hash, datetime.now(UTC) + 30 * DAY)
        s.flush()
    await ActionAftercareConsent().run(dispatcher, _tracker(tracker_factory, "MLD-none"), domain)
    with Session(bind=connection) as s:
        assert store.plan_for(s, report.id).consent is None and store.checkins(s, report.id) == []


async def test_stop_while_a_check_in_is_being_sent_keeps_it_stopped(connection, dispatcher, tracker_factory, domain,
                                                                    monkeypatch):
    """The user says stop after the worker claimed a check-in: it is not sent, and the next ones neither."""
    reference = await _filed_with(connection, True, dispatcher, tracker_factory, domain)
    filed = _report(connection, reference).created_at.replace(tzinfo=UTC)
    clock = [filed + DAY]
    sent = Recorder(clock)
    real_still_wanted = getattr(store, "still_wanted", lambda session, checkin_id: True)

    def stop_comes_in(session, checkin_id):  # "stop" arrives between the claim and the send
        with Session(bind=connection) as s:
            store.stop(s, _report(connection, reference).id, "melder", clock[0])
            s.flush()
        return real_still_wanted(session, checkin_id)

    monkeypatch.setattr(store, "still_wanted", stop_comes_in, raising=False)
    assert worker.send_due(clock[0], sent) == 0 and sent.sent == []
    with Session(bind=connection) as s:
        assert [c.state for c in store.checkins(s, _report(connection, reference).id)] == ["cancelled"] * 3


async def test_a_database_error_while_notifying_the_contact_keeps_the_answer_and_says_not_yet(
        connection, contacts, dispatcher, tracker_factory, domain, monkeypatch):
    from sqlalchemy.exc import OperationalError

    reference, clock = await _first_checkin_sent(connection, dispatcher, tracker_factory, domain)

    def broken(*_args, **_kwargs):
        raise OperationalError("claim", {}, Exception("gone"))

    monkeypatch.setattr(worker, "deliver_notice", broken)
    await ActionAftercareAnswer().run(dispatcher, _tracker(tracker_factory, reference, intent="aftercare_answer",
                                      entities=[{"entity": "aftercare_answer", "value": "niet_goed"}]), domain)
    said = dispatcher.messages[-1]["text"]
    assert "storing" not in said and "Dat lukt nog niet; ik probeer het opnieuw." in said and DANGER_LINE in said
    with Session(bind=connection) as s:
        report = s.scalar(select(Report).where(Report.reference == reference))
        assert store.plan_for(s, report.id).last_answer == "niet_goed"
        [row] = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "aftercare"))
        assert row.state == "pending"  # the worker delivers it later


# --- the check-in in each messenger -----------------------------------------------------------------------------
