"""Issue 13 in the actions: the story pre-fills the report, every answer is checked with a specific re-ask,
one field is corrected in place at the summary, and a report can be paused and picked up again."""

from datetime import UTC, datetime, timedelta

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.report import ValidateReportForm
from actions.report_change import ActionAskChangeField, ActionChangeReport, ValidateChangeForm
from actions.report_fields import REPORT_FIELDS
from actions.report_pause import ActionGreet, ActionPauseReport, ActionResumeReport
from actions.report_summary import ActionReportSummary, summary
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
        ("report_medium", "weet ik niet", "onbekend"),  # review item 11: unknown, not "anders"
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


# --- review of issue 13 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    ["weet ik niet meer", "dat weet ik niet", "sla maar over", "weet ik niet precies", "kan ik me niet herinneren", "nvt",
     "n.v.t.", "Geen idee helaas"],
)
async def test_a_short_i_dont_know_is_an_answer(tracker_factory, domain, answer):
    slots, said = await validate(tracker_factory, domain, "report_why", answer, **FILLED)
    assert slots["report_why"] == "onbekend" and said == []


async def test_an_answer_with_content_around_weet_niet_is_kept(tracker_factory, domain):
    slots, _said = await validate(tracker_factory, domain, "report_who", "een man, naam weet ik niet", **FILLED)
    assert slots["report_who"] == "een man, naam weet ik niet"


@pytest.mark.parametrize("answer, today", [("net", True), ("zojuist", True), ("nu", True), ("daarnet", True), ("zonet", True),
                                           ("een tijdje terug", False)])
async def test_just_now_is_a_when_answer(tracker_factory, domain, answer, today):
    slots, said = await validate(tracker_factory, domain, "report_when", answer, **FILLED)
    assert said == []
    assert slots["report_when"].startswith(answer)
    assert (datetime.now().strftime(" %Y)") in slots["report_when"]) is today


@pytest.mark.parametrize(
    "slot, answer",
    [("report_who", "?"), ("report_who", "..."), ("report_who", "x"), ("report_who", "jep"), ("report_who", "ja klopt"),
     ("report_when", "1"), ("report_what", "help")],
)
async def test_an_answer_without_content_is_asked_again(tracker_factory, domain, slot, answer):
    slots, said = await validate(tracker_factory, domain, slot, answer, **{**FILLED, "incident_text": None})
    assert slots[slot] is None
    assert "Ik heb hier een paar woorden nodig" in said[-1]  # "help" gets the 112 message first


async def test_a_date_in_digits_is_still_a_when_answer(tracker_factory, domain):
    slots, said = await validate(tracker_factory, domain, "report_when", "28-11", **FILLED)
    assert said == [] and slots["report_when"].startswith("28-11 (")


async def test_a_place_answer_to_the_medium_question_is_in_person(tracker_factory, domain):
    slots, said = await validate(tracker_factory, domain, "report_medium", "in de trein", **FILLED)
    assert slots["report_medium"] == "face_to_face" and said == []


def test_an_unknown_medium_is_shown_as_onbekend(tracker_factory):
    assert "- Via: onbekend" in summary(tracker_factory(slots={**FILLED, "report_medium": "onbekend"}))


async def _pause(tracker_factory, domain, sender="widget-a"):
    half = {**FILLED, "report_why": None, "report_status": None, "incident_text": STORY, "requested_slot": "report_why"}
    return slots_of(await ActionPauseReport().run(CollectingDispatcher(), tracker_factory(slots=half, sender_id=sender), domain))


def _kept(tracker_factory, sender="widget-a"):
    from actions import identity
    from actions.store import db

    with db.session() as session:
        return drafts.find(session, identity.of_tracker(tracker_factory(sender_id=sender))[0])


async def test_pausing_empties_the_report_slots_of_the_conversation(connection, tracker_factory, domain):
    after = await _pause(tracker_factory, domain)
    assert after["report_who"] is None and after["report_what"] is None and after["report_wanted"] is None
    assert _kept(tracker_factory)["report_who"] == FILLED["report_who"]  # kept in the draft


async def test_stop_forgets_the_draft(connection, tracker_factory, domain):
    from actions.common import ActionStop

    await _pause(tracker_factory, domain)
    await ActionStop().run(CollectingDispatcher(), tracker_factory(sender_id="widget-a"), domain)
    assert _kept(tracker_factory) is None


async def test_filing_forgets_the_draft(connection, tracker_factory, domain):
    from actions.report_summary import ActionSubmitReport
    from tests.bot.actions.test_report import summary_shown

    await _pause(tracker_factory, domain)
    shown = slots_of(await ActionReportSummary().run(CollectingDispatcher(), tracker_factory(slots=FILLED), domain))
    events = await ActionSubmitReport().run(CollectingDispatcher(), summary_shown(
        tracker_factory(slots={**FILLED, **shown}, sender_id="widget-a")), domain)
    assert slots_of(events)["report_status"] == "submitted"
    assert _kept(tracker_factory) is None


async def test_erasure_forgets_the_draft(connection, tracker_factory, domain):
    from tests.bot.actions.test_report_lifecycle import _ask

    await _pause(tracker_factory, domain)
    await _ask(tracker_factory, domain, CollectingDispatcher(), "erase_my_data", "verwijder mijn gegevens", sender="widget-a",
               lifecycle_confirm=True)
    assert _kept(tracker_factory) is None


def test_purge_removes_expired_drafts(connection):
    from sqlalchemy import func, select

    from actions.store import db, retention

    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    with db.transaction() as session:
        drafts.save(session, "id-old", {"report_what": "oud"}, now - timedelta(hours=30))
        session.add(drafts.ReportDraftRow(identity_hash="id-new", slots="{}", saved_at=now, expires_at=now + drafts.KEEP))
    retention.purge_expired(now)
    with db.session() as session:
        assert session.scalars(select(drafts.ReportDraftRow.identity_hash)).all() == ["id-new"]
        assert session.scalar(select(func.count()).select_from(drafts.ReportDraftRow)) == 1
