"""End to end, issue 12: the action server refuses a forged tracker, the channel boundary answers bad input
calmly, and a widget session cannot be taken over. (The killed action server and the 10k fuzz: make probe,
scripts/probe.py, which `make test` runs with a short fuzz.)"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import probe
import pytest

pytestmark = pytest.mark.e2e


def post(url: str, body: bytes, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_forged_tracker_is_refused_and_files_nothing(bot):
    result = asyncio.run(probe.forged_tracker(bot))
    assert result["statuses"] == [401] and result["reports"] == 0
    # with the token the action runs (200); whether it files is the report action's own check (the summary hash of
    # bot/actions/report_summary.py refuses a tracker whose last message did not answer the open summary question)
    assert result["control_with_token_status"] == 200


@pytest.mark.parametrize(("body", "status", "says"), [
    (b"[1, 2]", 400, "not a list"),
    (b'{"message": "hallo"}', 400, "'sender'"),
    (b'{"sender": "", "message": "hallo"}', 400, "'sender'"),
    (b'{"sender": "default", "message": "hallo"}', 400, "default"),
    (b"not json", 400, "JSON object"),
    (b'{"sender": "e2e-b1", "message": "/restart"}', 200, "opdrachten voor het systeem"),
    (b'{"sender": "e2e-b2", "message": "/session_start{\\"x\\": 1}"}', 200, "opdrachten voor het systeem"),
    (b'{"sender": "e2e-b3", "message": "\\ud800\\udfff\\u0000"}', 200, "kon uw bericht niet lezen"),
    (b'{"sender": "e2e-b4", "message": 5}', 200, "kon uw bericht niet lezen"),
    (b'{"sender": "e2e-b5", "message": "\xff\xfe Hij schold mij uit"}', 200, ""),  # bytes that are no UTF-8: dropped
])
def test_the_channel_boundary_answers_bad_input_calmly(bot, body, status, says):
    code, text = post(f"{bot.rasa_url}/webhooks/rest/webhook", body)
    assert code == status, text
    answer = " ".join(m.get("text") or "" for m in json.loads(text)) if code == 200 else text
    assert says in answer.replace("\\/", "/"), answer
    if code == 200:
        assert answer.strip()


def test_a_widget_session_cannot_be_taken_over(bot):
    result = asyncio.run(probe.takeover(bot))
    assert result["second_socket_same_token"] == "session_refused"
    assert result["attacker_got_own_session"] and result["forged_token_got_own_session"]
    assert result["attacker_read_victim_messages"] == 0 and not result["attacker_wrote_into_victim"]


def test_a_typed_payload_sets_no_slot_and_files_nothing_but_the_summary(bot):
    """The summary shows Leiden; a typed '/affirm{"municipality":"Amsterdam"}' files the summary or nothing
    (bot/patches/payload_guard.py); a typed '/inform{...}' that no button offered sets no slot."""
    result = asyncio.run(probe.payload_injection(bot, tries=2))
    assert result["injections"] == 0 and result["slots_set_by_typed_payload"] == []


def test_a_button_the_bot_offered_still_sets_its_slot(bot):
    async def run() -> list[str]:
        async with probe.aiohttp.ClientSession() as http:
            await probe.say(http, bot.rasa_url, "e2e-button", probe.STORY)  # the bot offers the role buttons
            status, body = await probe.say(http, bot.rasa_url, "e2e-button", '/inform{"role":"wethouder"}')
            assert status == 200
            return probe.buttons(body)

    assert "Leiden" in asyncio.run(run())  # the role was taken: the bot asks for the municipality
    tracker = json.loads(urllib.request.urlopen(
        f"{bot.rasa_url}/conversations/e2e-button/tracker?token={bot.rasa_token}", timeout=30).read())
    assert tracker["slots"]["role"] == "wethouder"


def test_a_stale_yes_after_moving_on_files_nothing(bot):
    result = asyncio.run(probe.stale_confirm(bot, tries=4))
    assert result["reached_summary"] == 4 and result["reports_after_stale_ja"] == 0
