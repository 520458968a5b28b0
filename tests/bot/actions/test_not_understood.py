"""A message not understood (nlu_fallback): at the summary the buttons are asked for and the summary comes again,
nothing filed or lost; anywhere else the general "Dat begrijp ik niet goed"."""

import pytest

from actions.not_understood import ActionNotUnderstood
from actions.report_summary import NOT_SURE_AT_SUMMARY, ActionReportSummary, ActionSubmitReport
from tests.bot.actions.test_report import FILLED, count, slots_of, summary_shown


@pytest.mark.parametrize("typed", ["😡😡😡", "👍", "asdfghjkl"])
async def test_not_understood_at_the_summary_asks_for_a_button_and_a_yes_then_files(
        connection, dispatcher, tracker_factory, domain, typed):
    events = await ActionReportSummary().run(dispatcher, tracker_factory(slots=FILLED), domain)
    slots = {**FILLED, **slots_of(events)}
    shown = len(dispatcher.messages)

    tracker = summary_shown(tracker_factory(slots=slots, text=typed, intent="nlu_fallback"))
    kept = slots_of(await ActionNotUnderstood().run(dispatcher, tracker, domain))
    said = dispatcher.messages[shown:]
    assert said[0]["text"] == NOT_SURE_AT_SUMMARY
    assert said[-1]["text"] == "Klopt dit? Zal ik de melding indienen?"
    assert [b["payload"] for b in said[-1]["buttons"]] == ["/affirm", "/change", "/deny"]
    assert kept["report_status"] == "confirming" and kept["report_draft_id"] == slots["report_draft_id"]
    assert count(connection) == 0

    again = summary_shown(tracker_factory(slots={**slots, **kept}, text="ja", intent="affirm"), "action_not_understood")
    assert slots_of(await ActionSubmitReport().run(dispatcher, again, domain))["report_status"] == "submitted"
    assert count(connection) == 1


@pytest.mark.parametrize("slots", [{}, {"report_status": "submitted"}, {"report_status": "confirming"}])
async def test_not_understood_elsewhere_asks_to_tell_it_in_words(dispatcher, tracker_factory, domain, slots):
    events = await ActionNotUnderstood().run(dispatcher, tracker_factory(slots=slots, text="😡", intent="nlu_fallback"), domain)
    assert events == []
    assert [message["response"] for message in dispatcher.messages] == ["utter_default"]
