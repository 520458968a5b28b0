"""channels/idempotency.py: a bridge's POST /send with an Idempotency-Key is delivered once, also after a restart
of the bridge (the keys are in the database, as a hash), and never twice when the database does not answer."""

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from actions.store import db, sent
from channels import idempotency
from channels.bridge import send_app

TOKEN = "bridge-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
KEY = "meldhulp-nazorg-7-MLD-2026-0001"
BODY = {"recipient": "42", "text": "Hoe gaat het nu met u?"}


class Messenger:
    """What the bridge delivered; `fail` makes the next deliveries fail."""

    def __init__(self) -> None:
        self.delivered: list[tuple] = []
        self.fail = 0

    async def __call__(self, recipient, text_, buttons) -> None:
        if self.fail:
            self.fail -= 1
            raise ConnectionError
        self.delivered.append((recipient, text_))


async def _post(messenger: Messenger, key: str | None = KEY, token: str = TOKEN):
    """One POST /send to a bridge just started (nothing in its memory), like the worker's retry after a restart."""
    app = idempotency.once(send_app(messenger, TOKEN), TOKEN)
    headers = {"Authorization": f"Bearer {token}", **({idempotency.HEADER: key} if key else {})}
    async with TestClient(TestServer(app)) as client:
        response = await client.post("/send", json=BODY, headers=headers)
        return response.status, await response.json()


async def test_a_check_in_delivered_before_a_restart_is_not_sent_again(connection):
    messenger = Messenger()
    assert await _post(messenger) == (200, {"ok": True})
    assert await _post(messenger) == (200, {"ok": True, "duplicate": True})  # a new bridge process
    assert len(messenger.delivered) == 1
    assert (await _post(messenger, key=KEY + "-next"))[0] == 200  # another check-in is sent
    assert len(messenger.delivered) == 2


async def test_the_same_bridge_answers_a_retry_from_memory(connection):
    messenger = Messenger()
    app = idempotency.once(send_app(messenger, TOKEN), TOKEN)
    async with TestClient(TestServer(app)) as client:
        headers = {**AUTH, idempotency.HEADER: KEY}
        assert (await client.post("/send", json=BODY, headers=headers)).status == 200
        connection.execute(text("DELETE FROM sent_messages"))  # not asked again: the memory answers
        answer = await client.post("/send", json=BODY, headers=headers)
        assert await answer.json() == {"ok": True, "duplicate": True}
    assert len(messenger.delivered) == 1


async def test_only_a_keyed_hash_of_the_key_is_stored(connection, session):
    await _post(Messenger())
    [row] = session.scalars(select(sent.SentMessage)).all()
    assert row.key_hash == sent.key_hash(KEY, TOKEN)
    assert row.key_hash != hashlib.sha256(KEY.encode()).hexdigest()  # not found by hashing references one by one
    assert sent.key_hash(KEY, "another-token") != row.key_hash


async def test_a_key_the_database_did_not_take_is_still_answered_from_memory(connection, monkeypatch):
    def failing():
        raise OperationalError("INSERT", {}, ConnectionRefusedError())

    monkeypatch.setattr(db, "transaction", failing)
    messenger = Messenger()
    app = idempotency.once(send_app(messenger, TOKEN), TOKEN)
    async with TestClient(TestServer(app)) as client:
        headers = {**AUTH, idempotency.HEADER: KEY}
        first = await client.post("/send", json=BODY, headers=headers)
        assert first.status == 200 and await first.json() == {"ok": True}  # delivered: the sender must not retry
        again = await client.post("/send", json=BODY, headers=headers)
        assert await again.json() == {"ok": True, "duplicate": True}
    assert len(messenger.delivered) == 1


async def test_a_failed_delivery_is_not_remembered(connection):
    messenger = Messenger()
    messenger.fail = 1
    assert (await _post(messenger))[0] == 502
    assert await _post(messenger) == (200, {"ok": True})  # the worker's retry is delivered
    assert len(messenger.delivered) == 1


async def test_without_the_database_a_keyed_message_waits(connection, monkeypatch):
    def unavailable():
        raise OperationalError("SELECT", {}, ConnectionRefusedError())

    monkeypatch.setattr(db, "session", unavailable)
    messenger = Messenger()
    status, answer = await _post(messenger)
    assert status == 503 and answer["ok"] is False and messenger.delivered == []  # the worker retries later


async def test_a_message_without_a_key_or_with_a_wrong_token_is_not_recorded(connection, session):
    messenger = Messenger()
    assert (await _post(messenger, key=None))[0] == 200
    assert (await _post(messenger, key=None))[0] == 200  # no key: sent every time (the griffie's answers)
    assert (await _post(messenger, token="wrong"))[0] == 401
    assert len(messenger.delivered) == 2 and session.scalars(select(sent.SentMessage)).all() == []


def test_a_key_is_forgotten_after_a_week(session):
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    sent.record(session, KEY, TOKEN, now - timedelta(days=8))
    assert not sent.was_sent(session, KEY, TOKEN, now)
    assert sent.was_sent(session, KEY, TOKEN, now - timedelta(days=7))
    sent.record(session, "another", TOKEN, now)  # recording removes keys older than a week
    assert [r.key_hash for r in session.scalars(select(sent.SentMessage))] == [sent.key_hash("another", TOKEN)]


def test_times_in_another_zone_count_the_same(session):
    amsterdam = timezone(timedelta(hours=1))
    sent.record(session, KEY, TOKEN, datetime(2026, 12, 6, 13, 0, tzinfo=amsterdam))  # 12:00 UTC
    assert sent.was_sent(session, KEY, TOKEN, datetime(2026, 12, 13, 11, 59, tzinfo=UTC))
    assert not sent.was_sent(session, KEY, TOKEN, datetime(2026, 12, 13, 12, 1, tzinfo=UTC))


def test_the_purge_forgets_old_keys(connection, session):
    from actions.store import retention

    now = datetime.now(UTC)
    sent.record(session, "old", TOKEN, now - timedelta(days=8))
    session.add(sent.SentMessage(key_hash=sent.key_hash("new", TOKEN), sent_at=now - timedelta(days=1)))
    session.flush()
    retention.purge_expired(now)
    assert [r.key_hash for r in session.scalars(select(sent.SentMessage))] == [sent.key_hash("new", TOKEN)]


@pytest.mark.parametrize("key", ["", "x" * (idempotency.MAX_KEY_LENGTH + 1)])
async def test_an_empty_or_overlong_key_is_sent_as_without_one(connection, key):
    messenger = Messenger()
    assert (await _post(messenger, key=key or None))[0] == 200
    assert (await _post(messenger, key=key or None))[0] == 200
    assert len(messenger.delivered) == 2
