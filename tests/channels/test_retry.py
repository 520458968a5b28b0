"""channels.retry: the one retry loop and backoff formula the bridges share."""

import pytest

from channels.retry import backoff, retry


def test_backoff_doubles_up_to_the_most():
    assert [backoff(n, 1.0, 10.0) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert backoff(200, 0.5) > 1e6  # no overflow for a long outage


async def test_retry_until_it_works_and_says_so_before_each_retry():
    calls, said = [], []

    async def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("down")
        return "ok"

    result = await retry(flaky, attempts=5, delay=lambda n, e: 0.0, before_retry=lambda n, e, w: said.append(n))
    assert result == "ok" and len(calls) == 3 and said == [1, 2]


async def test_retry_raises_after_the_last_attempt_or_when_delay_says_no():
    asked = []

    async def failing():
        raise ConnectionError("down")

    def delay(attempt, error):
        asked.append(attempt)
        return 0.0

    with pytest.raises(ConnectionError):
        await retry(failing, attempts=3, delay=delay)
    assert asked == [1, 2, 3]  # asked after the last attempt too (to log it), then raised

    with pytest.raises(ConnectionError):
        await retry(failing, attempts=None, delay=lambda n, e: None)
