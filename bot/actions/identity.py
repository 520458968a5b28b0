"""Who filed a report, kept without keeping the id: a keyed hash (HMAC-SHA256 with IDENTITY_SECRET) of the
channel and the Rasa sender id. The same person in the same messenger gets the same hash, so asking for the
status, withdrawing or adding works from there only; the stored hash cannot be turned back into a chat id or a
phone number without the secret."""

from __future__ import annotations

import hashlib
import hmac

from actions import config
from core.config import get_settings


def _key() -> bytes:
    secret = get_settings().identity_secret
    if secret:
        return secret.encode()
    # Local default: a key derived from the report key (a separate purpose, so not the key itself).
    return hmac.new(config.report_key(), b"meldhulp identity", hashlib.sha256).digest()


def identity_hash(channel: str, sender_id: str) -> str:
    """64 hex characters for (channel, sender id)."""
    return hmac.new(_key(), f"{channel}\x00{sender_id}".encode(), hashlib.sha256).hexdigest()


def channel_of(sender_id: str, latest_input_channel: str | None) -> str:
    """The messenger of a conversation, as the handoff decides it (a bridge prefix counts only from the
    authenticated bridge channel)."""
    from actions.handoff import channel_of as handoff_channel

    return handoff_channel(sender_id, latest_input_channel)


def of_tracker(tracker) -> tuple[str, str]:
    """(identity hash, channel) of the person writing in this conversation."""
    channel = channel_of(tracker.sender_id, tracker.get_latest_input_channel())
    return identity_hash(channel, tracker.sender_id), channel
