"""The Telegram bridge with the real python-telegram-bot against the fake Bot API and a fake Rasa."""

from __future__ import annotations

import dataclasses
import logging

import aiohttp
import pytest
from telegram.error import BadRequest

from channels.bridge import DELAYED
from channels.telegram.bridge import (
    ALREADY_CHOSEN,
    EDITED,
    EXPIRED_BUTTON,
    ONLY_TEXT,
    SECRET_HEADER,
    UPDATES,
    WEBHOOK_PATH,
    TelegramBridge,
)
from tests.channels.fake_telegram import buttons, unescape
from tests.channels.telegram.support import BRIDGE_TOKEN, FAST, eventually, http_url

CHAT = 42
ROLE_BUTTONS = [
    {"title": "Raadslid", "payload": '/inform{"role":"raadslid"}'},
    {"title": "Burgemeester", "payload": '/inform{"role":"burgemeester"}'},
    # 70+ bytes: more than Telegram's 64-byte callback_data
    {"title": "Fractievolger", "payload": '/inform{"role":"fractievolger","municipality":"Midden-Delfland","x":"y"}'},
]


async def test_text_goes_to_rasa_as_telegram_sender_and_the_reply_comes_back(tg, rasa, bridge):
    rasa.script["Iemand schreeuwde tegen mij"] = [{"text": "Wat vervelend. Wat gebeurde er precies?"}]
    tg.user_says(CHAT, "Iemand schreeuwde tegen mij")

    [sent] = await tg.wait_for_messages(CHAT, 1)

    assert rasa.received == [{"sender": "telegram:42", "message": "Iemand schreeuwde tegen mij", "metadata": {"channel": "telegram"}}]
    assert sent["plain"] == "Wat vervelend. Wat gebeurde er precies?"
    assert sent["text"] == r"Wat vervelend\. Wat gebeurde er precies?"
    assert sent["parse_mode"] == "MarkdownV2" and sent["reply_markup"] is None


async def test_start_greets_and_other_commands_go_as_words(tg, rasa, bridge):
    tg.user_says(CHAT, "/start")
    tg.user_says(CHAT, "/stop")
    await tg.wait_for_messages(CHAT, 2)
    assert rasa.messages() == ["hallo", "stop"]


async def test_several_replies_arrive_in_order(tg, rasa, bridge):
    rasa.script["hallo"] = [{"text": "Goedendag."}, {"text": "Wat is er gebeurd?"}]
    tg.user_says(CHAT, "hallo")
    sent = await tg.wait_for_messages(CHAT, 2)
    assert [m["plain"] for m in sent] == ["Goedendag.", "Wat is er gebeurd?"]


async def test_buttons_become_an_inline_keyboard_one_per_row(tg, rasa, bridge):
    rasa.script["hallo"] = [{"text": "Wat is uw rol?", "buttons": ROLE_BUTTONS}]
    tg.user_says(CHAT, "hallo")

    [sent] = await tg.wait_for_messages(CHAT, 1)

    rows = sent["reply_markup"]["inline_keyboard"]
    assert [len(row) for row in rows] == [1, 1, 1]
    assert buttons(sent)[:2] == [("Raadslid", '/inform{"role":"raadslid"}'), ("Burgemeester", '/inform{"role":"burgemeester"}')]
    title, key = buttons(sent)[2]
    assert title == "Fractievolger" and key.startswith("#") and len(key.encode()) <= 64


async def test_pressing_a_button_sends_its_payload_answers_and_closes_the_keyboard(tg, rasa, bridge):
    rasa.script["hallo"] = [{"text": "Wat is uw rol?", "buttons": ROLE_BUTTONS}]
    tg.user_says(CHAT, "hallo")
    [question] = await tg.wait_for_messages(CHAT, 1)

    press = tg.press(CHAT, question["message_id"], '/inform{"role":"raadslid"}')
    await tg.wait_for_messages(CHAT, 2)

    assert rasa.messages() == ["hallo", '/inform{"role":"raadslid"}']
    assert rasa.received[1]["sender"] == "telegram:42"
    assert tg.answers == [{"callback_query_id": press["callback_query"]["id"]}]
    shown = tg.message(CHAT, question["message_id"])
    assert "reply_markup" not in shown
    assert shown["text"] == "Wat is uw rol?\n\n✓ Raadslid"

    # A second press on the same message (sent before the keyboard was gone) does nothing twice.
    tg.press(CHAT, question["message_id"], '/inform{"role":"burgemeester"}')
    await eventually(lambda: len(tg.answers) == 2)
    assert tg.answers[1]["text"] == ALREADY_CHOSEN
    await bridge.forwarder.join()
    assert len(rasa.received) == 2


