"""Issue 13 in the actions: the story pre-fills the report, every answer is checked with a specific re-ask,
one field is corrected in place at the summary, and a report can be paused and picked up again."""

from datetime import UTC, datetime, timedelta

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.report import (
    ActionAskChangeField,
    ActionChangeReport,
    ActionGreet,
    ActionPauseReport,
    ActionReportSummary,
    ActionResumeReport,
    ValidateChangeForm,
    ValidateReportForm,
    summary,
)
from actions.report_fields import REPORT_FIELDS
from actions.store import drafts
from tests.bot.actions.test_report import FILLED, slots_of

STORY = ("Gisteravond op de markt schreeuwde een man van ongeveer 50 met een pet dat hij weet waar ik woon. "
         "Mijn buurvrouw zag het.")


async def validate(tracker_factory, domain, slot, answer, **slots):
    dispatcher = CollectingDispatcher()
    tracker = tracker_factory(slots={**slots, slot: None, "requested_slot": slot}, new_slots={slot: answer}, text=str(answer),
                              active_loop="report_form")
    events = await ValidateReportForm().run(dispatcher, tracker, domain)
    return slots_of(events), [m["text"] for m in dispatcher.messages]


async def test_yes_to_report_prefills_what_the_story_says_and_the_form_asks_only_the_rest(tracker_factory, domain):
    slots, said = await validate(tracker_factory, domain, "report_wanted", True, incident_text=STORY)
    assert slots["report_what"] == STORY
    assert slots["report_who"] == "Een man van ongeveer 50 met een pet"
    assert slots["report_when"].startswith("Gisteravond (")
    assert slots["report_where"] == "Op de markt"
    assert slots["report_medium"] == "face_to_face"
    assert slots["report_witnesses"] == "Mijn buurvrouw zag het"
    assert set(slots["report_prefilled"]) >= {"report_who", "report_when", "report_where", "report_medium"}
    # The form goes on with the first field the story did not answer.
    assert slots["requested_slot"] == "report_why"
    assert said == []


@pytest.mark.parametrize(
    "slot, answer, says",
    [
        ("report_who", "ja", "Ik heb hier een paar woorden nodig"),
        ("report_where", "Nee", "Ik heb hier een paar woorden nodig"),
        ("report_who", "   ", "Ik heb geen antwoord gekregen"),
        ("report_when", "morgen", "Die dag ligt in de toekomst"),
        ("report_when", "1 januari 2027", "Die dag ligt in de toekomst"),
        ("report_when", "blauw", "Ik begrijp niet wanneer het was"),
        ("report_medium", "een duif", "Dat begrijp ik niet goed"),
    ],
)
async def test_an_invalid_answer_is_asked_again_kindly_and_specifically(tracker_factory, domain, slot, answer, says):
    slots, said = await validate(tracker_factory, domain, slot, answer, **FILLED)
    assert slots[slot] is None
    assert says in said[0]
    assert len(said[0].split()) <= 40


@pytest.mark.parametrize(
    "slot, answer, kept",
    [
        ("report_who", "weet ik niet", "onbekend"),
        ("report_why", "sla over", "onbekend"),
        ("report_medium", "weet ik niet", "other"),
        ("report_medium", "via Facebook Messenger", "social_media"),
        ("report_medium", "hij belde me op", "phone"),
        ("report_when", "vorige week dinsdag", None),
        ("report_how", "rustig maar dreigend", "rustig maar dreigend"),
    ],
)
async def test_unknown_skip_and_free_text_are_answers(tracker_factory, domain, slot, answer, kept):
    slots, said = await validate(tracker_factory, domain, slot, answer, **FILLED)
    assert said == []
    if kept is None:
        assert slots[slot].startswith("vorige week dinsdag (dinsdag ")
    else:
        assert slots[slot] == kept


def test_the_summary_marks_what_came_from_the_story(tracker_factory):
    text = summary(tracker_factory(slots={**FILLED, "report_prefilled": ["report_where"], "report_witnesses": None}))
    assert "- Waar: Op de markt (uit uw verhaal)" in text
    assert "- Wie: Man van ongeveer 50\n" in text  # typed by the user: not marked
    assert "- Getuigen: niet ingevuld" in text


