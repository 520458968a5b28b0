"""Triage: acute danger first, then the ABCD category with the cues that show it, a question
when in doubt, and the protocol's advice for the category."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import knowledge, texts
from actions.common import MAX_TEXT, REPORT_SLOTS, YES_NO, SafeFormValidationAction, is_unsure, reset, yes_no_answer
from actions.knowledge import Protocol, normalize_role
from actions.routing import contact_events, protocol_for, route_of
from actions.store import db
from nlu.triage import INCIDENT_INTENTS, SEVERITY, counted_cues


def _confirmed_cues(tracker: Tracker, category: str) -> dict:
    """After the threat question gave D, the D words held back (nlu.triage: "counted": false) decided it after all."""
    cues = tracker.get_slot("cues") or []
    if category != "D" or not any(c.get("counted") is False and c.get("category") == "D" for c in cues):
        return {}
    return {"cues": [{**c, "counted": True} if c.get("category") == "D" else c for c in cues]}


def _settled(tracker: Tracker, category: str) -> dict:
    """The slots once the threat question settled the category: the D kind and the held-back D words only with D."""
    return {"doubt": None, "category": category, "subkind": tracker.get_slot("subkind") if category == "D" else None,
            **_confirmed_cues(tracker, category)}


def answer_doubt(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, unsure: str = texts.UNSURE_HEAVIEST) -> dict:
    """The answer to the doubt question (triage form, or report form for a story typed there): 'ja' gives the heavier
    category, 'nee' the lighter; 'weet ik niet' the heavier (the heaviest behaviour counts), said with `unsure`."""
    if is_unsure(value) or is_unsure(tracker.latest_message.get("text")):  # "weet ik niet" may parse as deny
        high = tracker.get_slot("doubt")[1]
        dispatcher.utter_message(text=unsure.format(category=texts.CATEGORY_SHORT[high]))
        return {"triage_check": "unsure", **_settled(tracker, high)}
    answer = yes_no_answer(value, dispatcher, tracker.latest_message.get("text"))  # a typed "ja" taken for deny is a yes
    if answer is None:
        return {"triage_check": None}
    low, high = tracker.get_slot("doubt")
    # "nee, maar hij volgde me wel naar huis": the answer itself tells a heavier behaviour (the heaviest counts)
    own = ((tracker.latest_message or {}).get("abcd") or {}).get("label")
    category = max([high if answer else low, *([own] if own in SEVERITY else [])], key=SEVERITY.__getitem__)
    return {"triage_check": answer, **_settled(tracker, category)}


def doubt_lead(doubt: list[str]) -> str:
    """Said before the doubt question (after the triage, or after a story typed into the report form)."""
    low, high = doubt
    return f"Ik twijfel tussen {texts.CATEGORY_SHORT[low]} en {texts.CATEGORY_SHORT[high]}. Daarom één vraag."


def explain(result: dict) -> str:
    """'Wat u beschrijft is ...' with at most two cues quoted back to the user: one short message."""
    label = result["label"]
    lines = [f"Wat u beschrijft lijkt op {texts.CATEGORY[label]}."]
    if label == "D" and result.get("subkind"):
        lines[0] = f"Wat u beschrijft is {texts.CATEGORY_SHORT['D']}: {texts.SUBKIND[result['subkind']]}."
    # only the cues that decided (nlu.triage: a D word the model gave almost no D did not; the bot asks about it)
    cues = counted_cues(result.get("cues", []))
    for cue in cues[:2]:
        lines.append(f"U schrijft '{cue['text']}': dat is {texts.SUBKIND.get(cue['kind'], cue['kind'])}.")
    if not cues:
        lines.append("Ik zag geen duidelijke signaalwoorden. Dit is mijn inschatting van uw hele verhaal.")
    if sum(1 for c in cues if c["category"] != label) and label in ("C", "D"):
        lines.append("Zit er meer soorten gedrag in één voorval? Dan telt het zwaarste.")
    lines.append("Klopt dit niet? Vertel dan wat er anders was.")
    return "\n".join(lines)


class ActionTriage(Action):
    """Runs on every story: 112 first when the danger is now, then the category and its cues."""

    def name(self) -> str:
        return "action_triage"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        message = tracker.latest_message or {}
        text = (message.get("text") or "").strip()
        result = dict(message.get("abcd") or {})
        intent = (message.get("intent") or {}).get("name")
        if not result.get("label") and intent in INCIDENT_INTENTS:
            # The dialogue followed an incident intent the triage component did not label.
            result.update(label=INCIDENT_INTENTS[intent], cues=result.get("cues") or [], doubt=None)
        if intent == "acute_danger":
            result["acute"] = True

        if result.get("acute"):
            dispatcher.utter_message(text=texts.ACUTE)
        if len(text) > MAX_TEXT:
            dispatcher.utter_message(
                text=f"Uw bericht is erg lang. Ik heb het helemaal gelezen en bewaar de eerste {MAX_TEXT} tekens voor een melding."
            )
        label = result["label"]
        dispatcher.utter_message(text=explain(result))
        if result.get("doubt"):
            dispatcher.utter_message(text=doubt_lead(result["doubt"]))

        return [
            *reset(["triage_check", "triage_persistent"] + REPORT_SLOTS),
            SlotSet("incident_text", text[:MAX_TEXT]),
            SlotSet("category", label),
            SlotSet("subkind", result.get("subkind")),
            SlotSet("cues", result.get("cues") or []),
            SlotSet("doubt", result.get("doubt")),
            SlotSet("acute", bool(result.get("acute"))),
            SlotSet("online", bool(result.get("online"))),
            SlotSet("medium_hint", result.get("medium")),
            SlotSet("persistent", True if result.get("persistent") else None),
        ]


class ValidateTriageForm(SafeFormValidationAction):
    def name(self) -> str:
        return "validate_triage_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        needed = []
        if tracker.get_slot("doubt"):
            needed.append("triage_check")
        elif tracker.get_slot("category") in texts.PERSIST_QUESTION and tracker.get_slot("persistent") is None:
            needed.append("triage_persistent")
        return needed

    def validate_triage_check(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict:
        return answer_doubt(value, dispatcher, tracker)

    def validate_triage_persistent(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict:
        answer = yes_no_answer(value, dispatcher, tracker.latest_message.get("text"))
        if answer is None:
            return {"triage_persistent": None}
        return {"triage_persistent": answer, "persistent": answer}


class ActionAskTriageCheck(Action):
    def name(self) -> str:
        return "action_ask_triage_check"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        low, high = tracker.get_slot("doubt") or ["C", "D"]
        dispatcher.utter_message(text=texts.DOUBT_QUESTION[high], buttons=[*YES_NO, {"title": "Weet ik niet", "payload": "weet ik niet"}])
        return []


class ActionAskTriagePersistent(Action):
    def name(self) -> str:
        return "action_ask_triage_persistent"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        category = tracker.get_slot("category")
        dispatcher.utter_message(text=texts.PERSIST_QUESTION.get(category, texts.PERSIST_QUESTION["C"]), buttons=YES_NO)
        return []


# The other person is a fellow office holder, and there is no protocol of the user's municipality: what
# all five protocols share ("bij twijfel altijd contact ... met de griffier of de burgemeester",
# protocols/_model.yml, routes.fractiemedewerker; the colleague sections of the five files).
COLLEAGUE_GENERAL = (
    "U schrijft dat de ander een collega-ambtsdrager is. Twijfelt u of het over de grens ging?"
    " Alle protocollen zeggen: neem dan contact op met de griffier of de burgemeester."
)
# When only the colleague model (not the cue rule) saw a colleague: the route is said under a condition, and
# the aggression protocol's advice and reporting follow as for anyone else (nlu/triage.py, `colleague_by`).
COLLEAGUE_MAYBE = "Is de ander een collega-ambtsdrager? Dan geldt dit:"
COLLEAGUE_MAYBE_NOT = "Is de ander geen collega? Dan geldt het advies hierna."
COLLEAGUE_MAYBE_GENERAL = (
    "Is de ander een collega-ambtsdrager? Twijfelt u of het over de grens ging?"
    " Neem dan contact op met de griffier of de burgemeester. Dat zeggen alle protocollen."
)


def story_result(tracker: Tracker) -> dict:
    """The ABCD result of the story: the last user message that the classifier called an incident."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            abcd = (event.get("parse_data") or {}).get("abcd") or {}
            if abcd.get("label"):
                return abcd
    return {}