async def test_a_long_payload_goes_through_its_short_key(tg, rasa, bridge):
    rasa.script["hallo"] = [{"text": "Wat is uw rol?", "buttons": ROLE_BUTTONS}]
    tg.user_says(CHAT, "hallo")
    [question] = await tg.wait_for_messages(CHAT, 1)

    tg.press(CHAT, question["message_id"], buttons(question)[2][1])
    await tg.wait_for_messages(CHAT, 2)

    assert rasa.messages()[1] == ROLE_BUTTONS[2]["payload"]
    assert tg.message(CHAT, question["message_id"])["text"].endswith("✓ Fractievolger")


async def test_an_unknown_button_gets_a_friendly_answer_and_reaches_nobody(tg, rasa, bridge):
    tg.press(CHAT, 999, "#0123456789abcdef")  # a key from before a restart
    await eventually(lambda: len(tg.answers) == 1)
    assert tg.answers[0]["text"] == EXPIRED_BUTTON
    assert rasa.received == []


SUMMARY_BUTTONS = [{"title": "Ja, indienen", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}]


async def test_a_button_under_an_older_summary_is_expired_and_files_nothing(tg, rasa, bridge):
    """Review of issue 12: 'Ja, indienen' under an older summary must not file the newer one."""
    rasa.script["klaar"] = [{"text": "Samenvatting: Leiden. Klopt dit?", "buttons": SUMMARY_BUTTONS}]
    rasa.script["het was in Delft"] = [{"text": "Aangepast."}, {"text": "Samenvatting: Delft. Klopt dit?",
                                                                 "buttons": SUMMARY_BUTTONS}]
    tg.user_says(CHAT, "klaar")
    [older] = await tg.wait_for_messages(CHAT, 1)
    tg.user_says(CHAT, "het was in Delft")
    *_, newer = await tg.wait_for_messages(CHAT, 3)

    tg.press(CHAT, older["message_id"], "/affirm")
    await eventually(lambda: len(tg.answers) == 1)
    assert tg.answers[0]["text"] == EXPIRED_BUTTON
    await eventually(lambda: "reply_markup" not in tg.message(CHAT, older["message_id"]))  # its keyboard is gone
    await bridge.forwarder.join()
    assert rasa.messages() == ["klaar", "het was in Delft"]  # the press reached nobody

    tg.press(CHAT, newer["message_id"], "/affirm")  # the summary on screen works
    await tg.wait_for_messages(CHAT, 4)
    assert rasa.messages()[-1] == "/affirm"


async def test_every_keyboard_of_the_last_turn_works_and_a_check_in_makes_older_ones_expire(tg, rasa, bridge):
    rasa.script["hallo"] = [{"text": "Wat is uw rol?", "buttons": ROLE_BUTTONS},
                            {"text": "Klopt dit?", "buttons": SUMMARY_BUTTONS}]
    tg.user_says(CHAT, "hallo")
    role, summary = await tg.wait_for_messages(CHAT, 2)
    async with aiohttp.ClientSession() as http:  # a check-in with buttons through POST /send
        response = await http.post(f"{http_url(bridge)}/send", headers={"Authorization": f"Bearer {BRIDGE_TOKEN}"},
                                   json={"recipient": str(CHAT), "text": "Hoe gaat het nu met u?",
                                         "buttons": [{"title": "Goed", "payload": "/goed"}]})
        assert response.status == 200
    checkin = (await tg.wait_for_messages(CHAT, 3))[-1]
    tg.press(CHAT, summary["message_id"], "/affirm")
    tg.press(CHAT, role["message_id"], '/inform{"role":"raadslid"}')
    await eventually(lambda: len(tg.answers) == 2)
    assert [a.get("text") for a in tg.answers] == [EXPIRED_BUTTON, EXPIRED_BUTTON]
    tg.press(CHAT, checkin["message_id"], "/goed")
    await tg.wait_for_messages(CHAT, 4)
    assert rasa.messages() == ["hallo", "/goed"]


async def test_both_keyboards_of_one_turn_are_live(tg, rasa, bridge):
    rasa.script["hallo"] = [{"text": "Wat is uw rol?", "buttons": ROLE_BUTTONS},
                            {"text": "Klopt dit?", "buttons": SUMMARY_BUTTONS}]
    tg.user_says(CHAT, "hallo")
    role, summary = await tg.wait_for_messages(CHAT, 2)
    tg.press(CHAT, role["message_id"], '/inform{"role":"raadslid"}')
    await eventually(lambda: len(rasa.messages()) == 2)
    assert rasa.messages()[-1] == '/inform{"role":"raadslid"}'


