"""Routing per municipality and role, the routing form, and action_route's messages."""

import pytest
from rasa_sdk import Tracker

from actions import texts
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


# --- a role or municipality taken from a story is asked back before it is used ----------------------------------

def _user(text: str, intent: str, entities: dict | None = None) -> dict:
    parse = {"text": text, "intent": {"name": intent, "confidence": 1.0},
             "entities": [{"entity": name, "value": value} for name, value in (entities or {}).items()]}
    return {"event": "user", "text": text, "parse_data": parse}


def _action(name: str) -> dict:
    return {"event": "action", "name": name}


def _slots(**values) -> list[dict]:
    return [{"event": "slot", "name": name, "value": value} for name, value in values.items()]


def _conversation(events: list[dict], requested: str | None = None) -> Tracker:
    """A tracker whose slots are what its events set (the last value wins), in the routing form."""
    slots: dict = {}
    for event in events:
        if event["event"] == "slot":
            slots[event["name"]] = event["value"]
    if requested is not None:
        slots["requested_slot"] = requested
    latest = next(e["parse_data"] for e in reversed(events) if e["event"] == "user")
    return Tracker(sender_id="test-gesprek", slots=slots, latest_message=latest, events=events, paused=False,
                   followup_action=None, active_loop={"name": "routing_form"}, latest_action_name="action_listen")


_ZWOLLE_STORY = [_user("In de krant las ik dat een raadslid in Zwolle werd bedreigd. Nu krijg ik zelf dreigmails.", "incident_d",
                       {"role": "raadslid", "municipality": "Zwolle"}),
                 *_slots(role="raadslid", municipality="Zwolle")]


async def _asks_next(tracker: Tracker, domain: dict, dispatcher) -> str | None:
    """The slot the form asks next, as Rasa decides it: the validation action's requested_slot, or (when the action
    leaves it to Rasa) the first empty slot of the form's list in the domain."""
    events = await ValidateRoutingForm().run(dispatcher, tracker, domain)
    tracker.add_slots(events)
    requested = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "requested_slot"]
    if requested:
        return requested[-1]
    return next((s for s in domain["forms"]["routing_form"]["required_slots"] if tracker.get_slot(s) is None), None)


async def test_a_place_and_role_from_a_story_are_asked_back_before_the_route(connection, dispatcher, domain):
    from actions.routing import ActionAskRoutingCheck

    tracker = _conversation([*_ZWOLLE_STORY, *_slots(municipality_key=None)])
    assert await _asks_next(tracker, domain, dispatcher) == "routing_check"
    await ActionAskRoutingCheck().run(dispatcher, tracker, domain)
    assert dispatcher.messages[-1]["text"] == "Klopt het dat u raadslid bent in de gemeente Zwolle?"
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == ["/affirm", "/deny"]


async def test_no_clears_what_the_story_gave_and_the_form_asks_it(connection, dispatcher, domain):
    events = [*_ZWOLLE_STORY, *_slots(requested_slot="routing_check"), _user("nee", "deny"), *_slots(routing_check=False)]
    tracker = _conversation(events)
    assert await _asks_next(tracker, domain, dispatcher) == "role"
    assert tracker.get_slot("role") is None and tracker.get_slot("municipality") is None and tracker.get_slot("municipality_key") is None


async def test_yes_confirms_the_pair_and_the_form_is_done(connection, dispatcher, domain):
    events = [*_ZWOLLE_STORY, *_slots(requested_slot="routing_check"), _user("ja", "affirm"), *_slots(routing_check=True)]
    tracker = _conversation(events)
    assert await _asks_next(tracker, domain, dispatcher) is None
    assert tracker.get_slot("routing_confirmed") == "raadslid|Zwolle"


async def test_an_unclear_answer_is_asked_again(connection, dispatcher, domain):
    events = [*_ZWOLLE_STORY, *_slots(requested_slot="routing_check"), _user("misschien", "out_of_scope"), *_slots(routing_check="misschien")]
    assert await _asks_next(_conversation(events), domain, dispatcher) == "routing_check"
    assert dispatcher.messages[-1]["text"] == texts.ANSWER_YES_NO


