"""A message the model did not understand (intent nlu_fallback) while a question waits for a button (rules "Niet
begrepen bij de samenvatting" in data/rules/report.yml and "Niet begrepen bij de vraag of de bot later mag vragen hoe
het gaat" in data/rules/aftercare.yml; anywhere else the rule in smalltalk.yml answers utter_default).

At the summary it asks for a button, names 112, and shows the summary with its buttons again: nothing is filed or
thrown away, and a "ja" after it answers the summary (report_summary._CONFIRM_ASKED_BY). At the aftercare question
("may I check in later?") it says so and names 112 when that question is still open; the rule then asks it again
(action_aftercare_offer), so a typed "ja" or "nee" after it answers it. Otherwise utter_default."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import aftercare
from actions.common import asked_by
from actions.report_summary import NOT_SURE_AT_SUMMARY, show_summary_again
from core.texts import DANGER_LINE

NOT_SURE = "Ik weet niet zeker wat u bedoelt."
DANGER = DANGER_LINE


class ActionNotUnderstood(Action):
    def name(self) -> str:
        return "action_not_understood"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        if tracker.get_slot("report_status") == "confirming":
            dispatcher.utter_message(text=f"{NOT_SURE_AT_SUMMARY} {DANGER}")
            return show_summary_again(dispatcher, tracker)
        if asked_by(tracker) == aftercare.OFFER_ACTION and aftercare.open_question(tracker) is not None:
            dispatcher.utter_message(text=f"{NOT_SURE} {aftercare.DANGER}")  # the rule asks the question again
            return []
        dispatcher.utter_message(response="utter_default")  # only the rules above run this action
        return []
