"""The report: form validation, summary, submit only after yes, once, in one transaction."""

import json

import pytest
from sqlalchemy import func, select, text

from actions.common import ActionStop, yes_no
from actions.report import ValidateReportForm
from actions.report_change import ActionChangeReport, field_of
from actions.report_fields import REPORT_FIELDS, medium_of
from actions.report_summary import (
    NOT_SURE_AT_SUMMARY,
    ActionCancelReport,
    ActionReportSummary,
    ActionSubmitReport,
)
from actions.store.models import Report
from tests.conftest import asked_before

FILLED = {
    **{f.slot: "onbekend" for f in REPORT_FIELDS},  # a field added to the table is answered too
    "category": "D",
    "subkind": "bedreiging",
    "cues": [{"text": "ik weet waar je woont", "kind": "bedreiging", "category": "D"}],
    "municipality": "Leiden",
    "municipality_key": "leiden",
    "role": "raadslid",
    "contact_function": "griffier",
    "contact_label": "de griffier",
    "report_required": True,
    "report_wanted": True,
    "report_what": "Een man riep: ik weet waar je woont",
    "report_who": "Man van ongeveer 50",
    "report_when": "Gisteren 14:00",
    "report_where": "Op de markt",
    "report_medium": "face_to_face",
    "report_with_what": "Alleen woorden",
    "report_how": "Schreeuwend",
    "report_why": "Het besluit over de markt",
}


def summary_shown(tracker, last_action: str | None = "action_report_summary"):
    """The tracker as the action server gets it when the user answers the summary: the last action before the
    user's message showed it (last_action=None: no action at all; another name: the bot moved on)."""
    return asked_before(tracker, last_action) if last_action else tracker


def answering_the_summary(tracker_factory):
    """tracker_factory whose trackers answer the summary (summary_shown), or `last_action` when given."""
    def make(*args, last_action: str | None = "action_report_summary", **kwargs):
        return summary_shown(tracker_factory(*args, **kwargs), last_action)

    return make


@pytest.fixture
def tracker_factory(tracker_factory):
    return answering_the_summary(tracker_factory)


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def count(connection):
    return connection.execute(select(func.count()).select_from(Report)).scalar_one()


async def confirmed(dispatcher, tracker_factory, domain, **extra):
    events = await ActionReportSummary().run(dispatcher, tracker_factory(slots=FILLED), domain)
    return {**FILLED, **slots_of(events), **extra}


async def test_summary_asks_for_confirmation_and_writes_nothing(connection, dispatcher, tracker_factory, domain):
    events = await ActionReportSummary().run(dispatcher, tracker_factory(slots=FILLED), domain)
    assert "Wanneer: Gisteren 14:00" in dispatcher.messages[0]["text"]
    assert dispatcher.messages[1]["text"] == "Klopt dit? Zal ik de melding indienen?"
    assert [b["payload"] for b in dispatcher.messages[1]["buttons"]] == ["/affirm", "/change", "/deny"]
    assert slots_of(events)["report_status"] == "confirming"
    assert count(connection) == 0


async def test_yes_files_one_report_with_a_reference_and_twice_is_still_one(connection, dispatcher, tracker_factory, domain):
    slots = await confirmed(dispatcher, tracker_factory, domain)
    events = await ActionSubmitReport().run(dispatcher, tracker_factory(slots=slots, sender_id="gesprek-1"), domain)
    reference = slots_of(events)["report_reference"]
    assert reference.startswith("MLD-")
    assert reference in dispatcher.messages[-1]["text"]
    assert count(connection) == 1

    # The same draft confirmed again (a double click, or the slot not yet updated): no second row.
    await ActionSubmitReport().run(dispatcher, tracker_factory(slots=slots, sender_id="gesprek-1"), domain)
    assert count(connection) == 1
    assert reference in dispatcher.messages[-1]["text"]

    # After submission, "ja" again only repeats the number.
    done = {**slots, **slots_of(events)}
    await ActionSubmitReport().run(dispatcher, tracker_factory(slots=done), domain)
    assert "al ingediend" in dispatcher.messages[-1]["text"]
    assert count(connection) == 1


