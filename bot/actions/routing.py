"""Routing: who the user reports to, who is informed next, and the support lines, per protocol.

`python -m actions.routing Leiden wethouder` prints the route as JSON (`make route` uses it).
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions import texts
from actions.common import YES_NO, SafeFormValidationAction, yes_no, yes_no_answer
from actions.knowledge import MODEL_KEY, ROLE_LABELS, Protocol, normalize_role, role_buttons
from actions.store import db, protocols

_NAME = re.compile(r"^[A-Za-zÀ-ÿ' .-]{2,40}$")
_FILLER = re.compile(r"^(?:ik\s+(?:woon|zit|werk)\s+in|in\s+de\s+gemeente|gemeente|in|bij|de|het)\s+", re.I)


# Words that show an answer is not a place name ("ik weet het niet", "geen idee").
_NOT_A_PLACE = {"ik", "weet", "niet", "geen", "idee", "het", "wat", "waarom", "hoe", "ja", "nee", "dat", "dit",
                "is", "mijn", "onbekend", "stop", "help", "hallo", "dank", "je", "u", "wil", "zeg"}


def _looks_like_a_place(folded: str) -> bool:
    words = re.split(r"[\s-]+", folded.replace("'s", "s"))
    if any(w in _NOT_A_PLACE for w in words):
        return False
    # keyboard mashing: a word without vowels or with five consonants in a row
    return all(re.search(r"[aeiouyàáèéëïöü]", w) and not re.search(r"[^aeiouyàáèéëïöü\s]{5,}", w) for w in words if len(w) > 2)


def resolve_municipality(session: Session, text: str | None) -> tuple[str | None, str | None]:
    """(key of a loaded protocol or None, display name or None) for what the user typed.

    Called once, by the routing form's validation, which keeps both in slots (municipality_key,
    municipality); everything after that reads the key from the slot."""
    if not text or not isinstance(text, str):
        return None, None
    cleaned = text.strip().strip(".!?")
    while _FILLER.match(cleaned):
        cleaned = _FILLER.sub("", cleaned, count=1).strip()
    folded = cleaned.lower()
    for municipality in protocols.municipalities(session):
        if municipality.key != MODEL_KEY and (folded == municipality.key or folded in municipality.aliases):
            return municipality.key, municipality.name
    if not _NAME.match(cleaned) or not _looks_like_a_place(folded):
        return None, None
    return None, " ".join(part[:1].upper() + part[1:] for part in cleaned.split(" "))


def protocol_for(session: Session, municipality_key: str | None) -> Protocol:
    """The municipality's protocol, or the general route when it has none (key None)."""
    found = protocols.protocol(session, municipality_key or MODEL_KEY) or protocols.protocol(session, MODEL_KEY)
    if found is None:
        raise LookupError("the protocols are not loaded (make db)")
    return found


def route_of(protocol: Protocol, municipality: str, role: str) -> dict:
    """The route of a known role in a resolved municipality, as a JSON-ready dict."""
    rule = protocol.route(role)
    return {
        "municipality": municipality,
        "municipality_key": protocol.key if protocol.loaded else None,
        "protocol_loaded": protocol.loaded,
        "protocol": protocol.protocol if protocol.loaded else None,
        "role": role,
        "contact": protocol.contact(rule.contact),
        "informs": [protocol.contact(f) for f in rule.informs],
        "support_lines": [
            {"name": s.name, "what": s.what, "phone": s.phone, "url": s.url, "section": s.section}
            for s in protocol.support_lines
        ],
        "section": rule.section,
        "quote": rule.quote,
        "source": f"protocol {protocol.name}" if protocol.loaded else "algemene route (gedeeld door de vijf geladen protocollen)",
        "named": rule.named,
        "note": rule.note,
        "register": protocol.register,
    }


def route(session: Session, municipality_text: str | None, role_text: str | None) -> dict:
    """The route for what was typed (make route); raises ValueError for an unknown role or municipality."""
    role = normalize_role(role_text)
    if role is None:
        raise ValueError(f"onbekende rol: {role_text!r}")
    key, name = resolve_municipality(session, municipality_text)
    if name is None:
        raise ValueError(f"onbekende gemeente: {municipality_text!r}")
    return route_of(protocol_for(session, key), name, role)


