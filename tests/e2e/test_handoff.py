"""End to end: a Telegram user asks for the griffier, the notification arrives at a local SMTP server,
the griffier logs in, reads the conversation, answers through Telegram and hands back; the bot resumes.

Real pieces: the Rasa server and action server (trained model), the Telegram bridge with python-telegram-bot
against a fake Bot API on localhost, the griffie page, aiosmtpd. Only Telegram itself is a fake."""

from __future__ import annotations

import asyncio
import re

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from channels.griffie import app as griffie
from channels.griffie.accounts import Accounts, hash_password
from channels.rasa_client import RasaClient
from channels.telegram.bridge import Config, TelegramBridge
from tests.channels.fake_telegram import FakeTelegram, buttons
from tests.e2e.conftest import GRIFFIE_EMAIL

pytestmark = pytest.mark.e2e

CHAT = 4242
PASSWORD = "griffie-wachtwoord-123"


def plain(messages: list[dict]) -> str:
    return "\n".join(m["plain"] for m in messages)


def sent(tg: FakeTelegram) -> int:
    return len([m for m in tg.sent if m["chat_id"] == CHAT])


async def answer(tg: FakeTelegram, before: int, *, at_least: int = 1) -> list[dict]:
    """The bot's messages after the first `before`, once there are `at_least` (a turn may have several)."""
    await tg.wait_for_messages(CHAT, before + at_least, timeout=60)
    await asyncio.sleep(0.5)
    return [m for m in tg.sent if m["chat_id"] == CHAT][before:]


def button(message: dict, title: str) -> str:
    return next(data for t, data in buttons(message) if t == title)


async def test_a_telegram_user_is_handed_to_the_griffier_and_back(bot, smtp_server, tmp_path, monkeypatch):
    smtp_server.inbox.messages.clear()
    accounts = tmp_path / "accounts.yml"
    accounts.write_text(f"accounts:\n  griffie-leiden: {{municipality: leiden, display_name: Griffie Leiden, password_hash: '{hash_password(PASSWORD)}'}}\n")
    rasa = RasaClient(bot.rasa_url, bot.rasa_token)
    monkeypatch.setenv("DATABASE_URL", bot.database_url)  # the griffie page reads the same handoffs table
    monkeypatch.setenv("BRIDGE_TOKEN", bot.env["BRIDGE_TOKEN"])  # the same token opens the Rasa bridge channel

    async with FakeTelegram() as tg:
        config = Config(token=tg.token, api_url=tg.base_url, rasa_url=bot.rasa_url, bridge_token=bot.env["BRIDGE_TOKEN"],
                        host="127.0.0.1", port=0)
        async with TelegramBridge(config, rasa_delay=0.2, send_delay=0.1, poll_timeout=1).running() as bridge:
            host, port = bridge.runner.addresses[0][:2]
            monkeypatch.setenv("TELEGRAM_BRIDGE_URL", f"http://{host}:{port}")

            # The user tells the story, picks the role with a button and names the municipality.
            n = sent(tg)
            tg.user_says(CHAT, "Een man op de markt riep: jij bent een landverrader, ik weet waar je woont")
            first = await answer(tg, n, at_least=2)
            assert "D-gedrag" in plain(first)
            n = sent(tg)
            tg.press(CHAT, first[-1]["message_id"], button(first[-1], "Raadslid"))
            asked = await answer(tg, n)
            assert "In welke gemeente" in plain(asked)
            n = sent(tg)
            tg.user_says(CHAT, "Leiden")
            routed = await answer(tg, n, at_least=2)  # issue 13: one short advice message and the offer with buttons
            offer = routed[-1]
            assert "Met iemand praten" in [t for t, _ in buttons(offer)]

            # The user takes the offer: the bot says who will answer and pauses; the griffie gets an e-mail.
            n = sent(tg)
            tg.press(CHAT, offer["message_id"], button(offer, "Met iemand praten"))
            handed = await answer(tg, n)
            assert "Ik heb de griffie van Leiden gevraagd om dit gesprek over te nemen" in plain(handed)
            assert "op werkdagen binnen een uur" in plain(handed)
            for _ in range(50):
                if smtp_server.inbox.messages:
                    break
                await asyncio.sleep(0.1)
            [mail] = smtp_server.inbox.messages
            assert mail["To"] == GRIFFIE_EMAIL
            body = mail.get_payload(decode=True).decode()
            assert "via Telegram" in body and "landverrader" not in body
            link = re.search(r"http://griffie\.test(/griffie/handoffs/\d+)", body).group(1)

            # While paused the bot stays silent, but the message is in the transcript.
            n = sent(tg)
            tg.user_says(CHAT, "Ik ben nog steeds erg geschrokken")
            await asyncio.sleep(3)
            assert sent(tg) == n

            # The griffier logs in, reads, answers through Telegram.
            app = web.Application()
            griffie.add_routes(app, rasa, accounts=Accounts(str(accounts)), secret="e2e-secret-of-32-characters!!")
            async with TestClient(TestServer(app)) as client:
                login_page = await (await client.get("/griffie/login")).text()  # the form's CSRF token and cookie
                token = re.search(r'name="csrf" value="([0-9a-f]+)"', login_page).group(1)
                await client.post("/griffie/login", data={"username": "griffie-leiden", "password": PASSWORD, "csrf": token})
                page = await (await client.get(link)).text()
                assert "Ik ben nog steeds erg geschrokken" in page and "landverrader" in page
                csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
                await client.post(f"{link}/reply", data={"csrf": csrf, "text": "Ik bel u over vijf minuten."})
                reply = await answer(tg, n)
                assert plain(reply) == "Griffie Leiden: Ik bel u over vijf minuten."

                # The griffier hands back; the bot answers again.
                n = sent(tg)
                await client.post(f"{link}/resume", data={"csrf": csrf})
                back = await answer(tg, n)
                assert "teruggegeven aan de assistent" in plain(back)
                overview = await (await client.get("/griffie/")).text()
                assert "teruggegeven" in overview

            n = sent(tg)
            tg.user_says(CHAT, "Wat kun je allemaal?")
            again = await answer(tg, n)
            assert plain(again).strip()
            tracker = await rasa.tracker(f"telegram:{CHAT}")
            assert not tracker["paused"]
            assert [e["event"] for e in tracker["events"] if e["event"] in ("pause", "resume")] == ["pause", "resume"]
