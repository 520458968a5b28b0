"""`python -m channels.telegram` as a process: configuration errors, a real conversation, and a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[3]


def bridge_env(**values: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BRIDGE_", "RASA_"))}
    return {**env, **values}


async def start(env: dict) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "channels.telegram", cwd=ROOT, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_without_a_token_it_stops_with_a_clear_message():
    process = await start(bridge_env())
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 1
    assert "TELEGRAM_BOT_TOKEN is not set" in stderr.decode()


async def test_a_token_telegram_refuses_stops_it_with_a_clear_message(tg):
    process = await start(bridge_env(TELEGRAM_BOT_TOKEN="999:wrong", TELEGRAM_API_URL=tg.base_url))
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 1
    assert "Telegram does not accept TELEGRAM_BOT_TOKEN" in stderr.decode()
    assert "999:wrong" not in stderr.decode()


async def test_it_answers_a_user_and_stops_cleanly_on_sigterm(tg, rasa):
    port = free_port()
    process = await start(bridge_env(TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_URL=tg.base_url, RASA_URL=rasa.url,
                                     BRIDGE_HOST="127.0.0.1", BRIDGE_PORT=str(port), BRIDGE_TOKEN="t"))
    try:
        update = tg.user_says(7, "Goedemorgen")
        [sent] = await tg.wait_for_messages(7, 1, timeout=20)
        assert sent["plain"] == "Ontvangen: Goedemorgen"
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/health") as response:
            assert response.status == 200

        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 15)
        assert process.returncode == 0, stderr.decode()[-2000:]
        assert "Telegram bridge stopped" in stderr.decode()
        assert "Goedemorgen" not in stderr.decode() and tg.token not in stderr.decode()
        # On its way out PTB confirms the updates it took, so a restart does not handle them again.
        method, params = tg.calls[-1]
        assert method == "getUpdates" and params["offset"] == update["update_id"] + 1
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