def describe(result: dict) -> list[str]:
    """The route in short Dutch messages."""
    contact = result["contact"]
    messages = []
    if not result["protocol_loaded"]:
        messages.append(
            f"Voor {result['municipality']} heb ik geen protocol geladen. Ik geef u de algemene route "
            "die alle protocollen die ik ken delen. Vraag bij uw griffie of uw gemeente het anders regelt."
        )
    who = contact["label"]
    details = ", ".join(x for x in (contact.get("name"), contact.get("phone"), contact.get("email")) if x)
    line = f"Als {ROLE_LABELS[result['role']]} meldt u dit bij {who}"
    line += f" ({details})." if details else "."
    if result["informs"]:
        informed = [p["label"] for p in result["informs"]]
        line += f" Daarna {'wordt' if len(informed) == 1 else 'worden'} {_join(informed)} ingelicht."
    line += f" ({result['source']}, {result['section']})"
    messages.append(line)
    if result.get("note"):
        messages.append(result["note"])
    if not details:
        messages.append(f"De naam en het telefoonnummer van {who} staan nog niet in mijn gegevens. U vindt ze bij de griffie of op de website van de gemeente.")
    lines = []
    for s in result["support_lines"]:
        item = f"- {s['name']}"
        if s.get("phone"):
            item += f": {s['phone']}"
        if s.get("what"):
            item += f" ({s['what']})"
        lines.append(item)
    if lines:
        messages.append("Hulp en steun die het protocol noemt:\n" + "\n".join(lines))
    return messages


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


# --- a role or municipality taken from a story is confirmed before it is used -----------------------------------
# The entity extractor tags names in the whole story, also where they are somebody else's ("In de krant las ik dat een
# raadslid in Zwolle werd bedreigd"). A report goes to the contact person of the role and municipality in the slots,
# so one taken from a story is asked back ("Klopt het dat u raadslid bent in de gemeente Zwolle?") before the route is
# given. An answer to the form's questions (also to this one: "Nee, ik zit in Deventer"), a button and a message that
# only tells the role or place (intent inform) are used as they are.
ROUTE_SLOTS = ("role", "municipality")
_RESET_EVENTS = {"restart", "session_started", "reset_slots"}
# In the question a relative is "familie van een ambtsdrager" (the role's label reads badly in it)
_QUESTION_LABELS = {"familielid": "familie van een ambtsdrager"}
# "Klopt niet", "de gemeente klopt niet", "verkeerde gemeente": a no, whatever the model made of it
_WRONG = re.compile(r"\b(?:klopt|juist|correct)\s+(?:niet|helemaal\s+niet)\b|\b(?:verkeerde?|andere?)\s+(?:gemeente|rol|plaats)\b", re.I)


def from_story(tracker: Tracker) -> list[str]:
    """The route slots whose value was taken from a story.

    A value comes from the user message right before it (Rasa's slot extraction writes it straight after the message):
    from a story when the message tagged it as an entity and was not an answer to one of the routing form's questions,
    not a button and not of intent inform. A value an action writes (the form's validation turning "midden delfland"
    into "Midden-Delfland", a resumed draft) keeps where the value before it came from."""
    story: dict[str, bool] = {}
    requested = asked = None
    tagged: set = set()
    trusted = extracting = False
    for event in tracker.events:
        kind = event.get("event")
        if kind in _RESET_EVENTS:
            story.clear()
            requested = asked = None
            tagged, trusted, extracting = set(), False, False
        elif kind == "user":
            parse = event.get("parse_data") or {}
            tagged = {e.get("entity") for e in parse.get("entities") or []}
            trusted = (parse.get("intent") or {}).get("name") == "inform" or (event.get("text") or "").startswith("/")
            asked, extracting = requested, True
        elif kind == "action":
            extracting = False
        elif kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif kind == "slot" and event.get("name") in ROUTE_SLOTS:
            slot = event["name"]
            if event.get("value") is None:
                story.pop(slot, None)
            elif extracting:
                story[slot] = slot in tagged and not trusted and asked not in (slot, "routing_check")
    return [slot for slot in ROUTE_SLOTS if story.get(slot)]


