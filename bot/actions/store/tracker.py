"""Erasing a conversation from Rasa's tracker store (the user's words, the bot's answers, the slots: also the
transcript the griffie page and the widget history read).

With TRACKER_STORE_URL (Rasa's SQL tracker store, compose: the `rasa` database) the events rows of that sender
are deleted (Rasa 3.6 SQLTrackerStore: table `events`, column `sender_id`). Without it Rasa keeps conversations
in memory; then the conversation is replaced by an empty one through Rasa's HTTP API
(PUT /conversations/<id>/tracker/events, RASA_URL and RASA_TOKEN).

Never call this inside the turn of the same conversation: Rasa writes the tracker at the end of a turn and would
write the events back. The bot queues an erasure (store.outbox.queue_erasure) that the outbox worker runs later.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Connection, Engine, bindparam, create_engine, inspect, text

from core.config import get_settings

EVENTS_TABLE = "events"


@lru_cache(maxsize=4)
def _engine(url: str) -> Engine:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, hide_parameters=True, pool_pre_ping=True)


def erase_conversation(sender_id: str) -> str:
    """Erase every tracker event of `sender_id`; returns how ("sql: 12 events", "rasa api"). Raises when the
    store cannot be reached (the outbox retries)."""
    url = get_settings().tracker_store_url
    if url:
        return f"sql: {erase_sql(_engine(url), sender_id)} events"
    erase_via_rasa(sender_id)
    return "rasa api"


def erase_sql(engine: Engine, sender_id: str, silent_before: datetime | None = None) -> int:
    """Delete the events of `sender_id`; with `silent_before`, only if none is at or after that moment (one
    statement: a user who came back since keeps the conversation). Returns the number of events deleted."""
    where = "sender_id = :sender"
    values: dict[str, str | float] = {"sender": sender_id}
    if silent_before is not None:
        where += (f" AND NOT EXISTS (SELECT 1 FROM {EVENTS_TABLE} later WHERE later.sender_id = :sender "
                  "AND later.timestamp >= :cutoff)")
        values["cutoff"] = silent_before.timestamp()
    with engine.begin() as connection:
        if not inspect(connection).has_table(EVENTS_TABLE):
            return 0  # Rasa creates the table with its first conversation
        return connection.execute(text(f"DELETE FROM {EVENTS_TABLE} WHERE {where}"), values).rowcount


@contextmanager
def _events_table(url: str) -> Iterator[Connection | None]:
    """A connection to the tracker store, or None when it has no events table (yet, or the wrong database)."""
    with _engine(url).connect() as connection:
        yield connection if inspect(connection).has_table(EVENTS_TABLE) else None


def silent_since(cutoff: datetime) -> list[str] | None:
    """The senders whose last tracker event is older than `cutoff`; None without an SQL tracker store (Rasa keeps
    conversations in memory then, and they are gone when it restarts)."""
    url = get_settings().tracker_store_url
    if not url:
        return None
    with _events_table(url) as connection:
        if connection is None:
            return []  # Rasa creates the table with its first conversation
        rows = connection.execute(text(f"SELECT sender_id FROM {EVENTS_TABLE} GROUP BY sender_id "
                                       "HAVING MAX(timestamp) < :cutoff"), {"cutoff": cutoff.timestamp()})
        return [row[0] for row in rows]


def with_events(sender_ids: list[str]) -> set[str] | None:
    """Those of `sender_ids` that still have tracker events in the configured SQL tracker store; None when that
    cannot be told (no SQL tracker store, or no events table: perhaps the wrong database)."""
    url = get_settings().tracker_store_url
    if not url:
        return None
    found: set[str] = set()
    with _events_table(url) as connection:
        if connection is None:
            return None
        for start in range(0, len(sender_ids), 500):
            query = text(f"SELECT DISTINCT sender_id FROM {EVENTS_TABLE} WHERE sender_id IN :ids")
            query = query.bindparams(bindparam("ids", expanding=True))
            found.update(row[0] for row in connection.execute(query, {"ids": sender_ids[start:start + 500]}))
    return found


def erase_if_silent(sender_id: str, cutoff: datetime) -> int:
    """erase_sql in the configured tracker store, only if `sender_id` said nothing since `cutoff`."""
    return erase_sql(_engine(get_settings().tracker_store_url), sender_id, silent_before=cutoff)


def erase_via_rasa(sender_id: str) -> None:
    settings = get_settings()
    query = f"?token={urllib.parse.quote(settings.rasa_token)}" if settings.rasa_token else ""
    url = f"{settings.rasa_url.rstrip('/')}/conversations/{urllib.parse.quote(sender_id, safe='')}/tracker/events{query}"
    request = urllib.request.Request(url, data=json.dumps([]).encode(), method="PUT",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status >= 300:
            raise RuntimeError(f"HTTP {response.status}")