async def test_report_row_is_routed_and_encrypted_at_rest(connection, dispatcher, tracker_factory, domain):
    slots = await confirmed(dispatcher, tracker_factory, domain)
    await ActionSubmitReport().run(dispatcher, tracker_factory(slots=slots, sender_id="gesprek-2"), domain)
    raw = connection.execute(text("SELECT what, who, cues, readable_by, conversation_id, category FROM reports")).one()
    assert "ik weet waar je woont" not in raw.what and "Man van" not in raw.who
    assert raw.readable_by == "leiden:griffier"
    assert raw.conversation_id == "gesprek-2"
    assert raw.category == "D"
    from sqlalchemy.orm import Session

    with Session(bind=connection) as s:
        report = s.scalars(select(Report)).one()
        assert report.what == FILLED["report_what"]
        assert json.loads(report.cues)[0]["kind"] == "bedreiging"


@pytest.mark.parametrize("action", [ActionCancelReport, ActionStop])
async def test_no_and_stop_end_the_draft_so_a_later_yes_files_nothing(connection, dispatcher, tracker_factory, domain, action):
    slots = await confirmed(dispatcher, tracker_factory, domain)
    events = await action().run(dispatcher, tracker_factory(slots=slots), domain)
    after = {**slots, **slots_of(events)}
    assert after["report_status"] is None and after["report_draft_id"] is None
    await ActionSubmitReport().run(dispatcher, tracker_factory(slots=after), domain)
    assert count(connection) == 0
    assert "niets ingediend" in dispatcher.messages[-1]["text"]


async def test_missing_field_files_nothing(connection, dispatcher, tracker_factory, domain):
    events = await ActionReportSummary().run(dispatcher, tracker_factory(slots={**FILLED, "report_where": None}), domain)
    slots = {**FILLED, "report_where": None, **slots_of(events)}
    await ActionSubmitReport().run(dispatcher, tracker_factory(slots=slots), domain)
    assert "niets ingediend" in dispatcher.messages[-1]["text"]
    assert count(connection) == 0


async def test_database_failure_loses_nothing_and_says_so(connection, dispatcher, tracker_factory, domain, monkeypatch):
    from sqlalchemy.exc import OperationalError

    import actions.report_summary as report_summary

    def broken(draft):
        raise OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr(report_summary, "file_report", broken)
    slots = await confirmed(dispatcher, tracker_factory, domain)
    events = await ActionSubmitReport().run(dispatcher, tracker_factory(slots=slots), domain)
    assert events == []  # still confirming: "ja" tries again
    assert "niet gelukt" in dispatcher.messages[-1]["text"]


async def test_change_empties_the_chosen_field(dispatcher, tracker_factory, domain):
    tracker = tracker_factory(slots={**FILLED, "change_field": "report_where", "report_status": "confirming"})
    events = slots_of(await ActionChangeReport().run(dispatcher, tracker, domain))
    assert events["report_where"] is None
    assert events["report_status"] is None


async def test_form_prefills_the_story_and_skips_everything_when_no_report_is_wanted(dispatcher, tracker_factory, domain):
    tracker = tracker_factory(
        slots={"incident_text": "Het verhaal", "requested_slot": "report_wanted"},
        new_slots={"report_wanted": True},
        active_loop="report_form",
    )
    slots = slots_of(await ValidateReportForm().run(dispatcher, tracker, domain))
    assert slots["report_what"] == "Het verhaal"
    assert slots["report_wanted"] is True

    tracker = tracker_factory(slots={"requested_slot": "report_wanted"}, new_slots={"report_wanted": False}, active_loop="report_form")
    slots = slots_of(await ValidateReportForm().run(dispatcher, tracker, domain))
    assert slots["requested_slot"] is None


@pytest.mark.parametrize("typed", ["weet ik niet", "geen idee", "ik weet het niet"])
async def test_not_knowing_whether_to_report_is_no_no_and_the_question_is_asked_again(typed, dispatcher, tracker_factory,
                                                                                    domain):
    """'weet ik niet' may be understood as deny, which fills report_wanted with False: that would end the report."""
    tracker = tracker_factory(slots={"requested_slot": "report_wanted"}, new_slots={"report_wanted": False},
                              text=typed, intent="deny", active_loop="report_form")
    slots = slots_of(await ValidateReportForm().run(dispatcher, tracker, domain))
    assert slots.get("report_wanted") is None and slots.get("requested_slot", "report_wanted") == "report_wanted"
    assert "Kies 'Ja' of 'Nee'" in dispatcher.messages[0]["text"]
    tracker = tracker_factory(slots={"requested_slot": "report_wanted"}, new_slots={"report_wanted": False},
                              text="nee", intent="deny", active_loop="report_form")
    assert slots_of(await ValidateReportForm().run(dispatcher, tracker, domain))["requested_slot"] is None  # "nee": done