async def test_markdown_v2_escapes_every_special_character(tg, rasa, bridge):
    original = "Bel 112 (politie) of +31 6-1234 5678! Let op: *niet* _dit_ [a](b) ~x~ `c` > # = | {y}. Een \\ en \"citaat\" 'ok'"
    expected = (r"Bel 112 \(politie\) of \+31 6\-1234 5678\! Let op: \*niet\* \_dit\_ \[a\]\(b\) \~x\~ \`c\` \> \# \= \| \{y\}\. "
                r"Een \\ en " '"citaat"' r" 'ok'")
    rasa.script["hallo"] = [{"text": original}]
    tg.user_says(CHAT, "hallo")

    [sent] = await tg.wait_for_messages(CHAT, 1)

    assert sent["text"] == expected
    assert unescape(sent["text"]) == original == sent["plain"]


async def test_a_text_over_4096_characters_is_split_with_buttons_under_the_last_piece(tg, rasa, bridge):
    long_text = " ".join(f"Zin {n} van het protocol." for n in range(400))  # about 9,700 characters
    rasa.script["hallo"] = [{"text": long_text, "buttons": ROLE_BUTTONS[:1]}]
    tg.user_says(CHAT, "hallo")

    await tg.wait_for_messages(CHAT, 3)
    await bridge.forwarder.join()
    sent = [m for m in tg.sent if m["chat_id"] == CHAT]

    assert len(sent) == 3
    assert all(len(m["plain"]) <= 4096 for m in sent)
    assert " ".join(m["plain"] for m in sent) == long_text
    assert [m["reply_markup"] is not None for m in sent] == [False, False, True]


@pytest.mark.parametrize("how", ["drop", "502"])
async def test_a_network_error_on_send_is_retried_and_delivered_once(tg, rasa, bridge, how):
    tg.fail_next("sendMessage", how=how)
    tg.user_says(CHAT, "hallo")

    await tg.wait_for_messages(CHAT, 1)
    await bridge.forwarder.join()

    assert [m["plain"] for m in tg.sent] == ["Ontvangen: hallo"]
    assert [method for method, _ in tg.calls].count("sendMessage") == 2


async def test_sending_gives_up_after_bounded_attempts_logs_no_text_and_keeps_serving(tg, rasa, bridge, caplog):
    caplog.set_level(logging.DEBUG, logger="channels")
    tg.fail_next("sendMessage", times=FAST["send_attempts"])
    tg.user_says(CHAT, "Mijn geheime verhaal")
    await eventually(lambda: [m for m, _ in tg.calls].count("sendMessage") == FAST["send_attempts"])
    await bridge.forwarder.join()
    assert tg.sent == []

    tg.user_says(CHAT, "nog een keer")
    [sent] = await tg.wait_for_messages(CHAT, 1)
    assert sent["plain"] == "Ontvangen: nog een keer"
    assert "failed after 3 attempt(s)" in caplog.text
    assert "geheime" not in caplog.text and "nog een keer" not in caplog.text


async def test_while_rasa_is_down_the_user_hears_once_and_then_gets_the_answer(tg, rasa, bridge):
    rasa.down = True
    tg.user_says(CHAT, "Hij bleef maar bellen")
    [notice] = await tg.wait_for_messages(CHAT, 1)
    assert notice["plain"] == DELAYED
    await eventually(lambda: rasa.refused >= 3)  # still retrying, the notice is not repeated

    rasa.down = False
    sent = await tg.wait_for_messages(CHAT, 2)
    await bridge.forwarder.join()

    assert [m["plain"] for m in tg.sent] == [DELAYED, "Ontvangen: Hij bleef maar bellen"]
    assert rasa.messages() == ["Hij bleef maar bellen"]
    assert sent[1]["chat_id"] == CHAT


