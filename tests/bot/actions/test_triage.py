"""action_triage, the triage form and action_advice: events and messages."""

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.report import ActionAskReportWanted
from actions.triage import ActionAdvice, ActionAdviceDetails, ActionAskTriageCheck, ActionTriage, ValidateTriageForm


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


ABCD_D = {
    "label": "D",
    "confidence": 0.9,
    "subkind": "bedreiging",
    "cues": [
        {"text": "jij bent een landverrader", "kind": "belediging", "category": "C"},
        {"text": "ik weet waar je woont", "kind": "bedreiging", "category": "D"},
    ],
    "doubt": None,
    "acute": False,
    "persistent": False,
    "medium": "face_to_face",
    "online": False,
}


async def test_triage_explains_the_cues_it_saw(dispatcher, tracker_factory, domain):
    text = "Een man op de markt riep: jij bent een landverrader, ik weet waar je woont"
    tracker = tracker_factory(text=text, intent="incident_d", abcd=ABCD_D)
    events = await ActionTriage().run(dispatcher, tracker, domain)
    slots = slots_of(events)
    assert slots["category"] == "D"
    assert slots["subkind"] == "bedreiging"
    assert slots["incident_text"] == text
    said = dispatcher.messages[0]["text"]
    assert "u schrijft 'ik weet waar je woont': dat is een bedreiging" in said.lower()
    assert "zwaarste" in said
    assert not any("112" in m["text"] for m in dispatcher.messages)


async def test_a_d_word_that_did_not_decide_is_not_quoted_as_a_threat_but_asked_about(dispatcher, tracker_factory, domain):
    """nlu.triage: a D word the model gave almost no D (d_cue_min_prob) leaves the label and asks the threat question;
    the explanation must not call it a threat."""
    abcd = {**ABCD_D, "label": "A", "subkind": None, "doubt": ["A", "D"],
            "cues": [{"text": "dreigt", "kind": "bedreiging", "category": "D", "counted": False}]}
    text = "Huurder op mijn spreekuur in tranen: de corporatie dreigt met ontruiming."
    tracker = tracker_factory(text=text, intent="incident_a", abcd=abcd)
    events = await ActionTriage().run(dispatcher, tracker, domain)
    said = " ".join(m["text"] for m in dispatcher.messages)
    assert "dat is een bedreiging" not in said
    assert "geen duidelijke signaalwoorden" in said
    assert "twijfel tussen A-gedrag en D-gedrag" in said
    assert slots_of(events)["doubt"] == ["A", "D"]

    ask = CollectingDispatcher()
    await ActionAskTriageCheck().run(ask, tracker_factory(slots={"doubt": ["A", "D"]}), domain)
    assert ask.messages[0]["text"] == texts.DOUBT_QUESTION["D"]

    # "ja": D, with the kind and the D word now counted (the griffie page shows it)
    slots = {"doubt": ["A", "D"], "subkind": "bedreiging", "cues": abcd["cues"]}
    answered = ValidateTriageForm().validate_triage_check(True, CollectingDispatcher(), tracker_factory(slots=slots), domain)
    assert answered["category"] == "D" and answered["subkind"] == "bedreiging"
    assert answered["cues"] == [{"text": "dreigt", "kind": "bedreiging", "category": "D", "counted": True}]
    answered = ValidateTriageForm().validate_triage_check(False, CollectingDispatcher(), tracker_factory(slots=slots), domain)
    assert answered["category"] == "A" and answered["subkind"] is None and "cues" not in answered


async def test_acute_danger_says_112_first(dispatcher, tracker_factory, domain):
    abcd = {**ABCD_D, "acute": True, "cues": [{"text": "staat nu voor mijn deur", "kind": "stalking", "category": "D"}]}
    tracker = tracker_factory(text="Hij staat nu voor mijn deur", intent="acute_danger", abcd=abcd)
    events = await ActionTriage().run(dispatcher, tracker, domain)
    assert "112" in dispatcher.messages[0]["text"]
    assert slots_of(events)["acute"] is True


async def test_doubt_is_announced_and_the_form_asks_the_separating_question(dispatcher, tracker_factory, domain):
    abcd = {**ABCD_D, "label": "B", "subkind": None, "cues": [], "doubt": ["B", "C"]}
    tracker = tracker_factory(text="Hij was erg fel", intent="incident_b", abcd=abcd)
    await ActionTriage().run(dispatcher, tracker, domain)
    assert "twijfel tussen B-gedrag en C-gedrag" in dispatcher.messages[-1]["text"]

    ask = CollectingDispatcher()
    await ActionAskTriageCheck().run(ask, tracker_factory(slots={"doubt": ["B", "C"]}), domain)
    assert ask.messages[0]["text"] == texts.DOUBT_QUESTION["C"]
    assert [b["payload"] for b in ask.messages[0]["buttons"]] == ["/affirm", "/deny", "weet ik niet"]


