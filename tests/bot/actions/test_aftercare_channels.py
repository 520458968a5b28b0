"""Aftercare check-ins (issue 14 item 1) in each messenger: the real Telegram and Signal bridges against their fakes
(tests/channels/fake_*.py), the widget through Rasa's execute_side_effects, a slow bridge that must send once, and a
channel the bot cannot write to first. Split from test_aftercare.py."""

from __future__ import annotations

import asyncio
from functools import partial

import pytest
from aiohttp import web

from actions import aftercare as worker
from actions.aftercare import BUTTONS

TITLES = ["Goed", "Niet goed", "Ik wil praten", "Stop"]


async def test_telegram_check_in_arrives_with_its_buttons_and_a_press_reaches_rasa(monkeypatch):
    from channels.telegram.bridge import Config, TelegramBridge
    from tests.channels.fake_rasa import FakeRasa
    from tests.channels.fake_telegram import FakeTelegram, buttons
    from tests.channels.telegram.support import BRIDGE_TOKEN, FAST, http_url

    async with FakeTelegram() as tg, FakeRasa() as rasa:
        config = Config(token=tg.token, api_url=tg.base_url, rasa_url=rasa.url, bridge_token=BRIDGE_TOKEN,
                        host="127.0.0.1", port=0)
        async with TelegramBridge(config, **FAST).running() as bridge:
            monkeypatch.setenv("TELEGRAM_BRIDGE_URL", http_url(bridge))
            monkeypatch.setenv("BRIDGE_TOKEN", BRIDGE_TOKEN)
            monkeypatch.setenv("RASA_URL", rasa.url)  # the fake has no transcript API: delivered all the same
            await asyncio.to_thread(worker.send_checkin, "telegram", "telegram:42", worker.checkin_text("MLD-1"), BUTTONS)
            [message] = await tg.wait_for_messages(42, 1)
            assert "Hoe gaat het nu met u?" in message["plain"]
            shown = buttons(message)
            assert [title for title, _data in shown] == TITLES
            tg.press(42, message["message_id"], shown[3][1])
            await rasa.wait_for(1)
            assert rasa.messages() == ['/aftercare_answer{"aftercare_answer":"stop"}']


async def test_signal_check_in_arrives_as_numbered_options_and_a_number_reaches_rasa(connection, monkeypatch):
    from channels.signal.bridge import Config, SignalBridge
    from tests.channels.fake_rasa import FakeRasa
    from tests.channels.fake_signal import FakeSignal

    bot, user, token = "+31600000000", "+31611111111", "bridge-token"
    async with FakeSignal(number=bot) as sig, FakeRasa() as rasa:
        config = Config(api_url=sig.url, number=bot, rasa_url=rasa.url, token=token, host="127.0.0.1", port=0)
        bridge = SignalBridge(config, first_delay=0.01, max_delay=0.05, send_attempts=3)
        await bridge.start()
        try:
            await sig.wait_for_connections(1)
            monkeypatch.setenv("SIGNAL_BRIDGE_URL", f"http://127.0.0.1:{bridge.port}")
            monkeypatch.setenv("BRIDGE_TOKEN", token)
            monkeypatch.setenv("RASA_URL", rasa.url)
            for _attempt in range(2):  # the worker's retry with the same key is not sent again
                await asyncio.to_thread(worker.send_checkin, "signal", f"signal:{user}", worker.checkin_text("MLD-1"),
                                        BUTTONS, key="meldhulp-nazorg-1-MLD-1")
            [body] = await sig.wait_for_sends(user, 1)
            await asyncio.sleep(0.1)
            assert len(sig.sends_to(user)) == 1
            assert "Hoe gaat het nu met u?" in body["message"]
            assert all(f"{n}. {title}" in body["message"] for n, title in enumerate(TITLES, 1))
            sig.user_says(user, "2")
            await rasa.wait_for(1)
            assert rasa.messages() == ['/aftercare_answer{"aftercare_answer":"niet_goed"}']
        finally:
            await bridge.stop(grace=0.5)


async def test_widget_check_in_goes_through_rasa_with_execute_side_effects(monkeypatch):
    received: list[tuple[str, dict, dict]] = []

    async def events(request: web.Request) -> web.Response:
        received.append((request.match_info["conversation"], dict(request.query), await request.json()))
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/conversations/{conversation}/tracker/events", events)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{runner.addresses[0][1]}")
        monkeypatch.setenv("RASA_TOKEN", "rasa-token")
        await asyncio.to_thread(worker.send_checkin, "socketio", "ab12cd", worker.checkin_text("MLD-1"), BUTTONS)
    finally:
        await runner.cleanup()
    [(conversation, query, event)] = received
    assert conversation == "ab12cd"
    assert query == {"token": "rasa-token", "output_channel": "socketio", "execute_side_effects": "true"}
    assert event["event"] == "bot" and "Hoe gaat het nu met u?" in event["text"]
    assert [b["title"] for b in event["data"]["buttons"]] == TITLES


async def test_a_slow_bridge_sends_a_check_in_once_although_the_worker_retried(connection, monkeypatch):
    """The bridge is still busy when the worker's request times out; the worker's retries with the same key are
    dropped by the bridge (409 while it is busy, then 'ok' without sending): the user gets the check-in once."""
    from channels.telegram.bridge import Config, TelegramBridge
    from tests.channels.fake_rasa import FakeRasa
    from tests.channels.fake_telegram import FakeTelegram
    from tests.channels.telegram.support import BRIDGE_TOKEN, FAST, http_url

    monkeypatch.setattr(worker, "SEND_TIMEOUT", 0.3)
    async with FakeTelegram() as tg, FakeRasa() as rasa:
        config = Config(token=tg.token, api_url=tg.base_url, rasa_url=rasa.url, bridge_token=BRIDGE_TOKEN,
                        host="127.0.0.1", port=0)
        bridge = TelegramBridge(config, **FAST)
        deliver = bridge.deliver

        async def slow(*args):  # Telegram's own retries, say
            await asyncio.sleep(1.0)
            await deliver(*args)

        bridge.deliver = slow  # type: ignore[method-assign]
        async with bridge.running():
            monkeypatch.setenv("TELEGRAM_BRIDGE_URL", http_url(bridge))
            monkeypatch.setenv("BRIDGE_TOKEN", BRIDGE_TOKEN)
            monkeypatch.setenv("RASA_URL", rasa.url)
            text, key = worker.checkin_text("MLD-1"), "meldhulp-nazorg-7-MLD-1"
            send = partial(asyncio.to_thread, worker.send_checkin, "telegram", "telegram:42", text, BUTTONS, key=key)
            with pytest.raises(OSError):  # timed out: the worker would retry later
                await send()
            with pytest.raises(OSError):  # still being delivered: 409
                await send()
            [message] = await tg.wait_for_messages(42, 1)
            await asyncio.sleep(0.2)  # the bridge's answer to the first request is on its way
            await send()  # delivered already: "ok", nothing sent
            await asyncio.sleep(0.3)
            assert len([m for m in tg.sent if m["chat_id"] == 42]) == 1 and "Hoe gaat het nu met u?" in message["plain"]
            monkeypatch.setattr(worker, "SEND_TIMEOUT", 10.0)
            await asyncio.to_thread(worker.send_checkin, "telegram", "telegram:42", text, BUTTONS,
                                    key="meldhulp-nazorg-8-MLD-1")  # another check-in: sent
            await tg.wait_for_messages(42, 2)


def test_a_channel_that_cannot_be_written_first_is_an_error():
    with pytest.raises(worker.NotSent):
        worker.send_checkin("rest", "x", "tekst", BUTTONS)
