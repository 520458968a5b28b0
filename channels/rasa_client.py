"""A small async client for the Rasa server, shared by the bridges and the griffie page.

Conversation ids carry the channel they came from: ``telegram:<chat id>``, ``signal:<number>``; the
widget's socket.io session ids are plain hex. The handoff (actions.handoff.channel_of) uses that prefix to
answer through the same channel.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

import aiohttp

from core.config import get_settings
from core.texts import DANGER_LINE


class RasaUnavailable(Exception):
    """The Rasa server could not be reached or answered with an error; the message was not handled."""


class RasaTimeout(RasaUnavailable):
    """Rasa did not answer in time. It may still handle the message, so sending it again could answer
    the wrong question twice: callers must not retry a user message on this."""


# What a user's text may be when it reaches Rasa (issue 12). Rasa reads a text that starts with "/" as an intent
# (its buttons' payloads); these are its own control intents, which a user must not trigger by typing them.
CONTROL_INTENTS = frozenset({"session_start", "restart", "back", "nlu_fallback"})
MAX_TEXT = 20_000  # the triage action itself answers long stories ("erg lang"); this only stops abuse
UNREADABLE = ("Dat begrijp ik niet goed: ik kon uw bericht niet lezen. Vertel in een paar gewone zinnen wat er gebeurde, of typ 'stop'. " + DANGER_LINE)
CONTROL = ("Berichten die met een / beginnen zijn opdrachten voor het systeem; die voer ik niet uit. Vertel in "
           "gewone zinnen wat er gebeurde, of typ 'stop'. " + DANGER_LINE)
TOO_LONG = ("Uw bericht is erg lang, te lang voor mij. Vertel het in een paar kortere berichten. "
            + DANGER_LINE)
_INTENT = re.compile(r"/\s*([^{@\s]*)")  # the name ends where Rasa's does: "{", "@" (a confidence), a space


def is_control_intent(name: str) -> bool:
    """One of Rasa's control intents, or an action or response name: never something a user may type."""
    name = name.strip()
    return name in CONTROL_INTENTS or name.startswith(("action_", "utter_"))


def clean_user_text(text: object) -> tuple[str | None, str | None]:
    """(text to hand to Rasa, None) or (None, the calm answer to give instead).

    Lone surrogates (invalid Unicode from a JSON escape) and control characters are removed; a text with
    nothing readable left, one longer than MAX_TEXT, or one of Rasa's control intents ("/restart",
    "/session_start{...}") is answered here and never reaches the dialogue.
    """
    if not isinstance(text, str):
        return None, UNREADABLE
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        # valid pairs become their character again, lone halves become U+FFFD and are dropped below
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = "".join(ch for ch in text if ch in "\n\t" or (unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn")
                                                         and ch != "\ufffd"))
    text = text.strip()
    if not text:
        return None, UNREADABLE
    if len(text) > MAX_TEXT:
        return None, TOO_LONG
    if text.startswith("/"):
        match = _INTENT.match(text)
        if is_control_intent(match.group(1) if match else ""):
            return None, CONTROL
    return text, None


def sender_id(channel: str, address: str) -> str:
    return f"{channel}:{address}"


@dataclass
class RasaClient:
    url: str = ""
    token: str | None = None  # Rasa's API token (transcripts, appending events)
    timeout: float = 120.0  # a handoff turn waits for the notification (SMTP), which may take a while
    bridge_token: str | None = None  # the bridges' channel (bot/connectors.py: BridgeInput)

    def __post_init__(self) -> None:
        settings = get_settings()
        self.url = (self.url or settings.rasa_url).rstrip("/")
        if self.token is None:
            self.token = settings.rasa_token or None
        if self.bridge_token is None:
            self.bridge_token = settings.bridge_token

    def _params(self, **extra: str) -> dict:
        return {**({"token": self.token} if self.token else {}), **extra}

    async def _request(self, method: str, path: str, *, json=None, params=None, headers=None):
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as http,
                http.request(method, self.url + path, json=json, params=params, headers=headers) as response,
            ):
                if response.status >= 400:
                    raise RasaUnavailable(f"Rasa answered {response.status}")  # no path: it holds the conversation id
                return await response.json(content_type=None)
        except TimeoutError as error:
            raise RasaTimeout("Rasa did not answer in time") from error
        except aiohttp.ClientError as error:
            raise RasaUnavailable(type(error).__name__) from error

    async def send(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        """One user message through the bridges' channel; the bot's replies (text, buttons) in order."""
        body = {"sender": sender, "message": text, "metadata": metadata or {}}
        headers = {"Authorization": f"Bearer {self.bridge_token}"}
        return await self._request("POST", "/webhooks/bridge/webhook", json=body, headers=headers) or []

    async def tracker(self, conversation_id: str) -> dict:
        """The whole conversation (needs the Rasa API: --enable-api, and RASA_TOKEN if set)."""
        path = f"/conversations/{quote(conversation_id, safe='')}/tracker"
        return await self._request("GET", path, params=self._params(include_events="ALL"))

    async def append_events(self, conversation_id: str, events: list[dict], output_channel: str | None = None) -> dict:
        """Add events (e.g. a griffier's message, pause/resume); with output_channel, bot messages
        are also sent to the user through that channel (Rasa's execute_side_effects)."""
        extra = {"output_channel": output_channel, "execute_side_effects": "true"} if output_channel else {}
        path = f"/conversations/{quote(conversation_id, safe='')}/tracker/events"
        return await self._request("POST", path, json=events, params=self._params(**extra))
