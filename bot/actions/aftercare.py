"""Aftercare check-ins (nazorg, issue 14 item 1).

Right after filing, the bot asks once whether it may check in later: the worker below sends the question (within
OUTBOX_POLL_SECONDS) for every report filed in the last hour through a messenger where the bot can write first, and
records it in the conversation as action_aftercare_offer, so the rules in data/rules/aftercare.yml read a typed
"ja" or "nee" right after it as the answer (the buttons work anywhere). It cannot be asked inside the filing turn:
the report rule (data/rules/report.yml) ends that turn with action_listen. With a yes, the report gets check-ins at
the moments of the protocol's three aftercare conversations (knowledge.aftercare: 24 hours, 3 days and 4 weeks after filing unless the protocol file says
otherwise), stored in the database (store/aftercare.py). The worker below sends "Hoe gaat het nu met u?" with
four buttons in the messenger the report came from: Telegram and Signal through their bridges' POST /send,
the widget through Rasa (execute_side_effects on the socket.io channel). Each check-in is claimed atomically
before sending, so two workers or a restart never send it twice; a failure is retried with backoff
(OUTBOX_RETRY_SECONDS, OUTBOX_MAX_ATTEMPTS).

The answers (action_aftercare_answer): "goed" is thanked; "niet goed" and "ik wil praten" get the protocol's
support line and notify the contact person (outbox kind "aftercare": reference, municipality, "nazorg gevraagd",
never the story); "stop" (also typed: "stop met berichten") ends every remaining check-in at once. When the user
asked to erase their data, the worker sends nothing more and forgets the answers (and answers typed after that are
not kept); the purge deletes the rows. A withdrawn report ends its check-ins as a "stop" does. "stop" that comes in
while a check-in is on its way: the worker reads it again right before sending, and a cancelled row stays cancelled.

    python -m actions.aftercare          # the worker: a loop (OUTBOX_POLL_SECONDS); the action server runs it too
    python -m actions.aftercare --once   # send what is due now and stop
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import identity, knowledge, outbox, worker
from actions.store import aftercare as store
from actions.store import db, protocols, reports
from actions.store import outbox as outbox_store
from actions.store.models import Report
from core.config import get_settings
from core.texts import DANGER_LINE

log = logging.getLogger(__name__)

QUESTION = "Hoe gaat het nu met u?"
ANSWER_INTENT = "aftercare_answer"
BUTTONS = [
    {"title": "Goed", "payload": f'/{ANSWER_INTENT}{{"aftercare_answer":"goed"}}'},
    {"title": "Niet goed", "payload": f'/{ANSWER_INTENT}{{"aftercare_answer":"niet_goed"}}'},
    {"title": "Ik wil praten", "payload": f'/{ANSWER_INTENT}{{"aftercare_answer":"praten"}}'},
    {"title": "Stop", "payload": f'/{ANSWER_INTENT}{{"aftercare_answer":"stop"}}'},
]
CONSENT_BUTTONS = [{"title": "Ja, dat mag", "payload": f'/{ANSWER_INTENT}{{"aftercare_answer":"ja"}}'},
                   {"title": "Nee, liever niet", "payload": f'/{ANSWER_INTENT}{{"aftercare_answer":"nee"}}'}]
OFFER_ACTION = "action_aftercare_offer"
PUSH_CHANNELS = ("telegram", "signal", "socketio")  # where the bot can write first; REST and the shell cannot
OFFER_WINDOW = timedelta(hours=1)  # only reports filed this recently are asked (not every old report after an update)
DANGER = DANGER_LINE
_NUMBERS = {1: "een", 2: "twee", 3: "drie", 4: "vier", 5: "vijf", 6: "zes", 7: "zeven", 8: "acht", 9: "negen",
            10: "tien"}

Sender = Callable[..., None]  # (channel, conversation id, text, buttons, marker=None, key=None): see send_checkin
SEND_TIMEOUT = 30.0  # seconds for one HTTP request; a bridge still busy after it drops the retry (the key)


def in_words(days: float) -> str:
    """1 -> "een dag", 3 -> "drie dagen", 28 -> "vier weken", 0.5 -> "12 uur"."""
    if days < 1:
        return f"{round(days * 24)} uur"
    number, unit = (int(days // 7), ("week", "weken")) if days % 7 == 0 else (int(days), ("dag", "dagen"))
    return f"{_NUMBERS.get(number, str(number))} {unit[0] if number == 1 else unit[1]}"


def moments_text(days: tuple[float, ...]) -> str:
    """(1, 3, 28) -> "over een dag, over drie dagen en over vier weken"."""
    parts = [f"over {in_words(d)}" for d in days]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]


def offer_text(days: tuple[float, ...]) -> str:
    return f"Mag ik u later vragen hoe het met u gaat? Dat doe ik {moments_text(days)}, hier in dit gesprek."


def checkin_text(reference: str) -> str:
    return (f"U deed een melding bij Meldhulp (nummer {reference}). {QUESTION} "
            "Kies een antwoord. Wilt u geen berichten meer? Kies 'Stop'.")


def support_text(line: dict | None) -> str:
    """The protocol's support line in one sentence (only what its file says: name, phone, website)."""
    if not line:
        return ""
    how = f" Bel {line['phone']}." if line.get("phone") else (f" Kijk op {line['url']}." if line.get("url") else "")
    what = f" ({line['what'].split(';')[0]})" if line.get("what") else ""
    return f"U kunt praten met {line['name']}{what}.{how}"


