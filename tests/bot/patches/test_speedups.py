"""Speed patches to Rasa 3.6 keep Rasa's results (patches/speedups.py, patches/perf.py). Runs in the Rasa
environment (make unit, marker `rasa`)."""

from __future__ import annotations

import asyncio
import json

import pytest

pytestmark = pytest.mark.rasa
speedups = pytest.importorskip("patches.speedups")

import jsonschema  # noqa: E402
from aiohttp import web  # noqa: E402
from rasa.core.actions.action import RemoteAction  # noqa: E402
from rasa.shared.core import events as rasa_events  # noqa: E402
from rasa.shared.utils.common import all_subclasses  # noqa: E402
from rasa.utils.endpoints import EndpointConfig  # noqa: E402

from patches import perf  # noqa: E402

speedups.apply()

VALID = [
    {},
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "role", "value": "raadslid"}], "responses": [{"text": "Dank u."}]},
    {"events": [{"event": "slot", "name": "x", "value": None, "timestamp": None, "metadata": {}},
                {"event": "active_loop", "name": "routing_form"}, {"event": "followup", "name": "action_x"},
                {"event": "bot", "text": "Hallo"}, {"event": "reset_slots"}]},
    {"events": [{"event": "user", "text": "hoi", "parse_data": {"intent": {"name": "greet", "confidence": 0.9},
                                                                "entities": [{"entity": "role", "value": "raadslid"}]}}]},
    {"events": [{"event": "entities", "entities": []}]},
]
INVALID = [
    [],
    {"events": {}},
    {"events": None},
    {"events": ["slot"]},
    {"events": [{}]},
    {"events": [{"event": 3}]},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "name": "role"}]},  # no value
    {"events": [{"event": "slot", "name": 5, "value": 1}]},
    {"events": [{"event": "entities"}]},
    {"events": [{"event": "user", "parse_data": {"entities": [{"entity": "role"}]}}]},
    {"events": [{"event": "bot", "timestamp": "gisteren"}]},
    {"events": [{"event": "action", "policy": 3}]},
    {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": ["tekst"]},
]


async def close_kept_sessions() -> None:
    for session in list(perf._sessions.values()):
        await session.close()


def full_validator():
    schema = RemoteAction.action_response_format_spec()
    return jsonschema.validators.validator_for(schema)(schema)


@pytest.mark.parametrize("response", VALID)
def test_a_valid_action_response_passes_the_quick_check_and_the_full_one(response):
    assert full_validator().is_valid(response)
    assert speedups._quick_check(response)
    assert RemoteAction._validate_action_result(None, response) is True


@pytest.mark.parametrize("response", INVALID)
def test_an_invalid_action_response_is_refused_with_jsonschemas_own_error(response):
    assert not full_validator().is_valid(response)
    assert not speedups._quick_check(response)
    with pytest.raises(jsonschema.ValidationError) as raised:
        RemoteAction._validate_action_result(None, response)
    with pytest.raises(jsonschema.ValidationError) as rasas_own:  # what Rasa 3.6 itself raises
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
    assert raised.value.message == rasas_own.value.message + (
        ". Failed to validate Action server response from API, make sure your response from the Action endpoint is "
        "valid. For more information about the format visit https://rasa.com/docs/rasa/custom-actions")


def test_every_event_type_rasa_knows_resolves_to_the_class_rasas_own_walk_finds():
    for cls in all_subclasses(rasa_events.Event):
        first = next(c for c in all_subclasses(rasa_events.Event) if c.type_name == cls.type_name)
        assert rasa_events.Event.resolve_by_type(cls.type_name) is first
    assert rasa_events.Event.resolve_by_type("topic") is None
    assert rasa_events.Event.resolve_by_type("nieuw", default=rasa_events.SlotSet) is rasa_events.SlotSet
    with pytest.raises(ValueError):
        rasa_events.Event.resolve_by_type("nieuw")
    events = rasa_events.deserialise_events([{"event": "slot", "name": "role", "value": "raadslid"},
                                             {"event": "user", "text": "hoi", "parse_data": {}},
                                             {"event": "bot", "text": "Dag"}])
    assert [type(e) for e in events] == [rasa_events.SlotSet, rasa_events.UserUttered, rasa_events.BotUttered]


