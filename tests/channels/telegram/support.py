"""What the Telegram bridge tests share: a fake Rasa, fast retry settings, small helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from channels.telegram.bridge import TelegramBridge

BRIDGE_TOKEN = "test-bridge-token"
# Short waits so retries take milliseconds: one place for every test.
FAST = {"send_attempts": 3, "send_delay": 0.01, "rasa_delay": 0.02, "shutdown_grace": 0.5}


async def eventually(condition: Callable[[], bool], timeout: float = 5) -> None:
    """For effects with no message to wait for (a callback answer, a refused Rasa call)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def http_url(bridge: TelegramBridge) -> str:
    return f"http://127.0.0.1:{bridge.runner.addresses[0][1]}"
