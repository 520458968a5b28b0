"""Changing one field of the report at the summary ("Aanpassen", issue 13): the change form asks which field,
the field is emptied, and the report form (report.py) asks only that one again before a new summary.

"Rol en gemeente" (ROUTE) changes who gets the report: the role, the municipality and the contact looked up for them
are emptied, the report form asks role and municipality again, and the new protocol's advice and contact follow
(actions.report.ValidateReportForm)."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet

from actions.common import SafeFormValidationAction
from actions.report_fields import BY_SLOT, REPORT_FIELDS

ROUTE = "route"  # not a report field: the role and municipality the report is routed by
ROUTE_LABEL = "Rol en gemeente"
# Who gets the report, named outright ("naar wie" would otherwise pick "Wie"); then, after the fields' own words,
# the route's words ("de plaats in de gemeente" is Waar, "de gemeente klopt niet" the route).
ROUTE_PHRASES = re.compile(r"\b(naar wie|rol en gemeente|contactpersoon|ontvanger)\b")
ROUTE_WORDS = re.compile(r"\b(rol|functie|gemeente)\b")
# What a changed route empties: the answers and everything looked up, decided or confirmed for them.
ROUTE_SLOTS = ("role", "municipality", "municipality_key", "routing_confirmed", "contact_function", "contact_label",
               "report_required")


class ValidateChangeForm(SafeFormValidationAction):
    def name(self) -> str:
        return "validate_change_form"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        # "wijzig de plaats" at the summary names the field at once: no question which one.
        if tracker.get_slot("change_field") is None and tracker.get_slot("requested_slot") is None:
            named = field_of((tracker.latest_message or {}).get("text"))
            if named:
                return [SlotSet("change_field", named), SlotSet("requested_slot", None)]
        return await super().run(dispatcher, tracker, domain)

    def validate_change_field(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict:
        field = field_of(value)
        if value is None:
            return {"change_field": None}
        if field is None:
            dispatcher.utter_message(text="Welk deel wilt u aanpassen? Kies een van de knoppen.")
            return {"change_field": None}
        return {"change_field": field}


def field_of(value: Any) -> str | None:
    """The slot of the report field the user wants to change (button payload, label or words)."""
    if not isinstance(value, str):
        return None
    folded = value.lower().strip()
    if folded in BY_SLOT:
        return folded
    if folded == ROUTE or ROUTE_PHRASES.search(folded):
        return ROUTE
    for f in REPORT_FIELDS:
        if folded == f.label.lower():
            return f.slot
    for f in REPORT_FIELDS:
        if any(folded == w or folded.startswith(w + " ") or f" {w}" in f" {folded}" for w in f.change_words):
            return f.slot
    return ROUTE if ROUTE_WORDS.search(folded) else None


class ActionAskChangeField(Action):
    def name(self) -> str:
        return "action_ask_change_field"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        buttons = [{"title": ROUTE_LABEL, "payload": f'/change{{"change_field":"{ROUTE}"}}'},
                   *({"title": f.label, "payload": f'/change{{"change_field":"{f.slot}"}}'} for f in REPORT_FIELDS)]
        dispatcher.utter_message(text="Wat wilt u aanpassen? Kies een deel. De rest blijft staan.", buttons=buttons)
        return []


class ActionChangeReport(Action):
    """Empty the chosen field so the report form asks only that one again, then a new summary follows."""

    def name(self) -> str:
        return "action_change_report"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        field = tracker.get_slot("change_field")
        events = [SlotSet("change_field", None), SlotSet("report_status", None), SlotSet("report_draft_id", None),
                  SlotSet("report_summary_hash", None)]
        if field in BY_SLOT:
            events += [SlotSet(field, None), SlotSet("report_changing", field)]
            prefilled = [s for s in tracker.get_slot("report_prefilled") or [] if s != field]
            events.append(SlotSet("report_prefilled", prefilled))
        elif field == ROUTE:
            events += [*(SlotSet(slot, None) for slot in ROUTE_SLOTS), SlotSet("report_changing", ROUTE)]
        return events
