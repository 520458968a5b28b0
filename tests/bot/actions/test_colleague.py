"""Incidents where the other person is a fellow office holder: the protocol's own route, per
municipality (bot/actions/protocols/*.yml `colleague`, quotes checked against the sources)."""

import pytest

from actions import knowledge
from actions.triage import COLLEAGUE_GENERAL, COLLEAGUE_MAYBE, COLLEAGUE_MAYBE_GENERAL, COLLEAGUE_MAYBE_NOT, ActionAdvice


def story_tracker(tracker_factory, municipality_key, colleague, category="C", colleague_by=None):
    tracker = tracker_factory(slots={"category": category, "municipality_key": municipality_key, "persistent": False})
    story = {"label": category, "colleague": colleague, "cues": []}
    if colleague_by:
        story["colleague_by"] = colleague_by
    tracker.events.insert(0, {"event": "user", "text": "verhaal", "parse_data": {"text": "verhaal", "abcd": story}})
    return tracker


def said(dispatcher):
    return "\n".join(m["text"] for m in dispatcher.messages)


@pytest.mark.parametrize(
    "key, words",
    [
        ("alkmaar", "Gedragscode bestuurlijke integriteit"),
        ("leiden", "politieke mores"),
        ("nunspeet", "noemt geen aparte aanpak"),
        ("nijmegen", "noemt geen aparte aanpak"),
        ("midden-delfland", "noemt geen aparte aanpak"),
    ],
)
async def test_each_protocol_gives_its_own_route_for_a_colleague(connection, dispatcher, tracker_factory, domain, key, words):
    await ActionAdvice().run(dispatcher, story_tracker(tracker_factory, key, True), domain)
    text = said(dispatcher)
    assert "collega-ambtsdrager" in text
    assert words in text
    assert knowledge.colleague_route(key)["section"] in text  # traceable to the protocol section


async def test_no_colleague_route_for_an_incident_by_a_resident(connection, dispatcher, tracker_factory, domain):
    await ActionAdvice().run(dispatcher, story_tracker(tracker_factory, "alkmaar", False), domain)
    assert "collega" not in said(dispatcher)


async def test_a_municipality_without_protocol_gets_the_shared_route(connection, dispatcher, tracker_factory, domain):
    await ActionAdvice().run(dispatcher, story_tracker(tracker_factory, None, True), domain)
    assert COLLEAGUE_GENERAL in said(dispatcher)


def test_every_protocol_says_whether_it_covers_colleagues():
    for data in knowledge.load_files():
        if data["key"] == knowledge.MODEL_KEY:
            continue
        route = data.get("colleague")
        assert route and route["covered"] in (False, "unclear") and route["text"] and route["quote"], data["key"]


async def test_alkmaar_leaves_colleague_conduct_to_the_gedragscode_and_gives_no_citizen_advice(connection, dispatcher, tracker_factory, domain):
    events = await ActionAdvice().run(dispatcher, story_tracker(tracker_factory, "alkmaar", True, category="C"), domain)
    assert "Gedragscode bestuurlijke integriteit" in said(dispatcher)
    assert "Advies:" not in said(dispatcher)
    assert [e for e in events if e.get("name") == "report_required"][0]["value"] is False


async def test_a_colleague_seen_only_by_the_model_is_asked_and_keeps_the_protocols_advice(connection, dispatcher, tracker_factory, domain):
    """The colleague model is not the cue rule: its flag gives the gedragscode route under a condition and never
    drops Alkmaar's reporting duty (nlu/triage.py, colleague_by)."""
    tracker = story_tracker(tracker_factory, "alkmaar", True, category="D", colleague_by="model")
    events = await ActionAdvice().run(dispatcher, tracker, domain)
    text = said(dispatcher)
    assert COLLEAGUE_MAYBE in text and "Gedragscode bestuurlijke integriteit" in text and COLLEAGUE_MAYBE_NOT in text
    assert "Ons advies nu:" in text
    assert [e for e in events if e.get("name") == "report_required"][0]["value"] is True
    assert "U schrijft dat de ander een collega-ambtsdrager is" not in text


async def test_the_model_alone_without_a_protocol_asks_too(connection, dispatcher, tracker_factory, domain):
    await ActionAdvice().run(dispatcher, story_tracker(tracker_factory, None, True, colleague_by="model"), domain)
    assert COLLEAGUE_MAYBE_GENERAL in said(dispatcher)
    assert COLLEAGUE_GENERAL not in said(dispatcher)
