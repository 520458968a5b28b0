"""User text never sets slots through "/intent{...}" payloads (issue 12 item 2), applied by bot/connectors.py.

The bug: Rasa 3.6 reads any message that starts with "/" as an intent with entities ("/affirm{"municipality":
"Amsterdam"}"), and a `from_entity` slot takes the entity's value. Our buttons send such payloads (role,
municipality, change buttons), but a user can type the same: at the summary, the typed text above filed a report
with another municipality than the one the user had just confirmed.

The rule: before Rasa parses a message, a payload with entities (or a confidence, "/affirm@1.0") is kept only
when it is exactly one of the buttons the bot offered in its last turn of this conversation (the `BotUttered`
events since the last user message, read from the tracker: so it holds across replicas). Otherwise the entity part
is cut off and the message is the bare "/intent", which is the same as saying the intent. Nothing is signed or
stored: the tracker already holds what the bot offered. A button of an earlier turn, clicked later, counts as the
bare intent; the bot then asks again.

A control intent in any payload form ("/restart@1", "/session_start{...}", "/back@"; the channels refuse them
too, channels.rasa_client.clean_user_text) is not cut to its bare intent, which Rasa would run: the message is
answered with the calm CONTROL text and never handled.

Compared: the intent name and the entities as JSON (so spacing and key order do not matter); a payload whose
entity part is not valid JSON only matches a button with the very same text.

When it can go: never on Rasa Open Source 3.6 (it has no notion of which payloads the bot offered). Check with
tests/bot/patches/test_payload_guard.py and the probe's payload-injection case (scripts/probe.py).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

log = logging.getLogger(__name__)


def _pattern() -> re.Pattern:
    """Rasa's own payload syntax (RegexMessageHandler): /intent, /intent@0.9, /intent{...}, then anything."""
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    return YAMLStoryReader._regex_message_pattern()


def _key(text: str) -> tuple[str, str, str] | None:
    """(intent, confidence, canonical entities) of a payload with an entity or confidence part (or a rest Rasa
    would skip with a warning), as Rasa reads it (stripped, then its own pattern); None for anything else (plain
    text, a bare "/intent")."""
    match = _pattern().match(text.strip())
    if not match or not (match.group("entities") or match.group("confidence") or match.group("rest").strip()):
        return None
    entities = match.group("entities") or ""
    try:
        entities = json.dumps(json.loads(entities), sort_keys=True, ensure_ascii=False) if entities else ""
    except ValueError:
        entities = entities.strip()
    return match.group("name").strip(), match.group("confidence") or "", entities + match.group("rest").strip()


def offered_payloads(events: Any) -> set[tuple[str, str, str]]:
    """The payload keys of the buttons the bot sent since the user's last message (newest turn only)."""
    from rasa.shared.core.events import BotUttered, UserUttered

    offered: set[tuple[str, str, str]] = set()
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            for button in (event.data or {}).get("buttons") or []:
                payload = button.get("payload") if isinstance(button, dict) else None
                key = _key(payload) if isinstance(payload, str) else None
                if key is not None:
                    offered.add(key)
    return offered


def checked_text(text: Any, events: Any) -> Any:
    """`text` when it is no payload with entities or it is a button the bot offered; else the bare "/intent".
    None when the intent is one of Rasa's control intents ("/restart@1", "/session_start{...}"): the caller answers
    with channels.rasa_client.CONTROL and Rasa never sees it (the bare "/restart" would restart the conversation)."""
    if not isinstance(text, str):
        return text
    from channels.rasa_client import is_control_intent

    match = _pattern().match(text.strip())
    if match and is_control_intent(match.group("name")):
        log.warning("a control intent typed as a payload: refused")
        return None
    key = _key(text)
    if key is None or key in offered_payloads(events):
        return text
    log.warning("a payload with entities that the bot did not offer in its last message: read as the bare intent")
    return f"/{key[0]}"


_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    from rasa.core.processor import MessageProcessor

    original = MessageProcessor._handle_message_with_tracker

    async def _handle_message_with_tracker(self, message, tracker) -> None:
        if not message.parse_data:  # parse_data is set only by Rasa's token-protected HTTP API
            text = checked_text(message.text, tracker.events)
            if text is None and isinstance(message.text, str):  # a control intent: answered here, never handled
                from channels.rasa_client import CONTROL

                if message.output_channel is not None:
                    await message.output_channel.send_text_message(message.sender_id, CONTROL)
                return
            message.text = text
        await original(self, message, tracker)

    MessageProcessor._handle_message_with_tracker = _handle_message_with_tracker  # type: ignore[method-assign]
    _applied = True
