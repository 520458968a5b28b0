"""The action server refuses requests without the shared token (patches/action_server.py, issue 12)."""

from __future__ import annotations

import asyncio
import json
import socket

import aiohttp
import pytest

from patches import action_server

TOKEN = "test-token-1234567890"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def server(monkeypatch):
    from sanic import Sanic

    monkeypatch.setattr(Sanic, "test_mode", True)  # one app per test, same name
    app = action_server.create_app("actions", token=TOKEN)
    port = _free_port()
    srv = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await srv.startup()
    task = asyncio.ensure_future(srv.serve_forever())
    yield f"http://127.0.0.1:{port}"
    task.cancel()
    srv.close()
    await srv.wait_closed()


FORGED = {"next_action": "action_submit_report", "sender_id": "forged", "version": "3.6.2",
          "tracker": {"sender_id": "forged", "slots": {"confirmed": True}, "events": [], "latest_message": {}},
          "domain": {}}


async def test_health_needs_no_token(server):
    async with aiohttp.ClientSession() as http, http.get(f"{server}/health") as response:
        assert response.status == 200


@pytest.mark.parametrize("headers", [{}, {"X-Action-Token": "wrong"}, {"Authorization": f"Bearer {TOKEN}"}])
async def test_a_forged_tracker_without_the_token_is_refused(server, headers):
    async with aiohttp.ClientSession() as http:
        for path in ("/webhook", "/actions"):
            async with http.post(f"{server}{path}", json=FORGED, headers=headers) as response:
                assert response.status == 401
                assert "forged" not in await response.text()


async def test_with_the_token_the_actions_answer_without_echoing_the_tracker(server):
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server}/actions", headers={"X-Action-Token": TOKEN}) as response:
            assert response.status == 200
            assert any(a["name"] == "action_triage" for a in await response.json())
        # an action that breaks answers 500 without the request body (rasa_sdk's handler echoed the tracker)
        broken = {**FORGED, "next_action": "action_triage", "tracker": {"sender_id": "x", "secret words": 1}}
        async with http.post(f"{server}/webhook", data=json.dumps(broken), headers={"X-Action-Token": TOKEN}) as response:
            assert response.status in (200, 400, 500)
            assert "secret words" not in await response.text()


def test_no_token_no_server(monkeypatch, capsys):
    monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    from core.config import get_settings

    get_settings.cache_clear()
    assert action_server.main(["--port", "0"]) == 2
    assert "ACTION_SERVER_TOKEN" in capsys.readouterr().err


def test_idle_connections_outlive_the_rasa_client_keep_alive():
    """The client (Rasa's aiohttp, 15 s) closes an idle connection before the server does (Sanic's default: 5 s)."""
    from sanic import Sanic

    Sanic.test_mode = True
    try:
        app = action_server.create_app("actions", token=TOKEN)
        assert app.config.KEEP_ALIVE_TIMEOUT > 15
    finally:
        Sanic.test_mode = False
