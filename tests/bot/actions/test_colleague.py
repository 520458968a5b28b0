"""Incidents where the other person is a fellow office holder: the protocol's own route, per
municipality (bot/actions/protocols/*.yml `colleague`, quotes checked against the sources)."""

import pytest

from actions import knowledge
from actions.triage import COLLEAGUE_GENERAL, ActionAdvice


def story_tracker(tracker_factory, municipality_key, colleague, category="C"):
    tracker = tracker_factory(slots={"category": category, "municipality_key": municipality_key, "persistent": False})
    story = {"label": category, "colleague": colleague, "cues": []}
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
