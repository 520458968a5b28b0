"""Retry with exponential backoff, for the bridges: one loop, one delay formula.

Used by the Telegram bridge (Bot API calls), the Signal bridge (sending, and the websocket's reconnect delay)
and `channels.bridge.RasaForwarder` (a user message while Rasa is down).
"""

from __future__ import annotations

import asyncio
import inspect
import math
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

# (attempt that failed, its error) -> seconds to wait before the next attempt, or None: give up, raise the error.
Delay = Callable[[int, Exception], "float | None"]
# (attempt that failed, its error, seconds about to be waited): log it, tell the user, ...
BeforeRetry = Callable[[int, Exception, float], "Awaitable[None] | None"]


def backoff(failures: int, first: float, most: float = math.inf) -> float:
    """The wait after `failures` failures in a row (1 or more): first, 2 x first, 4 x first, ..., at most `most`."""
    return min(most, first * 2 ** min(failures - 1, 30))


async def retry(call: Callable[[], Awaitable[T]], *, attempts: int | None, delay: Delay,
                before_retry: BeforeRetry | None = None) -> T:
    """`await call()` until it succeeds; at most `attempts` times (None: no limit).

    After a failure `delay(attempt, error)` is asked how long to wait (None: raise the error now); after the
    last attempt the error is raised as well (delay is still asked, so it can log the failure).
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return await call()
        except Exception as error:
            wait = delay(attempt, error)
            if wait is None or (attempts is not None and attempt >= attempts):
                raise
            if before_retry:
                done = before_retry(attempt, error, wait)
                if inspect.isawaitable(done):
                    await done
            await asyncio.sleep(wait)
