"""A conversation as people saw it, read from Rasa's tracker events: one parser for the widget's history
and the griffie page's transcript.

What a user typed, with a button press shown by the button's title (as the user saw it, not its payload);
what the bot (or the griffie, through the griffie page) said, with its buttons; and when the conversation was
paused for and handed back by the griffie. No intents, slots or actions. Messages Rasa's API triggered
("EXTERNAL: ...") are no words of the user's and are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

EXTERNAL = "EXTERNAL: "  # Rasa's text for intents triggered through its API: not something the user typed


@dataclass(frozen=True)
class Turn:
    kind: str  # "user", "bot", "pause" (handed to the griffie) or "resume" (handed back)
    text: str = ""
    buttons: list[dict] = field(default_factory=list)  # bot turns: [{"title", "payload"}]
    timestamp: float | None = None
    metadata: dict = field(default_factory=dict)  # the event's metadata (widget message id, "from": "griffie")


def buttons_of(data: dict) -> list[dict]:
    """A bot event's buttons; Rasa keeps them in "buttons" or "quick_replies" (socket.io sends both as quick replies)."""
    raw = data.get("buttons") or data.get("quick_replies") or []
    return [
        {"title": b["title"], "payload": b["payload"]}
        for b in raw
        if isinstance(b, dict) and isinstance(b.get("title"), str) and isinstance(b.get("payload"), str)
    ]


def turns(events: Iterable[dict]) -> list[Turn]:
    result: list[Turn] = []
    offered: list[dict] = []  # buttons of the latest bot messages: the user may have pressed one
    for event in events:
        kind, when = event.get("event"), event.get("timestamp")
        metadata = event.get("metadata") or {}
        if kind == "user":
            text = event.get("text")
            if not isinstance(text, str) or not text.strip() or text.startswith(EXTERNAL):
                continue
            titles = {b["payload"]: b["title"] for b in offered}
            result.append(Turn("user", titles.get(text, text), timestamp=when, metadata=metadata))
            offered = []
        elif kind == "bot":
            raw = event.get("text")
            text = raw if isinstance(raw, str) else ""
            buttons = buttons_of(event.get("data") or {})
            if not text.strip() and not buttons:
                continue  # images, custom payloads: nothing a transcript shows
            result.append(Turn("bot", text, buttons, when, metadata))
            offered = buttons or offered
        elif kind in ("pause", "resume"):
            result.append(Turn(kind, timestamp=when))
    return result