async def test_only_the_place_from_the_story_is_asked_when_the_role_was_answered(connection, dispatcher, domain):
    from actions.routing import confirmation_question, needs_confirmation

    events = [_user("Gisteren stond er iemand bij mijn huis in Zwolle te schreeuwen.", "incident_d", {"municipality": "Zwolle"}),
              *_slots(municipality="Zwolle", requested_slot="role"), _user("wethouder", "inform", {"role": "wethouder"}),
              *_slots(role="wethouder")]
    tracker = _conversation(events)
    assert needs_confirmation(tracker) == ["municipality"]
    assert confirmation_question(tracker, ["municipality"]) == "Klopt het dat u actief bent in de gemeente Zwolle?"


@pytest.mark.parametrize("events", [
    # the answer to the form's own question, even when the model took it for a story
    [*_slots(requested_slot="role"), _user("raadslid", "inform", {"role": "raadslid"}), *_slots(role="raadslid"),
     *_slots(requested_slot="municipality"), _user("Zwolle hier", "incident_b", {"municipality": "Zwolle"}), *_slots(municipality="Zwolle")],
    # a message that only tells the role and place, and then the story
    [_user("ik ben raadslid in Zwolle", "inform", {"role": "raadslid", "municipality": "Zwolle"}), *_slots(role="raadslid", municipality="zwolle"),
     _user("ze schreeuwden dat ik moet oppassen", "incident_d"), *_slots(municipality="Zwolle")],
    # buttons
    [_user('/inform{"role":"raadslid"}', "inform", {"role": "raadslid"}), *_slots(role="raadslid"),
     _user('/inform{"municipality":"Zwolle"}', "inform", {"municipality": "Zwolle"}), *_slots(municipality="Zwolle")],
])
async def test_answers_buttons_and_inform_are_used_as_they_are(connection, dispatcher, domain, events):
    from actions.routing import needs_confirmation

    tracker = _conversation(events)
    assert needs_confirmation(tracker) == []
    assert await _asks_next(tracker, domain, dispatcher) is None


async def test_the_forms_rewrite_of_a_story_value_keeps_it_a_story_value(connection, dispatcher, domain):
    from actions.routing import from_story

    # validated at the form's start (an action), after the triage's question: "midden delfland" becomes "Midden-Delfland"
    events = [_user("ze stonden bij mijn huis in midden delfland", "incident_d", {"municipality": "midden delfland"}),
              *_slots(municipality="midden delfland", role="raadslid"), _user("ja", "affirm"), _action("triage_form"),
              _action("routing_form"), *_slots(municipality="Midden-Delfland")]
    assert from_story(_conversation(events)) == ["municipality"]


async def test_a_confirmed_pair_is_not_asked_again_but_a_new_place_from_a_later_story_is(connection, dispatcher, domain):
    from actions.routing import needs_confirmation

    confirmed = [*_ZWOLLE_STORY, *_slots(routing_confirmed="raadslid|Zwolle")]
    assert needs_confirmation(_conversation(confirmed)) == []
    later = [*confirmed, _user("En nu ook nog in Deventer bij het station uitgescholden", "incident_c", {"municipality": "Deventer"}),
             *_slots(municipality="Deventer")]
    assert needs_confirmation(_conversation(later)) == ["municipality"]


async def test_a_restart_forgets_where_values_came_from(connection, dispatcher, domain):
    from actions.routing import from_story

    events = [*_ZWOLLE_STORY, {"event": "restart"}, _user("ik ben wethouder", "inform", {"role": "wethouder"}), *_slots(role="wethouder")]
    assert from_story(_conversation(events)) == []


@pytest.mark.parametrize("answer, intent", [("klopt niet", "affirm"), ("Klopt niet, ik zit in Deventer", "affirm"), ("zeker niet", "affirm"),
                                            ("de gemeente klopt niet", "change"), ("verkeerde gemeente", "out_of_scope")])
