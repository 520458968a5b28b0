"""The fake signal-cli-rest-api answers as the documented API does (others reuse it, so it is tested too)."""

from __future__ import annotations

import json

import aiohttp
import pytest

from tests.channels.fake_signal import FakeSignal

BOT = "+31600000000"


async def test_health_and_about(sig):
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{sig.url}/v1/health") as response:
            assert response.status == 204
        async with http.get(f"{sig.url}/v1/about") as response:
            assert (await response.json())["mode"] == "json-rpc"


@pytest.mark.parametrize(("body", "error"), [
    ("geen json", "invalid request"),
    ({"message": "hoi", "number": BOT, "recipients": "+31611111111"}, "invalid request"),
    ({"message": "hoi", "number": BOT}, "at least one recipient"),
    ({"message": "hoi", "number": BOT, "recipients": []}, "at least one recipient"),
    ({"message": "hoi", "recipients": ["+31611111111"]}, "valid number"),
    ({"message": "hoi", "number": "+31699999999", "recipients": ["+31611111111"]}, "not registered"),
    ({"number": BOT, "recipients": ["+31611111111"]}, "empty message"),
])
async def test_send_validates_like_the_real_api(sig, body, error):
    data = body if isinstance(body, str) else json.dumps(body)
    async with aiohttp.ClientSession() as http, http.post(f"{sig.url}/v2/send", data=data) as response:
        assert response.status == 400
        assert error in (await response.json())["error"]
    assert sig.sent == []


async def test_send_records_and_answers_201_with_a_timestamp(sig):
    body = {"message": "hoi", "number": BOT, "recipients": ["+31611111111"]}
    async with aiohttp.ClientSession() as http, http.post(f"{sig.url}/v2/send", json=body) as response:
        assert response.status == 201
        assert (await response.json())["timestamp"].isdigit()
    assert await sig.wait_for_sends("+31611111111", 1) == [body]


async def test_frames_wait_for_a_websocket_and_others_are_refused(sig):
    sig.user_says("+31611111111", "eerder")
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{sig.url}/v1/receive/%2B31699999999") as response:
            assert response.status == 400
        async with http.ws_connect(f"{sig.url}/v1/receive/%2B31600000000") as ws:
            first = json.loads((await ws.receive(timeout=5)).data)
            sig.user_says("+31611111111", "nu")
            second = json.loads((await ws.receive(timeout=5)).data)
    assert first["account"] == BOT
    assert first["envelope"]["sourceNumber"] == "+31611111111"
    assert [first["envelope"]["dataMessage"]["message"], second["envelope"]["dataMessage"]["message"]] == ["eerder", "nu"]
    assert sig.connections == 1


async def test_like_the_real_api_it_can_drop_frames_nobody_listens_to():
    async with FakeSignal(number=BOT, keep_while_disconnected=False) as sig, aiohttp.ClientSession() as http:
        sig.user_says("+31611111111", "verloren")
        async with http.ws_connect(f"{sig.url}/v1/receive/{BOT}") as ws:  # a literal '+' works too
            await sig.wait_for_connections(1)
            sig.user_says("+31611111111", "aangekomen")
            assert json.loads((await ws.receive(timeout=5)).data)["envelope"]["dataMessage"]["message"] == "aangekomen"


async def test_wait_for_sends_fails_clearly(sig):
    with pytest.raises(AssertionError, match="expected 1 sends to \\+31611111111"):
        await sig.wait_for_sends("+31611111111", 1, timeout=0.05)
