"""Small helpers shared by the actions: buttons, yes/no in free text, text limits, stopping."""

from __future__ import annotations

import logging
import re
from abc import abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.report_fields import FORM_SLOTS
from nlu import cues

MAX_TEXT = 5000  # longer answers are cut; the user is told so

YES_NO = [
    {"title": "Ja", "payload": "/affirm"},
    {"title": "Nee", "payload": "/deny"},
]

_YES = re.compile(r"^\s*(?:ja|jawel|jazeker|klopt|zeker|inderdaad|yes|yep|graag|ja graag|doe maar|wel|dat klopt|correct)\b", re.I)
# "klopt niet", "zeker niet": a yes-word with "niet" after it is a no (checked before _YES)
_NO = re.compile(r"^\s*(?:nee|neen|niet|nooit|geen(?!\s+(?:enkel\s+)?(?:probleem|problemen|bezwaar|bezwaren|punt)\b)|no|nope|liever niet|helemaal niet|(?:dat\s+)?(?:klopt|zeker|correct|juist)\s+niet)\b", re.I)

TRIAGE_SLOTS = ["category", "subkind", "cues", "doubt", "acute", "online", "medium_hint", "persistent", "triage_check", "triage_persistent"]
# Everything a report in progress keeps: the report form's slots (report_fields.py) and where it stands.
REPORT_SLOTS = [*FORM_SLOTS, "report_status", "report_draft_id", "report_summary_hash", "change_field", "report_prefilled",
                "report_changing"]
# A question about a filed report, withdrawing, adding, erasing (report_lifecycle.py).
LIFECYCLE_SLOTS = ["lifecycle", "lookup_reference", "lifecycle_confirm", "lifecycle_addition"]


_UNSURE = re.compile(r"\b(?:geen\s+idee|weet\s+(?:ik\s+)?(?:het\s+)?niet|niet\s+zeker|misschien|twijfel)\b", re.I)


def is_unsure(value: Any) -> bool:
    """'weet ik niet', 'geen idee', 'twijfel': the user cannot answer the question."""
    return isinstance(value, str) and bool(_UNSURE.search(value))


def yes_no(value: Any) -> bool | None:
    """True/False for a yes/no answer (button or typed), None when it is neither or unsure."""
    if isinstance(value, bool):
        return value
    if not isinstance(value, str) or _UNSURE.search(value):
        return None
    if _NO.search(value):
        return False
    if _YES.search(value):
        return True
    return None


# a yes taken back, or a step put off, in the same message: "doe maar niet", "graag niet", "ja nee, toch maar niet",
# "ja, maar wacht even", "nog niet indienen", "dien maar niet in" (phrases: "ja hoor, geen probleem" and "ja, hij wacht me
# elke dag op" are a yes)
_TAKEN_BACK = re.compile(
    r"\b(?:nee|neen)\b|\bwacht\s+(?:even|effe|eens|maar|nog)\b|\b(?:nog|even)\s+(?:even\s+)?wachten\b"
    r"|\b(?:doe|graag|liever|toch|nog)\s+(?:maar\s+)?(?:nog\s+)?niet\b"
    r"|\bniet\s+(?:indienen|doen|sturen|versturen|wissen|intrekken|verwijderen|melden)\b"
    r"|\b(?:dien|stuur|verstuur|wis|verwijder|trek)\w*\s+(?:\w+\s+){0,2}niet\b",
    re.I,
)


def _words(typed: Any) -> str | None:
    """What the user typed; None for a button's payload ("/affirm") or nothing."""
    return typed if isinstance(typed, str) and not typed.lstrip().startswith("/") else None


def answered(value: Any, typed: str | None) -> bool | None:
    """yes_no_answer's answer, without asking: the typed words first, then the slot's value (see there). A yes
    taken back in the same words ("doe maar niet", "ja, maar wacht even") is no answer: asked again."""
    words = _words(typed)
    if is_unsure(words):
        return None
    said = yes_no(words) if words is not None else None
    if said is True and words is not None and _TAKEN_BACK.search(words):
        return None
    return said if said is not None else yes_no(value)


def words_hold_back(typed: str | None) -> bool:
    """The typed words (not a button's payload) are a no, unsure, or a yes taken back: a step that cannot be undone
    (filing a report, erasing) does not go on, whatever intent the model gave. Words that are neither ("prima") do
    not hold it back."""
    words = _words(typed)
    return words is not None and (is_unsure(words) or yes_no(words) is False or bool(_TAKEN_BACK.search(words)))


