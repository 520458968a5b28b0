"""A filed report, seen from the user (issue 11): "hoe staat het met mijn melding?", withdrawing, adding to it,
and "verwijder mijn gegevens". Everything works only from the messenger identity that filed the report
(actions/identity.py); another identity hears exactly what a wrong number gets.

One form, lifecycle_form, asks what the chosen request needs: the reference (skipped when the message named it,
or when this identity filed exactly one report), a confirmation (withdraw, erase) or the text to add.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import identity, outbox, texts
from actions.common import LIFECYCLE_SLOTS, YES_NO, SafeFormValidationAction, answered, clean_text, reset, yes_no_answer
from actions.store import audit, db, erasure, reports
from actions.store import outbox as outbox_store
from actions.store.models import FINAL_STATUSES
from core.config import get_settings
from core.texts import DANGER_LINE

log = logging.getLogger(__name__)

KIND_OF_INTENT = {"ask_report_status": "status", "withdraw_report": "withdraw", "add_to_report": "add",
                  "erase_my_data": "erase"}
NOT_FOUND = "-"  # lookup_reference when the typed number is none of this identity's reports
_REFERENCE = re.compile(r"\bMLD[\s-]?(\d{8})[\s-]?([A-Z2-9]{6})\b", re.I)

NOT_FOUND_TEXT = "Ik kan geen melding met dat nummer vinden. Kijk of het nummer klopt, of neem contact op met de griffie."
STORE_DOWN = "Dat lukt nu niet door een storing. Probeer het later nog eens, of neem contact op met de griffie. " + DANGER_LINE


def reference_in(text: Any) -> str | None:
    """A reference number in what the user typed ("mld-20260302-ab3cd4", "MLD 20260302 AB3CD4"), normalised."""
    if not isinstance(text, str):
        return None
    match = _REFERENCE.search(text)
    return f"MLD-{match.group(1)}-{match.group(2).upper()}" if match else None


def _own_references(tracker: Tracker) -> list[str]:
    identity_hash, _channel = identity.of_tracker(tracker)
    with db.session() as session:
        return [r.reference for r in reports.reports_of_identity(session, identity_hash)]


class ActionLifecycleStart(Action):
    """Remember what the user asks for; fill in the reference when the message holds it or only one report fits."""

    def name(self) -> str:
        return "action_lifecycle_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        kind = KIND_OF_INTENT.get(intent or "", "status")
        events: list = [*reset(LIFECYCLE_SLOTS), SlotSet("lifecycle", kind)]
        if kind == "erase":
            return events
        reference = reference_in((tracker.latest_message or {}).get("text"))
        if reference is None:
            try:
                own = _own_references(tracker)
            except SQLAlchemyError as error:
                log.error("lifecycle lookup failed: %s", type(error).__name__)
                own = []
            if len(own) == 1:
                reference = own[0]
        if reference is not None:
            events.append(SlotSet("lookup_reference", reference))
        return events


class ValidateLifecycleForm(SafeFormValidationAction):
    def name(self) -> str:
        return "validate_lifecycle_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        kind = tracker.get_slot("lifecycle")
        if kind == "erase":
            return ["lifecycle_confirm"]
        if tracker.get_slot("lookup_reference") == NOT_FOUND:
            return ["lookup_reference"]
        return {"withdraw": ["lookup_reference", "lifecycle_confirm"],
                "add": ["lookup_reference", "lifecycle_addition"]}.get(kind or "", ["lookup_reference"])

    def validate_lookup_reference(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict:
        if value is None:
            return {"lookup_reference": None}
        reference = reference_in(value)
        if reference is None:
            dispatcher.utter_message(text="Dat is geen meldingsnummer. Het ziet er zo uit: MLD-20260302-AB3CD4. "
                                          "Typ 'stop' als u het niet heeft.")
            return {"lookup_reference": None}
        identity_hash, _channel = identity.of_tracker(tracker)
        try:
            with db.session() as session:
                found = reports.report_of_identity(session, identity_hash, reference) is not None
        except SQLAlchemyError as error:
            log.error("lifecycle lookup failed: %s", type(error).__name__)
            found = False
        return {"lookup_reference": reference if found else NOT_FOUND}

    def validate_lifecycle_confirm(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict:
        if value is None:  # a slot reset by an action, not an answer
            return {"lifecycle_confirm": None}
        latest = tracker.latest_message or {}
        by_intent = {"affirm": True, "deny": False}.get((latest.get("intent") or {}).get("name") or "")
        if by_intent is False and answered(None, latest.get("text")) is True:
            # withdrawing and erasing cannot be undone: a typed yes the model read as no is asked again
            dispatcher.utter_message(text=texts.ANSWER_YES_NO)
            return {"lifecycle_confirm": None}
        answer = yes_no_answer(value if by_intent is None else by_intent, dispatcher, latest.get("text"))
        return {"lifecycle_confirm": answer}

    def validate_lifecycle_addition(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict:
        text = clean_text(value)
        if value is not None and text is None:
            dispatcher.utter_message(text="Ik heb niets gekregen. Typ wat u wilt toevoegen, in één bericht.")
        return {"lifecycle_addition": text}


class ActionAskLookupReference(Action):
    def name(self) -> str:
        return "action_ask_lookup_reference"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        dispatcher.utter_message(text="Wat is het meldingsnummer? Het begint met MLD-. U kreeg het toen u de melding deed.")
        return []


class ActionAskLifecycleConfirm(Action):
    def name(self) -> str:
        return "action_ask_lifecycle_confirm"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        if tracker.get_slot("lifecycle") == "erase":
            days = get_settings().erasure_report_days
            later = f"over {days} dagen" if days else "bij de volgende opschoning"
            text = ("Wilt u dat ik uw gegevens wis? Dan wis ik dit gesprek binnen een paar minuten. Heeft u vanuit "
                    f"dit gesprek een melding gedaan, dan wordt die {later} gewist. Tot dan kan de griffie er nog "
                    "iets mee doen. Dit kan niet ongedaan worden gemaakt.")
        else:
            text = (f"Wilt u melding {tracker.get_slot('lookup_reference')} intrekken? Er wordt niets gewist. "
                    "Uw contactpersoon ziet dat u de melding heeft ingetrokken.")
        dispatcher.utter_message(text=text, buttons=YES_NO)
        return []


class ActionAskLifecycleAddition(Action):
    def name(self) -> str:
        return "action_ask_lifecycle_addition"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        dispatcher.utter_message(text=f"Wat wilt u toevoegen aan melding {tracker.get_slot('lookup_reference')}? "
                                      "Schrijf het in één bericht.")
        return []


class ActionLifecycleFinish(Action):
    """Answer the question, or do what the user confirmed."""

    def name(self) -> str:
        return "action_lifecycle_finish"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        kind = tracker.get_slot("lifecycle")
        try:
            if kind == "erase":
                text = _erase(tracker)
            else:
                text = await _about_report(kind, tracker)
        except SQLAlchemyError as error:
            log.error("lifecycle %s failed: %s", kind, type(error).__name__)
            text = STORE_DOWN
        dispatcher.utter_message(text=text)
        return reset(LIFECYCLE_SLOTS)


async def _about_report(kind: str | None, tracker: Tracker) -> str:
    reference = tracker.get_slot("lookup_reference")
    identity_hash, _channel = identity.of_tracker(tracker)
    now = datetime.now(UTC)
    with db.transaction() as session:
        report = reports.report_of_identity(session, identity_hash, reference or "") if reference != NOT_FOUND else None
        if report is None:
            return NOT_FOUND_TEXT
        report_id, reference = report.id, report.reference
        if kind == "status":
            return reports.user_status_text(report)
        if kind == "withdraw":
            if not tracker.get_slot("lifecycle_confirm"):
                return f"Goed, melding {reference} blijft staan."
            if not reports.withdraw(session, report, now):
                return f"Melding {reference} is al afgesloten of ingetrokken. Er is niets veranderd."
            event, done = "withdrawn", f"Melding {reference} is ingetrokken. Er is niets gewist."
        else:  # add
            if report.status in FINAL_STATUSES:
                return (f"Melding {reference} is afgesloten of ingetrokken. Toevoegen kan niet meer. "
                        "Wilt u iets nieuws melden? Zeg dan 'ik wil een melding doen'.")
            reports.add_addition(session, report, tracker.get_slot("lifecycle_addition") or "", now)
            event, done = "addition", f"Ik heb het toegevoegd aan melding {reference}."
        configured = any(m.route != "none" for m in outbox_store.outbox_for(session, report_id) if m.event == event)
    if not configured:
        return f"{done} Neem ook zelf contact op met de griffie en noem het nummer."
    delivered = bool(await asyncio.to_thread(outbox.deliver_for_report, report_id, event))
    return f"{done} {'Uw contactpersoon heeft bericht gekregen.' if delivered else 'Uw contactpersoon krijgt bericht zodra dat lukt.'}"


def _erase(tracker: Tracker) -> str:
    from actions.store import drafts
    from actions.store import evidence as evidence_store

    if not tracker.get_slot("lifecycle_confirm"):
        return "Goed, ik wis niets."
    identity_hash, _channel = identity.of_tracker(tracker)
    now = datetime.now(UTC)
    days = get_settings().erasure_report_days
    with db.transaction() as session:
        marked = erasure.mark_for_erasure(session, identity_hash, now + timedelta(days=days))
        evidence_store.delete_unfiled_of_identity(session, identity_hash)  # what no report has goes now (issue 14)
        drafts.delete_for(session, identity_hash)  # a paused report goes now too (issue 13)
        for conversation_id in {tracker.sender_id, *(r.conversation_id for r in marked)}:
            outbox_store.queue_erasure(session, conversation_id, now=now)
        for report in marked:
            audit.record_audit(session, reports.USER, "erased", report=report,
                               detail=f"verzoek melder: gesprek gewist, melding over {days} dagen")
        if not marked:
            audit.record_audit(session, reports.USER, "erased", detail="verzoek melder: gesprek gewist")
        references = [r.reference for r in marked]
    text = "Goed. Ik wis dit gesprek binnen een paar minuten."
    if references:
        when = f"over {days} dagen" if days else "bij de volgende opschoning"
        text += (f" Uw melding {', '.join(references)} wordt {when} gewist. Tot dan kan de griffie er nog iets mee doen. "
                 "Wilt u dat eerder? Vraag het de griffie.")
    return f"{text} {DANGER_LINE}"