# --- in the conversation: consent after filing, answers to a check-in -----------------------------------------


def _channel(tracker: Tracker) -> str:
    return identity.of_tracker(tracker)[1]


def open_question(tracker: Tracker) -> tuple[float, ...] | None:
    """The moments (days) of the question "may I check in later?" that was sent to this person and is not answered yet
    (the report consent_reply stores the answer with: store.offered_report_of_identity), or None: none open, a channel
    the bot cannot write to first, or a database error."""
    if _channel(tracker) not in PUSH_CHANNELS:
        return None
    try:
        with db.session() as session:
            report = store.offered_report_of_identity(session, identity.of_tracker(tracker)[0])
            key = report.municipality_key if report is not None else None
    except SQLAlchemyError as error:
        log.error("aftercare question not looked up: %s", type(error).__name__)
        return None
    return None if report is None else knowledge.aftercare(key).days


class ActionAftercareOffer(Action):
    """The question "may I check in later?" in the conversation. The worker asks it and records this action in the
    tracker (the filing turn ends with action_listen); run by Rasa (after a message not understood right after the
    question: data/rules/aftercare.yml) it asks the question that is still open again, about the same report."""

    def name(self) -> str:
        return "action_aftercare_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        days = open_question(tracker)
        if days is not None:
            dispatcher.utter_message(text=offer_text(days), buttons=CONSENT_BUTTONS)
        return []


class ActionAftercareConsent(Action):
    """A typed "ja" or "nee" right after the question (rules); the buttons come through action_aftercare_answer."""

    def name(self) -> str:
        return "action_aftercare_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        dispatcher.utter_message(text=consent_reply(tracker, intent == "affirm"))
        return []


def consent_reply(tracker: Tracker, consent: bool) -> str:
    """Store the answer with the report the question was about; with yes, schedule the check-ins."""
    identity_hash, _ = identity.of_tracker(tracker)
    try:
        with db.transaction() as session:
            report = store.offered_report_of_identity(session, identity_hash) or reports.report_of_identity(
                session, identity_hash, tracker.get_slot("report_reference") or "")
            if report is not None and (report.erase_after is not None or report.status == store.WITHDRAWN):
                report = None  # withdrawn, or "verwijder mijn gegevens": no check-ins to promise
            if report is None:
                return "Ik weet niet over welke melding dit gaat. Ik stuur u later geen berichten."
            plan = knowledge.aftercare(report.municipality_key)
            stored, _changed = store.record_consent(session, report, consent, [timedelta(days=d) for d in plan.days],
                                                    plan.section)
            consent = bool(stored.consent)
    except SQLAlchemyError as error:
        log.error("aftercare consent not stored: %s", type(error).__name__)
        return ("Dat kon ik door een storing niet opslaan. Ik stuur u later geen berichten. "
                "U kunt zelf altijd contact opnemen met de griffie.")
    if consent:
        return f"Goed. Ik vraag het u {moments_text(plan.days)}. Wilt u dat niet meer? Typ dan 'stop met berichten'."
    return "Goed, ik stuur u later geen berichten. U kunt zelf altijd contact opnemen met uw contactpersoon."


# Typed answers. Distress and a wish to talk are read first: "ik kan niet meer" is a cry for help, never a wish to
# stop. "stop" only for the messages themselves ("stop", "stop met de berichten", "stuur me geen berichten meer"),
# not for someone else's messages ("ik krijg geen berichten meer van hem"). Anything unclear gets the buttons.
_STOP = re.compile(
    r"^\s*stop(pen)?\s*[.!]*\s*$"
    r"|\bstop(pen)?\s+(met\s+)?(de\s+|deze\s+|die\s+|uw\s+)?(nazorg)?(berichten|vragen)\b"
    r"|\b(stuur|wil)\b[^.,;!?]{0,20}?\bgeen\s+(nazorg)?(berichten|vragen)\b(\s+meer)?"
    r"(?!\s+(meer\s+)?(van|uit)\s+(?!u\b|jullie\b|meldhulp\b))", re.I)