async def test_wijzig_de_plaats_changes_only_that_field(dispatcher, tracker_factory, domain):
    # "wijzig de plaats" at the summary: the change form knows the field at once.
    tracker = tracker_factory(slots={**FILLED, "report_status": "confirming"}, text="wijzig de plaats", intent="change",
                              active_loop="change_form")
    events = await ValidateChangeForm().run(dispatcher, tracker, domain)
    assert slots_of(events)["change_field"] == "report_where"
    assert dispatcher.messages == []

    changed = slots_of(await ActionChangeReport().run(dispatcher, tracker_factory(slots={**FILLED, "change_field": "report_where"}), domain))
    assert changed["report_where"] is None and changed["report_changing"] == "report_where"
    after = {**FILLED, **changed}
    required = await ValidateReportForm().required_slots([f.slot for f in REPORT_FIELDS], dispatcher, tracker_factory(slots=after), domain)
    assert [s for s in required if not after.get(s)] == ["report_where"]  # only that one is asked again


async def test_an_optional_field_is_asked_only_when_chosen(dispatcher, tracker_factory, domain):
    domain_slots = [f.slot for f in REPORT_FIELDS]
    form = ValidateReportForm()
    assert "report_witnesses" not in await form.required_slots(domain_slots, dispatcher, tracker_factory(slots=FILLED), domain)
    chosen = tracker_factory(slots={**FILLED, "report_changing": "report_witnesses"})
    assert "report_witnesses" in await form.required_slots(domain_slots, dispatcher, chosen, domain)
    await ActionAskChangeField().run(dispatcher, tracker_factory(), domain)
    assert "Getuigen" in [b["title"] for b in dispatcher.messages[0]["buttons"]]


async def test_pause_keeps_the_draft_for_the_same_identity_and_resume_picks_it_up(connection, tracker_factory, domain):
    half = {**FILLED, "report_why": None, "report_status": None, "incident_text": STORY, "requested_slot": "report_why"}
    d = CollectingDispatcher()
    events = await ActionPauseReport().run(d, tracker_factory(slots=half, sender_id="widget-a"), domain)
    assert "24 uur" in d.messages[0]["text"]
    assert {"event": "active_loop", "name": None} in [{"event": e["event"], "name": e.get("name")} for e in events]

    # Someone else (another sender id) gets no offer and nothing back.
    other = CollectingDispatcher()
    await ActionGreet().run(other, tracker_factory(sender_id="widget-b"), domain)
    assert other.messages[0]["response"] == "utter_greet"
    nothing = slots_of(await ActionResumeReport().run(other, tracker_factory(sender_id="widget-b"), domain))
    assert nothing == {"report_wanted": False}

    # The same person returns: offered, then picked up with every answer.
    back = CollectingDispatcher()
    await ActionGreet().run(back, tracker_factory(sender_id="widget-a"), domain)
    assert "verder" in back.messages[0]["text"] and back.messages[0]["buttons"][0]["payload"] == "/resume_report"
    resumed = slots_of(await ActionResumeReport().run(back, tracker_factory(sender_id="widget-a"), domain))
    assert resumed["report_who"] == FILLED["report_who"] and resumed["incident_text"] == STORY
    assert resumed["report_why"] is None  # still to be asked
    # Picked up once: a second resume finds nothing.
    assert slots_of(await ActionResumeReport().run(back, tracker_factory(sender_id="widget-a"), domain)) == {"report_wanted": False}


def test_a_draft_expires_after_24_hours_and_is_encrypted(session):
    from sqlalchemy import text

    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    drafts.save(session, "id-1", {"report_what": "geheim verhaal"}, now)
    raw = session.execute(text("SELECT slots FROM report_drafts")).scalar_one()
    assert "geheim" not in raw
    assert drafts.find(session, "id-1", now + timedelta(hours=23))["report_what"] == "geheim verhaal"
    assert drafts.find(session, "id-1", now + timedelta(hours=24, seconds=1)) is None


async def test_summary_after_a_change_forgets_the_change(dispatcher, tracker_factory, domain):
    events = await ActionReportSummary().run(dispatcher, tracker_factory(slots={**FILLED, "report_changing": "report_where"}), domain)
    assert slots_of(events)["report_changing"] is None
