"""Who gets the report is who the contact was looked up for (report_summary.keep_route): a role or municipality named
outside a form after the lookup is put back at the summary; a route confirmed after it, or a handoff's lookup, is
kept; "Rol en gemeente" under "Aanpassen" changes the route itself. Split from test_report.py, whose helpers it uses."""

import pytest
from sqlalchemy import select

from actions.report_summary import (
    ROUTE_KEPT,
    ActionCancelReport,
    ActionReportSummary,
    ActionSubmitReport,
    route_at_lookup,
)
from actions.store.models import Report
from tests.bot.actions.test_report import FILLED, answering_the_summary, slots_of


@pytest.fixture
def tracker_factory(tracker_factory):
    return answering_the_summary(tracker_factory)


def routed_as(tracker, role: str, later_role: str):
    """The tracker's events as Rasa sends them: the role set, the contact looked up for it, then another role set
    outside a form (an entity in a later message)."""
    tracker.events[:0] = [{"event": "slot", "name": "role", "value": role},
                          {"event": "slot", "name": "municipality", "value": "Leiden"},
                          {"event": "slot", "name": "municipality_key", "value": "leiden"},
                          {"event": "slot", "name": "contact_function", "value": "griffier"},
                          {"event": "user", "text": "..."}, {"event": "slot", "name": "role", "value": later_role}]
    return tracker


async def test_a_role_named_after_routing_does_not_reach_the_summary_or_the_report(
        connection, dispatcher, tracker_factory, domain):
    """Routed as raadslid (to the griffier); "hij is wethouder" at the summary sets the role slot outside a form: the
    summary, the summary asked again and the report keep raadslid, the role the contact was looked up for."""
    tracker = routed_as(tracker_factory(slots={**FILLED, "role": "wethouder"}), "raadslid", "wethouder")
    events = await ActionReportSummary().run(dispatcher, tracker, domain)
    assert slots_of(events)["role"] == "raadslid"
    assert dispatcher.messages[0]["text"] == ROUTE_KEPT  # said, with how to change it
    assert "rol: raadslid" in dispatcher.messages[1]["text"] and "wethouder" not in dispatcher.messages[1]["text"]
    shown = {**FILLED, **slots_of(events)}

    again = routed_as(tracker_factory(slots={**shown, "role": "wethouder"}, text="ja, hij is wethouder", intent="deny"),
                      "raadslid", "wethouder")
    kept = slots_of(await ActionCancelReport().run(dispatcher, again, domain))
    assert kept["role"] == "raadslid" and kept["report_draft_id"] == shown["report_draft_id"]  # nothing shown changed

    filing = tracker_factory(slots={**shown, **kept}, text="ja", intent="affirm", last_action="action_cancel_report")
    await ActionSubmitReport().run(dispatcher, filing, domain)
    assert connection.execute(select(Report.role, Report.readable_by)).one() == ("raadslid", "leiden:griffier")


def _slot(name, value):
    return {"event": "slot", "name": name, "value": value}


@pytest.mark.parametrize("events, routed", [
    ([], None),
    ([_slot("role", "raadslid")], None),  # no contact looked up yet
    ([_slot("role", "raadslid"), _slot("contact_function", "griffier"), _slot("role", "wethouder")], "raadslid"),
    ([_slot("role", "raadslid"), _slot("contact_function", "griffier"), _slot("role", "wethouder"),
      _slot("contact_function", "burgemeester")], "wethouder"),  # looked up again: the latest lookup counts
    ([_slot("role", "raadslid"), _slot("contact_function", "griffier"), _slot("contact_function", None)], None),
    ([_slot("role", "raadslid"), _slot("contact_function", "griffier"), {"event": "session_started"}], None),
    ([_slot("role", "raadslid"), _slot("contact_function", "griffier"), {"event": "reset_slots"},
      _slot("role", "wethouder")], None),
])
def test_the_routed_role_is_the_role_when_the_contact_was_last_looked_up(tracker_factory, events, routed):
    tracker = tracker_factory(slots={})
    tracker.events[:0] = events
    at_lookup, _ = route_at_lookup(tracker)
    assert (at_lookup["role"] if at_lookup else None) == routed