def test_action_calls_reuse_one_connection_with_the_endpoints_headers_and_answers():
    async def scenario():
        seen: list[tuple] = []

        async def webhook(request):
            seen.append((request.transport.get_extra_info("peername"), request.headers.get("X-Action-Token"),
                         await request.json()))
            return web.json_response({"events": [], "responses": [{"text": f"antwoord {len(seen)}"}]})

        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        try:
            endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"X-Action-Token": "geheim"})
            answers = [await endpoint.request(json={"next_action": f"action_{n}"}, method="post") for n in range(3)]
        finally:
            await close_kept_sessions()
            await runner.cleanup()
        return seen, answers

    seen, answers = asyncio.run(scenario())
    assert [a["responses"][0]["text"] for a in answers] == ["antwoord 1", "antwoord 2", "antwoord 3"]
    assert [s[1] for s in seen] == ["geheim"] * 3
    assert [s[2]["next_action"] for s in seen] == ["action_0", "action_1", "action_2"]
    assert len({s[0] for s in seen}) == 1  # one client port: one kept connection, not three


def test_a_new_event_loop_gets_a_new_session():
    endpoint = EndpointConfig("http://127.0.0.1:9/webhook")

    async def session():
        async with endpoint.session() as s:
            return s

    async def twice():
        return await session(), await session()

    same_loop = asyncio.run(twice())
    first = same_loop[0]

    async def in_a_new_loop():
        s = await session()
        await close_kept_sessions()
        await first.close()  # of the first loop, never used for a request
        return s

    assert same_loop[1] is first and asyncio.run(in_a_new_loop()) is not first


def test_the_message_is_embedded_ahead_before_rasa_parses_it(monkeypatch):
    from rasa.core.channels.channel import UserMessage
    from rasa.core.processor import MessageProcessor

    from nlu import embeddings

    order: list[str] = []

    async def ahead(text):
        order.append(f"ahead {text}")

    async def original(self, message, tracker=None, only_output_properties=True):
        order.append(f"parse {message.text}")
        return {"text": message.text}

    monkeypatch.setattr(embeddings, "embed_ahead", ahead)
    parse = perf._parse_message_ahead(original)
    processor = MessageProcessor.__new__(MessageProcessor)
    processor.http_interpreter = None
    assert asyncio.run(parse(processor, UserMessage("Een man schold mij uit."))) == {"text": "Een man schold mij uit."}
    assert order == ["ahead Een man schold mij uit.", "parse Een man schold mij uit."]


def test_the_action_calls_json_reads_back_as_the_standard_librarys():
    """ujson writes the tracker for the action server; the values that arrive are the standard encoder's."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

    tracker = DialogueStateTracker.from_events("c1", [
        rasa_events.UserUttered("Hij riep: \"ik weet waar je woont\" / 😡 \u2028 ë", {"name": "report", "confidence": 0.1234567890123},
                                [{"entity": "role", "value": "raadslid", "start": 0, "end": 3}], timestamp=1.5),
        rasa_events.SlotSet("story", "a\nb\t\\c", timestamp=1e-9), rasa_events.ActionExecuted("action_x", timestamp=3.0)],
        slots=Domain.empty().slots)
    for value in (tracker.current_state(EventVerbosity.ALL), {"n": 2**70, "k": [1.0, -0.0, 1e300]}, {1: "x"}):
        assert json.loads(perf._dumps(value)) == json.loads(json.dumps(value))


def test_the_action_servers_session_writes_with_that_encoder_and_refuses_what_the_standard_one_refuses():
    async def serializer():
        async with EndpointConfig("http://127.0.0.1:9/webhook").session() as session:
            found = session._json_serialize
        await close_kept_sessions()
        return found

    assert asyncio.run(serializer()) is perf._dumps
    with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):  # json's own message
        perf._dumps({"events": [object()]})
