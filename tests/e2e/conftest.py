"""One Rasa server and action server for all end-to-end tests (starting them takes ~30 s)."""

from __future__ import annotations

import pytest

import servers


@pytest.fixture(scope="session")
def bot(tmp_path_factory) -> servers.Servers:
    if not servers.MODEL.exists():
        pytest.fail("no trained model: run 'make train' first")
    with servers.running(tmp_path_factory.mktemp("e2e")) as running:
        yield running