# a draft let go in the same words as a yes: "ja, stop maar", "ja, gooi maar weg", "ja laat maar", "ja, niet indienen"
_LET_GO = re.compile(r"\b(?:stop\w*|weg\w*|gooi\w*|annuleer\w*|annuleren|laat\s+(?:\w+\s+)?maar|niet)\b", re.I)
_WAIT = re.compile(r"\bwacht(?:en)?\b", re.I)


def words_keep(typed: str | None) -> bool:
    """The typed words (not a button's payload) are a plain yes, unsure or "wacht": a step that throws a draft away
    (the summary's "Niet indienen") does not go on when the model read them as deny. A yes that lets go in the same
    words ("ja, stop maar", "doe maar niet") does not keep it."""
    words = _words(typed)
    if words is None:
        return False
    if is_unsure(words) or _WAIT.search(words):
        return True
    return yes_no(words) is True and not _TAKEN_BACK.search(words) and not _LET_GO.search(words)


def yes_no_answer(value: Any, dispatcher: CollectingDispatcher, typed: str | None = None) -> bool | None:
    """A form's yes/no answer; None when there is none yet, or (after asking to choose) when the
    user typed something that is neither. `typed`: the user's own words, when the slot was filled from the intent.
    The words decide before the model's affirm/deny (as routing_check): "nee" taken for `affirm` is a no, "ja graag"
    taken for `deny` a yes, and "weet ik niet" taken for `deny` no "nee" (the question is asked again). A button's
    payload ("/affirm") is no words: the intent decides."""
    if value is None:  # a slot reset by an action, not an answer
        return None
    answer = answered(value, typed)
    if answer is None:
        dispatcher.utter_message(text=texts.ANSWER_YES_NO)
    return answer


def clean_text(value: Any) -> str | None:
    """Stripped free text, or None when empty or only a button payload."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or value.startswith("/"):
        return None
    return value[:MAX_TEXT]


def asked_by(tracker: Tracker) -> str | None:
    """The last action the bot ran before the latest user message (action_listen not counted): what the message
    answers. None when there is no user message or no action before it."""
    events = list(tracker.events or [])
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=None)
    if last_user is None:
        return None
    for event in reversed(events[:last_user]):
        if event.get("event") == "action" and event.get("name") not in ("action_listen", None):
            return event.get("name")
    return None


def reset(slots: list[str]) -> list[SlotSet]:
    return [SlotSet(slot, None) for slot in slots]


class ActionStop(Action):
    """'stop' at any moment: leave the form, keep nothing half-done."""

    def name(self) -> str:
        return "action_stop"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        dispatcher.utter_message(response="utter_stopped")
        forget_draft(tracker)  # "Opnieuw beginnen": a paused report is not offered again
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset(TRIAGE_SLOTS + REPORT_SLOTS + LIFECYCLE_SLOTS)]


def forget_draft(tracker: Tracker) -> None:
    """Delete the paused report of this messenger identity, if any (issue 13); a database error is logged only."""
    from sqlalchemy.exc import SQLAlchemyError

    from actions import identity
    from actions.store import db, drafts

    try:
        with db.transaction() as session:
            drafts.delete_for(session, identity.of_tracker(tracker)[0])
    except SQLAlchemyError as error:
        logging.getLogger(__name__).error("draft not deleted (conversation %s): %s", tracker.sender_id, type(error).__name__)


class SafeFormValidationAction(FormValidationAction):
    """A form keeps every answer, but an answer that says the danger is now gets 112 first.

    Forms do not break off on an acute message: breaking off would lose what the user typed, and a
    short answer such as "schreeuwend" is sometimes taken for acute danger by the model. But when
    the cue rules or the model see acute danger, the 112 message comes first, then the form goes on.
    """

    @abstractmethod  # abstract, so the action server does not register this base class
    def name(self) -> str: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        message = tracker.latest_message or {}
        acute = cues.is_acute(message.get("text") or "") or bool((message.get("abcd") or {}).get("acute"))
        # Only for an answer to a question of the form; the message that started it was
        # already handled by action_triage.
        if tracker.get_slot("requested_slot") and acute:
            dispatcher.utter_message(text=texts.ACUTE)
        return await super().run(dispatcher, tracker, domain)