async def test_answer_yes_to_the_doubt_question_gives_the_heavier_category(dispatcher, tracker_factory, domain):
    tracker = tracker_factory(
        slots={"doubt": ["C", "D"], "category": "C", "requested_slot": "triage_check"},
        new_slots={"triage_check": True},
        text="/affirm",
        intent="affirm",
        active_loop="triage_form",
    )
    events = await ValidateTriageForm().run(dispatcher, tracker, domain)
    slots = slots_of(events)
    assert slots["category"] == "D"
    assert slots["doubt"] is None


async def test_typed_no_gives_the_lighter_category_and_then_asks_persistence(dispatcher, tracker_factory, domain):
    tracker = tracker_factory(
        slots={"doubt": ["B", "C"], "category": "C", "requested_slot": "triage_check"},
        new_slots={"triage_check": "nee, het ging over het beleid"},
        text="nee, het ging over het beleid",
        intent="inform",
        active_loop="triage_form",
    )
    events = await ValidateTriageForm().run(dispatcher, tracker, domain)
    slots = slots_of(events)
    assert slots["category"] == "B"
    assert slots["requested_slot"] == "triage_persistent"


@pytest.mark.parametrize("typed, intent, slot, category", [("ja", "deny", False, "D"), ("ja, dat zei hij", "deny", False, "D"),
                                                            ("nee", "affirm", True, "C"), ("/deny", "deny", False, "C")])
async def test_the_words_decide_the_doubt_question_not_the_models_intent(typed, intent, slot, category, dispatcher,
                                                                         tracker_factory, domain):
    """A typed "ja" the model took for deny would lighten a threat to C: the words decide (a payload is no words)."""
    tracker = tracker_factory(slots={"doubt": ["C", "D"], "category": "C", "requested_slot": "triage_check"},
                              new_slots={"triage_check": slot}, text=typed, intent=intent, active_loop="triage_form")
    assert slots_of(await ValidateTriageForm().run(dispatcher, tracker, domain))["category"] == category


async def test_a_no_that_tells_the_heavier_behaviour_keeps_it(dispatcher, tracker_factory, domain):
    """'nee, maar hij volgde me wel naar huis' at the threat question: the answer is itself D (the heaviest counts)."""
    def answered(label):
        return tracker_factory(slots={"doubt": ["C", "D"], "category": "C", "requested_slot": "triage_check"},
                               new_slots={"triage_check": "nee, maar hij volgde me wel naar huis"}, abcd={"label": label},
                               text="nee, maar hij volgde me wel naar huis", intent="incident_d", active_loop="triage_form")

    assert slots_of(await ValidateTriageForm().run(dispatcher, answered("D"), domain))["category"] == "D"
    assert slots_of(await ValidateTriageForm().run(CollectingDispatcher(), answered("C"), domain))["category"] == "C"
    # the answer's own label counts only when it is heavier: a lighter, none or an unknown one leaves the "nee" at C
    for own in ("B", None, "X"):
        assert slots_of(await ValidateTriageForm().run(CollectingDispatcher(), answered(own), domain))["category"] == "C"


async def test_not_knowing_whether_it_went_on_is_no_no_and_is_asked_again(dispatcher, tracker_factory, domain):
    """'weet ik niet' understood as deny fills the slot with False: no "nee" (that would lighten nothing, but would be
    the user's answer without their having given it)."""
    tracker = tracker_factory(
        slots={"category": "C", "requested_slot": "triage_persistent"},
        new_slots={"triage_persistent": False},
        text="weet ik niet",
        intent="deny",
        active_loop="triage_form",
    )
    slots = slots_of(await ValidateTriageForm().run(dispatcher, tracker, domain))
    assert slots["triage_persistent"] is None and "persistent" not in slots
    assert "Kies 'Ja' of 'Nee'" in dispatcher.messages[-1]["text"]


