"""The messengers a person can write in (Rasa's input channel names) and how we name them in Dutch.

One table for the griffie page (a column of its overview) and the handoff notification ("vraagt via ...").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Messenger:
    name: str  # Rasa's input channel: "socketio" (the website widget), "telegram", "signal", "rest"
    label: str  # on the griffie page
    in_sentence: str  # in a notification: "vraagt via <in_sentence> om een gesprek"


MESSENGERS = {m.name: m for m in (
    Messenger("socketio", "website-chat", "de chat op de website"),
    Messenger("telegram", "Telegram", "Telegram"),
    Messenger("signal", "Signal", "Signal"),
    Messenger("rest", "REST", "de chat"),
)}


def label(name: str) -> str:
    """The messenger's name on the griffie page; an unknown channel as it is."""
    messenger = MESSENGERS.get(name)
    return messenger.label if messenger else name


def in_sentence(name: str) -> str:
    """The messenger as a notification names it; an unknown channel as it is."""
    messenger = MESSENGERS.get(name)
    return messenger.in_sentence if messenger else name
