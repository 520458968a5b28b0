"""Rasa 3.6's SQLTrackerStore with less work per turn (the same rows, the same trackers), applied with patches.perf.

Under `make load` (py-spy, one replica at 32 clients) the tracker store took a quarter of the Rasa server, all of it
on the one event loop (the store's SQL is synchronous):
- `save()` first counted the conversation's stored events with a query (5 %) to find which of the tracker's
  events are new, then built one ORM object per new event and flushed them through the unit of work (7 %);
- `_retrieve()` built a whole ORM object per event (5 %) where it reads one column, `data`.
Here `_retrieve()` selects `data` with Rasa's own query (same filter, same order) and notes on the tracker how many
of its events the store holds. `save()` then takes the events after that number, without the count query, and
inserts the rows (the same columns and values as Rasa's) with one executemany; afterwards all the tracker's events
are stored. The note is the count Rasa would get as long as nobody else writes this conversation's rows between
the read and the save (a turn holds the conversation's lock from one to the other) and the tracker is saved once
after its read, as a turn does; saved again after a new session started in it, Rasa's count (the new session's rows
only) would store the old session's events a second time, the note does not. Two writers take no lock: Rasa's
`POST /conversations/<id>/predict` (not used by Meldhulp's channels) and our erasure of a conversation
(bot/actions/store/tracker.py). If an erasure lands inside a turn, Rasa's count (0) would store the whole session
again; the note stores that turn's new events only. A tracker the store did not read this way (a new conversation,
a copy, all sessions, one with a row Rasa skips when reading, one that keeps only its last events with
max_event_history, where positions move) is counted as Rasa counts; tests compare the rows with Rasa's.

When it can go: when the installed Rasa's `SQLTrackerStore.save` no longer calls `_additional_events` (a count
query per save) and `_retrieve` no longer loads whole ORM objects (`grep -n "def save" -A30` in
rasa/core/tracker_store.py). Check with `make load` (CPU ms per turn of Rasa) before and after removing it;
tests/bot/patches/test_tracker_store.py compares the rows and trackers with Rasa's own code.
"""

from __future__ import annotations

import functools
import itertools
import json
from typing import Any

# how many of the tracker's events (from the first) the store holds: set by _retrieve and save
STORED = "_meldhulp_stored_events"


def _retrieve(original):
    @functools.wraps(original)
    async def _retrieve(self, sender_id, fetch_events_from_all_sessions):
        from rasa.shared.core.trackers import DialogueStateTracker

        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions)
            events = [json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data).all()]
        if not (self.domain and events):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        if not fetch_events_from_all_sessions and _complete(tracker) and len(tracker.events) == len(events):
            # the latest session: what save() would count; not when an event could not be read back
            setattr(tracker, STORED, len(events))
        return tracker

    _retrieve.__meldhulp_patched__ = True  # type: ignore[attr-defined]
    return _retrieve


def _complete(tracker) -> bool:
    """The tracker keeps every event (no max_event_history cutting the oldest off): positions in it stay put."""
    return tracker.events.maxlen is None


def _row(sender_id: str, event: Any) -> dict[str, Any]:
    """The columns Rasa's save() fills for one event, with the same values."""
    from rasa.shared.nlu.constants import INTENT_NAME_KEY

    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _save(original):
    @functools.wraps(original)
    async def save(self, tracker) -> None:
        await self.stream_events(tracker)
        with self.session_scope() as session:
            stored = getattr(tracker, STORED, None) if _complete(tracker) else None
            # without the note: Rasa's count query
            new = (self._additional_events(session, tracker) if stored is None
                   else itertools.islice(tracker.events, stored, None))
            rows = [_row(tracker.sender_id, event) for event in new]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()
        if _complete(tracker):
            setattr(tracker, STORED, len(tracker.events))

    save.__meldhulp_patched__ = True  # type: ignore[attr-defined]
    return save


def apply() -> None:
    from rasa.core.tracker_store import SQLTrackerStore

    if getattr(SQLTrackerStore.save, "__meldhulp_patched__", False):
        return
    SQLTrackerStore._retrieve = _retrieve(SQLTrackerStore._retrieve)  # type: ignore[method-assign]
    SQLTrackerStore.save = _save(SQLTrackerStore.save)  # type: ignore[method-assign]
