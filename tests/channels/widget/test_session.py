"""Signed widget session tokens (channels/widget/session.py, issue 12)."""

from __future__ import annotations

import pytest

from channels.widget import session
from core.config import SettingsError


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv("WIDGET_SECRET", "s" * 32)


def test_a_token_proves_its_session_until_it_expires():
    session_id, token = session.issue(now=1_000_000)
    assert session.SESSION_ID.fullmatch(session_id)
    assert session.verify(token, now=1_000_000 + 3600) == session_id
    assert session.verify(token, now=1_000_000 + 25 * 3600) is None


def test_a_session_id_alone_or_a_changed_token_opens_nothing(monkeypatch):
    session_id, token = session.issue()
    other, _ = session.issue()
    assert session.verify(session_id) is None
    assert session.verify(token.replace(session_id, other)) is None
    expires = token.split(".")[1]
    assert session.verify(token.replace(f".{expires}.", f".{int(expires) + 999999}.")) is None
    for junk in (None, 5, "", "a.b.c", token + "x", ["x"], "0" * 200):
        assert session.verify(junk) is None
    monkeypatch.setenv("WIDGET_SECRET", "t" * 32)
    assert session.verify(token) is None  # another deployment's secret


def test_no_secret_no_sessions(monkeypatch):
    monkeypatch.setenv("WIDGET_SECRET", "short")
    with pytest.raises(SettingsError, match="WIDGET_SECRET"):
        session.issue()
