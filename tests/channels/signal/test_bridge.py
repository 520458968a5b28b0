"""The Signal bridge between a fake signal-cli-rest-api and a fake Rasa, over real HTTP and websockets."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from aiohttp import web

from channels.bridge import DELAYED
from channels.signal.bridge import TEXT_ONLY, Config, SignalBridge
from tests.channels.fake_signal import receipt, sync_sent, text_message, typing
from tests.channels.signal.conftest import BOT, ROLE_BUTTONS, TOKEN, USER

ROLE_QUESTION = "Welke rol heeft u?\n\n1. Raadslid\n2. Duolid\n3. Wethouder\n\nAntwoord met het nummer."


def texts(bodies: list[dict]) -> list[str]:
    return [body["message"] for body in bodies]


async def test_a_text_reaches_rasa_and_the_reply_goes_back(bridge, sig, rasa):
    sig.user_says(USER, "Iemand schold mij uit op de markt")

    assert await sig.wait_for_sends(USER, 1) == [
        {"message": "Ontvangen: Iemand schold mij uit op de markt", "number": BOT, "recipients": [USER]},
    ]
    assert rasa.received == [{"sender": f"signal:{USER}", "message": "Iemand schold mij uit op de markt",
                              "metadata": {"channel": "signal"}}]


async def test_a_sender_without_a_visible_number_is_answered_by_uuid(bridge, sig, rasa):
    user_uuid = "0f9b4a1e-3c57-4d0e-9a36-2a1d8c7e5b10"
    sig.user_says(user_uuid, "hallo")

    assert texts(await sig.wait_for_sends(user_uuid, 1)) == ["Ontvangen: hallo"]
    assert rasa.received[0]["sender"] == f"signal:{user_uuid}"


async def test_buttons_become_numbered_options_and_a_digit_sends_the_payload(bridge, sig, rasa):
    rasa.script["ik ben bedreigd"] = [{"text": "Dat is naar."}, {"text": "Welke rol heeft u?", "buttons": ROLE_BUTTONS}]

    sig.user_says(USER, "ik ben bedreigd")
    assert texts(await sig.wait_for_sends(USER, 2)) == ["Dat is naar.", ROLE_QUESTION]

    sig.user_says(USER, "2")
    await rasa.wait_for(2)
    assert rasa.messages() == ["ik ben bedreigd", '/inform{"role":"duolid"}']


@pytest.mark.parametrize(("answer", "payload"), [
    ("1", '/inform{"role":"raadslid"}'), (" 3 ", '/inform{"role":"wethouder"}'), ("2.", '/inform{"role":"duolid"}'),
])
async def test_a_digit_alone_with_spaces_or_a_dot_is_an_answer(bridge, sig, rasa, answer, payload):
    rasa.script["start"] = [{"text": "Welke rol heeft u?", "buttons": ROLE_BUTTONS}]
    sig.user_says(USER, "start")
    await sig.wait_for_sends(USER, 1)

    sig.user_says(USER, answer)
    await rasa.wait_for(2)
    assert rasa.messages() == ["start", payload]


async def test_a_number_that_is_no_option_gets_a_hint_and_is_not_sent_to_rasa(bridge, sig, rasa):
    rasa.script["start"] = [{"text": "Welke rol heeft u?", "buttons": ROLE_BUTTONS}]
    sig.user_says(USER, "start")
    await sig.wait_for_sends(USER, 1)

    sig.user_says(USER, "7")
    assert texts(await sig.wait_for_sends(USER, 2))[1] == "Dat nummer staat er niet bij. Antwoord met 1, 2 of 3."

    sig.user_says(USER, "2")  # the options still stand after a wrong number
    await rasa.wait_for(2)
    assert rasa.messages() == ["start", '/inform{"role":"duolid"}']


async def test_other_text_clears_the_options(bridge, sig, rasa):
    rasa.script["start"] = [{"text": "Welke rol heeft u?", "buttons": ROLE_BUTTONS}]
    sig.user_says(USER, "start")
    await sig.wait_for_sends(USER, 1)

    sig.user_says(USER, "ik ben griffier")
    sig.user_says(USER, "2")  # no options any more: Rasa gets the digit itself
    await rasa.wait_for(3)
    assert rasa.messages() == ["start", "ik ben griffier", "2"]
    assert texts(await sig.wait_for_sends(USER, 3))[1:] == ["Ontvangen: ik ben griffier", "Ontvangen: 2"]


async def test_a_digit_without_options_goes_to_rasa(bridge, sig, rasa):
    sig.user_says(USER, "3")
    assert texts(await sig.wait_for_sends(USER, 1)) == ["Ontvangen: 3"]


async def test_receipts_typing_sync_and_group_messages_are_ignored(bridge, sig, rasa):
    sig.push(receipt(USER))
    sig.push(typing(USER))
    sig.push(sync_sent(BOT, USER, "van de telefoon van de bot"))
    sig.push(text_message(USER, "in de fractie-app", group_id="Z3JvZXA="))
    sig.push(text_message(USER, None))  # e.g. a reaction: no text, no attachment
    sig.push_frame('{"error": "Untrusted identity"}')
    sig.push_frame("geen json")
    sig.user_says(USER, "alleen dit")

    assert texts(await sig.wait_for_sends(USER, 1)) == ["Ontvangen: alleen dit"]
    assert rasa.messages() == ["alleen dit"]
    await asyncio.sleep(0.05)
    assert len(sig.sent) == 1


async def test_a_sticker_gets_a_note_and_does_not_reach_rasa(bridge, sig, rasa):
    sticker = text_message(USER, None)
    sticker["dataMessage"]["sticker"] = {"packId": "cGFjaw==", "stickerId": 3}
    sig.push(sticker)  # photos and files are evidence: test_evidence.py

    assert texts(await sig.wait_for_sends(USER, 1)) == [TEXT_ONLY]
    assert rasa.received == []


async def test_after_a_dropped_websocket_the_bridge_reconnects_and_loses_nothing(bridge, sig, rasa):
    sig.user_says(USER, "voor")
    await sig.wait_for_sends(USER, 1)

    await sig.drop_websockets()
    sig.user_says(USER, "tijdens")  # no websocket now: kept until the bridge is back
    await sig.wait_for_connections(2)
    sig.user_says(USER, "na")

    assert texts(await sig.wait_for_sends(USER, 3)) == ["Ontvangen: voor", "Ontvangen: tijdens", "Ontvangen: na"]
    assert rasa.messages() == ["voor", "tijdens", "na"]


async def test_repeated_drops_keep_reconnecting(bridge, sig, rasa):
    for n in range(2, 5):
        await sig.drop_websockets()
        await sig.wait_for_connections(n)
    sig.user_says(USER, "nog steeds hier")
    assert texts(await sig.wait_for_sends(USER, 1)) == ["Ontvangen: nog steeds hier"]


async def test_while_rasa_is_down_the_user_hears_it_once_and_nothing_is_lost(bridge, sig, rasa):
    rasa.down = True
    sig.user_says(USER, "eerste")
    sig.user_says(USER, "tweede")
    assert texts(await sig.wait_for_sends(USER, 1)) == [DELAYED]
    while rasa.refused < 3:  # a few retries of "eerste"
        await asyncio.sleep(0.01)

    rasa.down = False
    assert texts(await sig.wait_for_sends(USER, 3)) == [DELAYED, "Ontvangen: eerste", "Ontvangen: tweede"]
    assert rasa.messages() == ["eerste", "tweede"]
    await asyncio.sleep(0.05)
    assert len(sig.sent) == 3


async def test_a_send_that_fails_once_is_retried(bridge, sig, rasa):
    sig.fail_sends(1)
    sig.user_says(USER, "hallo")

    assert texts(await sig.wait_for_sends(USER, 1)) == ["Ontvangen: hallo"]
    assert sig.failed_sends == 1


async def test_a_send_that_keeps_failing_is_given_up_and_the_bridge_goes_on(bridge, sig, rasa, caplog):
    sig.fail_sends(3, status=503)  # send_attempts=3 in the fixture
    sig.user_says(USER, "eerste")
    await rasa.wait_for(1)
    while sig.failed_sends < 3:
        await asyncio.sleep(0.01)

    sig.user_says(USER, "tweede")
    assert texts(await sig.wait_for_sends(USER, 1)) == ["Ontvangen: tweede"]
    assert "a message to a Signal user was not delivered: gave up after 3 attempts" in caplog.text


async def test_a_refused_send_is_not_retried(bridge, sig, rasa):
    sig.fail_sends(1, status=400)
    sig.user_says(USER, "hallo")
    await rasa.wait_for(1)
    sig.user_says(USER, "nog een")

    assert texts(await sig.wait_for_sends(USER, 1)) == ["Ontvangen: nog een"]
    assert sig.failed_sends == 1


async def test_send_api_needs_the_token(bridge, sig):
    url = f"http://127.0.0.1:{bridge.port}/send"
    body = {"recipient": USER, "text": "Ik ben de griffier. Hoe gaat het nu?"}
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=body) as response:
            assert response.status == 401
        async with http.post(url, json=body, headers={"Authorization": "Bearer fout"}) as response:
            assert response.status == 401
        async with http.get(f"http://127.0.0.1:{bridge.port}/health") as response:
            assert (response.status, await response.json()) == (200, {"status": "ok"})
    assert sig.sent == []


async def test_send_api_delivers_text_with_numbered_buttons(bridge, sig, rasa):
    body = {"recipient": USER, "text": "Zal ik u bellen?", "buttons": [
        {"title": "Ja", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}]}
    async with aiohttp.ClientSession() as http, http.post(
            f"http://127.0.0.1:{bridge.port}/send", json=body, headers={"Authorization": f"Bearer {TOKEN}"}) as response:
        assert (response.status, await response.json()) == (200, {"ok": True})

    assert texts(await sig.wait_for_sends(USER, 1)) == ["Zal ik u bellen?\n\n1. Ja\n2. Nee\n\nAntwoord met het nummer."]
    sig.user_says(USER, "1")
    await rasa.wait_for(1)
    assert rasa.messages() == ["/affirm"]


async def test_send_api_reports_a_failed_delivery(bridge, sig):
    sig.fail_sends(1, status=400)
    async with aiohttp.ClientSession() as http, http.post(
            f"http://127.0.0.1:{bridge.port}/send", json={"recipient": USER, "text": "Hallo"},
            headers={"Authorization": f"Bearer {TOKEN}"}) as response:
        assert response.status == 502


async def test_nothing_users_or_the_bot_say_is_logged(bridge, sig, rasa, caplog):
    caplog.set_level(logging.DEBUG)
    rasa.script["Hij stond bij mijn huis"] = [{"text": "Bent u nu veilig?", "buttons": ROLE_BUTTONS}]
    rasa.down = True
    sig.user_says(USER, "Hij stond bij mijn huis")
    await sig.wait_for_sends(USER, 1)
    rasa.down = False
    await sig.wait_for_sends(USER, 2)
    sig.user_says(USER, "9")
    await sig.wait_for_sends(USER, 3)
    sig.fail_sends(1)
    await sig.drop_websockets()
    sig.user_says(USER, "ik ben wethouder")
    await sig.wait_for_sends(USER, 4)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "reconnecting" in logged and "Rasa unavailable" in logged  # the log does say what happened
    for secret in ("stond bij mijn huis", "veilig", "wethouder", "Raadslid", "niet bij", USER, USER.removeprefix("+")):
        assert secret not in logged


async def test_an_api_in_another_mode_is_reported_clearly(caplog):
    """In normal/native mode /v1/receive is a plain GET, not a websocket."""
    async def about(_):
        return web.json_response({"versions": ["v1", "v2"], "build": 2, "mode": "native", "version": "0.90"})

    async def receive(_):
        return web.json_response([])

    app = web.Application()
    app.router.add_get("/v1/about", about)
    app.router.add_get("/v1/receive/{number}", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    bridge = SignalBridge(Config(api_url=url, number=BOT, host="127.0.0.1", port=0), first_delay=0.01, max_delay=0.02)
    await bridge.start()
    try:
        async with asyncio.timeout(5):
            while caplog.text.count("WSServerHandshakeError") < 2:
                await asyncio.sleep(0.01)
    finally:
        await bridge.stop(grace=0)
        await runner.cleanup()
    assert caplog.text.count("this bridge needs MODE=json-rpc") == 1