def route_pair(tracker: Tracker) -> str:
    """What a confirmation confirms: the role and the municipality as they are now ("raadslid|Zwolle")."""
    return f"{tracker.get_slot('role')}|{tracker.get_slot('municipality')}"


def _from_story_unconfirmed(tracker: Tracker) -> list[str]:
    """The route slots that hold a story's value the user has not confirmed (the other may still be empty)."""
    confirmed = dict(zip(ROUTE_SLOTS, (tracker.get_slot("routing_confirmed") or "|").split("|", 1), strict=True))
    return [slot for slot in from_story(tracker) if tracker.get_slot(slot) and confirmed[slot] != str(tracker.get_slot(slot))]


def needs_confirmation(tracker: Tracker) -> list[str]:
    """The route slots to ask back, once both are known: those from a story whose value the user has not confirmed."""
    if not all(tracker.get_slot(slot) for slot in ROUTE_SLOTS):
        return []
    return _from_story_unconfirmed(tracker)


def unconfirmed_route(tracker: Tracker) -> list[str]:
    """The slots a paused report must not keep: a role or municipality from a story that is not yet confirmed (also
    when the other is still unknown: "een raadslid werd bedreigd", then a pause), with what was derived from it. A
    resumed draft (perhaps in a new session, where the story's origin is gone) would otherwise be filed on that route
    unasked; without them the routing form asks for them again."""
    pending = _from_story_unconfirmed(tracker)
    if not pending:
        return []
    derived = ["municipality_key"] if "municipality" in pending else []
    return [*pending, *derived, "routing_confirmed", "contact_function", "contact_label"]


def confirmation_question(tracker: Tracker, slots: list[str]) -> str:
    role_key = tracker.get_slot("role") or ""
    role = _QUESTION_LABELS.get(role_key) or ROLE_LABELS.get(role_key, role_key)
    municipality = tracker.get_slot("municipality")
    if slots == ["role"]:
        return f"Klopt het dat u {role} bent?"
    if slots == ["municipality"]:
        return f"Klopt het dat u actief bent in de gemeente {municipality}?"
    return f"Klopt het dat u {role} bent in de gemeente {municipality}?"