@pytest.mark.parametrize("typed, intent, wanted", [("nee", "affirm", False), ("liever niet", "affirm", False),
                                                   ("ja graag", "deny", True), ("/affirm", "affirm", True)])
async def test_the_words_decide_whether_a_report_is_wanted_not_the_models_intent(typed, intent, wanted, dispatcher,
                                                                                 tracker_factory, domain):
    """The slot is filled from the intent; a typed "nee" the model took for affirm is still a no (a payload is no words)."""
    tracker = tracker_factory(slots={"incident_text": "Het verhaal", "requested_slot": "report_wanted"},
                              new_slots={"report_wanted": intent == "affirm"}, text=typed, intent=intent, active_loop="report_form")
    slots = slots_of(await ValidateReportForm().run(dispatcher, tracker, domain))
    assert slots["report_wanted"] is wanted
    assert (slots.get("report_what") == "Het verhaal") is wanted  # a report wanted: the story is its "wat"
    assert dispatcher.messages == [] or wanted


async def test_empty_answer_is_asked_again(dispatcher, tracker_factory, domain):
    tracker = tracker_factory(
        slots={**FILLED, "report_who": None, "requested_slot": "report_who"},
        new_slots={"report_who": "   "},
        active_loop="report_form",
    )
    slots = slots_of(await ValidateReportForm().run(dispatcher, tracker, domain))
    assert slots["report_who"] is None
    assert "geen antwoord" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    "typed, medium",
    [("face_to_face", "face_to_face"), ("Telefoon", "phone"), ("via Facebook", "social_media"), ("een brief", "letter"), ("fluitje", None)],
)
def test_medium_of(typed, medium):
    assert medium_of(typed) == medium


@pytest.mark.parametrize("typed, field", [("Waar", "report_where"), ("de datum klopt niet", "report_when"), ("report_who", "report_who"), ("banaan", None)])
def test_field_of(typed, field):
    assert field_of(typed) == field


@pytest.mark.parametrize(
    "typed, answer",
    [("ja", True), ("Ja graag", True), ("klopt", True), ("nee", False), ("Nee hoor", False), ("misschien", None),
     ("geen idee", None), ("weet ik niet", None), ("niet zeker", None), (True, True)],
)
def test_yes_no(typed, answer):
    assert yes_no(typed) is answer


async def test_acute_answer_inside_a_form_gets_112_first_and_keeps_the_answer(dispatcher, tracker_factory, domain):
    tracker = tracker_factory(
        slots={**FILLED, "report_where": None, "requested_slot": "report_where"},
        new_slots={"report_where": "hij staat nu voor mijn deur"},
        text="hij staat nu voor mijn deur",
        active_loop="report_form",
    )
    slots = slots_of(await ValidateReportForm().run(dispatcher, tracker, domain))
    assert "112" in dispatcher.messages[0]["text"]
    assert slots["report_where"] == "hij staat nu voor mijn deur"


def test_action_server_registers_every_domain_action(domain):
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    custom = [a for a in domain["actions"]]
    assert sorted(set(custom) - set(executor.actions)) == []


async def test_story_typed_into_the_form_is_classified_when_there_was_no_triage(dispatcher, tracker_factory, domain):
    abcd = {"label": "D", "subkind": "vernieling", "cues": [{"text": "ruit ingegooid", "kind": "vernieling", "category": "D"}]}
    tracker = tracker_factory(
        slots={"report_wanted": True, "requested_slot": "report_what"},
        new_slots={"report_what": "Mijn ruit is ingegooid"},
        text="Mijn ruit is ingegooid",
        abcd=abcd,
        active_loop="report_form",
    )
    slots = slots_of(await ValidateReportForm().run(dispatcher, tracker, domain))
    assert (slots["category"], slots["subkind"]) == ("D", "vernieling")
    assert "D-gedrag" in dispatcher.messages[0]["text"]


