"""Pausing and resuming a report (issue 13): "ik ga later verder" keeps the answers as a draft for 24 hours
for the same messenger identity (store/drafts.py); a greeting offers it again, and resuming brings its slots back
so the report form (report.py) asks only what is still missing."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import identity, routing
from actions.common import REPORT_SLOTS, reset
from actions.store import db, drafts

log = logging.getLogger(__name__)


# --- pause and resume (issue 13): the draft kept 24 hours for the same messenger identity -----------------------

# What a paused report keeps: the story's triage, the route and every report slot (not the summary binding).
KEPT_SLOTS = ["incident_text", "category", "subkind", "cues", "doubt", "acute", "online", "medium_hint", "persistent",
              "role", "municipality", "municipality_key", "routing_confirmed", "contact_function", "contact_label", "report_required",
              *(s for s in REPORT_SLOTS if s not in ("report_status", "report_draft_id", "report_summary_hash", "change_field"))]
RESUME_BUTTONS = [{"title": "Verder gaan", "payload": "/resume_report"}, {"title": "Opnieuw beginnen", "payload": "/stop"}]


def _identity(tracker: Tracker) -> str:
    return identity.of_tracker(tracker)[0]


class ActionPauseReport(Action):
    """'Ik ga later verder': keep what is there for 24 hours, leave the form."""

    def name(self) -> str:
        return "action_pause_report"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        unconfirmed = routing.unconfirmed_route(tracker)
        slots = {name: tracker.get_slot(name) for name in KEPT_SLOTS if tracker.get_slot(name) is not None and name not in unconfirmed}
        if not slots.get("report_wanted") and not slots.get("incident_text"):
            dispatcher.utter_message(text="Goed. U kunt altijd terugkomen. Vertel dan wat er gebeurde.")
            return [ActiveLoop(None), SlotSet("requested_slot", None)]
        try:
            with db.transaction() as session:
                drafts.save(session, _identity(tracker), slots)
        except SQLAlchemyError as error:
            log.error("draft not kept (conversation %s): %s", tracker.sender_id, type(error).__name__)
            dispatcher.utter_message(text="Bewaren lukt nu niet door een storing. Uw antwoorden staan nog in dit gesprek.")
            return [ActiveLoop(None), SlotSet("requested_slot", None)]
        dispatcher.utter_message(text="Goed. Ik bewaar uw antwoorden 24 uur. Er is nog niets ingediend.")
        dispatcher.utter_message(text="Kom terug in dit gesprek, dan gaan we verder waar u was.")
        # The answers are in the draft now; the conversation holds no half report (resume brings them back).
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset(REPORT_SLOTS)]


def offer_resume(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Say that a kept draft is there, with buttons; False when there is none."""
    try:
        with db.session() as session:
            kept = drafts.find(session, _identity(tracker))
    except SQLAlchemyError:
        return False
    if not kept:
        return False
    dispatcher.utter_message(text="Welkom terug. U was bezig met een melding. Wilt u verder gaan?", buttons=RESUME_BUTTONS)
    return True


class ActionGreet(Action):
    """A greeting; someone with a paused report is offered to go on with it."""

    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        if not offer_resume(dispatcher, tracker):
            dispatcher.utter_message(response="utter_greet")
        return []


class ActionResumeReport(Action):
    """Pick the kept draft up: its slots come back and the report form asks what is still missing."""

    def name(self) -> str:
        return "action_resume_report"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        try:
            with db.transaction() as session:
                kept = drafts.take(session, _identity(tracker))
        except SQLAlchemyError as error:
            log.error("draft not read (conversation %s): %s", tracker.sender_id, type(error).__name__)
            kept = None
        if not kept:
            dispatcher.utter_message(text="Ik heb geen bewaarde melding van u. Vertel gerust opnieuw wat er gebeurde.")
            return [SlotSet("report_wanted", False)]
        dispatcher.utter_message(text="Fijn dat u terug bent. We gaan verder waar u was.")
        events: list = [SlotSet(name, kept.get(name)) for name in KEPT_SLOTS]
        if not all(kept.get(slot) for slot in routing.ROUTE_SLOTS):
            # no route kept (paused before it was known or confirmed): the routing form asks it first, then the
            # advice and the report form go on as after any route (rules/routing.yml)
            events.append(FollowupAction("routing_form"))
        return events
