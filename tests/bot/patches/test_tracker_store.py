"""The faster SQL tracker store (patches/tracker_store.py) writes the rows Rasa's own code writes and reads back the
same trackers, over new conversations, later turns, a new session and copies. Runs in the Rasa environment (make
unit, marker `rasa`), on SQLite; the two-replica e2e test runs it on PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

pytestmark = pytest.mark.rasa
pytest.importorskip("rasa")  # the Rasa environment only (make unit runs it there)
tracker_store = pytest.importorskip("patches.tracker_store")

import sqlalchemy as sa  # noqa: E402
from rasa.core.tracker_store import SQLTrackerStore  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered  # noqa: E402

tracker_store.apply()

DOMAIN = Domain.from_dict({
    "intents": ["greet", "inform"],
    "slots": {"role": {"type": "text", "mappings": [{"type": "custom"}]}},
})


class RasasOwn(SQLTrackerStore):
    """Rasa 3.6's save and _retrieve, as they were before the patch."""

    save = SQLTrackerStore.save.__wrapped__  # type: ignore[attr-defined]
    _retrieve = SQLTrackerStore._retrieve.__wrapped__  # type: ignore[attr-defined]


def stores(tmp_path):
    return (RasasOwn(DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db")),
            SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "ours.db")))


def rows(store) -> list[tuple]:
    with store.engine.connect() as db:
        return [tuple(row) for row in db.execute(sa.text(
            "SELECT id, sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"))]


def turn(text: str, intent: str, at: float) -> list:
    return [UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=at),
            SlotSet("role", "raadslid", timestamp=at + 0.1),
            ActionExecuted("utter_greet", timestamp=at + 0.2), BotUttered("Hallo", timestamp=at + 0.3),
            ActionExecuted("action_listen", timestamp=at + 0.4)]


async def conversation(store) -> list:
    """A new conversation, two later turns (each read, extended, saved), then a new session in the same turn."""
    tracker = await store.get_or_create_tracker("c1", append_action_listen=False)  # no event stamped with the clock
    tracker.update_with_events(turn("hallo", "greet", 10.0), DOMAIN, override_timestamp=False)
    await store.save(tracker)
    for at in (20.0, 30.0):
        tracker = await store.retrieve("c1")
        tracker.update_with_events(turn(f"beurt {at}", "inform", at), DOMAIN, override_timestamp=False)
        await store.save(tracker)
    tracker = await store.retrieve("c1")
    tracker.update_with_events([ActionExecuted("action_session_start", timestamp=40.0), SessionStarted(timestamp=40.1),
                                ActionExecuted("action_listen", timestamp=40.2)] + turn("nieuw", "greet", 41.0), DOMAIN, override_timestamp=False)
    await store.save(tracker)
    latest = await store.retrieve("c1")
    full = await store.retrieve_full_tracker("c1")
    return [[[e.as_dict() for e in t.events], t.current_slot_values(), t.latest_message.as_dict()] for t in (latest, full)]


def test_the_rows_and_the_trackers_read_back_are_rasas_own(tmp_path):
    rasa, ours = stores(tmp_path)
    assert asyncio.run(conversation(ours)) == asyncio.run(conversation(rasa))
    assert rows(ours) == rows(rasa)
    assert len(rows(ours)) == 5 + 5 + 5 + 3 + 5


def test_saving_the_same_tracker_twice_adds_nothing_also_after_a_new_session(tmp_path):
    """Rasa's count after a new session counts only the new session's rows and would store the old ones again (a
    turn saves once, so Rasa never meets it); here the tracker knows what is stored."""
    _, ours = stores(tmp_path)

    async def twice():
        tracker = await ours.get_or_create_tracker("c4")
        tracker.update_with_events(turn("hallo", "greet", 10.0), DOMAIN, override_timestamp=False)
        await ours.save(tracker)
        tracker = await ours.retrieve("c4")
        tracker.update_with_events([SessionStarted(timestamp=40.1)] + turn("nieuw", "greet", 41.0), DOMAIN, override_timestamp=False)
        await ours.save(tracker)
        await ours.save(tracker)

    asyncio.run(twice())
    assert len(rows(ours)) == 1 + 5 + 1 + 5