async def test_a_role_the_user_confirmed_after_routing_gets_its_own_contact(connection, dispatcher, tracker_factory,
                                                                            domain):
    """Confirmed by the routing form ("Klopt het dat u wethouder bent?" "ja") after the last lookup, with no lookup
    following it (a handoff now sets its contact, so this guards the rule itself): the summary keeps the confirmed role
    and looks its contact up now."""
    tracker = routed_as(tracker_factory(slots={**FILLED, "role": "wethouder", "routing_confirmed": "wethouder|Leiden"}),
                        "raadslid", "wethouder")
    tracker.events[4:4] = [_slot("routing_confirmed", "wethouder|Leiden")]  # after the lookup, with the new role
    events = slots_of(await ActionReportSummary().run(dispatcher, tracker, domain))
    assert "role" not in events and events["contact_function"] != "griffier"
    assert "rol: wethouder" in dispatcher.messages[0]["text"]
    assert f"Naar: {events['contact_label']}" in dispatcher.messages[0]["text"]
    await ActionSubmitReport().run(dispatcher, tracker_factory(slots={**FILLED, "role": "wethouder", **events},
                                                               text="ja", intent="affirm"), domain)
    role, readable_by = connection.execute(select(Report.role, Report.readable_by)).one()
    assert (role, readable_by) == ("wethouder", f"leiden:{events['contact_function']}")


async def test_a_place_given_in_the_routing_form_before_a_handoff_is_kept_at_the_summary(connection, dispatcher,
                                                                                         tracker_factory, domain):
    """Routed for Leiden; "ik wil de griffier van Zwolle spreken" at the summary, "nee" to "Klopt het dat u actief bent in
    de gemeente Zwolle?", then "Nijmegen": the handoff looks the contact up for Nijmegen, and the summary after it
    keeps Nijmegen (the last lookup), not Leiden (review of 6611d1a)."""
    from actions.handoff import ActionHandoff

    moved = {**FILLED, "municipality": "Nijmegen", "municipality_key": "nijmegen", "routing_confirmed": None}
    handoff = tracker_factory(slots=moved)
    looked_up = [e for e in await ActionHandoff().run(dispatcher, handoff, domain) if e["event"] == "slot"]
    tracker = tracker_factory(slots={**moved, **{e["name"]: e["value"] for e in looked_up}})
    tracker.events[:0] = [_slot("role", "raadslid"), _slot("municipality", "Leiden"), _slot("municipality_key", "leiden"),
                          _slot("contact_function", "griffier"), {"event": "user", "text": "..."},
                          _slot("municipality", "Nijmegen"), _slot("municipality_key", "nijmegen"),
                          _slot("routing_confirmed", None), *looked_up]
    events = slots_of(await ActionReportSummary().run(dispatcher, tracker, domain))
    assert "municipality" not in events and "municipality_key" not in events
    assert "Gemeente: Nijmegen" in dispatcher.messages[-2]["text"]


async def test_a_confirmation_before_the_last_lookup_does_not_route_a_later_role(connection, dispatcher, tracker_factory,
                                                                                domain):
    """Confirmed as wethouder, corrected to raadslid and looked up again (griffier), then "de wethouder zei ..."
    outside a form: the old confirmation does not count, the role goes back to raadslid and the contact stays."""
    tracker = tracker_factory(slots={**FILLED, "role": "wethouder", "routing_confirmed": "wethouder|Leiden"})
    tracker.events[:0] = [_slot("role", "wethouder"), _slot("municipality", "Leiden"), _slot("municipality_key", "leiden"),
                          _slot("routing_confirmed", "wethouder|Leiden"), _slot("contact_function", "gemeentesecretaris"),
                          _slot("role", "raadslid"), _slot("contact_function", "griffier"), {"event": "user", "text": "..."},
                          _slot("role", "wethouder")]
    events = slots_of(await ActionReportSummary().run(dispatcher, tracker, domain))
    assert events["role"] == "raadslid" and "contact_function" not in events


