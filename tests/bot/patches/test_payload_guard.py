"""Typed "/intent{...}" payloads set no slot (patches/payload_guard.py): only a button the bot offered in its last
turn keeps its entities. Runs in the Rasa environment (make unit), against Rasa's own processor."""

from __future__ import annotations

import asyncio

import pytest

pytestmark = pytest.mark.rasa
pytest.importorskip("rasa.core.processor")  # the Rasa environment only (make unit runs it there)
payload_guard = pytest.importorskip("patches.payload_guard")

from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered  # noqa: E402

SUMMARY_BUTTONS = [{"title": "Ja, versturen", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"},
                   {"title": "Waar aanpassen", "payload": '/change{"change_field":"report_where"}'}]
ROLE_BUTTONS = [{"title": "Raadslid", "payload": '/inform{"role":"raadslid"}'},
                {"title": "Wethouder", "payload": '/inform{"role":"wethouder"}'}]


def turn(*buttons_per_message: list[dict]) -> list:
    events: list = [UserUttered("eerder"), ActionExecuted("action_x")]
    for buttons in buttons_per_message:
        events.append(BotUttered("Een vraag", data={"buttons": buttons}))
    return events


def test_typed_entities_that_no_button_offered_are_cut_to_the_bare_intent():
    events = turn(SUMMARY_BUTTONS)
    assert payload_guard.checked_text('/affirm{"municipality":"Amsterdam"}', events) == "/affirm"
    assert payload_guard.checked_text('  /affirm{"municipality":"Amsterdam"} en nog wat', events) == "/affirm"
    assert payload_guard.checked_text('/inform{"role":"burgemeester"}', events) == "/inform"
    assert payload_guard.checked_text("/affirm@1.0", events) == "/affirm"
    assert payload_guard.checked_text('/inform{"role":', events) == "/inform"


def test_a_button_the_bot_offered_keeps_its_entities_whatever_the_spacing():
    events = turn(ROLE_BUTTONS, SUMMARY_BUTTONS)  # two messages in the bot's last turn: both count
    assert payload_guard.checked_text('/inform{"role":"raadslid"}', events) == '/inform{"role":"raadslid"}'
    assert payload_guard.checked_text('/inform{ "role" : "wethouder" }', events) == '/inform{ "role" : "wethouder" }'
    assert payload_guard.checked_text('/change{"change_field":"report_where"}', events).startswith("/change{")
    # the same intent with another value is no button
    assert payload_guard.checked_text('/inform{"role":"burgemeester"}', events) == "/inform"
    assert payload_guard.checked_text('/change{"change_field":"report_when"}', events) == "/change"


def test_only_the_last_turn_counts():
    events = [*turn(ROLE_BUTTONS), UserUttered("Leiden"), BotUttered("Klopt dit?", data={"buttons": SUMMARY_BUTTONS})]
    assert payload_guard.checked_text('/inform{"role":"raadslid"}', events) == "/inform"
    assert payload_guard.checked_text('/inform{"role":"raadslid"}', []) == "/inform"  # a new conversation


def test_plain_text_and_bare_intents_pass_unchanged():
    events = turn(SUMMARY_BUTTONS)
    for text in ("ja", "Leiden", "/affirm", "/deny", "een tekst met {accolades}", "", "/", "hij zei /affirm{\"a\":1}"):
        assert payload_guard.checked_text(text, events) == text
    assert payload_guard.checked_text(None, events) is None


@pytest.mark.parametrize("text", ["/restart@1", "/restart@", "/session_start@0.9", "/back@1", '/restart{"a":1}',
                                  " /session_start@1{}", "/action_submit_report@1", "/restart", "/ restart"])
def test_a_control_intent_in_any_payload_form_is_refused_not_cut_to_the_bare_intent(text):
    assert payload_guard.checked_text(text, turn(SUMMARY_BUTTONS)) is None


def test_rasa_never_handles_a_typed_control_intent_and_answers_calmly():
    """Through Rasa's MessageProcessor: '/restart@1' reaches no action and the user gets the CONTROL text."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.trackers import DialogueStateTracker

    from channels.rasa_client import CONTROL

    payload_guard.apply()
    handled: list[str] = []

    async def original(self, message, tracker):  # what Rasa would do: parse and run the intent
        handled.append(message.text)

    class Processor(MessageProcessor):
        def __init__(self) -> None:
            pass

    out = CollectingOutputChannel()
    tracker = DialogueStateTracker.from_events("probe", turn(SUMMARY_BUTTONS))
    saved = MessageProcessor._handle_message_with_tracker
    try:
        payload_guard._applied = False
        MessageProcessor._handle_message_with_tracker = original  # type: ignore[method-assign]
        payload_guard.apply()
        for text in ("/restart@1", "/session_start@0.9", "/back@1"):
            asyncio.run(Processor()._handle_message_with_tracker(UserMessage(text, out, sender_id="probe"), tracker))
        asyncio.run(Processor()._handle_message_with_tracker(UserMessage("/affirm@1", out, sender_id="probe"), tracker))
    finally:
        MessageProcessor._handle_message_with_tracker = saved  # type: ignore[method-assign]
        payload_guard._applied = True
    assert handled == ["/affirm"]
    assert [m["text"] for m in out.messages] == [CONTROL] * 3


def test_rasa_reads_no_entity_from_the_typed_payload():
    """Through Rasa's MessageProcessor: the UserUttered it logs has the bare intent and no entities."""
    from rasa.core.channels.channel import UserMessage
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    payload_guard.apply()
    domain = Domain.from_yaml(
        "version: '3.1'\nintents: [affirm, inform]\nentities: [municipality, role]\n"
        "slots:\n  municipality:\n    type: text\n    mappings: [{type: from_entity, entity: municipality}]\n"
        "  role:\n    type: text\n    mappings: [{type: from_entity, entity: role}]\n")

    class Processor(MessageProcessor):
        def __init__(self) -> None:  # only what _handle_message_with_tracker needs
            self.domain = domain
            self.http_interpreter = None

        async def parse_message(self, message, tracker=None, only_output_properties=True):
            from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
            from rasa.shared.nlu.training_data.message import Message

            parsed = YAMLStoryReader.unpack_regex_message(Message({"text": message.text}), domain)
            return {"text": message.text, "intent": parsed.get("intent") or {"name": None},
                    "entities": parsed.get("entities") or []}

    def handle(text: str, events: list) -> DialogueStateTracker:
        tracker = DialogueStateTracker.from_events("probe", events, domain.slots)
        asyncio.run(Processor()._handle_message_with_tracker(UserMessage(text, sender_id="probe"), tracker))
        return tracker

    injected = handle('/affirm{"municipality":"Amsterdam"}', turn(SUMMARY_BUTTONS))
    assert injected.latest_message.intent["name"] == "affirm"
    assert injected.latest_message.entities == []
    clicked = handle('/inform{"role":"raadslid"}', turn(ROLE_BUTTONS))
    assert [(e["entity"], e["value"]) for e in clicked.latest_message.entities] == [("role", "raadslid")]