async def test_story_typed_into_the_form_without_doubt_goes_on_to_who(dispatcher, tracker_factory, domain):
    tracker = tracker_factory(
        slots={"report_wanted": True, "requested_slot": "report_what"},
        new_slots={"report_what": "Mijn ruit is ingegooid"}, text="Mijn ruit is ingegooid",
        abcd={"label": "D", "subkind": "vernieling", "cues": []}, active_loop="report_form",
    )
    slots = slots_of(await ValidateReportForm().run(dispatcher, tracker, domain))
    assert slots["requested_slot"] == "report_who" and slots["doubt"] is None


# A story typed straight into the report form (no triage before it) that leaves a doubt gets the same question as
# the triage, right after the story: a D word held back is asked about, never settled silently on the lighter label.
HELD_BACK = {"label": "C", "doubt": ["C", "D"], "subkind": "bedreiging",
             "cues": [{"text": "je gaat eraan", "kind": "bedreiging", "category": "D", "counted": False}]}


async def test_a_doubt_about_a_story_typed_into_the_form_is_asked_next(dispatcher, tracker_factory, domain):
    tracker = tracker_factory(
        slots={"report_wanted": True, "requested_slot": "report_what"},
        new_slots={"report_what": "Hij zei je gaat eraan"}, text="Hij zei je gaat eraan",
        abcd=HELD_BACK, active_loop="report_form",
    )
    slots = slots_of(await ValidateReportForm().run(dispatcher, tracker, domain))
    assert slots["requested_slot"] == "triage_check"
    assert (slots["category"], slots["doubt"], slots["acute"]) == ("C", ["C", "D"], False)
    assert [m["text"] for m in dispatcher.messages] == ["Ik twijfel tussen C-gedrag en D-gedrag. Daarom één vraag."]


async def test_acute_danger_in_a_story_typed_into_the_form_is_kept_for_the_report(dispatcher, tracker_factory, domain):
    abcd = {"label": "D", "acute": True, "subkind": "intimidatie", "cues": []}
    tracker = tracker_factory(
        slots={"report_wanted": True, "requested_slot": "report_what"},
        new_slots={"report_what": "Hij staat nu voor mijn deur"}, text="Hij staat nu voor mijn deur",
        abcd=abcd, active_loop="report_form",
    )
    slots = slots_of(await ValidateReportForm().run(dispatcher, tracker, domain))
    assert "112" in dispatcher.messages[0]["text"]
    assert (slots["category"], slots["acute"]) == ("D", True)


async def test_a_story_changed_with_aanpassen_is_classified_again_and_its_doubt_asked(dispatcher, tracker_factory, domain):
    changed = {**FILLED, "category": "C", "report_what": None, "report_changing": "report_what", "acute": True,
               "requested_slot": "report_what"}
    tracker = tracker_factory(slots=changed, new_slots={"report_what": "Hij zei je gaat eraan"},
                              text="Hij zei je gaat eraan", abcd=HELD_BACK, active_loop="report_form")
    slots = slots_of(await ValidateReportForm().run(dispatcher, tracker, domain))
    assert (slots["doubt"], slots["requested_slot"]) == (["C", "D"], "triage_check")
    assert slots["acute"] is True  # acute danger told once stays in the report


async def test_a_new_report_without_a_told_story_forgets_an_earlier_storys_category_and_question(dispatcher,
                                                                                                 tracker_factory, domain):
    from actions.report import ActionRequestReport

    left = {"category": "C", "doubt": ["C", "D"], "cues": HELD_BACK["cues"], "subkind": "bedreiging"}
    slots = slots_of(await ActionRequestReport().run(dispatcher, tracker_factory(slots=left), domain))
    assert all(slots[name] is None for name in left)
    # with a story told to the triage, its category stays (it is the report's)
    told = {**left, "doubt": None, "incident_text": "Hij zei je gaat eraan"}
    slots = slots_of(await ActionRequestReport().run(dispatcher, tracker_factory(slots=told), domain))
    assert "category" not in slots and slots["report_what"] == "Hij zei je gaat eraan"


