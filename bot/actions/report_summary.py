"""The report's summary and its filing (issue 12): the summary shows what would be filed and binds it by a
hash; only an explicit "ja" to that open summary files the report and its notifications (outbox rows) in one
transaction, then the notification is tried at once and the user hears whether it arrived. "Nee" files nothing.
The report form that fills the slots is report.py."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from actions import identity, outbox, texts
from actions.common import REPORT_SLOTS, YES_NO, asked_by, forget_draft, reset, words_hold_back, words_keep
from actions.report_fields import REPORT_FIELDS, ReportDraft
from actions.routing import contact_events, looked_up_route, route_pair
from actions.store import db, evidence, protocols, reports
from actions.store import outbox as outbox_store

log = logging.getLogger(__name__)


FROM_STORY = " (uit uw verhaal)"


def summary(tracker: Tracker) -> str:
    """The report as it would be filed; answers taken from the story are marked, so the user can correct them."""
    prefilled = set(tracker.get_slot("report_prefilled") or [])
    lines = ["Dit is uw melding:"]
    category = tracker.get_slot("category")
    if category:
        lines.append(f"- Soort gedrag: {texts.CATEGORY_PLAIN.get(category, category)}")
    lines.append(f"- Gemeente: {tracker.get_slot('municipality')}; rol: {tracker.get_slot('role')}")
    for f in REPORT_FIELDS:
        value = tracker.get_slot(f.slot)
        if f.slot == "report_what":
            lines.append(f"- {f.label}: {f.shown(value)}")
        elif value:
            lines.append(f"- {f.label}: {f.shown(value)}{FROM_STORY if f.slot in prefilled else ''}")
        else:
            lines.append(f"- {f.label}: niet ingevuld")
    lines += evidence.summary_lines(identity.of_tracker(tracker)[0])  # photos, PDFs, links sent before filing
    lines.append(f"- Naar: {tracker.get_slot('contact_label') or 'uw contactpersoon'}")
    return "\n".join(lines)


# What the summary shows and what filing writes: the hash binds one to the other (issue 12).
SUMMARY_SLOTS = ["category", "subkind", "municipality", "municipality_key", "role", *(f.slot for f in REPORT_FIELDS),
                 "contact_function", "contact_label", "report_required", "acute", "online", "report_draft_id"]
CONFIRM_BUTTONS = [
    {"title": "Ja, indienen", "payload": "/affirm"},
    {"title": "Aanpassen", "payload": "/change"},
    {"title": "Niet indienen", "payload": "/deny"},
]
CONFIRM_QUESTION = "Klopt dit? Zal ik de melding indienen?"
NOT_SURE_AT_SUMMARY = ("Ik weet niet zeker wat u bedoelt. Ik heb nog niets ingediend en niets weggegooid. "
                       "Kies een knop: 'Ja, indienen', 'Aanpassen' of 'Niet indienen'.")


def summary_hash(slot: Any) -> str:
    """A hash of the values a summary shows (and its draft id), from a slot getter."""
    values = [[name, slot(name)] for name in SUMMARY_SLOTS]
    return hashlib.sha256(json.dumps(values, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def show_summary(dispatcher: CollectingDispatcher, tracker: Tracker, draft_id: str) -> list:
    """The summary and the one question; its values are bound to this draft by their hash."""
    dispatcher.utter_message(text=summary(tracker))
    dispatcher.utter_message(text=CONFIRM_QUESTION, buttons=CONFIRM_BUTTONS)
    shown_hash = summary_hash(lambda name: draft_id if name == "report_draft_id" else tracker.get_slot(name))
    return [SlotSet("report_status", "confirming"), SlotSet("report_draft_id", draft_id), SlotSet("report_summary_hash", shown_hash),
            SlotSet("report_changing", None)]


# The actions after which a "ja" answers the summary: the summary itself, or a filing or discarding that failed or
# asked again, or a message not understood at the summary (not_understood.py shows it again).
_CONFIRM_ASKED_BY = {"action_report_summary", "action_submit_report", "action_cancel_report", "action_not_understood"}


def summary_question_open(tracker: Tracker) -> bool:
    """True when the latest user message answers the summary question: the last action the bot ran
    before that message showed the summary (or asked it again). A "ja" sent after the bot moved on is stale."""
    return asked_by(tracker) in _CONFIRM_ASKED_BY


def already_filed_text(reference: str | None) -> str:
    return (f"Uw melding is al ingediend. Het nummer is {reference}. "
            "Is er iets nieuws gebeurd? Vertel dat dan in uw eigen woorden.")


class ActionReportSummary(Action):
    def name(self) -> str:
        return "action_report_summary"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        if tracker.get_slot("report_status") == "submitted":
            # One report per confirmed summary: a later route or answer does not start a second one.
            dispatcher.utter_message(text=already_filed_text(tracker.get_slot("report_reference")))
            return []
        if not tracker.get_slot("report_wanted"):
            contact = tracker.get_slot("contact_label") or "uw contactpersoon"
            dispatcher.utter_message(text=f"Goed, ik dien niets in. U kunt later altijd nog melden bij {contact}. Zorg goed voor uzelf.")
            return [*reset(REPORT_SLOTS)]
        events = keep_route(tracker, dispatcher)
        return [*events, *show_summary(dispatcher, tracker, uuid.uuid4().hex)]


ROUTE_KEPT = ("De melding gaat naar de contactpersoon voor de rol en gemeente hieronder. "
              "Klopt dat niet? Kies 'Aanpassen' en dan 'Rol en gemeente'.")


def keep_route(tracker: Tracker, dispatcher: CollectingDispatcher | None = None) -> list:
    """Who gets the report is who the contact person was looked up for. A role or municipality named later outside a
    form ("ja, in Leiden", "hij is wethouder": an entity sets the slot, not the route) is put back, so what is shown,
    filed and sent to the contact agree. A route the user confirmed after the lookup with no lookup following it
    (routing_confirmed equal to the role and municipality now) is kept, and its contact is looked up now. A handoff is
    a lookup too: action_handoff sets the contact it hands over to. A role or municipality put back is said, with how
    to change it (ROUTE_KEPT), when a dispatcher is given."""
    routed, confirmed = route_at_lookup(tracker)
    if routed is not None:
        now = {name: tracker.get_slot(name) for name in ROUTE_AT_LOOKUP}
        if now != routed and confirmed is not None and confirmed == route_pair(tracker):
            route = looked_up_route(tracker)  # the route the slots hold now: the one confirmed
            if route is not None:
                contact = route["contact"]
                tracker.slots.update(contact_function=contact["function"], contact_label=contact["label"])
                return contact_events(contact)
        back = [name for name in ROUTE_AT_LOOKUP if now[name] != routed[name]]
        tracker.slots.update({name: routed[name] for name in back})  # this turn's summary and its hash read them
        events = [SlotSet(name, routed[name]) for name in back]
    else:
        events = keep_routed_municipality(tracker)  # no lookup in the events (a tracker without them): by the key
    if dispatcher is not None and any(e["name"] in ("role", "municipality") for e in events):
        dispatcher.utter_message(text=ROUTE_KEPT)
    return events


ROUTE_AT_LOOKUP = ("role", "municipality", "municipality_key")


def route_at_lookup(tracker: Tracker) -> tuple[dict | None, str | None]:
    """The role, municipality and municipality_key as the slots held them when contact_function was last set (None:
    not set since the conversation or its slots were reset), and the route the user confirmed after that
    (routing_confirmed, "role|municipality"), if any."""
    values: dict = {}
    routed: dict | None = None
    confirmed: str | None = None
    for event in tracker.events or []:
        kind, name, value = event.get("event"), event.get("name"), event.get("value")
        if kind in ("restart", "session_started", "reset_slots"):
            values, routed, confirmed = {}, None, None
        elif kind == "slot" and name in ROUTE_AT_LOOKUP:
            values[name] = value
        elif kind == "slot" and name == "contact_function":
            routed = {n: values.get(n) for n in ROUTE_AT_LOOKUP} if value else None
            confirmed = None
        elif kind == "slot" and name == "routing_confirmed" and routed is not None:
            confirmed = value
    return routed, confirmed


def keep_routed_municipality(tracker: Tracker) -> list:
    """The municipality the report was routed for. A municipality named later outside a form ("ja, in
    Leiden") sets the slot but not the route (municipality_key, contact): the summary and the report then
    name the routed municipality, so what is shown, filed and sent to the contact agree."""
    key, shown = tracker.get_slot("municipality_key"), tracker.get_slot("municipality")
    if not key:
        return []
    try:
        with db.session() as session:
            routed = next((m.name for m in protocols.municipalities(session) if m.key == key), None)
    except SQLAlchemyError:
        return []  # the summary shows what the slots hold; the report still goes to the routed contact (its key)
    if not routed or routed == shown:
        return []
    tracker.slots["municipality"] = routed  # this turn's summary and its hash read the routed name
    return [SlotSet("municipality", routed)]


def show_summary_again(dispatcher: CollectingDispatcher, tracker: Tracker) -> list:
    """The open summary once more (a stale "ja", a "ja" read as "nee", a message not understood). The routed role and
    municipality are kept (one named in between does not change who gets the report), and the draft id
    only when nothing shown changed: a new one otherwise, so what is filed is what was shown last."""
    events = keep_route(tracker, dispatcher)
    draft_id = tracker.get_slot("report_draft_id")
    unchanged = bool(draft_id) and tracker.get_slot("report_summary_hash") == summary_hash(tracker.get_slot)
    return [*events, *show_summary(dispatcher, tracker, draft_id if unchanged else uuid.uuid4().hex)]


def draft_from(tracker: Tracker) -> ReportDraft | None:
    """The report to write, or None when something it needs is missing; with the filer's identity."""
    draft = ReportDraft.from_slots(tracker.get_slot, tracker.sender_id)
    if draft is None:
        return None
    identity_hash, channel = identity.of_tracker(tracker)
    return dataclasses.replace(draft, identity_hash=identity_hash, identity_channel=channel)


@dataclasses.dataclass(frozen=True)
class Filed:
    reference: str
    created: bool
    report_id: int
    routes: int  # notification routes configured for the contact (0: none, the user must call)


def file_report(draft: ReportDraft) -> Filed:
    """Write the report and its notifications (one outbox row per configured route of the routed contact) in
    one transaction. Idempotent per draft: a second confirmation returns the first report."""
    try:
        with db.transaction() as session:
            report, created = reports.submit_report(session, draft)
            rows = outbox_store.queue_contact_notifications(session, report, "filed") if created else [
                m for m in outbox_store.outbox_for(session, report.id) if m.kind == "contact" and m.event == "filed"]
            return Filed(report.reference, created, report.id, sum(m.route != "none" for m in rows))
    except IntegrityError:
        # Two confirmations at the same moment: the other one won, use its report.
        with db.session() as session:
            existing = reports.report_by_draft(session, draft.draft_id)
            if existing is None:
                raise
            rows = [m for m in outbox_store.outbox_for(session, existing.id) if m.kind == "contact"]
            return Filed(existing.reference, False, existing.id, sum(m.route != "none" for m in rows))


async def notify_contact(report_id: int) -> bool:
    """Try the report's notifications now; True when the contact was reached (else the worker retries)."""
    try:
        return bool(await asyncio.to_thread(outbox.deliver_for_report, report_id))
    except SQLAlchemyError as error:
        log.error("notification for report %s not tried: %s", report_id, type(error).__name__)
        return False


def _filed_text(reference: str, contact: str, routes: int, delivered: bool) -> str:
    if delivered:
        return (f"Uw melding is ingediend. Uw meldingsnummer is {reference}. {contact[:1].upper() + contact[1:]} "
                "heeft bericht gekregen en neemt contact met u op. Bewaar het nummer.")
    if routes == 0:
        return (f"Uw melding is opgeslagen. Uw meldingsnummer is {reference}. Ik kan {contact} niet automatisch "
                f"bericht geven. Neem zelf contact op met {contact} en noem het nummer. Bewaar het nummer.")
    return (f"Uw melding is opgeslagen. Uw meldingsnummer is {reference}. {contact[:1].upper() + contact[1:]} is "
            "nog niet bereikt; wij proberen het opnieuw. Bewaar het nummer.")


class ActionSubmitReport(Action):
    def name(self) -> str:
        return "action_submit_report"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        contact = tracker.get_slot("contact_label") or "uw contactpersoon"
        status = tracker.get_slot("report_status")
        if status == "submitted":
            dispatcher.utter_message(text=already_filed_text(tracker.get_slot("report_reference")))
            return []
        if status == "confirming" and not (
            summary_question_open(tracker) and tracker.get_slot("report_summary_hash") == summary_hash(tracker.get_slot)
        ):
            # A stale "ja", or values that changed after the summary was shown: show what would be filed, ask again.
            log.info("confirmation not bound to the open summary (conversation %s): asked again", tracker.sender_id)
            dispatcher.utter_message(text="Ik vraag het nog één keer, zodat u weet wat er precies wordt ingediend.")
            return show_summary_again(dispatcher, tracker)
        if status == "confirming" and words_hold_back(tracker.latest_message.get("text")):
            # "nee, niet indienen" or "ja, maar wacht" that the model read as affirm: nothing is filed, asked again
            dispatcher.utter_message(text="Ik heb nog niets ingediend. Wilt u indienen? Kies dan 'Ja, indienen'.")
            return show_summary(dispatcher, tracker, tracker.get_slot("report_draft_id"))
        draft = draft_from(tracker) if status == "confirming" else None
        if draft is None:
            dispatcher.utter_message(text="Er ontbreekt nog iets in de melding, dus ik heb niets ingediend. Kies 'Aanpassen' om het aan te vullen.")
            return []
        try:
            filed = file_report(draft)
        except SQLAlchemyError as error:
            # The error class only: a traceback or message could contain report text.
            log.error("report could not be stored (conversation %s): %s", tracker.sender_id, type(error).__name__)
            dispatcher.utter_message(
                text=f"Het indienen is niet gelukt door een storing. Er is niets opgeslagen. Probeer het zo nog eens met 'Ja', of neem direct contact op met {contact}.",
                buttons=YES_NO[:1],
            )
            return []
        log.info("report %s filed for %s (new: %s)", filed.reference, draft.readable_by, filed.created)
        delivered = await notify_contact(filed.report_id) if filed.routes else False
        if not delivered and not filed.created:  # a repeated "ja": an earlier attempt may have reached them
            with db.session() as session:
                delivered = filed.report_id not in outbox_store.undelivered_report_ids(session, [filed.report_id])
        dispatcher.utter_message(text=_filed_text(filed.reference, contact, filed.routes, delivered))
        forget_draft(tracker)  # filed: a paused copy is not offered again
        return [SlotSet("report_status", "submitted"), SlotSet("report_reference", filed.reference)]


class ActionCancelReport(Action):
    def name(self) -> str:
        return "action_cancel_report"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        if tracker.get_slot("report_status") == "confirming" and words_keep(tracker.latest_message.get("text")):
            # "ja" or "weet ik niet" that the model read as deny: nothing is thrown away, the summary is asked again
            # (rule "Nee op de samenvatting, maar de woorden zeggen ja"; a "ja" after it files, see _CONFIRM_ASKED_BY).
            dispatcher.utter_message(text=NOT_SURE_AT_SUMMARY)
            return show_summary_again(dispatcher, tracker)
        dispatcher.utter_message(text="Goed, ik dien de melding niet in. Er is niets opgeslagen. U kunt later altijd opnieuw beginnen.")
        return [*reset(REPORT_SLOTS)]
