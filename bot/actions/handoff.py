"""Handoff to a person: the user asks for the griffier (or accepts the offer after a D or when unsure).

The route (who is the contact for this role in this municipality) comes from the protocol; how to reach
that person comes from the contacts file a griffie fills in. On success the conversation is paused
(Rasa's ConversationPaused) until the griffier hands it back from the griffie page (channels/griffie).
"""

from __future__ import annotations

import asyncio

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import knowledge
from actions.notify import NotifyError, notify
from actions.routing import contact_events, route_for
from actions.store import db, handoffs
from channels.messengers import in_sentence
from core.config import get_settings
from core.texts import DANGER_LINE

CHANNEL_PREFIXES = ("telegram", "signal")


def channel_of(conversation_id: str, latest_input_channel: str | None = None) -> str:
    """The channel to answer through. The bridges prefix their ids ('telegram:123'), but the prefix
    counts only when the message came through the bridges' authenticated channel (connectors.py)."""
    prefix, sep, _ = conversation_id.partition(":")
    if latest_input_channel == "bridge" and sep and prefix in CHANNEL_PREFIXES:
        return prefix
    return latest_input_channel or "socketio"


def _who(contact: dict) -> str:
    return f"{contact['label']} ({contact['name']})" if contact.get("name") else contact["label"]


def _call_yourself(contact: dict) -> str:
    details = ", ".join(x for x in (contact.get("phone"), contact.get("email")) if x)
    how = f": {details}" if details else " via de griffie of de website van de gemeente"
    return f"Neem zelf contact op met {contact['label']}{how}. {DANGER_LINE}"


def _message(handoff_id: int, route: dict, category: str | None, channel: str,
             doubt: list[str] | None = None) -> tuple[str, str, dict]:
    base = get_settings().griffie_url.rstrip("/")
    link = f"{base}/griffie/handoffs/{handoff_id}"
    role = knowledge.ROLE_LABELS.get(route["role"], route["role"])
    subject = f"Meldhulp: een {role} uit {route['municipality']} vraagt om een gesprek"
    said = category or "nog niet bepaald"
    if category and doubt:  # asked before the triage's question was answered (it may be between C and D): say so
        said = f"{category}, maar de assistent twijfelde tussen {doubt[0]} en {doubt[1]} (die vraag is niet beantwoord)"
    body = (
        f"Een {role} uit {route['municipality']} vraagt via {in_sentence(channel)} om een gesprek "
        f"met {route['contact']['label']}. Categorie volgens de assistent: {said}.\n"
        f"Lees het gesprek en antwoord op de griffiepagina: {link}\n"
        "Het verhaal zelf staat om privacyredenen niet in dit bericht."
    )
    payload = {"handoff_id": handoff_id, "municipality": route["municipality_key"], "role": route["role"],
               "category": category, "doubt": doubt, "channel": channel, "url": link}
    return subject, body, payload


async def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, route: dict) -> list:
    """Start (or repeat) a handoff for this conversation; the events to return from the action."""
    contact, key = route["contact"], route["municipality_key"]
    done = [SlotSet("handoff_requested", False)]
    config = knowledge.handoff_config(key, contact["function"]) if key else {"notify": {}}
    if not config["notify"]:
        dispatcher.utter_message(
            text=f"Ik kan {contact['label']} van {route['municipality']} niet via deze chat inschakelen. " + _call_yourself(contact)
        )
        return done
    channel = channel_of(tracker.sender_id, tracker.get_latest_input_channel())
    category = tracker.get_slot("category")
    try:
        with db.transaction() as session:
            handoff, created = handoffs.start_handoff(
                session, conversation_id=tracker.sender_id, channel=channel, municipality_key=key,
                municipality=route["municipality"], role=route["role"], category=category,
                contact_function=contact["function"], status="pending",  # "open" only once someone was told
            )
            handoff_id = handoff.id
    except SQLAlchemyError:
        dispatcher.utter_message(text="Het lukt me nu niet om iemand in te schakelen. " + _call_yourself(contact))
        return done
    if not created:
        dispatcher.utter_message(text="U heeft al gevraagd om iemand van de gemeente te spreken. U krijgt hier antwoord, in dit gesprek. "
                                      + DANGER_LINE)
        return [*done, ActiveLoop(None), ConversationPaused()]
    subject, body, payload = _message(handoff_id, route, category, channel, tracker.get_slot("doubt"))
    try:
        via = await asyncio.to_thread(notify, config["notify"], subject, body, payload)
    except NotifyError:
        _set_status(handoff_id, "not_notified", None)
        dispatcher.utter_message(text=f"Het lukt me nu niet om {contact['label']} te bereiken. " + _call_yourself(contact))
        return done
    _set_status(handoff_id, "open", ",".join(via))
    when = (f"U krijgt antwoord {config['response_time']}." if config.get("response_time")
            else "Ik weet niet precies hoe snel er iemand reageert.")
    # Name whoever was really notified: the contact's own route, or the griffie's general one.
    who, reader = (_who(contact), contact["label"]) if config["own"] else ("de griffie", "de griffie")
    dispatcher.utter_message(
        text=f"Ik heb {who} van {route['municipality']} gevraagd om dit gesprek over te nemen. {when} "
        f"Tot die tijd antwoord ik zelf niet. Wat u hier schrijft, kan {reader} lezen. "
        + ("Laat dit venster open: het antwoord verschijnt hier. " if channel == "socketio" else "")
        + DANGER_LINE
    )
    return [*done, ActiveLoop(None), ConversationPaused()]


def _set_status(handoff_id: int, status: str, via: str | None) -> None:
    try:
        with db.transaction() as session:
            handoffs.set_handoff_status(session, handoff_id, status, via)
    except SQLAlchemyError:
        pass  # the row keeps its earlier status ("pending"); the griffie page still lists it


class ActionHandoff(Action):
    """Runs once role and municipality are known (routing_form) and the user asked for a person."""

    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        route = route_for(tracker, dispatcher)
        if route is None:
            return [SlotSet("handoff_requested", False)]
        # The route the routing form settled on is a contact lookup too: a report filed after the handoff goes to the
        # same person (report_summary.keep_route reads the role and municipality of the last lookup).
        return [*contact_events(route["contact"]), *await hand_off(dispatcher, tracker, route)]