async def test_on_the_general_route_a_place_named_later_does_not_reach_the_report(connection, dispatcher, tracker_factory,
                                                                                  domain):
    """A municipality without a protocol (no key: the general route), then "ja, in Leiden" outside a form: the summary
    and the report keep Amersfoort, so Leiden's griffie cannot read a report that was not routed to it."""
    slots = {**FILLED, "municipality": "Leiden", "municipality_key": None}
    tracker = tracker_factory(slots=slots)
    tracker.events[:0] = [_slot("role", "raadslid"), _slot("municipality", "Amersfoort"), _slot("municipality_key", None),
                          _slot("contact_function", "griffier"), {"event": "user", "text": "..."},
                          _slot("municipality", "Leiden")]
    events = slots_of(await ActionReportSummary().run(dispatcher, tracker, domain))
    assert events["municipality"] == "Amersfoort" and "Gemeente: Amersfoort" in dispatcher.messages[1]["text"]
    assert dispatcher.messages[0]["text"] == ROUTE_KEPT
    await ActionSubmitReport().run(dispatcher, tracker_factory(slots={**slots, **events}, text="ja", intent="affirm"),
                                   domain)
    municipality, readable_by = connection.execute(select(Report.municipality, Report.readable_by)).one()
    assert municipality == "Amersfoort" and not readable_by.startswith("leiden")


async def test_a_municipality_named_after_routing_does_not_reach_the_summary_or_the_report(
        connection, dispatcher, tracker_factory, domain):
    """Routed for Leiden; "ja, in Alkmaar" at the summary sets the slot outside a form: the summary and the
    report still name Leiden, the municipality whose contact gets it (review of issue 12)."""
    events = await ActionReportSummary().run(dispatcher, tracker_factory(slots={**FILLED, "municipality": "Alkmaar"}), domain)
    assert slots_of(events)["municipality"] == "Leiden"
    assert dispatcher.messages[0]["text"] == ROUTE_KEPT
    shown = dispatcher.messages[1]["text"]
    assert "Gemeente: Leiden" in shown and "Alkmaar" not in shown
    confirmed = {**FILLED, **slots_of(events)}
    dispatcher.messages.clear()
    await ActionSubmitReport().run(dispatcher, tracker_factory(slots=confirmed, text="ja", intent="affirm"), domain)
    municipality, readable_by = connection.execute(select(Report.municipality, Report.readable_by)).one()
    assert (municipality, readable_by) == ("Leiden", "leiden:griffier")


# --- "Rol en gemeente" at the summary: the route itself changed (actions/report_change.py ROUTE) ---------------------

async def test_rol_en_gemeente_is_offered_and_named_in_words():
    from rasa_sdk.executor import CollectingDispatcher

    from actions.report_change import ROUTE, ActionAskChangeField, field_of

    said = CollectingDispatcher()
    await ActionAskChangeField().run(said, None, {})
    assert said.messages[0]["buttons"][0] == {"title": "Rol en gemeente", "payload": '/change{"change_field":"route"}'}
    assert [field_of(w) for w in ("Rol en gemeente", "route", "de gemeente klopt niet", "mijn rol", "naar wie",
                                  "de contactpersoon")] == [ROUTE] * 6
    # the report's own fields keep their words, also next to a route word
    assert [field_of(w) for w in ("plaats", "wie", "de plaats in de gemeente", "de functie van de dader",
                                  "wie: een ambtenaar van de gemeente", "controle", "rolstoel")] == [
        "report_where", "report_who", "report_where", "report_who", "report_who", None, None]


async def test_changing_the_route_empties_it_and_whatever_was_looked_up_for_it(dispatcher, tracker_factory, domain):
    from actions.report_change import ActionChangeReport

    tracker = tracker_factory(slots={**FILLED, "routing_confirmed": "raadslid|Leiden", "change_field": "route",
                                     "report_status": "confirming"})
    changed = slots_of(await ActionChangeReport().run(dispatcher, tracker, domain))
    assert all(changed[name] is None for name in ("role", "municipality", "municipality_key", "routing_confirmed",
                                                  "contact_function", "contact_label", "report_status"))
    assert changed["report_changing"] == "route" and "report_what" not in changed  # the answers stay