def test_the_doubt_question_is_filled_in_the_report_form_as_in_the_triage(domain):
    mappings = domain["slots"]["triage_check"]["mappings"]
    in_report = [m for m in mappings if {"active_loop": "report_form", "requested_slot": "triage_check"} in m["conditions"]]
    assert {m["type"] for m in in_report} == {"from_intent", "from_text"}
    assert {m.get("intent") for m in in_report if m["type"] == "from_intent"} == {"affirm", "deny"}
    [typed] = [m for m in in_report if m["type"] == "from_text"]
    assert {"pause", "stop", "request_human"} <= set(typed["not_intent"])  # the report form's own commands


@pytest.mark.parametrize("answer, text, category, subkind, counted", [
    (True, "/affirm", "D", "bedreiging", True),
    (False, "/deny", "C", None, False),
    ("weet ik niet", "weet ik niet", "D", "bedreiging", True),
])
async def test_the_answer_in_the_report_form_settles_the_category_and_the_form_goes_on(
        dispatcher, tracker_factory, domain, answer, text, category, subkind, counted):
    story = {"report_wanted": True, "report_what": "Hij zei je gaat eraan", "category": "C", "doubt": ["C", "D"],
             "subkind": "bedreiging", "cues": HELD_BACK["cues"], "requested_slot": "triage_check"}
    tracker = tracker_factory(slots=story, new_slots={"triage_check": answer}, text=text, active_loop="report_form")
    slots = {**story, **slots_of(await ValidateReportForm().run(dispatcher, tracker, domain))}
    assert (slots["category"], slots["subkind"], slots["doubt"]) == (category, subkind, None)
    assert slots["cues"][0].get("counted") is counted
    assert slots["requested_slot"] == "report_who"
    assert f"{category}-gedrag" in dispatcher.messages[-1]["text"]
    assert not any("Straks" in m["text"] for m in dispatcher.messages)  # no offer of a person that never comes


async def test_an_unclear_answer_to_the_doubt_in_the_report_form_is_asked_again(dispatcher, tracker_factory, domain):
    story = {"report_wanted": True, "report_what": "Hij zei je gaat eraan", "category": "C", "doubt": ["C", "D"],
             "subkind": "bedreiging", "cues": HELD_BACK["cues"], "requested_slot": "triage_check"}
    tracker = tracker_factory(slots=story, new_slots={"triage_check": "op de markt"}, text="op de markt",
                              active_loop="report_form")
    slots = slots_of(await ValidateReportForm().run(dispatcher, tracker, domain))
    assert slots["triage_check"] is None and slots["requested_slot"] == "triage_check"


async def test_a_failing_write_leaves_no_row(connection, dispatcher, tracker_factory, domain, monkeypatch):
    from actions.store import reports

    real_submit = reports.submit_report

    def submit_then_fail(session, draft):
        real_submit(session, draft)  # the row is added and flushed ...
        raise __import__("sqlalchemy").exc.OperationalError("COMMIT", {}, Exception("disk full"))  # ... then it fails

    monkeypatch.setattr(reports, "submit_report", submit_then_fail)
    slots = await confirmed(dispatcher, tracker_factory, domain)
    await ActionSubmitReport().run(dispatcher, tracker_factory(slots=slots), domain)
    assert "niet gelukt" in dispatcher.messages[-1]["text"]
    assert count(connection) == 0


# --- issue 12: a "ja" only files the summary that was shown and is still the open question ------------------

async def test_summary_stores_a_hash_of_what_it_shows(dispatcher, tracker_factory, domain):
    from actions.report_summary import summary_hash

    slots = await confirmed(dispatcher, tracker_factory, domain)
    assert slots["report_summary_hash"] == summary_hash(slots.get)
    assert slots["report_summary_hash"] != summary_hash({**slots, "report_where": "In het stadhuis"}.get)


@pytest.mark.parametrize("last_action", ["utter_greet", "action_route", "change_form", None])
async def test_a_stale_yes_files_nothing_and_shows_the_summary_again(connection, dispatcher, tracker_factory, domain, last_action):
    slots = await confirmed(dispatcher, tracker_factory, domain)
    events = await ActionSubmitReport().run(dispatcher, tracker_factory(slots=slots, last_action=last_action), domain)
    assert count(connection) == 0
    assert dispatcher.messages[-1]["text"] == "Klopt dit? Zal ik de melding indienen?"
    asked = slots_of(events)
    assert asked["report_status"] == "confirming"
    assert asked["report_draft_id"] == slots["report_draft_id"]  # nothing changed: the same draft

    # The "ja" to that question files it.
    again = {**slots, **asked}
    events = await ActionSubmitReport().run(dispatcher, tracker_factory(slots=again, last_action="action_submit_report"), domain)
    assert slots_of(events)["report_status"] == "submitted"
    assert count(connection) == 1


