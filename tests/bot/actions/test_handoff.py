"""Handoff to a person: the conversation pauses only when the contact was really notified, the
notification carries no story, and asking twice does not notify twice."""

import hashlib
import hmac
import json

import pytest
from aiohttp import web
from sqlalchemy import select

from actions.handoff import channel_of, hand_off
from actions.store.models import Handoff
from core.texts import DANGER_LINE

ROUTE = {
    "municipality": "Leiden", "municipality_key": "leiden", "role": "raadslid",
    "contact": {"function": "griffier", "label": "de griffier", "name": None, "phone": None, "email": None},
}
STORY = "Een man op de markt riep: ik weet waar je woont"


@pytest.fixture
def contacts(tmp_path, monkeypatch, smtp_server):
    def write(text: str):
        path = tmp_path / f"contacts-{len(list(tmp_path.iterdir()))}.yml"
        path.write_text(text)
        monkeypatch.setenv("CONTACTS_FILE", str(path))

    monkeypatch.setenv("SMTP_HOST", smtp_server.hostname)
    monkeypatch.setenv("SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("GRIFFIE_URL", "https://griffie.example")
    smtp_server.inbox.messages.clear()
    return write


def names(events):
    return [e["event"] for e in events]


def test_the_channel_comes_from_the_conversation_id_only_through_the_bridges_channel():
    assert channel_of("telegram:12345", "bridge") == "telegram"
    assert channel_of("signal:+31612345678", "bridge") == "signal"
    assert channel_of("a3f9" * 8, "socketio") == "socketio"
    # a prefix typed into another channel is not trusted: the answer would go to someone else's messenger
    assert channel_of("telegram:12345", "socketio") == "socketio"
    assert channel_of("telegram:12345", "rest") == "rest"
    assert channel_of("whatsapp:1", "bridge") == "bridge"


async def test_a_notified_handoff_pauses_the_conversation(connection, contacts, smtp_server, dispatcher, tracker_factory):
    contacts("leiden:\n  handoff:\n    notify: {email: griffie@leiden.example}\n    response_time: op werkdagen binnen een uur\n")
    tracker = tracker_factory(slots={"category": "D", "incident_text": STORY}, sender_id="telegram:42")
    tracker.events[0]["input_channel"] = "bridge"

    events = await hand_off(dispatcher, tracker, ROUTE)

    assert names(events) == ["slot", "active_loop", "pause"]
    text = dispatcher.messages[0]["text"]
    assert "Ik heb de griffie van Leiden gevraagd om dit gesprek over te nemen" in text
    assert "U krijgt antwoord op werkdagen binnen een uur." in text and DANGER_LINE in text
    row = connection.execute(select(Handoff.channel, Handoff.status, Handoff.notified_via, Handoff.municipality_key)).one()
    assert tuple(row) == ("telegram", "open", "email", "leiden")
    [mail] = smtp_server.inbox.messages
    assert mail["To"] == "griffie@leiden.example"
    body = mail.get_payload(decode=True).decode()
    assert "raadslid uit Leiden" in body and "via Telegram" in body and "Categorie volgens de assistent: D" in body
    assert "https://griffie.example/griffie/handoffs/" in body
    assert "markt" not in body and "woont" not in body  # never the story itself


async def test_a_handoff_before_the_threat_question_was_answered_says_so(connection, contacts, smtp_server, dispatcher,
                                                                          tracker_factory):
    contacts("leiden:\n  handoff:\n    notify: {email: griffie@leiden.example}\n")
    tracker = tracker_factory(slots={"category": "C", "doubt": ["C", "D"], "incident_text": STORY}, sender_id="twijfel")
    await hand_off(dispatcher, tracker, ROUTE)
    [mail] = smtp_server.inbox.messages
    body = mail.get_payload(decode=True).decode()
    assert "Categorie volgens de assistent: C, maar de assistent twijfelde tussen C en D" in body
    assert "markt" not in body and "woont" not in body


async def test_asking_twice_does_not_notify_twice(connection, contacts, smtp_server, dispatcher, tracker_factory):
    contacts("leiden:\n  handoff:\n    notify: {email: griffie@leiden.example}\n")
    tracker = tracker_factory(sender_id="dubbel")
    await hand_off(dispatcher, tracker, ROUTE)
    events = await hand_off(dispatcher, tracker, ROUTE)
    assert names(events)[-1] == "pause"
    assert "U heeft al gevraagd om iemand van de gemeente te spreken" in dispatcher.messages[1]["text"]
    assert "Ik weet niet precies hoe snel" in dispatcher.messages[0]["text"]  # no promise that is not configured
    assert len(smtp_server.inbox.messages) == 1
    assert len(connection.execute(select(Handoff.id)).all()) == 1


async def test_without_a_configured_route_the_user_is_told_whom_to_call(connection, contacts, dispatcher, tracker_factory):
    contacts("leiden:\n  griffier: {phone: 071-0000000}\n")
    route = {**ROUTE, "contact": {**ROUTE["contact"], "phone": "071-0000000"}}
    events = await hand_off(dispatcher, tracker_factory(), route)
    assert names(events) == ["slot"]  # not paused: nobody would answer
    assert "niet via deze chat inschakelen" in dispatcher.messages[0]["text"]
    assert "071-0000000" in dispatcher.messages[0]["text"]
    assert connection.execute(select(Handoff.id)).first() is None


async def test_a_failed_notification_does_not_pause(connection, contacts, monkeypatch, dispatcher, tracker_factory):
    contacts("leiden:\n  handoff:\n    notify: {email: griffie@leiden.example}\n")
    monkeypatch.setenv("SMTP_PORT", "1")  # nothing listens there
    events = await hand_off(dispatcher, tracker_factory(), ROUTE)
    assert names(events) == ["slot"]
    assert "Het lukt me nu niet om de griffier te bereiken" in dispatcher.messages[0]["text"]
    assert connection.execute(select(Handoff.status)).scalar_one() == "not_notified"


async def test_a_function_can_have_its_own_route_and_a_webhook_is_signed(connection, contacts, monkeypatch, dispatcher, tracker_factory):
    received = []

    async def hook(request):
        received.append((await request.read(), request.headers.get("X-Meldhulp-Signature")))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        monkeypatch.setenv("WEBHOOK_SECRET", "s3cret")
        contacts(f"leiden:\n  handoff:\n    notify: {{email: griffie@leiden.example}}\n"
                 f"  gemeentesecretaris:\n    notify: {{webhook: 'http://127.0.0.1:{port}/hook'}}\n")
        route = {**ROUTE, "role": "wethouder", "contact": {**ROUTE["contact"], "function": "gemeentesecretaris", "label": "de gemeentesecretaris"}}
        events = await hand_off(dispatcher, tracker_factory(), route)
    finally:
        await runner.cleanup()
    assert names(events)[-1] == "pause"
    assert "Ik heb de gemeentesecretaris van Leiden gevraagd" in dispatcher.messages[0]["text"]  # its own route
    [(body, signature)] = received
    assert signature == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    payload = json.loads(body)
    assert (payload["municipality"], payload["role"]) == ("leiden", "wethouder")
    assert connection.execute(select(Handoff.notified_via)).scalar_one() == "webhook"



async def test_the_action_finds_the_route_for_role_and_municipality(connection, contacts, smtp_server, dispatcher, tracker_factory, domain):
    from actions.handoff import ActionHandoff

    contacts("nijmegen:\n  burgemeester:\n    notify: {email: burgemeester@nijmegen.example}\n")
    tracker = tracker_factory(slots={"role": "wethouder", "municipality": "Nijmegen", "municipality_key": "nijmegen", "handoff_requested": True})
    events = await ActionHandoff().run(dispatcher, tracker, domain)
    assert names(events)[-1] == "pause"
    assert "Ik heb de burgemeester van Nijmegen gevraagd" in dispatcher.messages[0]["text"]  # Nijmegen: wethouder -> burgemeester
    # the contact it looked up is the report's too (report_summary.keep_route reads the last lookup)
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"}["contact_function"] == "burgemeester"
    assert smtp_server.inbox.messages[-1]["To"] == "burgemeester@nijmegen.example"


async def test_the_action_without_a_route_says_so_and_does_not_pause(connection, contacts, dispatcher, tracker_factory, domain):
    from actions import texts
    from actions.handoff import ActionHandoff

    contacts("{}\n")
    events = await ActionHandoff().run(dispatcher, tracker_factory(slots={"role": None, "municipality": "Leiden"}), domain)
    assert names(events) == ["slot"] and dispatcher.messages[0]["text"] == texts.NO_ROUTE