_NOT_GOOD = re.compile(r"\b(niet goed|niet zo goed|slecht|beroerd|moeilijk|zwaar|"
                       r"naar(?=\s*([.,;!?]|$))|kan (het\s+)?niet meer|het niet meer aan)\b", re.I)
_TALK = re.compile(r"\b(praten|spreken|bellen|gesprek)\b", re.I)
_NO_TALK = re.compile(r"\b(niet|geen)\b(\s+\w+){0,2}?\s+(praten|spreken|bellen|gesprek)\b", re.I)
_GOOD = re.compile(r"\b(goed|prima|beter|oké|oke|ok|redelijk)\b", re.I)


def answer_of(tracker: Tracker) -> str | None:
    """The answer: a button's entity, else what the user typed ("stop met berichten", "het gaat niet goed"); None
    when it is unclear (the caller shows the buttons again: better to ask than to stop someone's aftercare)."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "aftercare_answer" and entity.get("value") in (*store.ANSWERS, "ja", "nee"):
            return str(entity["value"])
    text = (tracker.latest_message or {}).get("text") or ""
    if _NOT_GOOD.search(text):
        return "niet_goed"
    if _TALK.search(text) and not _NO_TALK.search(text):
        return "praten"
    if _STOP.search(text):
        return "stop"
    if _GOOD.search(text):
        return "goed"
    return None


class ActionAftercareAnswer(Action):
    """An answer to "Hoe gaat het nu met u?" (a button, or typed), for the report checked in most recently."""

    def name(self) -> str:
        return "action_aftercare_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        answer = answer_of(tracker)
        if answer in ("ja", "nee"):  # the buttons under "may I check in later?"
            dispatcher.utter_message(text=consent_reply(tracker, answer == "ja"))
            return []
        if answer is None:
            dispatcher.utter_message(text=f"{QUESTION} Kies een antwoord.", buttons=BUTTONS)
            return []
        identity_hash, _ = identity.of_tracker(tracker)
        try:
            text = await answer_checkin(identity_hash, answer)
        except SQLAlchemyError as error:
            log.error("aftercare answer not stored: %s", type(error).__name__)
            text = f"Dat lukt nu niet door een storing. Neem zelf contact op met de griffie. {DANGER}"
        dispatcher.utter_message(text=text)
        return []


async def answer_checkin(identity_hash: str, answer: str, now: datetime | None = None) -> str:
    """Record the answer and do what it asks; returns what the user is told."""
    now = now or datetime.now(UTC)
    with db.transaction() as session:
        found = store.open_plans_of_identity(session, identity_hash)
        if answer == "stop":
            for report, _plan in found:
                store.record_answer(session, report.id, "stop", now)
                store.stop(session, report.id, reports.USER, now)
            references = ", ".join(report.reference for report, _ in found)
            return (f"Goed. U krijgt geen berichten meer over melding {references}. U kunt zelf altijd een bericht sturen."
                    if found else "Goed. Ik stuur u geen berichten over hoe het gaat.")
        if not found and answer == "goed":
            return "Fijn dat het goed gaat. Dank u voor uw antwoord."
        if not found:
            line = support_text(knowledge.aftercare(None).support_line)
            return " ".join(p for p in ("Goed dat u het zegt.", line, "U kunt ook contact opnemen met de griffie.", DANGER) if p)
        report, _plan = found[0]
        store.record_answer(session, report.id, answer, now)
        if answer == "goed":
            return "Fijn dat het goed gaat. Dank u voor uw antwoord."
        aftercare = knowledge.aftercare(report.municipality_key)
        contact = _contact_label(session, report)
        key, function = report.municipality_key, report.contact_function or "griffier"
        routes = knowledge.handoff_config(key, function)["notify"] if key else {}
        rows = store.queue_contact_notice(session, report, routes, now)
        ids = [row.id for row in rows if row.state == "pending"]
    delivered = any([await asyncio.to_thread(_try_deliver, outbox_id, now) for outbox_id in ids])
    lead = "Wat vervelend dat het niet goed gaat." if answer == "niet_goed" else "Goed dat u het zegt."
    if delivered:
        told = f"Ik heb {contact} laten weten dat u nazorg vraagt."
    elif ids:
        told = f"Ik laat {contact} weten dat u nazorg vraagt. Dat lukt nog niet; ik probeer het opnieuw."
    else:
        told = f"Ik kan {contact} niet automatisch bericht geven. Neem zelf contact op met {contact}."
    return " ".join(part for part in (lead, support_text(aftercare.support_line), told, DANGER) if part)


def _try_deliver(outbox_id: int, now: datetime) -> bool:
    """deliver_notice after the answer is stored: a database error here means "not delivered yet" (the worker
    retries the outbox row), not that the answer was lost."""
    try:
        return deliver_notice(outbox_id, now)
    except SQLAlchemyError as error:
        log.error("aftercare notice %s not delivered yet: %s", outbox_id, type(error).__name__)
        return False


def _contact_label(session, report: Report) -> str:
    protocol = protocols.protocol(session, report.municipality_key) if report.municipality_key else None
    function = report.contact_function or "griffier"
    return protocol.label(function) if protocol is not None else "uw contactpersoon"


# --- the contact person: "nazorg gevraagd" through the outbox --------------------------------------------------


def contact_notice(report: Report) -> tuple[str, str, dict]:
    """(subject, body, webhook payload): reference, municipality and "nazorg gevraagd"; never free text."""
    from actions.outbox import report_link

    link = report_link(report.reference)
    municipality = report.municipality or report.municipality_key or "onbekend"
    subject = f"Meldhulp: nazorg gevraagd bij melding {report.reference}"
    body = (f"De melder vraagt om nazorg (antwoord op de vraag 'Hoe gaat het nu met u?').\n"
            f"Meldingsnummer: {report.reference}\nGemeente: {municipality}\n"
            f"Lees de melding op de griffiepagina (inloggen nodig): {link}\n"
            "Het verhaal en namen staan om privacyredenen niet in dit bericht.")
    payload = {"event": "aftercare_requested", "reference": report.reference,
               "municipality": report.municipality_key, "url": link}
    return subject, body, payload


def deliver_notice(outbox_id: int, now: datetime | None = None) -> bool:
    """Claim, send and record one "nazorg gevraagd" row: the outbox's own delivery (two workers never send it
    twice; a failure is retried with the outbox's backoff)."""
    return outbox.deliver_one(outbox_id, now)