@pytest.mark.parametrize("typed", ["nee, niet indienen", "ja, maar wacht even", "doe maar niet", "weet ik niet", "dien maar niet in",
                                   "nog niet indienen", "oké, doe maar niet", "ja, maar nog even wachten", "liever nog niet"])
async def test_words_that_hold_back_file_nothing_whatever_the_intent(connection, dispatcher, tracker_factory, domain, typed):
    """The model read them as affirm (the rule runs action_submit_report): a no, a yes taken back or unsure files nothing."""
    slots = await confirmed(dispatcher, tracker_factory, domain)
    events = await ActionSubmitReport().run(dispatcher, tracker_factory(slots=slots, text=typed, intent="affirm"), domain)
    assert count(connection) == 0
    assert dispatcher.messages[-3]["text"].startswith("Ik heb nog niets ingediend.")
    assert dispatcher.messages[-1]["text"] == "Klopt dit? Zal ik de melding indienen?"
    assert slots_of(events)["report_status"] == "confirming"


@pytest.mark.parametrize("typed", ["ja", "/affirm", "prima", "ja hoor, geen probleem", "klopt, geen aanvullingen",
                                   "ja, geen enkel probleem", "ja hoor, geen bezwaren"])
async def test_a_yes_the_button_or_neutral_words_file(connection, dispatcher, tracker_factory, domain, typed):
    slots = await confirmed(dispatcher, tracker_factory, domain)
    events = await ActionSubmitReport().run(dispatcher, tracker_factory(slots=slots, text=typed, intent="affirm"), domain)
    assert slots_of(events)["report_status"] == "submitted"
    assert count(connection) == 1


@pytest.mark.parametrize("typed", ["ja", "ja graag", "weet ik niet", "geen idee", "ja, maar wacht even", "ja hoor, geen probleem",
                                   "ja, indienen"])
async def test_a_yes_or_unsure_read_as_deny_throws_nothing_away_and_a_yes_then_files(
        connection, dispatcher, tracker_factory, domain, typed):
    """The model read them as deny (the rule runs action_cancel_report): the draft stays and the summary is asked
    again; the "ja" after that question files it."""
    slots = await confirmed(dispatcher, tracker_factory, domain)
    events = await ActionCancelReport().run(dispatcher, tracker_factory(slots=slots, text=typed, intent="deny"), domain)
    kept = slots_of(events)
    assert dispatcher.messages[-3]["text"] == NOT_SURE_AT_SUMMARY
    assert dispatcher.messages[-1]["text"] == "Klopt dit? Zal ik de melding indienen?"
    assert kept["report_status"] == "confirming" and kept["report_draft_id"] == slots["report_draft_id"]
    assert "report_who" not in kept  # nothing reset

    again = {**slots, **kept}
    events = await ActionSubmitReport().run(
        dispatcher, tracker_factory(slots=again, text="ja", intent="affirm", last_action="action_cancel_report"), domain)
    assert slots_of(events)["report_status"] == "submitted"
    assert count(connection) == 1


async def test_a_yes_read_as_deny_after_a_change_shows_a_new_draft_and_a_yes_files_the_new_values(
        connection, dispatcher, tracker_factory, domain):
    """A value changed after the summary was shown (here the category): the summary asked again after a "ja" the model
    read as deny shows it with a new draft id, and the "ja" after that question files the new value under that id."""
    slots = await confirmed(dispatcher, tracker_factory, domain)
    changed = {**slots, "category": "C", "subkind": None}
    kept = slots_of(await ActionCancelReport().run(
        dispatcher, tracker_factory(slots=changed, text="ja, toch wel", intent="deny"), domain))
    assert "schelden (C)" in dispatcher.messages[-2]["text"]
    assert kept["report_status"] == "confirming"
    assert kept["report_draft_id"] and kept["report_draft_id"] != slots["report_draft_id"]
    assert count(connection) == 0

    await ActionSubmitReport().run(dispatcher, tracker_factory(
        slots={**changed, **kept}, text="ja", intent="affirm", last_action="action_cancel_report"), domain)
    assert connection.execute(select(Report.category, Report.draft_id)).one() == ("C", kept["report_draft_id"])


