"""A message the model did not understand (intent nlu_fallback) while a summary waits for an answer (rule "Niet
begrepen bij de samenvatting" in data/rules/report.yml; anywhere else the rule in smalltalk.yml answers utter_default).

It asks for a button, names 112, and shows the summary with its buttons again: nothing is filed or thrown away, and a
"ja" after it answers the summary (report_summary._CONFIRM_ASKED_BY)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.report_summary import NOT_SURE_AT_SUMMARY, show_summary_again

DANGER = "Bent u nu in gevaar? Bel dan direct 112."


class ActionNotUnderstood(Action):
    def name(self) -> str:
        return "action_not_understood"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        if tracker.get_slot("report_status") != "confirming":  # only the rule at the summary runs it
            dispatcher.utter_message(response="utter_default")
            return []
        dispatcher.utter_message(text=f"{NOT_SURE_AT_SUMMARY} {DANGER}")
        return show_summary_again(dispatcher, tracker)