async def test_klopt_niet_and_its_family_are_a_no_whatever_the_model_made_of_it(connection, dispatcher, domain, answer, intent):
    value = True if intent == "affirm" else answer  # affirm fills the slot with True (domain), the rest with the text
    events = [*_ZWOLLE_STORY, *_slots(requested_slot="routing_check"), _user(answer, intent), *_slots(routing_check=value)]
    tracker = _conversation(events)
    assert await _asks_next(tracker, domain, dispatcher) == "role"
    assert tracker.get_slot("routing_confirmed") is None and tracker.get_slot("municipality") is None


async def test_a_no_that_names_the_right_place_keeps_that_place_and_asks_only_the_rest(connection, dispatcher, domain):
    events = [*_ZWOLLE_STORY, *_slots(requested_slot="routing_check"),
              _user("Nee, ik zit in Deventer", "deny", {"municipality": "Deventer"}), *_slots(routing_check=False, municipality="Deventer")]
    tracker = _conversation(events)
    assert await _asks_next(tracker, domain, dispatcher) == "role"  # the role was the story's; Deventer is the user's own
    assert tracker.get_slot("municipality") == "Deventer"


async def test_an_answer_that_gives_the_place_again_leaves_no_answer_behind_for_a_later_story(connection, dispatcher, domain):
    from actions.routing import needs_confirmation

    events = [*_ZWOLLE_STORY, *_slots(requested_slot="routing_check"),
              _user("ik ben raadslid in Deventer", "inform", {"role": "raadslid", "municipality": "Deventer"}),
              *_slots(role="raadslid", municipality="Deventer", routing_check="ik ben raadslid in Deventer")]
    tracker = _conversation(events)
    assert await _asks_next(tracker, domain, dispatcher) is None
    assert tracker.get_slot("routing_check") is None  # not kept for the next time the form runs
    later = [*events, *_slots(routing_check=None), _user("Nu stonden ze in Amersfoort bij mijn auto", "incident_d", {"municipality": "Amersfoort"}),
             *_slots(municipality="Amersfoort")]
    assert needs_confirmation(_conversation(later)) == ["municipality"]


async def test_a_new_session_forgets_a_question_that_was_open(connection, dispatcher, domain):
    from actions.routing import from_story

    events = [*_slots(requested_slot="municipality"), {"event": "session_started"},
              _user("Er stond een man in Zwolle bij mijn huis", "incident_d", {"municipality": "Zwolle"}), *_slots(municipality="Zwolle")]
    assert from_story(_conversation(events)) == ["municipality"]


def test_the_question_names_only_what_came_from_the_story_in_plain_words(tracker_factory):
    from actions.routing import confirmation_question

    tracker = tracker_factory(slots={"role": "familielid", "municipality": "Midden-Delfland"})
    assert confirmation_question(tracker, ["role"]) == "Klopt het dat u familie van een ambtsdrager bent?"
    assert confirmation_question(tracker, ["role", "municipality"]) == (
        "Klopt het dat u familie van een ambtsdrager bent in de gemeente Midden-Delfland?")


