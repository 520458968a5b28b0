"""The Rasa component that applies the ABCD decision (nlu/abcd.py). Needs Rasa (marker `rasa`)."""

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


def _taken_for_request_human(text):
    message = Message(data={TEXT: text})
    message.set(INTENT_RANKING_KEY, [{"name": "request_human", "confidence": 0.45}, {"name": "incident_d", "confidence": 0.2}])
    message.set(INTENT, {"name": "request_human", "confidence": 0.45})
    abcd.ABCDTriage({}).process([message])
    return message.get(INTENT)["name"]


def test_every_taught_request_for_a_person_asks_for_one():
    from pathlib import Path

    import yaml

    data = yaml.safe_load((Path(__file__).resolve().parents[3] / "bot/data/nlu/dialogue.yml").read_text(encoding="utf-8"))
    [block] = [b for b in data["nlu"] if b.get("intent") == "request_human"]
    examples = [line.removeprefix("- ").strip() for line in block["examples"].splitlines() if line.strip()]
    assert len(examples) >= 20
    assert [e for e in examples if not abcd.asks_for_person(e)] == []
    assert all(_taken_for_request_human(e) == "request_human" for e in examples)


@pytest.mark.parametrize("text", ["een account met een nepnaam", "een account met de naam patriot88", "een man met een pet",
                                  "een vrouw in een rode jas"])
def test_an_answer_with_no_word_for_a_person_is_no_request_for_one(text):
    """Typed at "Wie deed het?": taken for request_human it would end the report form."""
    assert _taken_for_request_human(text) == "nlu_fallback"


def test_the_buttons_payload_stays_a_request_for_a_person():
    assert _taken_for_request_human("/request_human") == "request_human"