# --- sending a check-in ------------------------------------------------------------------------------------------


class NotSent(Exception):
    """The check-in did not reach the user."""


def _post(url: str, payload: Any, headers: dict) -> None:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json", **headers})
    with urllib.request.urlopen(request, timeout=SEND_TIMEOUT) as response:
        if response.status >= 300:
            raise NotSent(f"HTTP {response.status}")


def send_checkin(channel: str, conversation_id: str, text: str, buttons: list[dict], marker: str | None = None,
                 key: str | None = None) -> None:
    """Write to the user first, in their messenger. Telegram and Signal: the bridge's POST /send (BRIDGE_TOKEN),
    then the message is added to the conversation's transcript in Rasa. The widget: Rasa adds and delivers it
    (socket.io, execute_side_effects). With `marker`, the message is recorded as that action's (followed by
    action_listen), so the rules can read the next message as its answer. With `key` (the check-in's), a bridge sends
    a message once: a retry after a timeout, while a slow bridge did deliver the first, is dropped there
    (channels/idempotency.py). Raises on failure (the worker retries)."""
    settings = get_settings()
    bot = {"event": "bot", "text": text, "data": {"buttons": buttons}, "metadata": {"from": "meldhulp-nazorg"}}
    event: Any = [{"event": "action", "name": marker}, bot, {"event": "action", "name": "action_listen"}] if marker else bot
    rasa = f"{settings.rasa_url.rstrip('/')}/conversations/{urllib.parse.quote(conversation_id, safe='')}/tracker/events"
    token = f"?token={urllib.parse.quote(settings.rasa_token)}" if settings.rasa_token else ""
    if channel in ("telegram", "signal"):
        bridge = settings.telegram_bridge_url if channel == "telegram" else settings.signal_bridge_url
        if not bridge:
            raise NotSent(f"no bridge URL for {channel}")
        _post(bridge.rstrip("/") + "/send", {"recipient": conversation_id.partition(":")[2], "text": text,
                                             "buttons": buttons},
              {"Authorization": f"Bearer {settings.bridge_token}", **({"Idempotency-Key": key} if key else {})})
        try:
            _post(rasa + token, event, {})
        except Exception as error:  # it did arrive; sending it again would be worse than a gap in the transcript
            log.warning("aftercare check-in delivered but not added to the transcript: %s", type(error).__name__)
    elif channel == "socketio":
        sep = "&" if token else "?"
        _post(f"{rasa}{token}{sep}output_channel=socketio&execute_side_effects=true", event, {})
    else:
        raise NotSent(f"cannot write first on channel {channel!r}")


