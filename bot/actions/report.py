"""Report (melding), the form: the 7 W's (Alkmaar §5) and how it happened, asked one at a time, with the answers
the story already gave filled in (prefill.py).

The fields are one table, actions.report_fields.REPORT_FIELDS: the form's validation, the summary,
the "Aanpassen" buttons and the draft (report_summary.py) are generated from it.

After the form: the summary and, only after an explicit "ja", one transaction that writes the report and its
notifications and gives a reference number (report_summary.py); changing one field at the summary
(report_change.py); pausing and resuming a report (report_pause.py)."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import prefill, routing, texts, triage
from actions.common import (
    REPORT_SLOTS,
    TRIAGE_SLOTS,
    SafeFormValidationAction,
    answered,
    clean_text,
    reset,
    yes_no_answer,
)
from actions.report_change import ROUTE
from actions.report_fields import BY_SLOT, MEDIA, ReportField


def prefilled_from(story: str | None, slot: Any) -> dict[str, Any]:
    """The report slots the story answers that are still empty, plus `report_prefilled` (which ones came from it)."""
    found = {name: value for name, value in prefill.prefill(story).items() if not slot(name)}
    if story and not slot("report_what"):
        found["report_what"] = story
    if not found:
        return {}
    return {**found, "report_prefilled": sorted({*(slot("report_prefilled") or []), *found})}


class ActionRequestReport(Action):
    """'Ik wil een melding doen': go through routing to the report, skipping the offer."""

    def name(self) -> str:
        return "action_request_report"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        dispatcher.utter_message(text="Goed, ik help u met een melding. Eerst zoek ik uw contactpersoon.")
        story = tracker.get_slot("incident_text")
        filled = prefilled_from(story, lambda name: None)
        # With no story told to the triage, the story typed into the form decides the category (validate_report_what):
        # nothing of an earlier, paused or cancelled report's story may stay behind (its category, an open question).
        stale = [] if story else reset(TRIAGE_SLOTS)
        return [*reset(REPORT_SLOTS), *stale, SlotSet("report_wanted", True), *(SlotSet(k, v) for k, v in filled.items())]


_SKIP = re.compile(r"\b(?:weet\s+(?:ik\s+)?(?:het\s+)?niet|geen\s+(?:flauw\s+)?idee|sla\s+(?:\w+\s+){0,3}?over|overslaan|"
                   r"onbekend|niet\s+bekend|skip|volgende\s+vraag|(?:kan\s+)?(?:ik\s+)?(?:me|mij)\s+niet\s+(?:meer\s+)?herinneren|"
                   r"herinner\s+(?:ik\s+)?(?:me|mij)\s+niet|niet\s+van\s+toepassing|nvt|n\.v\.t\.?)(?!\w)", re.I)
# Around a skip phrase only these words may stand ("dat weet ik niet meer", "sla maar over"): else it is an answer.
_FILLER = {"ik", "dat", "het", "meer", "precies", "maar", "echt", "helaas", "nee", "sorry", "eigenlijk", "niet", "even",
           "ook", "zo", "nou", "eh", "uh", "hmm", "zeker", "dus", "die", "deze", "vraag", "kan", "me", "mij", "goed", "wel"}
# Short words that answer a yes/no question, not an open one ("ja" to "Wie deed het?").
_NOT_AN_ANSWER = re.compile(r"^\s*(?:ja+|nee+|jawel|neen|ok|oke|oké|okay|klopt|prima|goed|yes|yep|jep|jup|jaja|no|hmm+|eh+|uh+|"
                            r"ja\s+(?:hoor|klopt|zeker|prima|goed)|klopt\s+ja|nee\s+hoor|doe\s+maar|graag|zeker|misschien|help|"
                            r"hulp|test)\s*[.!?]*\s*$", re.I)
_NOBODY = re.compile(r"^\s*(?:nee|neen|niemand|geen|geen\s+getuigen|niet\s+dat\s+ik\s+weet)\b", re.I)
UNKNOWN = "onbekend"


def is_skip(text: str | None) -> bool:
    """'weet ik niet', 'sla maar over', 'kan ik me niet herinneren', 'nvt': always an answer to a report question.
    A short answer (six words or fewer) with such a phrase and nothing else of content counts."""
    if not text or len(text.split()) > 6:
        return False
    m = _SKIP.search(text)
    if not m:
        return False
    rest = re.findall(r"[^\W\d_]+", (text[:m.start()] + " " + text[m.end():]).lower())
    return all(word in _FILLER for word in rest)


# The route's questions in this form, only when the route is changed at the summary (the domain lists them first)
ROUTE_ASKED = ("role", "municipality")


class ValidateReportForm(SafeFormValidationAction):
    def name(self) -> str:
        return "validate_report_form"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        events = await super().run(dispatcher, tracker, domain)
        if tracker.get_slot("report_changing") == ROUTE:
            rerouted = await _rerouted(dispatcher, tracker, events, domain)
            if any(e.get("name") == "requested_slot" for e in rerouted):  # asked again: Rasa reads the first one
                events = [e for e in events if e.get("name") != "requested_slot"]
            events += rerouted
        return events

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        # report_wanted is filled from the intent: "weet ik niet" or "ja graag" understood as deny is no "nee"
        # (validate_report_wanted asks again, or takes the yes)
        if tracker.get_slot("report_wanted") is False and answered(False, tracker.latest_message.get("text")) is False:
            return []
        changing = tracker.get_slot("report_changing")
        # Optional fields (witnesses, consequences) are asked only when the user chose to change them.
        needed = [s for s in domain_slots if s not in ("triage_check", *ROUTE_ASKED)
                  and (not (s in BY_SLOT and BY_SLOT[s].optional) or s == changing)]
        if changing == ROUTE:  # "Rol en gemeente" at the summary: asked first (actions.report_change)
            needed = [*ROUTE_ASKED, *needed]
        if tracker.get_slot("doubt"):
            # an open doubt (a story typed into the form, validate_report_what, or a triage left before its question
            # was answered): the question comes right after the story; the answer clears the doubt
            # (actions.triage.answer_doubt), an unclear one leaves it to be asked again
            needed.insert(needed.index("report_what") + 1, "triage_check")
        return needed

    def validate_report_wanted(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict:
        answer = yes_no_answer(value, dispatcher, tracker.latest_message.get("text"))
        if answer is None:
            return {"report_wanted": None}
        if answer and tracker.get_slot("incident_text"):
            # The story the user told is the "wat" of the report, and answers what it names (issue 13).
            return {"report_wanted": True, **prefilled_from(tracker.get_slot("incident_text"), tracker.get_slot)}
        return {"report_wanted": answer}

    def validate_report_what(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict:
        """The story typed into the form; when there was no triage yet, its ABCD result is kept too."""
        result = _answer(BY_SLOT["report_what"], value, dispatcher)
        abcd = (tracker.latest_message or {}).get("abcd") or {}
        story = result["report_what"]
        if story and story != UNKNOWN:
            # a story with no triage before it, or a story changed with "Aanpassen": the new story decides
            new_story = not tracker.get_slot("category") or tracker.get_slot("report_changing") == "report_what"
            if new_story and abcd.get("label"):
                result.update(_classified(abcd, dispatcher, bool(tracker.get_slot("acute"))))
            result.update({k: v for k, v in prefilled_from(story, tracker.get_slot).items() if k != "report_what"})
        return result

    def validate_triage_check(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict:
        """The doubt question about a story typed into the form, as in the triage (actions.triage.answer_doubt)."""
        answered = triage.answer_doubt(value, dispatcher, tracker, unsure=texts.UNSURE_HEAVIEST_REPORT)
        if answered["triage_check"] in (True, False):
            dispatcher.utter_message(text=f"Dan noteer ik dit als {answered['category']}-gedrag.")
        return answered

    # Role and municipality are this form's slots only when the route is changed at the summary: Rasa fills them from
    # the domain's mappings (requested_slot in this form); nothing more to extract, and no warning that nothing is.
    async def extract_role(self, dispatcher, tracker: Tracker, domain) -> dict:
        return {}

    async def extract_municipality(self, dispatcher, tracker: Tracker, domain) -> dict:
        return {}

    def validate_role(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict:
        return routing.role_answer(value, dispatcher)

    def validate_municipality(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict:
        return routing.municipality_answer(value, dispatcher)

    def __getattr__(self, name: str) -> Any:
        """validate_<slot> for every report field without its own method: free text, or a choice."""
        field = BY_SLOT.get(name.removeprefix("validate_")) if name.startswith("validate_") else None
        if field is None:
            raise AttributeError(name)
        return lambda value, dispatcher, tracker, domain: _answer(field, value, dispatcher)


async def _rerouted(dispatcher: CollectingDispatcher, tracker: Tracker, events: list, domain) -> list:
    """Once the changed route has a role and a municipality: the new protocol's short advice (whether reporting is
    required may differ), its contact person (who gets the report) and the route as confirmed (the user chose it),
    as after the routing form. Nothing while one of them is still asked, or once the contact is looked up."""
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    now = {name: slots.get(name, tracker.get_slot(name)) for name in ("role", "municipality", "municipality_key")}
    if not (now["role"] and now["municipality"]) or slots.get("contact_function", tracker.get_slot("contact_function")):
        return []
    tracker.slots.update(now)  # the advice and the lookup read the new route
    looked_up = await triage.ActionAdvice().run(dispatcher, tracker, domain)
    if not any(e.get("name") == "contact_function" for e in looked_up):  # no category to advise on: the contact only
        route = routing.looked_up_route(tracker)
        if route is None:
            # nobody to send it to: the municipality is asked again rather than the report going to a default reader
            if not any(m.get("text") == texts.NO_ADVICE for m in dispatcher.messages):
                dispatcher.utter_message(text=texts.NO_ROUTE)
            return [SlotSet("municipality", None), SlotSet("municipality_key", None), SlotSet("requested_slot", "municipality")]
        looked_up += routing.contact_events(route["contact"])
    return [*looked_up, SlotSet("routing_confirmed", routing.route_pair(tracker))]


def _classified(abcd: dict, dispatcher: CollectingDispatcher, was_acute: bool) -> dict:
    """The triage of a story typed into the report form (no triage before it, or changed): the category, or the doubt
    to ask about first (required_slots puts triage_check next). Doubt between D and another category is asked, never
    settled silently on the lighter one. Acute danger told once stays in the report."""
    label, doubt = abcd["label"], abcd.get("doubt")
    if doubt:
        dispatcher.utter_message(text=triage.doubt_lead(doubt))
    else:
        dispatcher.utter_message(text=f"Ik noteer dit als {label}-gedrag.")
    # the kind only with D; with a doubt it is kept for the answer that may give D (nlu.triage, actions.triage._settled)
    subkind = abcd.get("subkind") if label == "D" or doubt else None
    return {"category": label, "subkind": subkind, "cues": abcd.get("cues") or [], "doubt": doubt,
            "acute": was_acute or bool(abcd.get("acute"))}


def _reask(dispatcher: CollectingDispatcher, field: ReportField, lead: str) -> dict:
    dispatcher.utter_message(text=f"{lead} {field.example} Weet u het niet? Typ dan 'weet ik niet'.")
    return {field.slot: None}


def _answer(field: ReportField, value: Any, dispatcher: CollectingDispatcher) -> dict:
    """A field's answer, checked: empty, a bare "ja", a date in the future or a medium that is none of the
    choices is asked again, kindly and specifically; "weet ik niet" and "sla over" are always an answer."""
    if value is None:  # a slot reset by an action, not an answer
        return {field.slot: None}
    text = clean_text(value)
    if text is None:
        return _reask(dispatcher, field, "Ik heb geen antwoord gekregen.")
    if is_skip(text):
        return {field.slot: UNKNOWN}  # a choice field too: the summary shows "onbekend", not "anders"
    if field.parse is not None:
        choice = field.parse(text)
        if choice is None:
            dispatcher.utter_message(text=field.unknown_choice)
        return {field.slot: choice}
    if field.name == "witnesses" and _NOBODY.match(text) and len(text.split()) <= 4:
        return {field.slot: "Niemand"}
    when = prefill.parse_when(text) if field.name == "when" else None
    if when is not None and when.future:
        return _reask(dispatcher, field, "Die dag ligt in de toekomst. Wanneer gebeurde het?")
    if when is not None:
        return {field.slot: when.shown()}
    if _NOT_AN_ANSWER.match(text) or len(re.findall(r"[^\W\d_]", text)) < 2:  # "ja", "?", "x", "1": no content
        return _reask(dispatcher, field, f"U typte '{text[:20]}'. Ik heb hier een paar woorden nodig.")
    if field.name == "when" and not prefill.speaks_of_time(text):
        return _reask(dispatcher, field, "Ik begrijp niet wanneer het was.")
    return {field.slot: text}


# After the verdict and the advice: the rest on request (issue 13, progressive disclosure).
NEXT_STEP_BUTTONS = [
    {"title": "Melden", "payload": "/affirm"},
    {"title": "Wat moet ik doen?", "payload": "/ask_advice"},
    {"title": "Wie is mijn contactpersoon?", "payload": "/request_contact"},
    {"title": texts.HANDOFF_BUTTON, "payload": "/request_human"},
    {"title": "Niet melden", "payload": "/deny"},
]


class ActionAskReportWanted(Action):
    def name(self) -> str:
        return "action_ask_report_wanted"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        contact = tracker.get_slot("contact_label") or "uw contactpersoon"
        lead = "Melden is hier verplicht. " if tracker.get_slot("report_required") else ""
        text = f"{lead}Wilt u het melden bij {contact}? Ik stel dan een paar korte vragen. U leest alles eerst na."
        dispatcher.utter_message(text=text, buttons=NEXT_STEP_BUTTONS)
        return []


class ActionAskReportMedium(Action):
    def name(self) -> str:
        return "action_ask_report_medium"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        field = BY_SLOT["report_medium"]
        buttons = [{"title": label[:1].upper() + label[1:], "payload": key} for key, label in MEDIA.items()]
        dispatcher.utter_message(text=field.question, buttons=[*buttons, {"title": "Weet ik niet", "payload": "weet ik niet"}])
        return []