@pytest.mark.parametrize("fields", [
    {"sticker": {"file_id": "s1", "file_unique_id": "u2", "width": 512, "height": 512, "is_animated": False,
                 "is_video": False, "type": "regular"}},
    {"voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 3}},
])
async def test_a_non_text_message_gets_a_dutch_answer(tg, rasa, bridge, fields):
    tg.user_sends(CHAT, **fields)
    [sent] = await tg.wait_for_messages(CHAT, 1)
    assert sent["plain"] == ONLY_TEXT
    assert "screenshot" in sent["plain"]  # what can be sent instead (photos and PDFs are evidence: test_evidence.py)
    assert rasa.received == []


async def test_an_edited_message_is_not_sent_to_rasa_again(tg, rasa, bridge):
    tg.queue({"edited_message": {"message_id": 7, "date": 1, "edit_date": 2, "chat": {"id": CHAT, "type": "private"},
                                 "from": {"id": CHAT, "is_bot": False, "first_name": "Test"}, "text": "verbeterd"}})
    [sent] = await tg.wait_for_messages(CHAT, 1)
    assert sent["plain"] == EDITED
    assert rasa.received == []


async def test_group_chats_are_ignored(tg, rasa, bridge):
    tg.user_sends(-1001, chat_type="group", text="hallo allemaal")
    tg.user_says(CHAT, "hallo")  # handled after the group message: updates are handled in order
    await tg.wait_for_messages(CHAT, 1)
    assert rasa.messages() == ["hallo"]
    assert {m["chat_id"] for m in tg.sent} == {CHAT}


async def test_send_api_needs_the_token_and_delivers_text_and_buttons(tg, bridge):
    body = {"recipient": str(CHAT), "text": "De griffie belt u vandaag (voor 17.00 uur).", "buttons": ROLE_BUTTONS[:2]}
    async with aiohttp.ClientSession() as http:
        async with http.post(http_url(bridge) + "/send", json=body) as response:
            assert response.status == 401
        async with http.post(http_url(bridge) + "/send", json=body, headers={"Authorization": "Bearer wrong"}) as response:
            assert response.status == 401
        assert tg.sent == []
        async with http.post(http_url(bridge) + "/send", json=body, headers={"Authorization": f"Bearer {BRIDGE_TOKEN}"}) as response:
            assert response.status == 200
            assert await response.json() == {"ok": True}
        async with http.get(http_url(bridge) + "/health") as response:
            assert await response.json() == {"status": "ok"}

    [sent] = tg.sent
    assert sent["chat_id"] == CHAT
    assert sent["plain"] == body["text"]
    assert buttons(sent) == [("Raadslid", '/inform{"role":"raadslid"}'), ("Burgemeester", '/inform{"role":"burgemeester"}')]


async def test_send_api_reports_a_failed_delivery(tg, bridge):
    tg.fail_next("sendMessage", times=FAST["send_attempts"])
    body = {"recipient": str(CHAT), "text": "Test"}
    async with (aiohttp.ClientSession() as http,
                http.post(http_url(bridge) + "/send", json=body, headers={"Authorization": f"Bearer {BRIDGE_TOKEN}"}) as response):
        assert response.status == 502
    assert tg.sent == []


async def test_polling_mode_has_no_webhook_route(bridge):
    async with aiohttp.ClientSession() as http, http.post(http_url(bridge) + WEBHOOK_PATH, json={}) as response:
        assert response.status in (404, 405)


# Webhook mode

SECRET = "webhook-secret_123"


@pytest.fixture
async def webhook_bridge(config):
    config = dataclasses.replace(config, mode="webhook", webhook_url="https://meldhulp.example.nl/telegram/webhook",
                                 webhook_secret=SECRET)
    async with TelegramBridge(config, **FAST).running() as running:
        yield running


async def test_webhook_mode_registers_the_webhook_and_does_not_poll(tg, webhook_bridge):
    assert tg.webhook["url"] == "https://meldhulp.example.nl/telegram/webhook"
    assert tg.webhook["secret_token"] == SECRET
    assert tg.webhook["allowed_updates"] == UPDATES
    assert "getUpdates" not in [method for method, _ in tg.calls]


async def test_webhook_update_with_the_right_secret_is_handled(tg, rasa, webhook_bridge):
    update = tg.user_says(CHAT, "Er stond iemand bij mijn huis")  # what Telegram would post
    async with (aiohttp.ClientSession() as http,
                http.post(http_url(webhook_bridge) + WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET}) as response):
        assert response.status == 200

    [sent] = await tg.wait_for_messages(CHAT, 1)
    assert sent["plain"] == "Ontvangen: Er stond iemand bij mijn huis"
    assert rasa.received[0]["sender"] == "telegram:42"


@pytest.mark.parametrize("headers", [{SECRET_HEADER: "wrong"}, {}])
async def test_webhook_update_with_a_wrong_or_missing_secret_is_refused(tg, rasa, webhook_bridge, headers):
    update = tg.user_says(CHAT, "vals bericht")
    async with (aiohttp.ClientSession() as http,
                http.post(http_url(webhook_bridge) + WEBHOOK_PATH, json=update, headers=headers) as response):
        assert response.status == 403
    assert rasa.received == [] and tg.sent == []


async def test_webhook_refuses_what_is_not_an_update(webhook_bridge):
    async with (aiohttp.ClientSession() as http,
                http.post(http_url(webhook_bridge) + WEBHOOK_PATH, data="geen json", headers={SECRET_HEADER: SECRET}) as response):
        assert response.status == 400


async def test_the_fake_refuses_markdown_telegram_would_refuse(bridge):
    """Keeps the escaping tests honest: an unescaped '.' fails here as it does at Telegram."""
    with pytest.raises(BadRequest, match="reserved"):
        await bridge.application.bot.send_message(CHAT, "Bel 112.", parse_mode="MarkdownV2")