@pytest.mark.parametrize("typed", ["nee", "/deny", "nee, niet indienen", "laat maar zitten", "liever niet", "doe maar niet",
                                   "ja, niet indienen", "ja liever niet", "ja stop maar", "ja, gooi maar weg", "ja laat maar",
                                   "ja, annuleren", "nee dank je"])
async def test_a_no_a_yes_that_lets_go_or_the_button_discards_the_draft(connection, dispatcher, tracker_factory, domain, typed):
    slots = await confirmed(dispatcher, tracker_factory, domain)
    events = await ActionCancelReport().run(dispatcher, tracker_factory(slots=slots, text=typed, intent="deny"), domain)
    assert dispatcher.messages[-1]["text"].startswith("Goed, ik dien de melding niet in.")
    assert slots_of(events)["report_status"] is None and slots_of(events)["report_who"] is None
    assert count(connection) == 0

    # a "ja" after that files nothing: the draft is gone
    gone = {**slots, **slots_of(events)}
    await ActionSubmitReport().run(
        dispatcher, tracker_factory(slots=gone, text="ja", intent="affirm", last_action="action_cancel_report"), domain)
    assert count(connection) == 0


@pytest.mark.parametrize("changed", [{"municipality": "Amsterdam", "municipality_key": None}, {"report_where": "In het stadhuis"},
                                     {"report_draft_id": "0" * 32}, {"contact_label": "de burgemeester"}])
async def test_values_changed_after_the_summary_are_not_filed_but_shown(connection, dispatcher, tracker_factory, domain, changed):
    """E.g. '/affirm{"municipality":"Amsterdam"}' typed at the summary: the slots differ from what was shown."""
    slots = await confirmed(dispatcher, tracker_factory, domain)
    events = await ActionSubmitReport().run(dispatcher, tracker_factory(slots={**slots, **changed}), domain)
    assert count(connection) == 0
    shown = dispatcher.messages[-2]["text"]  # the new summary shows the new values
    assert all(v in shown for k, v in changed.items() if k in ("municipality", "report_where", "contact_label"))
    asked = slots_of(events)
    assert asked["report_draft_id"] != slots["report_draft_id"]  # another summary: another draft

    await ActionSubmitReport().run(dispatcher, tracker_factory(slots={**slots, **changed, **asked}), domain)
    assert count(connection) == 1


async def test_after_filing_another_municipality_and_yes_file_no_second_report(connection, dispatcher, tracker_factory, domain):
    slots = await confirmed(dispatcher, tracker_factory, domain)
    events = await ActionSubmitReport().run(dispatcher, tracker_factory(slots=slots), domain)
    filed = {**slots, **slots_of(events)}
    reference = filed["report_reference"]

    # Another municipality: the route runs again and the report form is complete, so the summary action runs.
    moved = {**filed, "municipality": "Amsterdam", "municipality_key": None}
    events = await ActionReportSummary().run(dispatcher, tracker_factory(slots=moved, last_action="action_route"), domain)
    assert events == []  # still submitted, no new draft
    assert "al ingediend" in dispatcher.messages[-1]["text"] and reference in dispatcher.messages[-1]["text"]

    events = await ActionSubmitReport().run(dispatcher, tracker_factory(slots=moved), domain)
    assert events == []
    assert "al ingediend" in dispatcher.messages[-1]["text"] and reference in dispatcher.messages[-1]["text"]
    assert count(connection) == 1


async def test_yes_without_a_summary_files_nothing(connection, dispatcher, tracker_factory, domain):
    await ActionSubmitReport().run(dispatcher, tracker_factory(slots={**FILLED, "report_draft_id": "a" * 32}), domain)
    assert count(connection) == 0
    assert "niets ingediend" in dispatcher.messages[-1]["text"]


def test_the_summary_says_what_the_category_means(tracker_factory):
    from actions.report_summary import summary

    text = summary(tracker_factory(slots=FILLED))
    assert "- Soort gedrag: bedreiging, intimidatie of geweld (D)" in text
    assert "D-gedrag" not in text