async def test_an_unclear_answer_is_asked_again(dispatcher, tracker_factory, domain):
    tracker = tracker_factory(
        slots={"doubt": ["B", "C"], "category": "C", "requested_slot": "triage_check"},
        new_slots={"triage_check": "op de markt"},
        text="op de markt",
        active_loop="triage_form",
    )
    events = await ValidateTriageForm().run(dispatcher, tracker, domain)
    assert slots_of(events)["triage_check"] is None
    assert dispatcher.messages[0]["text"] == texts.ANSWER_YES_NO


async def test_a_user_who_cannot_tell_gets_the_heavier_category_and_a_person_is_offered(dispatcher, tracker_factory, domain):
    tracker = tracker_factory(
        slots={"doubt": ["C", "D"], "category": "C", "subkind": "bedreiging", "requested_slot": "triage_check"},
        new_slots={"triage_check": "weet ik niet"},
        text="weet ik niet",
        active_loop="triage_form",
    )
    events = await ValidateTriageForm().run(dispatcher, tracker, domain)
    slots = slots_of(events)
    assert (slots["category"], slots["subkind"], slots["triage_check"]) == ("D", "bedreiging", "unsure")
    assert "Ik ga uit van het zwaarste: D-gedrag" in dispatcher.messages[0]["text"]

    dispatcher.messages.clear()
    asked = tracker_factory(slots={"category": "C", "triage_check": "unsure", "contact_label": "de griffier"})
    await ActionAskReportWanted().run(dispatcher, asked, domain)
    assert {"title": "Met iemand praten", "payload": "/request_human"} in dispatcher.messages[0]["buttons"]


async def test_no_question_for_d_without_doubt(dispatcher, tracker_factory, domain):
    tracker = tracker_factory(slots={"category": "D", "doubt": None}, active_loop="triage_form")
    assert await ValidateTriageForm().required_slots([], dispatcher, tracker, domain) == []


async def test_advice_uses_the_municipality_protocol_and_says_reporting_is_required(connection, dispatcher, tracker_factory, domain):
    tracker = tracker_factory(slots={"category": "D", "subkind": "bedreiging", "municipality": "Leiden", "municipality_key": "leiden",
                                     "online": False, "role": "raadslid"})
    events = await ActionAdvice().run(dispatcher, tracker, domain)
    [said] = [m["text"] for m in dispatcher.messages]  # issue 13: one short message, the rest on request
    assert "protocol Leiden" in said
    assert "Melden is verplicht." in said
    assert slots_of(events)["report_required"] is True
    assert slots_of(events)["contact_label"] == "de griffier"  # the offer to report names the contact

    details = CollectingDispatcher()
    await ActionAdviceDetails().run(details, tracker, domain)
    said = "\n".join(m["text"] for m in details.messages)
    assert "Het protocol zegt: '" in said  # Leiden's advice carries a verbatim, checked quote
    assert "Aangifte" in said and "protocol Leiden" in said


async def test_advice_for_c_that_went_on_after_a_warning_must_be_reported(connection, dispatcher, tracker_factory, domain):
    tracker = tracker_factory(slots={"category": "C", "municipality": None, "persistent": True})
    events = await ActionAdvice().run(dispatcher, tracker, domain)
    said = "\n".join(m["text"] for m in dispatcher.messages)
    assert "algemene route" in said
    assert "Dan moet u het melden." in said
    assert slots_of(events)["report_required"] is True


async def test_advice_for_a_once_is_optional_and_online_steps_follow(connection, dispatcher, tracker_factory, domain):
    tracker = tracker_factory(slots={"category": "A", "municipality": "Nijmegen", "persistent": False, "online": True})
    events = await ActionAdvice().run(dispatcher, tracker, domain)
    assert "Melden hoeft niet" in dispatcher.messages[0]["text"]
    assert slots_of(events)["report_required"] is False
    await ActionAdviceDetails().run(dispatcher, tracker, domain)
    assert "online" in "\n".join(m["text"] for m in dispatcher.messages[1:])


async def test_the_municipality_protocol_decides_whether_c_must_be_reported(connection, dispatcher, tracker_factory, domain):
    # Nunspeet reports every C incident; the general route only C that went on after a warning.
    nunspeet = tracker_factory(slots={"category": "C", "municipality": "Nunspeet", "municipality_key": "nunspeet", "persistent": False})
    general = tracker_factory(slots={"category": "C", "municipality": "Utrecht", "persistent": False})
    assert slots_of(await ActionAdvice().run(dispatcher, nunspeet, domain))["report_required"] is True
    assert slots_of(await ActionAdvice().run(dispatcher, general, domain))["report_required"] is False
