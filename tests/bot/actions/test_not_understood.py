"""A message not understood (nlu_fallback) while the summary waits for an answer: the buttons are asked for, 112 is
named and the summary comes again, nothing filed or lost; a "ja" after it files what was shown."""

from sqlalchemy import select

from actions.not_understood import DANGER, ActionNotUnderstood
from actions.report_summary import NOT_SURE_AT_SUMMARY, ROUTE_KEPT, ActionReportSummary, ActionSubmitReport
from actions.store.models import Report
from tests.bot.actions.test_report import FILLED, count, slots_of, summary_shown


async def shown_summary(dispatcher, tracker_factory, domain) -> dict:
    events = await ActionReportSummary().run(dispatcher, tracker_factory(slots=FILLED), domain)
    dispatcher.messages.clear()
    return {**FILLED, **slots_of(events)}


async def test_not_understood_at_the_summary_asks_for_a_button_and_a_yes_then_files(
        connection, dispatcher, tracker_factory, domain):
    slots = await shown_summary(dispatcher, tracker_factory, domain)
    tracker = summary_shown(tracker_factory(slots=slots, text="😡😡😡", intent="nlu_fallback"))
    kept = slots_of(await ActionNotUnderstood().run(dispatcher, tracker, domain))
    said = dispatcher.messages
    assert said[0]["text"] == f"{NOT_SURE_AT_SUMMARY} {DANGER}" and "112" in said[0]["text"]
    assert "Dit is uw melding:" in said[1]["text"]
    assert said[-1]["text"] == "Klopt dit? Zal ik de melding indienen?"
    assert [b["payload"] for b in said[-1]["buttons"]] == ["/affirm", "/change", "/deny"]
    assert kept["report_status"] == "confirming" and kept["report_draft_id"] == slots["report_draft_id"]
    assert count(connection) == 0

    again = summary_shown(tracker_factory(slots={**slots, **kept}, text="ja", intent="affirm"), "action_not_understood")
    assert slots_of(await ActionSubmitReport().run(dispatcher, again, domain))["report_status"] == "submitted"
    assert count(connection) == 1


async def test_a_municipality_in_the_message_not_understood_does_not_change_who_gets_the_report(
        connection, dispatcher, tracker_factory, domain):
    """"eh, Alkmaar?" is not understood but its entity sets the slot outside a form: the summary shown again and
    the report still name Leiden, whose contact gets it (review, session 34)."""
    slots = await shown_summary(dispatcher, tracker_factory, domain)
    tracker = summary_shown(tracker_factory(slots={**slots, "municipality": "Alkmaar"}, text="eh, Alkmaar?",
                                            intent="nlu_fallback"))
    kept = slots_of(await ActionNotUnderstood().run(dispatcher, tracker, domain))
    assert kept["municipality"] == "Leiden"
    assert dispatcher.messages[1]["text"] == ROUTE_KEPT  # said, with how to change it
    assert "Gemeente: Leiden" in dispatcher.messages[2]["text"] and "Alkmaar" not in dispatcher.messages[2]["text"]
    assert kept["report_draft_id"] == slots["report_draft_id"]  # what is shown did not change

    again = summary_shown(tracker_factory(slots={**slots, "municipality": "Alkmaar", **kept}, text="ja", intent="affirm"),
                          "action_not_understood")
    await ActionSubmitReport().run(dispatcher, again, domain)
    assert connection.execute(select(Report.municipality, Report.readable_by)).one() == ("Leiden", "leiden:griffier")


async def test_a_changed_summary_gets_a_new_draft_id(connection, dispatcher, tracker_factory, domain):
    """A value that changed since the summary was shown (here the category) is shown with a new draft id: the old
    question's "ja" cannot file what the user has not seen."""
    slots = await shown_summary(dispatcher, tracker_factory, domain)
    tracker = summary_shown(tracker_factory(slots={**slots, "category": "C"}, text="😡", intent="nlu_fallback"))
    kept = slots_of(await ActionNotUnderstood().run(dispatcher, tracker, domain))
    assert "schelden (C)" in dispatcher.messages[1]["text"]
    assert kept["report_draft_id"] and kept["report_draft_id"] != slots["report_draft_id"]
    assert count(connection) == 0


async def test_outside_the_summary_it_asks_to_tell_it_in_words(dispatcher, tracker_factory, domain):
    for slots in ({}, {"report_status": "submitted"}):
        dispatcher.messages.clear()
        events = await ActionNotUnderstood().run(dispatcher, tracker_factory(slots=slots, text="😡", intent="nlu_fallback"),
                                                 domain)
        assert events == []
        assert [message["response"] for message in dispatcher.messages] == ["utter_default"]
