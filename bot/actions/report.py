"""Report (melding): the 7 W's (Alkmaar §5) and how it happened, a summary, and only after an
explicit "ja" one transaction that writes the report and its notifications (outbox rows) and gives a reference
number; then the notification is tried at once, and the user hears the truth about whether it arrived.

The fields are one table, actions.report_fields.REPORT_FIELDS: the form's validation, the summary,
the "Aanpassen" buttons and the draft below are generated from it."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import re
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from actions import identity, outbox, prefill, routing, texts, triage
from actions.common import (
    REPORT_SLOTS,
    TRIAGE_SLOTS,
    YES_NO,
    SafeFormValidationAction,
    answered,
    clean_text,
    forget_draft,
    reset,
    words_hold_back,
    words_keep,
    yes_no_answer,
)
from actions.report_fields import BY_SLOT, MEDIA, REPORT_FIELDS, ReportDraft, ReportField
from actions.store import db, drafts, evidence, protocols, reports
from actions.store import outbox as outbox_store

log = logging.getLogger(__name__)

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


class ValidateReportForm(SafeFormValidationAction):
    def name(self) -> str:
        return "validate_report_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        # report_wanted is filled from the intent: "weet ik niet" or "ja graag" understood as deny is no "nee"
        # (validate_report_wanted asks again, or takes the yes)
        if tracker.get_slot("report_wanted") is False and answered(False, tracker.latest_message.get("text")) is False:
            return []
        changing = tracker.get_slot("report_changing")
        # Optional fields (witnesses, consequences) are asked only when the user chose to change them.
        needed = [s for s in domain_slots if s != "triage_check" and (not (s in BY_SLOT and BY_SLOT[s].optional) or s == changing)]
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

    def __getattr__(self, name: str) -> Any:
        """validate_<slot> for every report field without its own method: free text, or a choice."""
        field = BY_SLOT.get(name.removeprefix("validate_")) if name.startswith("validate_") else None
        if field is None:
            raise AttributeError(name)
        return lambda value, dispatcher, tracker, domain: _answer(field, value, dispatcher)


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
# asked again.
_CONFIRM_ASKED_BY = {"action_report_summary", "action_submit_report", "action_cancel_report"}


def summary_question_open(tracker: Tracker) -> bool:
    """True when the latest user message answers the summary question: the last action the bot ran
    before that message showed the summary (or asked it again). A "ja" sent after the bot moved on is stale."""
    events = list(tracker.events or [])
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=None)
    if last_user is None:
        return False
    for event in reversed(events[:last_user]):
        if event.get("event") == "action" and event.get("name") not in ("action_listen", None):
            return event.get("name") in _CONFIRM_ASKED_BY
    return False


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
        events = keep_routed_municipality(tracker)
        return [*events, *show_summary(dispatcher, tracker, uuid.uuid4().hex)]


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
        return []  # filing checks again; the summary shows what the slots hold
    if not routed or routed == shown:
        return []
    tracker.slots["municipality"] = routed  # this turn's summary and its hash read the routed name
    return [SlotSet("municipality", routed)]


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
            unchanged = tracker.get_slot("report_summary_hash") == summary_hash(tracker.get_slot)
            return show_summary(dispatcher, tracker, tracker.get_slot("report_draft_id") if unchanged else uuid.uuid4().hex)
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
            dispatcher.utter_message(text="Ik heb de melding nog niet weggegooid. Wilt u stoppen? Kies dan 'Niet indienen'.")
            return show_summary(dispatcher, tracker, tracker.get_slot("report_draft_id"))
        dispatcher.utter_message(text="Goed, ik dien de melding niet in. Er is niets opgeslagen. U kunt later altijd opnieuw beginnen.")
        return [*reset(REPORT_SLOTS)]


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
    for f in REPORT_FIELDS:
        if folded == f.label.lower():
            return f.slot
    for f in REPORT_FIELDS:
        if any(folded == w or folded.startswith(w + " ") or f" {w}" in f" {folded}" for w in f.change_words):
            return f.slot
    return None


class ActionAskChangeField(Action):
    def name(self) -> str:
        return "action_ask_change_field"

    async def run(self, dispatcher, tracker: Tracker, domain) -> list:
        buttons = [{"title": f.label, "payload": f'/change{{"change_field":"{f.slot}"}}'} for f in REPORT_FIELDS]
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
        return events


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