def test_a_turn_saves_without_counting_and_with_one_insert(tmp_path):
    _, ours = stores(tmp_path)
    tracker = asyncio.run(ours.get_or_create_tracker("c2"))
    tracker.update_with_events(turn("hallo", "greet", 10.0), DOMAIN, override_timestamp=False)
    asyncio.run(ours.save(tracker))
    tracker = asyncio.run(ours.retrieve("c2"))
    tracker.update_with_events(turn("nog iets", "inform", 20.0), DOMAIN, override_timestamp=False)
    statements: list[str] = []
    sa.event.listen(ours.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    asyncio.run(ours.save(tracker))
    assert [s.split()[0] for s in statements] == ["INSERT"]
    assert "count" not in " ".join(statements).lower()
    assert len(rows(ours)) == 1 + 5 + 5


def test_a_copy_of_a_tracker_is_counted_as_rasa_counts(tmp_path):
    """A copy carries no note of what the store holds: it takes Rasa's count query, so nothing is stored twice."""
    _, ours = stores(tmp_path)
    tracker = asyncio.run(ours.get_or_create_tracker("c3"))
    tracker.update_with_events(turn("hallo", "greet", 10.0), DOMAIN, override_timestamp=False)
    asyncio.run(ours.save(tracker))
    tracker = asyncio.run(ours.retrieve("c3")).copy()
    assert getattr(tracker, tracker_store.STORED, None) is None
    tracker.update_with_events(turn("nog iets", "inform", 20.0), DOMAIN, override_timestamp=False)
    asyncio.run(ours.save(tracker))
    assert len(rows(ours)) == 1 + 5 + 5


async def unreadable_row(store) -> None:
    """A stored row Rasa skips when reading (no event name): the tracker has fewer events than rows, so no note;
    Rasa's count."""
    tracker = await store.get_or_create_tracker("c5", append_action_listen=False)
    tracker.update_with_events(turn("hallo", "greet", 10.0), DOMAIN, override_timestamp=False)
    await store.save(tracker)
    with store.engine.begin() as db:
        db.execute(sa.text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES "
                           "('c5', 'unknown', 11.0, '{\"timestamp\": 11.0}')"))
    tracker = await store.retrieve("c5")
    assert getattr(tracker, tracker_store.STORED, None) is None
    tracker.update_with_events(turn("nog iets", "inform", 20.0), DOMAIN, override_timestamp=False)
    await store.save(tracker)


async def cut_tracker(store) -> None:
    """A tracker that keeps only its last events (max_event_history): positions move, so no note; Rasa's count. A new
    session inside it and two more saves of the same tracker: a note would stop at the limit and lose the new turn."""
    tracker = await store.get_or_create_tracker("c6", max_event_history=4, append_action_listen=False)
    tracker.update_with_events(turn("hallo", "greet", 10.0), DOMAIN, override_timestamp=False)
    await store.save(tracker)
    assert getattr(tracker, tracker_store.STORED, None) is None
    tracker.update_with_events([ActionExecuted("action_session_start", timestamp=30.0), SessionStarted(timestamp=30.1)],
                               DOMAIN, override_timestamp=False)
    await store.save(tracker)
    tracker.update_with_events([UserUttered("nieuw", {"name": "greet", "confidence": 0.9}, timestamp=31.0),
                                ActionExecuted("action_listen", timestamp=31.1)], DOMAIN, override_timestamp=False)
    await store.save(tracker)


async def full_tracker_saved(store) -> None:
    """A tracker of all sessions (retrieve_full_tracker) carries no note: saved with Rasa's count, as before."""
    tracker = await store.get_or_create_tracker("c7", append_action_listen=False)
    tracker.update_with_events(turn("hallo", "greet", 10.0), DOMAIN, override_timestamp=False)
    await store.save(tracker)
    tracker = await store.retrieve("c7")
    tracker.update_with_events([SessionStarted(timestamp=30.0)] + turn("nieuw", "greet", 31.0), DOMAIN,
                               override_timestamp=False)
    await store.save(tracker)
    tracker = await store.retrieve_full_tracker("c7")
    assert getattr(tracker, tracker_store.STORED, None) is None
    tracker.update_with_events(turn("later", "inform", 40.0), DOMAIN, override_timestamp=False)
    await store.save(tracker)


@pytest.mark.parametrize("scenario", [unreadable_row, cut_tracker, full_tracker_saved])
def test_trackers_without_a_note_are_saved_as_rasa_saves_them(tmp_path, scenario):
    rasa, ours = stores(tmp_path)
    asyncio.run(scenario(rasa))
    asyncio.run(scenario(ours))
    assert rows(ours) == rows(rasa)


def test_rows_erased_between_the_read_and_the_save_are_not_written_again(tmp_path):
    """The erasure of a conversation (bot/actions/store/tracker.py) does not take Rasa's lock. If it lands between a
    turn's read and its save, Rasa's count (0) would store the whole session again; the note stores the turn's new
    events only."""
    _, ours = stores(tmp_path)

    async def erased_mid_turn():
        tracker = await ours.get_or_create_tracker("c8", append_action_listen=False)
        tracker.update_with_events(turn("mijn verhaal", "greet", 10.0), DOMAIN, override_timestamp=False)
        await ours.save(tracker)
        tracker = await ours.retrieve("c8")
        with ours.engine.begin() as db:
            db.execute(sa.text("DELETE FROM events WHERE sender_id = 'c8'"))
        tracker.update_with_events(turn("nog iets", "inform", 20.0), DOMAIN, override_timestamp=False)
        await ours.save(tracker)

    asyncio.run(erased_mid_turn())
    assert [row[6] for row in rows(ours) if "mijn verhaal" in row[6]] == []
    assert len(rows(ours)) == 5
