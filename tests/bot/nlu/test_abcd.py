"""The Rasa component that applies the ABCD decision (nlu/abcd.py). Needs Rasa (marker `rasa`)."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.rasa

abcd = pytest.importorskip("nlu.abcd")
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

STORY = "tijdens het debat noemde de fractievoorzitter van de VVD mij een zielige leugenaar"


def processed(probability):
    component = abcd.ABCDTriage({"colleague_threshold": 0.7})
    message = Message(data={TEXT: STORY})
    message.set(INTENT_RANKING_KEY, [{"name": "incident_c", "confidence": 0.9}, {"name": "incident_b", "confidence": 0.1}])
    message.set(INTENT, {"name": "incident_c", "confidence": 0.9})
    if probability is not None:
        message.set("colleague_probability", probability)
    component.process([message])
    return message.get("abcd")


def test_the_colleague_models_probability_reaches_the_decision():
    assert processed(0.9)["colleague"] is True
    assert processed(0.9)["colleague_by"] == "model"
    assert processed(0.5)["colleague"] is False
    assert processed(None)["colleague"] is False  # a model trained before the colleague model


def _taken_for(intent, text, confidence=0.45):
    message = Message(data={TEXT: text})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}, {"name": "incident_d", "confidence": 0.2}])
    message.set(INTENT, {"name": intent, "confidence": confidence})
    abcd.ABCDTriage({}).process([message])
    return message.get(INTENT)["name"]


@pytest.mark.parametrize("intent", ["request_human", "stop", "pause"])
def test_every_taught_example_of_an_intent_that_ends_a_form_has_its_words(intent):
    import yaml

    data = yaml.safe_load((Path(__file__).resolve().parents[3] / "bot/data/nlu/dialogue.yml").read_text(encoding="utf-8"))
    [block] = [b for b in data["nlu"] if b.get("intent") == intent]
    examples = [line.removeprefix("- ").strip() for line in block["examples"].splitlines() if line.strip()]
    assert len(examples) >= 14
    assert [e for e in examples if not abcd.has_its_words(intent, e)] == []
    assert all(_taken_for(intent, e) == intent for e in examples)


@pytest.mark.parametrize("intent, text", [
    ("request_human", "een account met een nepnaam"), ("request_human", "een account met de naam patriot88"),
    ("request_human", "een man met een pet"), ("request_human", "een vrouw in een rode jas"),
    ("stop", "sla maar over"), ("stop", "ik weet het niet meer"), ("stop", "een jongen op een scooter"), ("pause", "gisteravond rond tien uur"),
    ("pause", "bij de ingang van het gemeentehuis"), ("pause", "twee dagen later"), ("pause", "een week terug"),
    ("pause", "een tijdje terug"), ("stop", "toen de vergadering afgelopen was"), ("stop", "klaarblijkelijk een buurman"),
    # story answers with a word that can also ask (review, session 31)
    ("request_human", "iemand die ik niet ken"), ("request_human", "via de telefoon"), ("request_human", "hij belde telefonisch"),
    ("request_human", "bij de burgemeester thuis"), ("request_human", "hij riep om hulp"), ("request_human", "hij was heel bot"),
    ("stop", "mijn ruit kapotgegooid"), ("stop", "zijn houding op de vergadering"), ("stop", "ik kon niet verder lopen"),
    ("stop", "het was laat maar nog licht"), ("stop", "hij stopte naast me"), ("pause", "op dat moment"),
    ("pause", "hij liep weg"), ("pause", "op de weg naar huis"), ("pause", "hij wacht me op bij de bushalte"),
    ("pause", "even later"), ("pause", "jaren later"), ("pause", "een dag of twee later"), ("pause", "een tijd terug"),
    ("pause", "hij gaf me twee dagen later een brief"), ("pause", "bij het kantoor, een uur later"),
    ("pause", "hij komt morgen terug"),
])
def test_an_answer_without_the_intents_words_does_not_end_the_form(intent, text):
    """Typed at one of the report form's questions: taken for request_human, stop or pause it would end the form
    (it becomes nlu_fallback, or the incident its story tells)."""
    assert not abcd.has_its_words(intent, text)
    assert _taken_for(intent, text) != intent


@pytest.mark.parametrize("intent", ["request_human", "stop", "pause"])
def test_a_buttons_payload_keeps_its_intent(intent):
    assert _taken_for(intent, f"/{intent}") == intent


def test_other_intents_are_left_alone():
    assert _taken_for("affirm", "een account met een nepnaam") == "affirm"


@pytest.mark.parametrize("intent, text", [
    ("stop", "hou maar op"), ("stop", "ik wil niet verder"), ("stop", "ik kap ermee"), ("stop", "toch maar niet"),
    ("stop", "laat zitten"), ("pause", "wacht even"), ("pause", "ik moet even weg"), ("pause", "ik heb nu geen tijd"),
    ("pause", "vanavond verder"), ("request_human", "mag ik iemand spreken"), ("request_human", "bel me"),
    ("request_human", "kan iemand me helpen"), ("request_human", "ik wil geen bot"), ("stop", "hou er mee op"),
    ("pause", "ik kom zo terug"), ("pause", "later verder graag"), ("stop", "laat maar."), ("stop", "laat maar, bedankt"),
    ("stop", "nee laat maar!"), ("stop", "ik ben klaar"),
])
def test_untaught_ways_of_asking_keep_the_intent(intent, text):
    assert _taken_for(intent, text) == intent


def test_a_sure_model_needs_no_words():
    assert _taken_for("request_human", "een account met een nepnaam", confidence=abcd.WORDS_NEEDED_BELOW) == "request_human"


@pytest.mark.parametrize("text", ["😡😡😡", "???", "!!", "12-03", "👍", " ", "j"])
def test_a_message_without_a_word_is_not_understood_whatever_the_model_took_it_for(text):
    """No intent was taught a message without a word; round 28's model took "😡😡😡" for a greeting (CI's e2e test)."""
    assert _taken_for("greet", text, confidence=0.9) == "nlu_fallback"
    assert _taken_for("affirm", text, confidence=0.99) == "nlu_fallback"


def test_a_payload_or_a_word_keeps_the_models_intent():
    assert _taken_for("greet", "/greet", confidence=0.9) == "greet"
    assert _taken_for("greet", "hoi 👋", confidence=0.9) == "greet"
    assert _taken_for("affirm", "ja!", confidence=0.9) == "affirm"


def test_a_threat_the_decision_finds_without_a_word_keeps_its_intent():
    """A review's case: with "D when no incident" the decision can make a message without a word D while the model
    already said incident_d; the intent must stay incident_d (the D advice), not become nlu_fallback."""
    for ranking in ([("incident_d", 0.45), ("greet", 0.3), ("acute_danger", 0.1)], [("incident_d", 0.7), ("acute_danger", 0.15)]):
        message = Message(data={TEXT: "🔪🔪🔪"})
        message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking])
        message.set(INTENT, {"name": ranking[0][0], "confidence": ranking[0][1]})
        abcd.ABCDTriage({"d_when_no_incident": 0.3, "acute_threshold": 0.5}).process([message])
        assert message.get("abcd")["label"] == "D" and message.get(INTENT)["name"] == "incident_d"
    message = Message(data={TEXT: "🔪"})
    message.set(INTENT_RANKING_KEY, [{"name": "acute_danger", "confidence": 0.8}])
    message.set(INTENT, {"name": "acute_danger", "confidence": 0.8})
    abcd.ABCDTriage({}).process([message])
    assert message.get(INTENT)["name"] == "acute_danger"


def test_a_masked_insult_without_a_word_keeps_its_incident():
    message = Message(data={TEXT: "t*f*s"})  # the cue rules spell it out: an insult, C
    message.set(INTENT_RANKING_KEY, [{"name": "incident_c", "confidence": 0.9}, {"name": "greet", "confidence": 0.05}])
    message.set(INTENT, {"name": "incident_c", "confidence": 0.9})
    abcd.ABCDTriage({}).process([message])
    assert message.get("abcd")["label"] == "C" and message.get(INTENT)["name"] == "incident_c"
