"""Answer a user through the channel they came from, and keep the answer in the conversation's transcript.

The widget's socket.io channel belongs to the Rasa server, so Rasa delivers there (execute_side_effects);
Telegram and Signal are our bridges, reached through their POST /send (BRIDGE_TOKEN).
"""

from __future__ import annotations

import logging

import aiohttp

from channels.rasa_client import RasaClient, RasaUnavailable
from core.config import get_settings

log = logging.getLogger(__name__)
BRIDGE_URLS = {"telegram": "TELEGRAM_BRIDGE_URL", "signal": "SIGNAL_BRIDGE_URL"}  # the setting that names each bridge


class DeliveryFailed(Exception):
    """The user could not be reached; nothing was recorded as sent."""


async def _bridge_send(channel: str, address: str, text: str) -> None:
    settings = get_settings()
    url = settings.telegram_bridge_url if channel == "telegram" else settings.signal_bridge_url
    if not url:
        raise DeliveryFailed(f"{BRIDGE_URLS[channel]} is niet ingesteld")
    headers = {"Authorization": f"Bearer {settings.bridge_token}"}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http,
            http.post(url.rstrip("/") + "/send", json={"recipient": address, "text": text}, headers=headers) as response,
        ):
            if response.status != 200:
                raise DeliveryFailed(f"de {channel}-koppeling antwoordde {response.status}")
    except (aiohttp.ClientError, TimeoutError) as error:
        raise DeliveryFailed(f"de {channel}-koppeling is niet bereikbaar") from error


async def send(rasa: RasaClient, conversation_id: str, channel: str, text: str, sender: str = "griffie",
               resume: bool = False) -> None:
    """Send `text` to the user as a bot message and record it; with `resume`, hand the conversation back.

    Raises DeliveryFailed when the answer did not reach the user. A hand-back always resumes the
    conversation first: a user must never stay unanswered because a message did not arrive.
    """
    events = [{"event": "bot", "text": text, "metadata": {"from": "griffie", "by": sender}}]
    if resume:
        # The bot's last turn was cut short by the pause, so it never listened; without this listen the
        # rules would continue from the last action (e.g. offer the report form) instead of the user's message.
        events = [{"event": "resume"}, *events, {"event": "action", "name": "action_listen"}]
    try:
        if channel == "socketio":  # Rasa records and delivers in one step
            await rasa.append_events(conversation_id, events, output_channel="socketio")
        elif channel in BRIDGE_URLS and resume:
            await rasa.append_events(conversation_id, events)
            await _bridge_send(channel, conversation_id.partition(":")[2], text)
        elif channel in BRIDGE_URLS:
            await _bridge_send(channel, conversation_id.partition(":")[2], text)
            try:
                await rasa.append_events(conversation_id, events)
            except RasaUnavailable:  # it did arrive; sending it again would be worse than a gap in the record
                log.warning("a griffie message was delivered but could not be added to the transcript")
        else:
            raise DeliveryFailed(f"via het kanaal '{channel}' kan ik geen berichten nasturen")
    except RasaUnavailable as error:
        raise DeliveryFailed("de assistent (Rasa) is niet bereikbaar") from error
