"""Never silent: when a custom action fails, the user still gets a short fixed answer (issue 12), applied by
bot/connectors.py when the Rasa server loads the channels.

The bug: Rasa 3.6's processor catches any exception from `RemoteAction.run` (action server down, 5xx,
invalid response) with "Bot will continue, but the actions events are lost": the turn ends with no message
at all, even for a message about acute danger. And it waits up to 300 s (DEFAULT_REQUEST_TIMEOUT) for the
action server. Here `RemoteAction.run` is wrapped:

- a run that takes longer than ACTION_TIMEOUT seconds is cancelled;
- on any failure except `ActionExecutionRejection` (a form's normal "not this slot", which Rasa handles) the
  action's events are the fixed answer below plus `FollowupAction(action_listen)`, so the turn ends there and
  the next failing action of the same turn does not repeat it;
- when the message was recognised as acute danger (intent `acute_danger`, predicted by Rasa itself, no action
  server needed) the answer starts with 112 and the safety advice (bot/actions/texts.py ACUTE).

The fixed texts name only 112 (the one support line all five protocols name, bot/actions/protocols/_model.yml
`politie_noodnummer`) and the griffier ("Alle protocollen zeggen dat u bij twijfel altijd de griffier kunt
bellen", _model.yml); tests/bot/patches/test_never_silent.py checks that against the file.

When it can go: when Rasa answers a failed custom action itself (Rasa 3.6 does not; the processor's
`_run_action` still logs "the actions events are lost"). Check with tests/e2e/test_never_silent.py.
"""

from __future__ import annotations

import asyncio
import logging

from core.config import get_settings
from core.texts import DANGER_LINE

log = logging.getLogger(__name__)

FALLBACK = (
    DANGER_LINE + " Door een storing kan ik u nu niet verder helpen. "
    "Bij twijfel kunt u altijd de griffier van uw gemeente bellen. Probeer het over een paar minuten opnieuw."
)
ACUTE_FALLBACK = (
    "Bent u nu in gevaar? Bel dan direct 112 en zeg waar u bent. Ga weg of zoek een veilige plek op: "
    "uw eigen veiligheid gaat altijd voor. Door een storing kan ik u nu niet verder helpen; "
    "bel daarna de griffier van uw gemeente."
)
ACUTE_INTENT = "acute_danger"


def fallback_text(tracker) -> str:
    intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
    return ACUTE_FALLBACK if intent == ACUTE_INTENT else FALLBACK


def _already_answered(tracker) -> bool:
    """The fixed answer was given since the user's last message (a second failing action this turn)."""
    from rasa.shared.core.events import BotUttered, UserUttered

    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and event.text in (FALLBACK, ACUTE_FALLBACK):
            return True
    return False


def fallback_events(tracker) -> list:
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import BotUttered, FollowupAction

    if _already_answered(tracker):
        return [FollowupAction(ACTION_LISTEN_NAME)]
    return [BotUttered(fallback_text(tracker), metadata={"meldhulp_fallback": True}), FollowupAction(ACTION_LISTEN_NAME)]


_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction

    original = RemoteAction.run

    async def run(self, output_channel, nlg, tracker, domain):
        timeout = get_settings().action_timeout
        try:
            return await asyncio.wait_for(original(self, output_channel, nlg, tracker, domain), timeout)
        except ActionExecutionRejection:
            raise
        except Exception as error:  # noqa: BLE001 - every failure gets the fixed answer; CancelledError passes
            reason = "timed out" if isinstance(error, asyncio.TimeoutError) else type(error).__name__
            log.error("custom action %s failed (%s): the user gets the fixed answer", self.name(), reason)
            return fallback_events(tracker)

    RemoteAction.run = run  # type: ignore[method-assign]
    _applied = True
