"""Shared fixtures: a migrated database per test session, a rolled-back transaction per test,
and Rasa SDK trackers, dispatchers and the domain for action tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from core.config import Settings, get_settings

ROOT = Path(__file__).resolve().parents[1]


# The settings are read once per process (core.config.get_settings). A test that changes the environment
# through monkeypatch (setenv, delenv, and undo afterwards) gets them read again on next use.
def _reading_settings_again(method):
    def changed_environment(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        finally:
            get_settings.cache_clear()

    return changed_environment


for _name in ("setenv", "delenv", "undo"):
    setattr(pytest.MonkeyPatch, _name, _reading_settings_again(getattr(pytest.MonkeyPatch, _name)))


@pytest.fixture(autouse=True)
def _fresh_settings():
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def settings_from():
    """Settings from a dict of environment variables, as a service would read them: `settings_from({...})`."""
    return Settings.from_env


@pytest.fixture(scope="session", autouse=True)
def _report_key(tmp_path_factory):
    """A throwaway encryption key for the whole test run."""
    mp = pytest.MonkeyPatch()
    mp.setenv("REPORT_ENCRYPTION_KEY", Fernet.generate_key().decode())
    mp.delenv("REPORT_ENCRYPTION_KEY_FILE", raising=False)
    yield
    mp.undo()


# SQLite always; PostgreSQL too when TEST_POSTGRES_URL is set (.ci/run starts one).
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_POSTGRES_URL") else [])


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_url(request, tmp_path_factory) -> str:
    """A database migrated with Alembic (the real migrations) and loaded with the protocols."""
    from alembic import command
    from alembic.config import Config

    from actions import config

    mp = pytest.MonkeyPatch()
    if request.param == "sqlite":
        mp.setenv("DATABASE_URL", f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}")
    else:
        mp.setenv("DATABASE_URL", os.environ["TEST_POSTGRES_URL"])
    url = config.database_url()
    alembic_config = Config(str(ROOT / "alembic.ini"))
    command.downgrade(alembic_config, "base")  # a reused PostgreSQL starts empty; tests the downgrade too
    command.upgrade(alembic_config, "head")
    mp.undo()

    from actions import knowledge

    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        knowledge.load_into(session)
    engine.dispose()
    return url


@pytest.fixture
def connection(migrated_url, monkeypatch):
    """One connection in a transaction that is rolled back after the test.

    The actions open `Session(db.engine())`; here db.engine() returns this connection, so their
    commits join the outer transaction and nothing a test writes survives it.
    """
    from actions.store import db

    engine = create_engine(migrated_url)
    conn = engine.connect()
    outer = conn.begin()
    monkeypatch.setattr(db, "engine", lambda url=None: conn)
    yield conn
    if outer.is_active:  # a test of a failing write may already have rolled it back
        outer.rollback()
    conn.close()
    engine.dispose()


@pytest.fixture
def session(connection):
    with Session(bind=connection, join_transaction_mode="create_savepoint") as s:
        yield s


@pytest.fixture(scope="session")
def domain() -> dict:
    """The domain as Rasa merges it: every file in bot/domain/ (one per topic)."""
    merged: dict = {}
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        for key, value in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            elif isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            else:
                merged[key] = value
    return merged


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def make_tracker(
    slots: dict | None = None,
    text: str = "",
    intent: str | None = None,
    abcd: dict | None = None,
    active_loop: str | None = None,
    new_slots: dict | None = None,
    sender_id: str = "test-gesprek",
) -> Tracker:
    """A tracker as the action server receives it. `new_slots` are set after the last user message
    (what a form validation action must validate)."""
    all_slots = {**(slots or {}), **(new_slots or {})}
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    if abcd is not None:
        latest["abcd"] = abcd
    events = [{"event": "user", "text": text, "parse_data": latest}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (new_slots or {}).items()]
    return Tracker(
        sender_id=sender_id,
        slots=all_slots,
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


@pytest.fixture
def tracker_factory():
    return make_tracker


def asked_before(tracker, action: str):
    """The tracker as the action server gets it when the user's message answers what `action` asked: that action,
    its message and action_listen come before the user's message (actions.common.asked_by reads it)."""
    tracker.events[:0] = [{"event": "action", "name": action}, {"event": "bot", "text": "..."},
                          {"event": "action", "name": "action_listen"}]
    return tracker


class _Inbox:
    """What a local SMTP server received: one email.message.Message per mail."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        import email

        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on localhost (aiosmtpd); `.inbox.messages` holds what arrived."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    controller.inbox = inbox
    yield controller
    controller.stop()
