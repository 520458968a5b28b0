"""A message the model did not understand (intent nlu_fallback) while a question waits for a button (rules "Niet
begrepen bij de samenvatting" in data/rules/report.yml and "Niet begrepen bij de nazorgvraag" in
data/rules/aftercare.yml; anywhere else the rule in smalltalk.yml answers utter_default).

At the summary it asks for a button, names 112, and shows the summary with its buttons again: nothing is filed or
thrown away, and a "ja" after it answers the summary (report_summary._CONFIRM_ASKED_BY). At the aftercare question
("may I check in later?") it says so and names 112; the rule then asks that question again (action_aftercare_offer),
so a typed "ja" or "nee" after it answers it."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.aftercare import OFFER_ACTION
from actions.common import asked_by
from actions.report_summary import NOT_SURE_AT_SUMMARY, show_summary_again

NOT_SURE = "Ik weet niet zeker wat u bedoelt."
DANGER = "Bent u nu in gevaar? Bel dan direct 112."


class ActionNotUnderstood(Action):
    def name(self) -> str:
        return "action_not_understood"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        if tracker.get_slot("report_status") == "confirming":
            dispatcher.utter_message(text=f"{NOT_SURE_AT_SUMMARY} {DANGER}")
            return show_summary_again(dispatcher, tracker)
        if tracker.get_slot("report_status") == "submitted" and asked_by(tracker) == OFFER_ACTION:
            dispatcher.utter_message(text=f"{NOT_SURE} {DANGER}")  # the rule asks the aftercare question again
            return []
        dispatcher.utter_message(response="utter_default")  # only the rules above run this action
        return []
