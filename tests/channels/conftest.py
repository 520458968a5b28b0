"""Fixtures the channel tests share."""

import pytest

from tests.channels.fake_rasa import FakeRasa


@pytest.fixture
async def rasa():
    """The fake Rasa channel the bridges talk to (tests/channels/fake_rasa.py)."""
    async with FakeRasa() as fake:
        yield fake
