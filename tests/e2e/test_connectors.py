"""The Rasa server's channels (bot/connectors.py): nobody but the bridges can speak for a Telegram or
Signal user, because the griffie's answers to those conversations go to that person's messenger."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.e2e


def post(url: str, body: dict, token: str | None = None) -> tuple[int, object]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, None


def test_the_bridge_channel_needs_the_token_and_a_messenger_id(bot):
    url = f"{bot.rasa_url}/webhooks/bridge/webhook"
    assert post(url, {"sender": "telegram:777", "message": "hallo"})[0] == 401
    assert post(url, {"sender": "telegram:777", "message": "hallo"}, token="fout")[0] == 401
    assert post(url, {"sender": "iemand", "message": "hallo"}, token=bot.env["BRIDGE_TOKEN"])[0] == 400
    status, replies = post(url, {"sender": "telegram:777", "message": "hallo"}, token=bot.env["BRIDGE_TOKEN"])
    assert status == 200 and replies and replies[0]["recipient_id"] == "telegram:777"
    assert bot.tracker("telegram:777")["latest_input_channel"] == "bridge"


def test_the_open_rest_channel_cannot_use_a_messenger_id_or_claim_another_channel(bot):
    url = f"{bot.rasa_url}/webhooks/rest/webhook"
    assert post(url, {"sender": "signal:+31600000000", "message": "hallo"})[0] == 400
    status, _ = post(url, {"sender": "rest-claim", "message": "hallo", "input_channel": "bridge"})
    assert status == 200
    assert bot.tracker("rest-claim")["latest_input_channel"] == "rest"