class ValidateRoutingForm(SafeFormValidationAction):
    def name(self) -> str:
        return "validate_routing_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        events = await super().run(dispatcher, tracker, domain)
        # routing_check holds an answer for one turn only: an answer that was not validated (the user gave the place
        # again instead, so nothing was left to confirm) must not answer the question of a later story
        if tracker.get_slot("routing_check") is not None and not any(e.get("name") == "routing_check" for e in events):
            events.append(SlotSet("routing_check", None))
        return events

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        needed = [slot for slot in domain_slots if slot != "routing_check"]
        return [*needed, "routing_check"] if needs_confirmation(tracker) else needed

    async def next_requested_slot(self, dispatcher, tracker, domain) -> dict:
        """Always the first empty slot of required_slots (rasa_sdk leaves it to Rasa when the list is the domain's,
        and Rasa's list has routing_check in it)."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        return SlotSet("requested_slot", next((slot for slot in required if tracker.get_slot(slot) is None), None))

    def validate_routing_check(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> dict:
        """Yes: the pair is confirmed. No: the slots the story gave are asked again. Else: asked to choose."""
        # the words decide before the model's affirm/deny: "klopt niet" may come in as affirm
        text = (tracker.latest_message or {}).get("text") or ""
        typed = None if text.startswith("/") else yes_no(text)
        answer = False if _WRONG.search(text) else typed if typed is not None else yes_no_answer(value, dispatcher)
        if answer is None:
            return {"routing_check": None}
        if answer:
            return {"routing_check": None, "routing_confirmed": route_pair(tracker)}
        cleared: dict[str, Any] = {slot: None for slot in needs_confirmation(tracker)}
        if "municipality" in cleared:
            cleared["municipality_key"] = None
        return {"routing_check": None, "routing_confirmed": None, **cleared}

    def validate_role(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> dict:
        return role_answer(value, dispatcher)

    def validate_municipality(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> dict:
        return municipality_answer(value, dispatcher)


def role_answer(value: Any, dispatcher: CollectingDispatcher) -> dict:
    """The role an answer names (routing form, and the report form when the route is changed at the summary)."""
    role = normalize_role(value if isinstance(value, str) else None)
    if value is None:
        return {"role": None}
    if role is None:
        dispatcher.utter_message(text="Die rol ken ik niet. Kies de rol die het best past.")
        return {"role": None}
    return {"role": role}


def municipality_answer(value: Any, dispatcher: CollectingDispatcher) -> dict:
    """The municipality an answer names, with its key (None: no protocol loaded, the general route), resolved here
    once and carried."""
    if value is None:
        return {"municipality": None}
    with db.session() as session:
        key, name = resolve_municipality(session, value)
    if name is None:
        dispatcher.utter_message(text="Die gemeente herken ik niet. Typ alleen de naam, bijvoorbeeld 'Leiden'.")
        return {"municipality": None, "municipality_key": None}
    return {"municipality": name, "municipality_key": key}


class ActionAskRole(Action):
    def name(self) -> str:
        return "action_ask_role"

    async def run(self, dispatcher, tracker, domain) -> list:
        dispatcher.utter_message(text="Wat is uw rol? Dan zoek ik uw contactpersoon.", buttons=role_buttons())
        return []


class ActionAskMunicipality(Action):
    def name(self) -> str:
        return "action_ask_municipality"

    async def run(self, dispatcher, tracker, domain) -> list:
        with db.session() as session:
            names = [m.name for m in protocols.municipalities(session) if m.key != MODEL_KEY]
        buttons = [{"title": n, "payload": f'/inform{{"municipality":"{n}"}}'} for n in names]
        dispatcher.utter_message(text="In welke gemeente bent u actief? Kies of typ de naam.", buttons=buttons)
        return []


class ActionAskRoutingCheck(Action):
    def name(self) -> str:
        return "action_ask_routing_check"

    async def run(self, dispatcher, tracker, domain) -> list:
        dispatcher.utter_message(text=confirmation_question(tracker, needs_confirmation(tracker)), buttons=YES_NO)
        return []


def contact_events(contact: dict) -> list[SlotSet]:
    """The slots a contact lookup sets: who gets the report (report_summary.route_at_lookup reads the last of these)."""
    return [SlotSet("contact_function", contact["function"]), SlotSet("contact_label", contact["label"])]


def route_for(tracker: Tracker, dispatcher: CollectingDispatcher) -> dict | None:
    """The route for the role and the resolved municipality in the slots; None (and a Dutch answer)
    when there is none."""
    route = looked_up_route(tracker)
    if route is None:
        dispatcher.utter_message(text=texts.NO_ROUTE)
    return route


def looked_up_route(tracker: Tracker) -> dict | None:
    """route_for without the answer: the route for the role and municipality in the slots, or None."""
    municipality, role = tracker.get_slot("municipality"), normalize_role(tracker.get_slot("role"))
    if not municipality or role is None:
        return None
    try:
        with db.session() as session:
            return route_of(protocol_for(session, tracker.get_slot("municipality_key")), municipality, role)
    except (LookupError, SQLAlchemyError):
        return None


class ActionRoute(Action):
    def name(self) -> str:
        return "action_route"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        result = route_for(tracker, dispatcher)
        if result is None:
            return []
        for message in describe(result):
            dispatcher.utter_message(text=message)
        return contact_events(result["contact"])


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("gebruik: python -m actions.routing GEMEENTE ROL", file=sys.stderr)
        return 2
    try:
        with db.session() as session:
            result = route(session, argv[0], argv[1])
    except (ValueError, LookupError) as error:
        print(json.dumps({"error": str(error)}, ensure_ascii=False))
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
