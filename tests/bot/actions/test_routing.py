"""Routing per municipality and role, the routing form, and action_route's messages."""

import pytest

from actions.routing import ActionAskRole, ActionRoute, ValidateRoutingForm, describe, resolve_municipality, route


@pytest.mark.parametrize(
    "municipality, role, contact, informs",
    [
        ("Leiden", "raadslid", "griffier", "burgemeester"),
        ("Leiden", "wethouder", "gemeentesecretaris", "burgemeester"),
        ("Leiden", "burgemeester", "gemeentesecretaris", "griffier"),
        ("alkmaar", "raadslid", "griffier", None),
        ("Midden-Delfland", "wethouder", "burgemeester", None),
        ("gemeente Nijmegen", "raadslid", "griffier", "burgemeester"),
        ("Nunspeet", "wethouder", "gemeentesecretaris", "burgemeester"),
    ],
)
def test_route_per_protocol(session, municipality, role, contact, informs):
    result = route(session, municipality, role)
    assert result["protocol_loaded"] is True
    assert result["contact"]["function"] == contact
    assert result["section"]
    functions = [p["function"] for p in result["informs"]]
    assert (informs in functions) if informs else isinstance(functions, list)


def test_unknown_municipality_gets_the_general_route_and_says_so(session):
    result = route(session, "Utrecht", "raadslid")
    assert result["protocol_loaded"] is False
    assert result["municipality"] == "Utrecht"
    assert result["contact"]["function"] == "griffier"
    assert "geen protocol geladen" in describe(result)[0]


def test_support_lines_carry_the_numbers_the_protocol_prints(session):
    lines = {s["name"]: s["phone"] for s in route(session, "Nijmegen", "raadslid")["support_lines"]}
    assert lines["Slachtofferhulp"] == "0900 0101"  # as printed in the Nijmegen protocol
    assert all(s["phone"] is None for s in route(session, "Leiden", "raadslid")["support_lines"] if "Weerbaar" in s["name"])


@pytest.mark.parametrize("bad", ["", "1234", "<script>", None, "ik weet het niet", "asdfghjkl", "geen idee"])
def test_nonsense_municipality_is_refused(session, bad):
    assert resolve_municipality(session, bad) == (None, None)


def test_unknown_role_raises(session):
    with pytest.raises(ValueError):
        route(session, "Leiden", "bakker")


async def test_route_action_names_contact_source_and_support(connection, dispatcher, tracker_factory, domain):
    tracker = tracker_factory(slots={"municipality": "Leiden", "municipality_key": "leiden", "role": "duolid"})
    events = await ActionRoute().run(dispatcher, tracker, domain)
    said = "\n".join(m["text"] for m in dispatcher.messages)
    assert "meldt u dit bij de griffier" in said
    assert "protocol Leiden, §7.1" in said
    assert "Hulp en steun" in said
    assert {"event": "slot", "timestamp": None, "name": "contact_function", "value": "griffier"} in events


async def test_role_buttons_and_free_text_role(connection, dispatcher, tracker_factory, domain):
    await ActionAskRole().run(dispatcher, tracker_factory(), domain)
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert '/inform{"role":"wethouder"}' in payloads
    tracker = tracker_factory(
        slots={"requested_slot": "role"}, new_slots={"role": "ik ben burgercommissielid"}, active_loop="routing_form"
    )
    events = await ValidateRoutingForm().run(dispatcher, tracker, domain)
    assert {"event": "slot", "timestamp": None, "name": "role", "value": "commissielid"} in events


async def test_unknown_municipality_text_is_asked_again(connection, dispatcher, tracker_factory, domain):
    tracker = tracker_factory(
        slots={"role": "raadslid", "requested_slot": "municipality"},
        new_slots={"municipality": "!!!???"},
        active_loop="routing_form",
    )
    events = await ValidateRoutingForm().run(dispatcher, tracker, domain)
    assert {"event": "slot", "timestamp": None, "name": "municipality", "value": None} in events
    assert "herken ik niet" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize("name", ["Utrecht", "Bergen op Zoom", "'s-Hertogenbosch", "Midden-Drenthe", "Den Haag"])
def test_real_place_names_without_a_protocol_are_accepted(session, name):
    key, display = resolve_municipality(session, name)
    assert key is None and display


async def test_a_database_outage_gets_a_clear_answer(dispatcher, tracker_factory, domain, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from actions import texts
    from actions.store import db
    from actions.triage import ActionAdvice

    def down(url=None):
        raise OperationalError("connect", {}, Exception("database down"))

    monkeypatch.setattr(db, "engine", down)
    tracker = tracker_factory(slots={"municipality": "Leiden", "role": "raadslid", "category": "C"})
    assert await ActionRoute().run(dispatcher, tracker, domain) == []
    assert await ActionAdvice().run(dispatcher, tracker, domain) == []
    assert [m["text"] for m in dispatcher.messages] == [texts.NO_ROUTE, texts.NO_ADVICE]


@pytest.mark.parametrize("typed, key, name", [("gemeente Leiden", "leiden", "Leiden"), ("Utrecht", None, "Utrecht")])
async def test_the_municipality_is_resolved_once_and_its_key_carried_in_a_slot(connection, dispatcher, tracker_factory, domain, typed, key, name):
    tracker = tracker_factory(slots={"role": "raadslid", "requested_slot": "municipality"}, new_slots={"municipality": typed},
                              active_loop="routing_form")
    events = await ValidateRoutingForm().run(dispatcher, tracker, domain)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert (slots["municipality"], slots["municipality_key"]) == (name, key)


async def test_the_route_follows_the_key_slot_not_the_typed_name(connection, dispatcher, tracker_factory, domain):
    tracker = tracker_factory(slots={"municipality": "Leiden", "municipality_key": None, "role": "raadslid"})
    await ActionRoute().run(dispatcher, tracker, domain)
    assert "geen protocol geladen" in dispatcher.messages[0]["text"]  # key None: the general route


def test_roles_are_listed_once_and_buttons_and_labels_follow():
    from actions.knowledge import ROLE_LABELS, ROLE_TABLE, ROLES, normalize_role, role_buttons

    assert [r.key for r in ROLE_TABLE] == ROLES and len(set(ROLES)) == len(ROLES)
    assert [b["title"] for b in role_buttons()] == [r.button for r in ROLE_TABLE]
    assert ROLE_LABELS["oud_raadslid"] == "oud-raadslid"
    assert all(normalize_role(r.button) == r.key for r in ROLE_TABLE)
    assert normalize_role("wethouder in de commissie") == "commissielid"  # same-length words: the tie order decides