async def test_a_changed_route_is_asked_advised_shown_and_filed_for_the_new_contact(
        connection, session, dispatcher, tracker_factory, domain):
    """Leiden, raadslid (to the griffier) at the summary; "Aanpassen", "Rol en gemeente": the report form asks role and
    municipality again, the new protocol's advice and contact follow, and the summary and the report name them."""
    from actions import routing
    from actions.report import ValidateReportForm
    from actions.report_change import ActionChangeReport

    history = [_slot("role", "raadslid"), _slot("municipality", "Leiden"), _slot("municipality_key", "leiden"),
               _slot("contact_function", "griffier")]
    start = tracker_factory(slots={**FILLED, "change_field": "route", "report_status": "confirming"})
    slots = {**FILLED, **slots_of(await ActionChangeReport().run(dispatcher, start, domain))}
    history += [_slot(name, value) for name, value in slots.items() if name in ("role", "municipality",
                                                                                 "municipality_key", "contact_function")]

    async def form(new_slots=None, text=""):
        tracker = tracker_factory(slots=slots, new_slots=new_slots, text=text, active_loop="report_form", last_action=None)
        events = await ValidateReportForm().run(dispatcher, tracker, domain)
        history.extend(e for e in events if e["event"] == "slot")
        slots.update({**(new_slots or {}), **slots_of(events)})

    await form()
    assert slots["requested_slot"] == "role"
    await form({"role": "wethouder"}, "wethouder")
    assert (slots["role"], slots["requested_slot"]) == ("wethouder", "municipality")
    await form({"municipality": "nijmegen"}, "nijmegen")
    expected = routing.route(session, "Nijmegen", "wethouder")["contact"]
    assert (slots["municipality"], slots["municipality_key"], slots["requested_slot"]) == ("Nijmegen", "nijmegen", None)
    assert (slots["contact_function"], slots["contact_label"]) == (expected["function"], expected["label"])
    assert slots["routing_confirmed"] == "wethouder|Nijmegen" and slots["report_required"] is True  # D: required
    assert "protocol Nijmegen" in dispatcher.messages[-1]["text"]  # the new protocol's advice

    summary = tracker_factory(slots=slots, last_action=None)
    summary.events[:0] = history  # the events as Rasa sends them: the new lookup is the last
    shown = {**slots, **slots_of(await ActionReportSummary().run(dispatcher, summary, domain))}
    assert "Gemeente: Nijmegen; rol: wethouder" in dispatcher.messages[-2]["text"]
    assert f"Naar: {expected['label']}" in dispatcher.messages[-2]["text"]
    assert ROUTE_KEPT not in [m["text"] for m in dispatcher.messages]  # nothing put back: nothing to say about it
    await ActionSubmitReport().run(dispatcher, tracker_factory(slots=shown, text="ja", intent="affirm"), domain)
    assert connection.execute(select(Report.role, Report.readable_by)).one() == (
        "wethouder", f"nijmegen:{expected['function']}")


async def test_a_changed_route_waits_for_both_answers_and_a_place_unknown_is_asked_again(
        connection, dispatcher, tracker_factory, domain):
    from actions.report import ValidateReportForm

    asked = {**FILLED, "role": "wethouder", "municipality": None, "municipality_key": None, "contact_function": None,
             "contact_label": None, "report_changing": "route", "requested_slot": "municipality"}
    tracker = tracker_factory(slots=asked, new_slots={"municipality": "sdfghjk"}, text="sdfghjk",
                              active_loop="report_form", last_action=None)
    slots = slots_of(await ValidateReportForm().run(dispatcher, tracker, domain))
    assert slots["municipality"] is None and slots["requested_slot"] == "municipality"
    assert "contact_function" not in slots and "herken ik niet" in dispatcher.messages[-1]["text"]


async def test_a_changed_route_whose_contact_cannot_be_found_is_asked_again_not_sent_to_a_default(
        connection, dispatcher, tracker_factory, domain, monkeypatch):
    """The protocol cannot be looked up (a lookup error): no contact, no confirmation, no report for the griffier by
    default; the municipality is asked again (one requested_slot: Rasa's form reads the first), with one message."""
    from actions import routing, triage
    from actions.report import ValidateReportForm

    def broken(session, key):
        raise LookupError(key)

    monkeypatch.setattr(routing, "protocol_for", broken)
    monkeypatch.setattr(triage, "protocol_for", broken)
    asked = {**FILLED, "role": "wethouder", "municipality": None, "municipality_key": None, "contact_function": None,
             "contact_label": None, "report_required": None, "report_changing": "route", "requested_slot": "municipality"}
    tracker = tracker_factory(slots=asked, new_slots={"municipality": "Nijmegen"}, text="Nijmegen",
                              active_loop="report_form", last_action=None)
    events = await ValidateReportForm().run(dispatcher, tracker, domain)
    assert [e["value"] for e in events if e["name"] == "requested_slot"] == ["municipality"]
    slots = slots_of(events)
    assert (slots["municipality"], slots["requested_slot"]) == (None, "municipality")
    assert "contact_function" not in slots and "routing_confirmed" not in slots
    assert len(dispatcher.messages) == 1  # one word about the failure, then the question