def send_one(checkin_id: int, now: datetime | None = None, sender: Sender | None = None) -> bool:
    """Claim, send and record one check-in; True when it was sent now."""
    now = now or datetime.now(UTC)
    sender = sender or send_checkin
    with db.transaction() as session:
        if not store.claim(session, checkin_id, now):
            return False
    with db.transaction() as session:
        checkin = session.get(store.AftercareCheckin, checkin_id)
        report = session.get(Report, checkin.report_id) if checkin is not None else None
        plan = store.plan_for(session, report.id) if report is not None else None
        if checkin is None or report is None or plan is None:
            return False
        if report.erase_after is not None:  # "verwijder mijn gegevens": nothing more, answers forgotten
            store.forget_answers(session, report.id)
            return False
        if plan.stopped_at is not None or report.status == store.WITHDRAWN:  # stop, or the report was withdrawn
            by = plan.stopped_by or (store.WITHDRAWN if report.status == store.WITHDRAWN else reports.USER)
            store.stop(session, report.id, by, now)
            return False
        if checkin.position == store.OFFER and plan.consent is not None:  # answered in the conversation already
            store.cancel(session, checkin_id)
            return False
        attempts, channel = checkin.attempts, report.identity_channel or "socketio"
        conversation_id, reference, offer = report.conversation_id, report.reference, checkin.position == store.OFFER
        days = knowledge.aftercare(report.municipality_key).days
        key = f"meldhulp-nazorg-{checkin_id}-{reference}"  # the same for every attempt of this check-in
    with db.session() as session:  # "stop" may have come in meanwhile: read again right before sending
        if not store.still_wanted(session, checkin_id):
            return False
    try:
        if offer:
            sender(channel, conversation_id, offer_text(days), CONSENT_BUTTONS, marker=OFFER_ACTION, key=key)
        else:
            sender(channel, conversation_id, checkin_text(reference), BUTTONS, key=key)
    except Exception as error:  # the class only, never content
        with db.transaction() as session:
            outbox_store.mark_failed(session, checkin_id, type(error).__name__, now, outbox.retry_after(attempts),
                                     table=store.AftercareCheckin)
        log.warning("aftercare check-in %s (%s) attempt %s failed: %s", checkin_id, channel, attempts,
                    type(error).__name__)
        return False
    with db.transaction() as session:
        if not store.mark_sent(session, checkin_id, now):  # stopped while it was on its way: it stays cancelled
            log.info("aftercare check-in %s sent while it was being stopped (%s)", checkin_id, channel)
            return True
    log.info("aftercare check-in %s sent (%s)", checkin_id, channel)
    return True


def send_due(now: datetime | None = None, sender: Sender | None = None) -> int:
    """Ask newly filed reports, send every due check-in, retry "nazorg gevraagd" notices; returns how many messages
    reached a user (questions and check-ins)."""
    now = now or datetime.now(UTC)
    with db.transaction() as session:
        store.forget_erased(session)  # "verwijder mijn gegevens" was asked: no more check-ins, answers forgotten
        store.offer_new(session, now, PUSH_CHANNELS, OFFER_WINDOW)  # newly filed: ask "may I check in later?"
        ids = store.due_checkin_ids(session, now)
        notices = outbox_store.due_outbox_ids(session, now, ("aftercare",))
    for outbox_id in notices:
        deliver_notice(outbox_id, now)
    return sum(send_one(checkin_id, now, sender) for checkin_id in ids)


def run(stop: threading.Event, poll_seconds: float, clock: Callable[[], datetime] | None = None,
        sender: Sender | None = None) -> None:
    """The worker loop: send what is due, wait, again (actions/worker.py); a fake clock and sender in tests."""
    worker.loop("aftercare", lambda: send_due(clock() if clock else None, sender), stop, poll_seconds)


def start_worker(poll_seconds: float | None = None) -> threading.Thread:
    """The worker as a daemon thread (the action server starts it, as it starts the outbox worker)."""
    seconds = poll_seconds if poll_seconds is not None else get_settings().outbox_poll_seconds
    return worker.start_thread("aftercare", send_due, seconds)


def main(argv: list[str] | None = None) -> int:
    return worker.main("aftercare", __doc__ or "", send_due, get_settings().outbox_poll_seconds, argv)


if __name__ == "__main__":
    sys.exit(main())

