"""The user's side of a filed report: status, withdraw, add, erase; only from the identity that filed it."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from actions import texts
from actions.report_lifecycle import (
    NOT_FOUND,
    NOT_FOUND_TEXT,
    ActionLifecycleFinish,
    ActionLifecycleStart,
    ValidateLifecycleForm,
    reference_in,
)
from actions.report_summary import ActionReportSummary, ActionSubmitReport
from actions.store import audit, reports
from actions.store.models import OutboxMessage, Report
from tests.bot.actions.test_report import FILLED, slots_of, summary_shown

SENDER = "widget-sessie-1"


async def _filed(dispatcher, tracker_factory, domain, sender=SENDER) -> str:
    summary = await ActionReportSummary().run(dispatcher, tracker_factory(slots=FILLED), domain)
    events = await ActionSubmitReport().run(dispatcher, summary_shown(tracker_factory(slots={**FILLED, **slots_of(summary)},
                                                                                      sender_id=sender)), domain)
    return slots_of(events)["report_reference"]


async def _ask(tracker_factory, domain, dispatcher, intent, text, sender=SENDER, **slots):
    start = slots_of(await ActionLifecycleStart().run(dispatcher, tracker_factory(text=text, intent=intent,
                                                                                  sender_id=sender), domain))
    all_slots = {**start, **slots}
    await ActionLifecycleFinish().run(dispatcher, tracker_factory(slots=all_slots, sender_id=sender), domain)
    return start, dispatcher.messages[-1]["text"]


def test_reference_in_typed_text():
    assert reference_in("hoe staat het met mld-20260302-ab3cd4?") == "MLD-20260302-AB3CD4"
    assert reference_in("MLD 20260302 AB3CD4") == "MLD-20260302-AB3CD4"
    assert reference_in("mijn melding") is None


async def test_status_of_the_only_report_without_a_number(connection, dispatcher, tracker_factory, domain):
    reference = await _filed(dispatcher, tracker_factory, domain)
    start, said = await _ask(tracker_factory, domain, dispatcher, "ask_report_status", "hoe staat het met mijn melding?")
    assert start["lookup_reference"] == reference and start["lifecycle"] == "status"
    assert said.startswith(f"Melding {reference}: Uw melding is ontvangen.")


async def test_status_shows_the_new_status_never_the_note(connection, dispatcher, tracker_factory, domain):
    reference = await _filed(dispatcher, tracker_factory, domain)
    with Session(bind=connection) as s:
        report = s.scalars(select(Report)).one()
        reports.change_status(s, report.id, "in_behandeling", "interne notitie: dader bekend", "griffier", False)
        s.flush()
    _start, said = await _ask(tracker_factory, domain, dispatcher, "ask_report_status", f"status {reference}")
    assert "Uw melding wordt behandeld" in said and "notitie" not in said


async def test_another_identity_hears_the_same_as_a_wrong_number(connection, dispatcher, tracker_factory, domain):
    reference = await _filed(dispatcher, tracker_factory, domain)
    other = "widget-sessie-2"
    start, said = await _ask(tracker_factory, domain, dispatcher, "ask_report_status", "hoe staat het met mijn melding?",
                             sender=other)
    assert start["lookup_reference"] is None  # nothing filed from here: the form asks for the number
    validated = slots_of(await ValidateLifecycleForm().run(dispatcher, tracker_factory(
        slots={"lifecycle": "status", "requested_slot": "lookup_reference"}, new_slots={"lookup_reference": reference},
        text=reference, active_loop="lifecycle_form", sender_id=other), domain))
    assert validated["lookup_reference"] == NOT_FOUND
    wrong = slots_of(await ValidateLifecycleForm().run(dispatcher, tracker_factory(
        slots={"lifecycle": "status", "requested_slot": "lookup_reference"}, new_slots={"lookup_reference": "MLD-20200101-AAAAAA"},
        text="MLD-20200101-AAAAAA", active_loop="lifecycle_form", sender_id=SENDER), domain))
    assert wrong["lookup_reference"] == NOT_FOUND
    await ActionLifecycleFinish().run(dispatcher, tracker_factory(slots={"lifecycle": "status", "lookup_reference": NOT_FOUND},
                                                                  sender_id=other), domain)
    assert dispatcher.messages[-1]["text"] == NOT_FOUND_TEXT
    # the reference in the message itself, from the wrong identity: the same answer
    _start, said = await _ask(tracker_factory, domain, dispatcher, "ask_report_status", f"status {reference}", sender=other)
    assert said == NOT_FOUND_TEXT


async def test_withdraw_after_yes_keeps_the_report_and_notifies(connection, dispatcher, tracker_factory, domain):
    reference = await _filed(dispatcher, tracker_factory, domain)
    _start, said = await _ask(tracker_factory, domain, dispatcher, "withdraw_report", "ik wil mijn melding intrekken",
                              lifecycle_confirm=False)
    assert "blijft staan" in said
    _start, said = await _ask(tracker_factory, domain, dispatcher, "withdraw_report", "ik wil mijn melding intrekken",
                              lifecycle_confirm=True)
    assert f"Melding {reference} is ingetrokken" in said
    with Session(bind=connection) as s:
        report = s.scalars(select(Report)).one()
        assert report.status == "ingetrokken"
        assert [h.status for h in reports.status_history(s, report.id)] == ["nieuw", "ingetrokken"]
        assert "withdrawn" in {m.event for m in s.scalars(select(OutboxMessage))}


async def test_addition_is_stored_encrypted(connection, dispatcher, tracker_factory, domain):
    reference = await _filed(dispatcher, tracker_factory, domain)
    _start, said = await _ask(tracker_factory, domain, dispatcher, "add_to_report", "ik wil iets toevoegen",
                              lifecycle_addition="Hij stond gisteren weer bij mijn huis")
    assert f"toegevoegd aan melding {reference}" in said
    raw = connection.execute(text("SELECT note FROM report_events WHERE kind = 'addition'")).scalar_one()
    assert "Hij stond" not in raw


async def test_erase_queues_the_conversation_and_marks_the_report(connection, dispatcher, tracker_factory, domain,
                                                                  monkeypatch):
    monkeypatch.setenv("ERASURE_REPORT_DAYS", "30")
    reference = await _filed(dispatcher, tracker_factory, domain)
    start, said = await _ask(tracker_factory, domain, dispatcher, "erase_my_data", "verwijder mijn gegevens",
                             lifecycle_confirm=True)
    assert start["lifecycle"] == "erase" and start["lookup_reference"] is None
    assert "wis dit gesprek binnen een paar minuten" in said and reference in said and "over 30 dagen" in said
    with Session(bind=connection) as s:
        assert s.scalars(select(Report)).one().erase_after is not None
        [job] = [m for m in s.scalars(select(OutboxMessage)) if m.kind == "erase"]
        assert job.target == SENDER and job.state == "pending"
        assert [a.action for a in audit.audit_entries(s, reference=reference)] == ["erased"]


@pytest.mark.parametrize("kind, expected", [("status", ["lookup_reference"]), ("withdraw", ["lookup_reference", "lifecycle_confirm"]),
                                            ("add", ["lookup_reference", "lifecycle_addition"]), ("erase", ["lifecycle_confirm"])])
async def test_the_form_asks_what_the_request_needs(dispatcher, tracker_factory, domain, kind, expected):
    tracker = tracker_factory(slots={"lifecycle": kind})
    assert await ValidateLifecycleForm().required_slots([], dispatcher, tracker, domain) == expected


@pytest.mark.parametrize("typed, intent, value, expected", [
    ("weet ik niet", "deny", "weet ik niet", None), ("nee", "deny", "nee", False), ("ja", "affirm", "ja", True),
    ("geen idee", "deny", "geen idee", None), ("/affirm", "affirm", "/affirm", True), ("/deny", "deny", "/deny", False),
    # the words decide before the model's affirm/deny: erasing cannot be undone
    ("nee", "affirm", "nee", False), ("nee, niet wissen", "affirm", "nee, niet wissen", False), ("klopt niet", "affirm", "klopt niet", False),
    ("ja", "nlu_fallback", "ja", True), ("blabla", "nlu_fallback", "blabla", None),
    # a yes the model read as no, or a yes taken back: asked again (withdrawing and erasing cannot be undone)
    ("ja graag", "deny", "ja graag", None), ("doe maar niet", "deny", "doe maar niet", None),
    ("graag niet", "affirm", "graag niet", None), ("ja nee, toch maar niet", "affirm", "ja nee, toch maar niet", None),
    ("ja, maar wacht even", "affirm", "ja, maar wacht even", None), ("jawel maar niet wissen", "deny", "jawel maar niet wissen", None),
])
def test_the_confirmation_is_what_the_user_said(typed, intent, value, expected, dispatcher, tracker_factory, domain):
    """A button's payload decides by its intent; typed words by what they say, whatever the model made of them
    ("weet ik niet" understood as deny is no "nee": the question is asked again)."""
    tracker = tracker_factory(text=typed, intent=intent, active_loop="lifecycle_form")
    assert ValidateLifecycleForm().validate_lifecycle_confirm(value, dispatcher, tracker, domain) == {"lifecycle_confirm": expected}
    assert [m["text"] for m in dispatcher.messages] == ([texts.ANSWER_YES_NO] if expected is None else [])


def test_a_reset_confirmation_is_no_answer(dispatcher, tracker_factory, domain):
    tracker = tracker_factory(text="ja", intent="affirm", active_loop="lifecycle_form")
    assert ValidateLifecycleForm().validate_lifecycle_confirm(None, dispatcher, tracker, domain) == {"lifecycle_confirm": None}
    assert dispatcher.messages == []