async def test_a_paused_report_does_not_keep_an_unconfirmed_route_from_a_story_and_resume_asks_for_it(connection, domain):
    """Stopping at "Klopt het dat u raadslid bent in de gemeente Zwolle?" and pausing: the draft keeps the story and
    the answers, not the place and role the question was about; "Verder gaan" (perhaps in a new session, where the
    story's origin is gone) runs the routing form before the report goes on."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions.report_pause import ActionPauseReport, ActionResumeReport

    story = "In de krant las ik dat een raadslid in Zwolle werd bedreigd. Nu krijg ik zelf dreigmails."
    events = [*_ZWOLLE_STORY, *_slots(municipality_key="zwolle", incident_text=story, category="D", report_wanted=True,
                                      requested_slot="routing_check")]
    pause = CollectingDispatcher()
    await ActionPauseReport().run(pause, _conversation(events), domain)
    assert "24 uur" in pause.messages[0]["text"]
    back = CollectingDispatcher()
    resumed = await ActionResumeReport().run(back, _conversation(events), domain)
    kept = {e["name"]: e["value"] for e in resumed if e["event"] == "slot"}
    assert kept["incident_text"] == story and kept["category"] == "D" and kept["report_wanted"] is True
    assert kept["role"] is None and kept["municipality"] is None and kept["municipality_key"] is None
    assert {"event": "followup", "name": "routing_form"} in [{"event": e["event"], "name": e.get("name")} for e in resumed]


async def test_a_paused_report_keeps_a_confirmed_route_and_resume_goes_straight_on(connection, domain):
    from rasa_sdk.executor import CollectingDispatcher

    from actions.report_pause import ActionPauseReport, ActionResumeReport
    from actions.routing import unconfirmed_route

    events = [*_ZWOLLE_STORY, *_slots(municipality_key="zwolle", report_wanted=True, routing_confirmed="raadslid|Zwolle")]
    assert unconfirmed_route(_conversation(events)) == []
    await ActionPauseReport().run(CollectingDispatcher(), _conversation(events), domain)
    resumed = await ActionResumeReport().run(CollectingDispatcher(), _conversation(events), domain)
    kept = {e["name"]: e["value"] for e in resumed if e["event"] == "slot"}
    assert (kept["role"], kept["municipality"], kept["municipality_key"]) == ("raadslid", "Zwolle", "zwolle")
    assert not [e for e in resumed if e["event"] == "followup"]


def test_only_what_the_unconfirmed_story_value_decides_is_dropped():
    from actions.routing import unconfirmed_route

    answered_role = [_user("Ik ben wethouder", "inform", {"role": "wethouder"}), *_slots(role="wethouder"),
                     _user("Er stond een man in Zwolle bij mijn huis", "incident_d", {"municipality": "Zwolle"}),
                     *_slots(municipality="Zwolle")]
    assert unconfirmed_route(_conversation(answered_role)) == [
        "municipality", "municipality_key", "routing_confirmed", "contact_function", "contact_label"]


async def test_resumed_in_a_new_session_the_routing_form_asks_the_dropped_route(connection, dispatcher, domain):
    """The case the pause rule is for: back in a new session (the story's origin is gone), the routing form asks for
    role and municipality itself; nothing of the story's place is used unasked."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions.report_pause import ActionPauseReport, ActionResumeReport

    events = [*_ZWOLLE_STORY, *_slots(municipality_key="zwolle", incident_text="verhaal", report_wanted=True,
                                      requested_slot="routing_check")]
    await ActionPauseReport().run(CollectingDispatcher(), _conversation(events), domain)
    resumed = await ActionResumeReport().run(CollectingDispatcher(), _conversation(events), domain)
    later = [{"event": "session_started"}, _user("/resume_report", "resume_report"), _action("action_resume_report"),
             *[e for e in resumed if e["event"] == "slot"]]
    assert await _asks_next(_conversation(later), domain, dispatcher) == "role"


async def test_a_role_from_a_story_without_a_place_is_not_kept_by_a_pause(connection, domain):
    from rasa_sdk.executor import CollectingDispatcher

    from actions.report_pause import ActionPauseReport, ActionResumeReport
    from actions.routing import unconfirmed_route

    events = [_user("Een raadslid werd gisteren bedreigd, nu krijg ik zelf ook mails", "incident_d", {"role": "raadslid"}),
              *_slots(role="raadslid", incident_text="verhaal", report_wanted=True, requested_slot="municipality")]
    assert unconfirmed_route(_conversation(events)) == ["role", "routing_confirmed", "contact_function", "contact_label"]
    await ActionPauseReport().run(CollectingDispatcher(), _conversation(events), domain)
    resumed = await ActionResumeReport().run(CollectingDispatcher(), _conversation(events), domain)
    assert {e["name"]: e["value"] for e in resumed if e["event"] == "slot"}["role"] is None
    assert [e["name"] for e in resumed if e["event"] == "followup"] == ["routing_form"]
