"""channels/bridge.py: what both bridges share. A slow Rasa is not sent the same message twice, and
a failing reply does not stop the user's later messages."""

import asyncio

from channels.bridge import RasaForwarder
from channels.rasa_client import RasaClient
from tests.channels.fake_rasa import FakeRasa


async def test_a_message_rasa_is_slow_to_answer_is_not_sent_again():
    async with FakeRasa() as rasa:
        rasa.delay = 0.5
        replies = []

        async def reply(address, messages):
            replies.append((address, messages))

        forwarder = RasaForwarder(RasaClient(rasa.url, bridge_token="t", timeout=0.1), "signal", reply, first_delay=0.01)
        await forwarder.submit("+31600000000", "ja")
        await asyncio.wait_for(forwarder.join(), 5)
        await asyncio.sleep(0.6)
        assert rasa.messages() == ["ja"]  # once: a second "ja" could answer the next question
        assert replies == [("+31600000000", [])]
        await forwarder.close()


async def test_a_failing_reply_does_not_stop_the_next_message():
    async with FakeRasa() as rasa:
        seen = []

        async def reply(address, messages):
            seen.append(messages[0]["text"])
            if len(seen) == 1:
                raise RuntimeError("channel down")

        forwarder = RasaForwarder(RasaClient(rasa.url, bridge_token="t"), "telegram", reply)
        await forwarder.submit("42", "een")
        await forwarder.submit("42", "twee")
        await asyncio.wait_for(forwarder.join(), 5)
        assert seen == ["Ontvangen: een", "Ontvangen: twee"]
        await forwarder.close()