def colleague_route(protocol: Protocol) -> dict | None:
    return knowledge.colleague_route(protocol.key) if protocol.loaded else None


def colleague_text(route: dict | None, source: str, sure: bool = True) -> str:
    """The colleague route in words (`route`: colleague_route of the user's protocol, None without one)."""
    if not route:
        return COLLEAGUE_GENERAL if sure else f"{COLLEAGUE_MAYBE_GENERAL} {COLLEAGUE_MAYBE_NOT}"
    if sure:
        return f"U schrijft dat de ander een collega-ambtsdrager is. {route['text']} ({source}, {route['section']})"
    return f"{COLLEAGUE_MAYBE} {route['text']} ({source}, {route['section']}) {COLLEAGUE_MAYBE_NOT}"


def colleague_is_sure(result: dict) -> bool:
    """The cue rule named a colleague who acted (results from before the colleague model came from the rule)."""
    return result.get("colleague_by", "rule") == "rule"


def _protocol(tracker: Tracker, dispatcher: CollectingDispatcher) -> Protocol | None:
    try:
        with db.session() as session:
            return protocol_for(session, tracker.get_slot("municipality_key"))
    except (LookupError, SQLAlchemyError):
        dispatcher.utter_message(text=texts.NO_ADVICE)
        return None


def _source(protocol: Protocol) -> str:
    return f"protocol {protocol.name}" if protocol.loaded else "algemene route uit de protocollen"


