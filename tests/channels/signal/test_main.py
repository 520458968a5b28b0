"""`python -m channels.signal` as a process: a clear error without SIGNAL_NUMBER, a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
USER = "+31611111111"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def start(env: dict) -> asyncio.subprocess.Process:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNAL_", "BRIDGE_", "RASA_"))}
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "channels.signal", cwd=ROOT, env={**clean, **env},
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def test_without_signal_number_it_exits_with_a_clear_error():
    process = await start({})
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 2
    assert "SIGNAL_NUMBER is not set" in stderr.decode()


async def test_it_answers_a_message_and_stops_cleanly_on_sigterm(sig, rasa):
    process = await start({"SIGNAL_NUMBER": sig.number, "SIGNAL_API_URL": sig.url, "RASA_URL": rasa.url,
                           "BRIDGE_TOKEN": "t", "BRIDGE_HOST": "127.0.0.1", "BRIDGE_PORT": str(free_port())})
    try:
        await sig.wait_for_connections(1, timeout=20)
        sig.user_says(USER, "Er stond iemand te schreeuwen")
        assert [body["message"] for body in await sig.wait_for_sends(USER, 1)] == ["Ontvangen: Er stond iemand te schreeuwen"]

        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 10)
    finally:
        if process.returncode is None:
            process.kill()
    log = stderr.decode()
    assert process.returncode == 0
    assert "Signal bridge stopped" in log
    assert "schreeuwen" not in log and USER not in log
