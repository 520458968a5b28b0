"""A message the model did not understand (intent nlu_fallback; rule "Niet begrepen" in data/rules/smalltalk.yml).

At the report's summary it asks for a button and shows the summary again: nothing is filed or thrown away, and a
"ja" after it answers the summary (report_summary._CONFIRM_ASKED_BY). Anywhere else it asks to tell it in a few
ordinary sentences (utter_default)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.report_summary import NOT_SURE_AT_SUMMARY, show_summary


class ActionNotUnderstood(Action):
    def name(self) -> str:
        return "action_not_understood"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        draft_id = tracker.get_slot("report_draft_id")
        if tracker.get_slot("report_status") == "confirming" and draft_id:
            dispatcher.utter_message(text=NOT_SURE_AT_SUMMARY)
            return show_summary(dispatcher, tracker, draft_id)
        dispatcher.utter_message(response="utter_default")
        return []