def _contact(protocol: Protocol, tracker: Tracker) -> list:
    """The contact person's slots for the route of this role (said on request: 'Wie is mijn contactpersoon?')."""
    role = normalize_role(tracker.get_slot("role"))
    if role is None or not tracker.get_slot("municipality"):
        return []
    return contact_events(route_of(protocol, tracker.get_slot("municipality"), role)["contact"])


class ActionAdvice(Action):
    """After the verdict and the route: one short message with what we advise now and whether to report;
    the protocol's steps, the contact person and a person to talk to come on request (issue 13)."""

    def name(self) -> str:
        return "action_advice"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        category = tracker.get_slot("category")
        if category not in SEVERITY:
            return []
        protocol = _protocol(tracker, dispatcher)
        if protocol is None:
            return []
        return self._advise(dispatcher, tracker, category, protocol) + _contact(protocol, tracker)

    def _advise(self, dispatcher, tracker: Tracker, category: str, protocol: Protocol) -> list:
        persistent = tracker.get_slot("persistent")
        advice = protocol.advice(category, tracker.get_slot("subkind"))
        source = _source(protocol)
        result = story_result(tracker)
        if result.get("colleague"):
            sure, route = colleague_is_sure(result), colleague_route(protocol)
            dispatcher.utter_message(text=colleague_text(route, source, sure))
            if sure and route and route.get("covered") is False:
                return [SlotSet("report_required", False)]  # the protocol leaves this to the gedragscode
        required = texts.reporting_required(advice.reporting, persistent)
        dispatcher.utter_message(
            text=f"Ons advies nu: {advice.approach[:1].lower() + advice.approach[1:]}. "
                 f"{texts.reporting_sentence(advice.reporting, persistent)} ({source}, {advice.section})")
        return [SlotSet("report_required", required)]


class ActionAdviceDetails(Action):
    """'Wat moet ik doen?': the protocol's steps, its words on reporting, online steps and aangifte."""

    def name(self) -> str:
        return "action_advice_details"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        category = tracker.get_slot("category")
        if category not in SEVERITY:
            dispatcher.utter_message(text="Vertel eerst wat er gebeurde. Dan zeg ik wat het protocol adviseert.")
            return []
        protocol = _protocol(tracker, dispatcher)
        if protocol is None:
            return []
        persistent = tracker.get_slot("persistent")
        advice = protocol.advice(category, tracker.get_slot("subkind"))
        source = _source(protocol)
        lines = [f"Wat u kunt doen bij {texts.CATEGORY_SHORT[category]}:"]
        lines += [f"- {step}" for step in advice.steps]
        lines.append(f"({source}, {advice.section})")
        dispatcher.utter_message(text="\n".join(lines))
        report_line = texts.reporting_sentence(advice.reporting, persistent)
        if advice.quote:  # verbatim, so it may be shown as a quote
            report_line += f" Het protocol zegt: '{advice.quote}'"
        dispatcher.utter_message(text=report_line)
        if tracker.get_slot("online") and protocol.online:
            online = protocol.online
            steps = "\n".join(f"- {s}" for s in online.get("steps") or [])
            dispatcher.utter_message(text=f"Omdat het online of via een bericht gebeurde:\n{steps}\n({source}, {online.get('section')})")
        if category == "D" and protocol.aangifte:
            aangifte = protocol.aangifte
            extra = " Vraag de politie om de VPT-code (Veilige Publieke Taak) op de aangifte te zetten." if aangifte.get("vpt_code") else ""
            dispatcher.utter_message(text=f"Aangifte: {aangifte['text']}{extra} ({source}, {aangifte.get('section')})")
        return []
